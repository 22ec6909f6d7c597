"""Reading character-level BMES files (ResumeNER format) and turning them into spans.

A BMES file has one ``<char> <tag>`` pair per line and a blank line between sentences.
Tags are ``O`` or ``<B|M|E|S>-<TYPE>`` (``B`` begin, ``M`` middle, ``E`` end, ``S`` single).
Entities are returned as half-open character spans ``(start, end, label)``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BmesSentence",
    "Span",
    "default_data_dir",
    "parse_bmes",
    "read_bmes",
    "tags_to_spans",
]

#: (start, end, label), character offsets, end exclusive.
Span = tuple[int, int, str]

#: Environment variable that points at the shared data folder (the one holding ``resume-ner/``).
SHARED_DATA_ENV = "KG_SHARED_DATA"


@dataclass(frozen=True, slots=True)
class BmesSentence:
    """One sentence of a BMES file: its text and its gold entity spans."""

    text: str
    spans: tuple[Span, ...]


def default_data_dir() -> Path:
    """Folder with ``train.char.bmes`` / ``dev.char.bmes``.

    ``$KG_SHARED_DATA/resume-ner`` if the variable is set, else ``<repo>/../shared/data/resume-ner``.
    The folder may not exist (e.g. on a user's machine); callers decide what to do then.
    """
    override = os.environ.get(SHARED_DATA_ENV)
    if override:
        return Path(override) / "resume-ner"
    repo_root = Path(__file__).resolve().parents[2]
    return repo_root.parent / "shared" / "data" / "resume-ner"


def tags_to_spans(tags: Sequence[str]) -> list[Span]:
    """Decode a BMES tag sequence into entity spans.

    Ill-formed sequences (an ``M``/``E`` with no open entity of the same type, an entity left
    open at a type change or at the end) are decoded leniently: an entity is emitted only when
    it is properly closed by ``E`` or is an ``S``; fragments are dropped. Gold files are
    well-formed, so this only matters for predicted tags.

    >>> tags_to_spans(["B-NAME", "E-NAME", "O", "S-RACE"])
    [(0, 2, 'NAME'), (3, 4, 'RACE')]
    """
    spans: list[Span] = []
    start: int | None = None
    open_label: str | None = None
    for i, tag in enumerate(tags):
        if tag == "O" or "-" not in tag:
            start, open_label = None, None
            continue
        prefix, label = tag.split("-", 1)
        if prefix == "S":
            spans.append((i, i + 1, label))
            start, open_label = None, None
        elif prefix == "B":
            start, open_label = i, label
        elif prefix == "M":
            if open_label != label:
                start, open_label = None, None
        elif prefix == "E":
            if open_label == label and start is not None:
                spans.append((start, i + 1, label))
            start, open_label = None, None
        else:
            raise ValueError(
                f"Unknown BMES tag prefix in {tag!r}; expected one of B, M, E, S or O."
            )
    return spans


def parse_bmes(lines: Iterable[str]) -> Iterator[BmesSentence]:
    """Parse BMES lines into sentences. Blank lines separate sentences."""
    chars: list[str] = []
    tags: list[str] = []
    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            if chars:
                yield BmesSentence("".join(chars), tuple(tags_to_spans(tags)))
                chars, tags = [], []
            continue
        # The character itself may be a space-like symbol in some corpora, so split from the right.
        parts = line.rsplit(maxsplit=1)
        if len(parts) != 2 or len(parts[0]) != 1:
            raise ValueError(
                f"Line {lineno}: expected '<one character> <tag>', got {line!r}. "
                "Is this a character-level BMES file?"
            )
        chars.append(parts[0])
        tags.append(parts[1])
    if chars:
        yield BmesSentence("".join(chars), tuple(tags_to_spans(tags)))


def read_bmes(path: str | os.PathLike[str]) -> list[BmesSentence]:
    """Read a BMES file into a list of sentences.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
    """
    with open(path, encoding="utf-8") as handle:
        return list(parse_bmes(handle))
