"""Shared Chinese text normalisation and word segmentation for 校企图谱.

Every module that cuts Chinese text (search/BM25, keywords, field classification, NER
features) goes through this one tokenizer so that the same string always yields the same
words. The tokenizer is a private :class:`jieba.Tokenizer` instance, never jieba's global
``jieba.dt``: other code (or a third-party library) changing the global dictionary cannot
change our segmentation, and ours cannot leak into theirs.

The private dictionary adds, on top of jieba's default one:

* every institution name of the Ministry of Education list (``data/institutions.csv``), the
  website list (``data/universities_with_website.json``), the extra organisations
  (``data/org_extra.csv``) and the Chinese aliases of three or more characters
  (``data/org_aliases.csv``), so that 哈尔滨工业大学 stays one token;
* the multi-character Chinese terms of the field lexicon (``data/field_lexicon.txt``) that
  jieba does not already know, so that 立方氮化硼 or 锂离子电池 stay whole;
* the programme's own vocabulary (``data/user_dict.txt``: 千校万企, 专精特新, 揭榜挂帅 ...).

Initialisation is lazy (first call), guarded by a lock, and costs about two seconds (jieba
builds or loads its prefix dictionary, then about 5,000 words are added). jieba's start-up
messages on the ``jieba`` logger are silenced to WARNING when this module is imported.
Works fully offline: every file is shipped in ``nlp/data``.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jieba
import jieba.posseg

__all__ = [
    "DATA_DIR",
    "STOPWORDS",
    "cut",
    "cut_for_search",
    "cut_with_pos",
    "is_content_token",
    "normalize_text",
    "tokenize",
    "warm_up",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

# jieba logs "Building prefix dict ..." at DEBUG with its own stream handler; keep errors only.
logging.getLogger("jieba").setLevel(logging.WARNING)

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"\s+")
# A token is content if it holds at least one letter, digit or CJK ideograph.
_CONTENT = re.compile(r"[0-9a-zA-Z\u3400-\u4dbf\u4e00-\u9fff]")
_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")


def _read_word_list(name: str) -> list[str]:
    """Read a one-word-per-line data file, skipping blank lines and ``#`` comments."""
    path = DATA_DIR / name
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line)
    return words


@cache
def _trad_to_simp() -> dict[int, str]:
    """The traditional→simplified character table (``data/trad_simp.txt``)."""
    table: dict[int, str] = {}
    for pair in _read_word_list("trad_simp.txt"):
        if len(pair) == 2 and pair[0] != pair[1]:
            table[ord(pair[0])] = pair[1]
    return table


def normalize_text(text: str) -> str:
    """Return the canonical surface form every ``nlp`` module compares text in.

    Applies Unicode NFKC (full-width letters, digits and punctuation become half-width:
    ``（哈尔滨）`` → ``(哈尔滨)``, ``ＡＢＣ１２`` → ``ABC12``), maps the traditional characters
    listed in ``data/trad_simp.txt`` to simplified ones (a partial table covering
    organisation names and technical terms, not a full converter), drops zero-width
    characters and collapses runs of whitespace to one space. Case is kept.

    Args:
        text: any string.

    Returns:
        The normalised string, stripped at both ends.

    Example:
        >>> normalize_text("哈爾濱工業大學（威海）　計算機學院")
        '哈尔滨工业大学(威海) 计算机学院'
    """
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    text = text.translate(_trad_to_simp())
    return _SPACES.sub(" ", text).strip()


@cache
def _stopwords() -> frozenset[str]:
    return frozenset(w.lower() for w in _read_word_list("stopwords_zh.txt"))


STOPWORDS: frozenset[str] = _stopwords()
"""General function words (``data/stopwords_zh.txt``) dropped by :func:`tokenize`."""


