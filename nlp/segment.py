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

Initialisation is lazy (first call) and guarded by a lock. Building the dictionary costs
about two seconds (jieba loads its prefix dictionary and its part-of-speech table, then about
5,000 words are added); the result is kept in a cache file (``xiaoqi-segment-<hash>.marshal``
in ``$KG_CACHE_DIR`` or the user's cache folder ``~/.cache/xiaoqi-graph``) keyed by
jieba's version and dictionary and by the content of our data files, so later processes load
it in a fraction of a second. jieba's start-up messages on the ``jieba`` logger are silenced
to WARNING when this module is imported. Works fully offline: every file is shipped in
``nlp/data``.

:func:`cut_with_pos` without HMM (what keyword extraction uses) does not go through
``jieba.posseg``: it runs the same prefix-dictionary DAG and maximum-probability route as
jieba, then looks every word's tag up in the part-of-speech table, exactly as
``jieba.posseg.POSTokenizer.cut(text, HMM=False)`` does, in about a third of the time.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import marshal
import math
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jieba

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
_ZERO_WIDTH_CHARS = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
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


@cache
def _trad_to_simp_chars() -> tuple[dict[int, str], re.Pattern[str]]:
    """:func:`_trad_to_simp` and a pattern matching any character it maps."""
    table = _trad_to_simp()
    return table, re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(table)) + "]")


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
    text = unicodedata.normalize("NFKC", text)
    # str.translate looks every character up in its table (a failed lookup per CJK
    # character), so translate only text that holds a character to change: a regex scan for
    # them costs a few percent of that.
    if _ZERO_WIDTH_CHARS.search(text):
        text = text.translate(_ZERO_WIDTH)
    table, chars = _trad_to_simp_chars()
    if chars.search(text):
        text = text.translate(table)
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


@dataclass
class _Segmenter:
    tokenizer: jieba.Tokenizer
    #: word -> part-of-speech tag: jieba's dictionary plus ours (jieba.posseg's word_tag_tab)
    tags: dict[str, str]
    #: word -> log(freq) - log(total), filled as words are met (see _route)
    logp: dict[str, float] = field(default_factory=dict)
    #: tagged words of recently seen CJK/Latin blocks (boilerplate such as 本发明公开了一种 recurs)
    blocks: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    #: the dictionary total the two memos above were filled under (nothing adds words to
    #: this private tokenizer after _build; the check keeps the memos honest if it ever does)
    memo_total: int = 0
    _pos: Any = None  # jieba.posseg.POSTokenizer, built on first HMM=True tagging

    @property
    def pos(self) -> Any:
        """A ``jieba.posseg.POSTokenizer`` on our tokenizer and tag table (HMM tagging only)."""
        if self._pos is None:
            import jieba.posseg

            # POSTokenizer.__init__ would re-read jieba's dictionary for the tag table we
            # already hold; its only state is the tokenizer and that table.
            pos = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
            pos.tokenizer = self.tokenizer
            pos.word_tag_tab = self.tags
            self._pos = pos
        return self._pos


_lock = threading.Lock()
_segmenter: _Segmenter | None = None

# Bump when _build changes what ends up in the dictionary (or how it is laid out in the cache).
_CACHE_FORMAT = 2
_CACHE_INPUTS = (
    "user_dict.txt",
    "institutions.csv",
    "universities_with_website.json",
    "org_extra.csv",
    "org_aliases.csv",
    "field_lexicon.txt",
    "trad_simp.txt",
)


def _jieba_dict_path() -> Path:
    return Path(jieba.__file__).resolve().parent / "dict.txt"


def _cache_dir() -> Path:
    """``$KG_CACHE_DIR``, else the user's cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``) —
    not a world-writable temp folder, where another local user could plant a file."""
    if folder := os.environ.get("KG_CACHE_DIR"):
        return Path(folder)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "xiaoqi-graph"


def marshal_cached(name: str, key: bytes, build: Callable[[], Any]) -> Any:
    """``build()``, or its result kept from an earlier process in a marshal cache file.

    For derived tables that are slow to parse (jieba's dictionary, IDF table): the file is
    ``xiaoqi-<name>-<hash of key>.marshal`` in :func:`_cache_dir`, written atomically; the key must change whenever the inputs do. An unreadable
    or unwritable cache only costs the rebuild. The value must be marshallable (dicts,
    lists, tuples, strings, numbers).
    """
    path = _cache_dir() / f"xiaoqi-{name}-{hashlib.sha256(key).hexdigest()[:20]}.marshal"
    try:
        # loads(bytes) is several times faster than load(file) for a big dictionary.
        return marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        pass  # absent, unreadable or truncated: rebuild
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(marshal.dumps(value))
        os.replace(tmp, path)
    except (OSError, ValueError):
        logging.getLogger(__name__).debug("could not write the cache file %s", path)
    return value


def _cache_key() -> bytes:
    """What the built dictionary depends on: jieba's version and dictionary, our data files."""
    st = _jieba_dict_path().stat()
    parts = [f"{_CACHE_FORMAT}|{jieba.__version__}|{st.st_size}|{st.st_mtime_ns}|".encode()]
    for name in _CACHE_INPUTS:
        parts += [name.encode(), (DATA_DIR / name).read_bytes()]
    return b"\0".join(parts)


def _jieba_tags() -> dict[str, str]:
    """jieba's own word -> tag table, read as ``jieba.posseg.POSTokenizer`` reads it."""
    tags: dict[str, str] = {}
    with _jieba_dict_path().open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    return tags


