"""How organisations are written in the input files: official names and the variants
real sources use (region in parentheses, ``有限责任公司`` for ``有限公司``, ASCII
parentheses, ``哈尔滨市`` for ``哈尔滨``, abbreviations such as 哈工大).

Every string written is logged per organisation so truth/organizations.json can list the
variants an ingest has to normalise.
"""

from __future__ import annotations

import random
from collections import defaultdict

from bench.gen.world import Firm, University

__all__ = ["NameLog", "firm_variants"]

_LEGAL_SWAP = {"有限公司": "有限责任公司", "有限责任公司": "有限公司"}


def firm_variants(f: Firm) -> list[str]:
    """Non-official ways of writing a firm's name (all refer to the same firm)."""
    core = f.brand + f.industry
    out: list[str] = []
    if f.paren_form:
        swapped = f"{f.prefix}{core}{f.legal}"
        out += [swapped, f.name.replace("（", "(").replace("）", ")")]
    else:
        swapped = f"{core}（{f.prefix}）{f.legal}"
        out += [swapped, swapped.replace("（", "(").replace("）", ")")]
        if f.prefix == f.city and f.city != "大兴安岭":
            out.append(f"{f.prefix}市{core}{f.legal}")
        elif f.prefix == "黑龙江":
            out.append(f"黑龙江省{core}{f.legal}")
    if f.legal in _LEGAL_SWAP:
        out.append(f.name[: -len(f.legal)] + _LEGAL_SWAP[f.legal])
    return out


class NameLog:
    """Chooses display names and remembers which were used."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.firm_used: dict[str, set[str]] = defaultdict(set)
        self.univ_used: dict[str, set[str]] = defaultdict(set)

    def firm(self, f: Firm, p_official: float = 0.7, short: bool = False) -> str:
        r = self.rng.random()
        if r < p_official:
            name = f.name
        elif short and r < p_official + 0.1:
            name = f.brand + f.industry
        else:
            name = self.rng.choice(firm_variants(f))
        self.firm_used[f.fid].add(name)
        return name

    def univ(self, u: University, p_abbr: float = 0.07) -> str:
        name = self.rng.choice(u.abbr) if u.abbr and self.rng.random() < p_abbr else u.name
        self.univ_used[u.code].add(name)
        return name

    def org(
        self, org: object, p_official: float = 0.7, p_abbr: float = 0.07, short: bool = False
    ) -> str:
        if isinstance(org, University):
            return self.univ(org, p_abbr)
        if isinstance(org, Firm):
            return self.firm(org, p_official, short)
        return str(org)
