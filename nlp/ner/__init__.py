"""Named-entity recognition for Chinese résumés and CVs (简历命名实体识别).

The shipped pipeline (``nlp/models/resume_ner``, trained on ResumeNER by
``python -m nlp.ner.train``) finds eight entity types, as exact character spans:

=====  ===============================  =====  ===============================
NAME   person name (人名)               EDU    degree / education (学历)
ORG    organisation (组织机构)           PRO    major / profession (专业)
TITLE  job title or position (职称职务)  CONT   nationality (国籍)
LOC    location (籍贯/地址)              RACE   ethnicity (民族)
=====  ===============================  =====  ===============================

Example::

    >>> from nlp.ner import extract_entities
    >>> [(e.text, e.label) for e in extract_entities("王建国，现任哈尔滨工业大学教授。")]  # doctest: +SKIP
    [('王建国', 'NAME'), ('哈尔滨工业大学', 'ORG'), ('教授', 'TITLE')]

The model is loaded from files inside the package; nothing is ever downloaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = [
    "ENTITY_LABELS",
    "MODEL_DIR",
    "Entity",
    "NerModelMissingError",
    "extract_entities",
    "extract_entities_batch",
    "load_ner",
    "split_for_ner",
]

#: Folder of the shipped spaCy pipeline.
MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "resume_ner"

#: The labels the shipped model predicts.
ENTITY_LABELS: tuple[str, ...] = ("NAME", "TITLE", "ORG", "EDU", "PRO", "CONT", "RACE", "LOC")

#: Longest piece handed to the model at once. Training sentences are at most 178 characters;
#: much longer inputs only cost time (the encoder is local, so context beyond a few characters
#: is not used anyway).
MAX_CHUNK_CHARS = 300

_SENTENCE_END = re.compile(r"[。！？；!?;\n\r]+")
_SOFT_BREAK = re.compile(r"[，,、：:\s]")


class NerModelMissingError(FileNotFoundError):
    """The NER pipeline folder is missing or incomplete."""


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity found in a text: ``text == source[start:end]``, offsets in characters."""

    text: str
    label: str
    start: int
    end: int


@lru_cache(maxsize=4)
def load_ner(path: str | Path | None = None) -> Language:
    """Load the NER pipeline from disk (cached per path).

    Args:
        path: a pipeline folder; defaults to the shipped ``nlp/models/resume_ner``.

    Returns:
        The spaCy ``Language`` object.

    Raises:
        NerModelMissingError: if the folder has no ``config.cfg``.
    """
    import spacy

    from nlp.ner import features as _features  # noqa: F401  (registers the embedding layer)
    from nlp.ner.ops import matmul_ops

    model_dir = Path(path) if path is not None else MODEL_DIR
    if not (model_dir / "config.cfg").is_file():
        raise NerModelMissingError(
            f"No spaCy pipeline at {model_dir}. Train one with `python -m nlp.ner.train "
            f"--out {model_dir}` (needs the ResumeNER data) or restore the shipped files."
        )
    with matmul_ops():
        return spacy.load(model_dir)


def split_for_ner(text: str, max_chars: int = MAX_CHUNK_CHARS) -> list[tuple[int, str]]:
    """Cut ``text`` into ``(offset, piece)`` chunks the model handles well.

    Pieces end after sentence punctuation (。！？；) or at line breaks; a sentence longer than
    ``max_chars`` is cut after the last comma-like character (，、：or a space) before the
    limit, or at the limit. Surrounding whitespace is dropped; empty pieces are skipped.
    ``text[offset:offset + len(piece)] == piece`` holds for every chunk.
    """
    chunks: list[tuple[int, str]] = []
    start = 0
    bounds = [m.end() for m in _SENTENCE_END.finditer(text)]
    if not bounds or bounds[-1] != len(text):
        bounds.append(len(text))
    for end in bounds:
        while end - start > max_chars:
            window = text[start : start + max_chars]
            soft = [m.end() for m in _SOFT_BREAK.finditer(window)]
            cut = start + (soft[-1] if soft and soft[-1] > max_chars // 2 else max_chars)
            _append_stripped(chunks, text, start, cut)
            start = cut
        _append_stripped(chunks, text, start, end)
        start = end
    return chunks


def _append_stripped(chunks: list[tuple[int, str]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        chunks.append((start + piece.index(stripped), stripped))


def extract_entities(text: str) -> list[Entity]:
    """Entities in ``text`` (any length), ordered by position.

    >>> extract_entities("")
    []
    """
    return extract_entities_batch([text])[0]


def extract_entities_batch(
    texts: Iterable[str], n_process: int = 1, batch_size: int = 64
) -> list[list[Entity]]:
    """Entities for many texts at once, using ``nlp.pipe``.

    Args:
        texts: the input texts.
        n_process: worker processes for ``nlp.pipe`` (1 = in-process).
        batch_size: chunks per batch given to the model.

    Returns:
        One list of entities per input text, in input order.
    """
    texts = list(texts)
    results: list[list[Entity]] = [[] for _ in texts]
    jobs = [
        (index, offset, piece)
        for index, text in enumerate(texts)
        for offset, piece in split_for_ner(text)
    ]
    if not jobs:
        return results
    nlp = load_ner()
    docs: Iterator = nlp.pipe(
        (piece for _, _, piece in jobs), batch_size=batch_size, n_process=n_process
    )
    for (index, offset, _), doc in zip(jobs, docs, strict=True):
        source = texts[index]
        for ent in doc.ents:
            start, end = offset + ent.start_char, offset + ent.end_char
            results[index].append(Entity(source[start:end], ent.label_, start, end))
    return results
