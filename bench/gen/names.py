"""Realistic Chinese names: surnames by frequency, given names that often repeat.

About a quarter of given names come from a list of very common whole names (伟, 娜, 秀英 …),
the rest are composed from gendered character pools, so a population of tens of thousands
has many natural homonyms on top of the ones the world builder plants on purpose.
"""

from __future__ import annotations

import random
from itertools import accumulate

from bench.gen.vocab import Vocab

__all__ = ["NameGenerator", "to_pinyin"]


class NameGenerator:
    """Draws names from one ``random.Random``; deterministic for a given stream."""

    def __init__(self, vocab: Vocab, rng: random.Random) -> None:
        n = vocab.names
        self.rng = rng
        self.surnames = [s for s, _, _ in n["surnames"]]
        self.surname_cw = list(accumulate(float(w) for _, _, w in n["surnames"]))
        self.surname_py = {s: p for s, p, _ in n["surnames"]}
        self.pinyin: dict[str, str] = dict(n["pinyin"])
        self.common: dict[str, tuple[list[str], list[float]]] = {}
        for g in ("男", "女"):
            code = "m" if g == "男" else "f"
            items = [(name, float(w)) for name, sex, w in n["common_given"] if sex in (code, "u")]
            self.common[g] = ([i[0] for i in items], list(accumulate(i[1] for i in items)))
        self.first = {"男": n["male_first"], "女": n["female_first"]}
        self.second = {"男": n["male_second"], "女": n["female_second"]}

    def surname(self) -> str:
        return self.rng.choices(self.surnames, cum_weights=self.surname_cw)[0]

    def given(self, gender: str) -> str:
        r = self.rng.random()
        if r < 0.2:
            names, cw = self.common[gender]
            return self.rng.choices(names, cum_weights=cw)[0]
        if r < 0.36:
            return self.rng.choice(self.second[gender])
        return self.rng.choice(self.first[gender]) + self.rng.choice(self.second[gender])

    def full(self, gender: str) -> tuple[str, str]:
        """Return ``(surname, given)``."""
        return self.surname(), self.given(gender)

    def py(self, surname: str, given: str) -> tuple[str, str]:
        """Pinyin of surname and given name, without tones (``("zhang", "wei")``)."""
        return self.surname_py[surname], "".join(self.pinyin[c] for c in given)


def to_pinyin(gen: NameGenerator, surname: str, given: str) -> tuple[str, str]:
    return gen.py(surname, given)