def _build_fresh() -> tuple[jieba.Tokenizer, dict[str, str]]:
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
    tags = _jieba_tags()
    # What jieba.posseg's makesure_userdict_loaded does on the first tagging.
    tags.update(tokenizer.user_word_tag_tab)
    tokenizer.user_word_tag_tab = {}
    return tokenizer, tags


def _shared_tags(freq: dict[str, int], tags: dict[str, str]) -> dict[str, str]:
    """The same word -> tag table, keyed by the very string objects that key ``freq`` and
    holding one object per distinct tag.

    marshal writes an object met a second time as a back-reference, so the cache file holds
    each word once and each of the ~55 tags once instead of 350,000 times; loading it then
    creates about 350,000 fewer strings (16 MB → 13 MB, about a sixth less time).
    """
    one_of: dict[str, str] = {}
    shared = {word: one_of.setdefault(tag, tag) for word in freq if (tag := tags.get(word)) is not None}
    for word, tag in tags.items():  # words without a frequency entry (none today) keep their own key
        if word not in shared:
            shared[word] = one_of.setdefault(tag, tag)
    return shared


def _build() -> _Segmenter:
    def fresh() -> tuple[dict[str, int], int, dict[str, str]]:
        tokenizer, tags = _build_fresh()
        return tokenizer.FREQ, tokenizer.total, _shared_tags(tokenizer.FREQ, tags)

    freq, total, tags = marshal_cached("segment", _cache_key(), fresh)
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = freq, total
    tokenizer.initialized = True  # what Tokenizer.initialize() leaves behind
    return _Segmenter(tokenizer=tokenizer, tags=tags)


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
    """Load the tokenizer now instead of on the first call.

    About half a second from the cache file, about two seconds when the dictionary has to be
    built (first use after an install or a change of the data files).

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
    seg = _get()
    if hmm:
        return [(p.word, p.flag) for p in seg.pos.cut(text, HMM=True)]
    return _cut_with_pos_no_hmm(seg, text)


# The block and character classes of jieba.posseg (HMM off), kept identical.
_HAN_INTERNAL = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._]+)")
_SKIP_INTERNAL = re.compile(r"(\r\n|\s)")
_NUM = re.compile(r"[\.0-9]+")
_ENG = re.compile(r"[a-zA-Z0-9]+")
_ENG1 = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _route(seg: _Segmenter, sentence: str) -> list[int]:
    """End index (exclusive) of the word starting at each position on jieba's best route.

    The same prefix-dictionary DAG and dynamic programme as ``Tokenizer.get_DAG`` and
    ``Tokenizer.calc`` (same floating-point expression, same tie-break towards the longer
    word), in one pass with the word log-probabilities memoised.
    """
    tok = seg.tokenizer
    freq = tok.FREQ
    logp = seg.logp
    logtotal = math.log(tok.total)
    log = math.log
    n = len(sentence)
    best = [0.0] * (n + 1)
    end = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        best_v = 0.0
        best_x = -1
        i = k
        frag = sentence[k]
        while i < n and frag in freq:
            if freq[frag]:
                lp = logp.get(frag)
                if lp is None:
                    lp = logp[frag] = log(freq[frag]) - logtotal
                v = lp + best[i + 1]
                if best_x < 0 or v >= best_v:
                    best_v, best_x = v, i
            i += 1
            frag = sentence[k : i + 1]
        if best_x < 0:  # an unknown character stands alone: log(1) - log(total)
            best_v, best_x = -logtotal + best[k + 1], k
        best[k] = best_v
        end[k] = best_x + 1
    return end


_BLOCK_MEMO_SIZE = 50_000


def _tag_block(seg: _Segmenter, blk: str) -> tuple[tuple[str, str], ...]:
    """The tagged words of one run of CJK/Latin characters (memoised)."""
    tagged = seg.blocks.get(blk)
    if tagged is not None:
        return tagged
    tags = seg.tags
    out: list[tuple[str, str]] = []
    append = out.append
    end = _route(seg, blk)
    n = len(blk)
    x = 0
    buf = ""
    while x < n:
        y = end[x]
        word = blk[x:y]
        if y - x == 1 and word in _ENG1:
            buf += word  # runs of single Latin letters and digits join into one 'eng' word
        else:
            if buf:
                append((buf, "eng"))
                buf = ""
            append((word, tags.get(word, "x")))
        x = y
    if buf:
        append((buf, "eng"))
    if len(seg.blocks) >= _BLOCK_MEMO_SIZE:
        seg.blocks.clear()
    tagged = seg.blocks[blk] = tuple(out)
    return tagged


def _cut_with_pos_no_hmm(seg: _Segmenter, text: str) -> list[tuple[str, str]]:
    """``jieba.posseg`` ``cut(text, HMM=False)`` on our tokenizer, as plain pairs."""
    if seg.memo_total != seg.tokenizer.total:  # words were added since: forget the memos
        seg.logp = {}
        seg.blocks = {}
        seg.memo_total = seg.tokenizer.total
    out: list[tuple[str, str]] = []
    for blk in _HAN_INTERNAL.split(text):
        if not blk:
            continue
        if _HAN_INTERNAL.match(blk):
            out.extend(_tag_block(seg, blk))
        else:
            for piece in _SKIP_INTERNAL.split(blk):
                if _SKIP_INTERNAL.match(piece):
                    out.append((piece, "x"))
                    continue
                eng = bool(_ENG.match(piece))
                for ch in piece:
                    out.append((ch, "m" if _NUM.match(ch) else "eng" if eng else "x"))
    return out


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