def _institution_words() -> list[str]:
    names: list[str] = []
    with (DATA_DIR / "institutions.csv").open(encoding="utf-8", newline="") as fh:
        names.extend(row["name"] for row in csv.DictReader(fh))
    websites = json.loads((DATA_DIR / "universities_with_website.json").read_text("utf-8"))
    for by_name in websites.values():
        names.extend(by_name)
    with (DATA_DIR / "org_extra.csv").open(encoding="utf-8", newline="") as fh:
        names.extend(row["name"] for row in csv.DictReader(fh))
    with (DATA_DIR / "org_aliases.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            alias = row["alias"]
            if row["lang"] == "zh" and len(alias) >= 3 and _CJK.match(alias):
                names.append(alias)
    out = []
    for name in names:
        name = normalize_text(name)
        if name and " " not in name:
            out.append(name)
            # The tokenizer sees normalised text, whose brackets are half-width; keep the
            # bracket-free stem too so 中国石油大学(北京) still yields 中国石油大学.
            stem = name.split("(")[0]
            if stem != name and len(stem) >= 3:
                out.append(stem)
    return out


def _lexicon_words() -> list[str]:
    words: list[str] = []
    for line in _read_word_list("field_lexicon.txt"):
        if line.startswith("[") or ":" not in line:
            continue
        for term in line.split(":", 1)[1].split():
            if len(term) >= 2 and _CJK.match(term):
                words.append(term)
    return words


def _user_dict_entries() -> list[tuple[str, int | None, str | None]]:
    entries: list[tuple[str, int | None, str | None]] = []
    for line in _read_word_list("user_dict.txt"):
        parts = line.split()
        word = parts[0]
        freq: int | None = None
        tag: str | None = None
        for part in parts[1:]:
            if part.isdigit():
                freq = int(part)
            else:
                tag = part
        entries.append((word, freq, tag))
    return entries


@dataclass(frozen=True)
class _Segmenter:
    tokenizer: jieba.Tokenizer
    pos: jieba.posseg.POSTokenizer


_lock = threading.Lock()
_segmenter: _Segmenter | None = None


def _build() -> _Segmenter:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    known = tokenizer.FREQ

    def add(word: str, freq: int | None, tag: str) -> None:
        # Words jieba already knows keep its frequency and part-of-speech tag (a verb such
        # as 焊接 must stay a verb for the keyword filter); new words get the smallest
        # frequency that keeps them whole (jieba's suggest_freq) and our tag.
        if known.get(word):
            return
        tokenizer.add_word(word, freq, tag)

    for word, freq, tag in _user_dict_entries():
        tokenizer.add_word(word, freq, tag or "nz")
    for word in _institution_words():
        add(word, None, "nt")
    for word in _lexicon_words():
        add(word, None, "nz")
    pos = jieba.posseg.POSTokenizer(tokenizer)
    # Pull the user tags into the POS table now, under our lock, instead of lazily during
    # the first (possibly concurrent) cut.
    pos.makesure_userdict_loaded()
    return _Segmenter(tokenizer=tokenizer, pos=pos)


def _get() -> _Segmenter:
    global _segmenter
    seg = _segmenter
    if seg is None:
        with _lock:
            seg = _segmenter
            if seg is None:
                seg = _segmenter = _build()
    return seg


def warm_up() -> None:
    """Load the tokenizer now (about two seconds) instead of on the first call.

    Useful at application start-up so that the first request is not slow. Safe to call
    from several threads; the dictionary is built once.
    """
    _get()


def cut(text: str, *, hmm: bool = True) -> list[str]:
    """Segment ``text`` as it is, keeping every token (punctuation and spaces included).

    No normalisation and no filtering, so ``"".join(cut(text)) == text``.

    Args:
        text: the text to segment.
        hmm: let jieba's HMM join unknown character runs into new words.

    Returns:
        The tokens in order.

    Example:
        >>> cut("哈工大机器人研究所")
        ['哈工大', '机器人', '研究所']
    """
    return list(_get().tokenizer.cut(text, HMM=hmm))


def cut_for_search(text: str) -> list[str]:
    """Segment ``text`` in jieba's search mode: long words plus the dictionary words inside.

    No normalisation and no filtering.

    Example:
        >>> cut_for_search("全基因组")
        ['基因', '基因组', '全基因组']
    """
    return list(_get().tokenizer.cut_for_search(text))


def cut_with_pos(text: str, *, hmm: bool = True) -> list[tuple[str, str]]:
    """Segment ``text`` as it is and tag each token with jieba's part of speech.

    Tags follow jieba/ICTCLAS (``n`` noun, ``nz`` other proper noun, ``nt`` organisation,
    ``vn`` verbal noun, ``v`` verb, ``eng`` Latin word, ``x`` symbol ...). Words from our
    dictionaries carry ``nt`` (institutions) or ``nz`` (domain terms) unless jieba already
    knew them.

    Args:
        text: the text to segment.
        hmm: let jieba's HMM join unknown character runs into new words.

    Returns:
        ``(word, tag)`` pairs in order.

    Example:
        >>> cut_with_pos("石墨烯材料")
        [('石墨烯', 'nz'), ('材料', 'n')]
    """
    return [(p.word, p.flag) for p in _get().pos.cut(text, HMM=hmm)]


def is_content_token(token: str) -> bool:
    """True if ``token`` holds a letter, digit or CJK ideograph (not only punctuation)."""
    return bool(_CONTENT.search(token))


def tokenize(
    text: str, *, search: bool = False, stopwords: Iterable[str] | None = None
) -> list[str]:
    """Tokens for search and BM25: normalised, lower-cased, punctuation and stopwords dropped.

    The text is first passed through :func:`normalize_text`. Institution names and domain
    terms come out whole (哈尔滨工业大学, 锂离子电池). With ``search=True`` jieba's search mode
    also emits the dictionary words inside long words (哈尔滨, 工业, 大学, 哈尔滨工业大学),
    which suits an index where queries use shorter words than documents.

    Args:
        text: the text to tokenize.
        search: use jieba's search mode (more, overlapping tokens) instead of accurate mode.
        stopwords: words to drop instead of :data:`STOPWORDS` (compared lower-cased).

    Returns:
        The tokens in order, repeats kept (term frequencies matter to BM25).

    Example:
        >>> tokenize("哈尔滨工业大学的锂离子电池，CBN单晶！")
        ['哈尔滨工业大学', '锂离子电池', 'cbn', '单晶']
    """
    stop = STOPWORDS if stopwords is None else frozenset(w.lower() for w in stopwords)
    norm = normalize_text(text)
    if not norm:
        return []
    seg = _get().tokenizer
    raw = seg.cut_for_search(norm) if search else seg.cut(norm)
    out: list[str] = []
    for token in raw:
        token = token.strip().lower()
        if token and token not in stop and is_content_token(token):
            out.append(token)
    return out
