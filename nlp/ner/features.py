"""Character-context features for the résumé NER pipeline, registered with spaCy.

The shipped pipeline tokenises Chinese text one character per token (spaCy's ``char``
segmenter), because ResumeNER entities are character spans and word segmenters cut through
about 4% of them (see ``MODEL_CARD.md``). A single character carries little meaning, so this
module gives each character token the context a word segmenter would have provided, without
letting the segmenter decide entity boundaries:

* the character itself and its surface shape (digit / Latin / punctuation / Han);
* the bigrams it forms with its left and right neighbour, and the centred trigram;
* the jieba word that covers it, its position in that word (B/M/E/S plus word length) and
  the word's part-of-speech tag in jieba's dictionary (``nt`` organisation, ``nr`` person…);
* the longest dictionary word starting at the character and the longest one ending there,
  described by length and tag (a light version of the "soft lexicon" idea: every lexicon
  match is visible, not only the ones on jieba's chosen path).

Each feature is hashed (MurmurHash, stable across processes) and looked up in its own
``HashEmbed`` table; the concatenation is mixed by a Maxout layer, exactly like spaCy's
``MultiHashEmbed``. Importing this module registers ``xiaoqi.ResumeCharEmbed.v1`` in
spaCy's architecture registry, so it must be imported before the pipeline is loaded or
trained (``nlp.ner.load_ner`` and ``nlp.ner.train`` do this).

jieba is used through a private ``jieba.Tokenizer`` with the package's built-in dictionary,
so words another part of the product adds to the global jieba dictionary cannot change the
model's input.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy
from spacy.strings import hash_string
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import (
    HashEmbed,
    Maxout,
    Model,
    chain,
    concatenate,
    list2ragged,
    ragged2list,
    with_array,
)
from thinc.types import Floats2d, Ints2d

__all__ = ["FEATURE_NAMES", "doc_features", "resume_char_embed"]

#: Order of the feature columns produced by :func:`doc_features`.
FEATURE_NAMES: tuple[str, ...] = (
    "char",
    "shape",
    "bigram_left",
    "bigram_right",
    "trigram",
    "jieba_word",
    "jieba_position",
    "jieba_tag",
    "lexicon_begin",
    "lexicon_end",
)

_BOUNDARY = "\x02"  # stands in for the neighbour of the first / last character
_MAX_POSITION_LENGTH = 6  # word lengths above this share one position feature
_MAX_LEXICON_LENGTH = 10  # longest dictionary match looked for

_jieba_lock = threading.Lock()
_jieba_tokenizer = None


def _segmenter():
    """A private jieba tokenizer with the default dictionary (initialised once, thread-safe)."""
    global _jieba_tokenizer
    if _jieba_tokenizer is None:
        with _jieba_lock:
            if _jieba_tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _jieba_tokenizer = tokenizer
    return _jieba_tokenizer


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    """Word -> part-of-speech tag from jieba's built-in dictionary (about 350k words)."""
    tags: dict[str, str] = {}
    with _segmenter().get_dict_file() as handle:
        for raw in handle:
            parts = raw.decode("utf-8").split()
            if len(parts) >= 3 and len(parts[0]) >= 2:
                tags[parts[0]] = parts[2]
    return tags


def _shape(char: str) -> str:
    if char.isspace():
        return "space"
    if char.isdigit():
        return "digit"
    if char.isascii() and char.isalpha():
        return "latin_upper" if char.isupper() else "latin_lower"
    if char.isalpha():
        return "han" if "\u3400" <= char <= "\u9fff" else "other_alpha"
    # Punctuation keeps its identity: '（' and '、' behave very differently around entities.
    return "punct:" + char


def doc_features(doc: Doc) -> numpy.ndarray:
    """Hashed feature matrix of shape ``(len(doc), len(FEATURE_NAMES))`` (dtype uint64).

    Works for any tokenisation; a multi-character token is described by its first and last
    characters. Complexity: O(n) in the number of characters plus one jieba pass. The result
    is cached per token sequence (training sees each sentence once per epoch) and read-only.
    """
    return _token_features(tuple(token.text for token in doc))


@lru_cache(maxsize=8192)
def _token_features(tokens: tuple[str, ...]) -> numpy.ndarray:
    n = len(tokens)
    out = numpy.zeros((n, len(FEATURE_NAMES)), dtype="uint64")
    if n == 0:
        return out
    # Position of every token in the concatenated text, so jieba's output can be mapped back.
    starts: list[int] = []
    offset = 0
    for text in tokens:
        starts.append(offset)
        offset += len(text)
    text = "".join(tokens)
    word_at = [""] * len(text)
    position_at = [""] * len(text)
    tags = _word_tags()
    lexicon_begin = ["-"] * len(text)
    lexicon_end = ["-"] * len(text)
    for i in range(len(text)):
        for length in range(min(_MAX_LEXICON_LENGTH, len(text) - i), 1, -1):
            tag = tags.get(text[i : i + length])
            if tag is not None:
                lexicon_begin[i] = f"{length}{tag}"
                break
        for length in range(min(_MAX_LEXICON_LENGTH, i + 1), 1, -1):
            tag = tags.get(text[i + 1 - length : i + 1])
            if tag is not None:
                lexicon_end[i] = f"{length}{tag}"
                break
    pos = 0
    for word in _segmenter().cut(text, HMM=True):
        length = len(word)
        capped = min(length, _MAX_POSITION_LENGTH)
        for k in range(length):
            if length == 1:
                tag = "S"
            elif k == 0:
                tag = "B"
            elif k == length - 1:
                tag = "E"
            else:
                tag = "M"
            word_at[pos + k] = word
            position_at[pos + k] = f"{tag}{capped}"
        pos += length
    for i, token_text in enumerate(tokens):
        first = token_text[:1]
        last = token_text[-1:]
        left = tokens[i - 1][-1:] if i > 0 else _BOUNDARY
        right = tokens[i + 1][:1] if i + 1 < n else _BOUNDARY
        start = starts[i]
        out[i, 0] = hash_string("c" + token_text)
        out[i, 1] = hash_string("s" + _shape(first))
        out[i, 2] = hash_string("l" + left + first)
        out[i, 3] = hash_string("r" + last + right)
        out[i, 4] = hash_string("t" + left + token_text + right)
        out[i, 5] = hash_string("w" + word_at[start])
        out[i, 6] = hash_string("p" + position_at[start])
        out[i, 7] = hash_string("g" + tags.get(word_at[start], "?"))
        out[i, 8] = hash_string("b" + lexicon_begin[start])
        out[i, 9] = hash_string("e" + lexicon_end[start + len(token_text) - 1])
    out.flags.writeable = False
    return out


def _extract_forward(
    model: Model[list[Doc], list[Ints2d]], docs: Sequence[Doc], is_train: bool
) -> tuple[list[Ints2d], Callable[[list[Ints2d]], list]]:
    features = [model.ops.asarray2i(doc_features(doc), dtype="uint64") for doc in docs]
    return features, lambda d_features: []


@registry.architectures("xiaoqi.ResumeCharEmbed.v1")
def resume_char_embed(
    width: int,
    char_rows: int,
    ngram_rows: int,
    word_rows: int,
    char_width: int,
    ngram_width: int,
    word_width: int,
) -> Model[list[Doc], list[Floats2d]]:
    """Embed character tokens with hashed context features (see the module docstring).

    Args:
        width: output width (the encoder's width).
        char_rows: rows of the character table.
        ngram_rows: rows of each of the bigram / trigram tables.
        word_rows: rows of the jieba-word table.
        char_width, ngram_width, word_width: widths of those tables. The shape and
            position tables are tiny (64 rows, 16 wide).

    Returns:
        A thinc model mapping docs to one ``(n_tokens, width)`` array each.
    """
    small_rows, small_width = 64, 16
    layout = [
        (char_width, char_rows),  # char
        (small_width, small_rows),  # shape
        (ngram_width, ngram_rows),  # bigram_left
        (ngram_width, ngram_rows),  # bigram_right
        (ngram_width, ngram_rows),  # trigram
        (word_width, word_rows),  # jieba_word
        (small_width, small_rows),  # jieba_position
        (small_width, small_rows),  # jieba_tag
        (24, 1000),  # lexicon_begin
        (24, 1000),  # lexicon_end
    ]
    assert len(layout) == len(FEATURE_NAMES)
    tables = [
        HashEmbed(nO=w, nV=rows, column=column, seed=11 + column, dropout=0.0)
        for column, (w, rows) in enumerate(layout)
    ]
    concat_width = sum(w for w, _ in layout)
    extractor: Model[list[Doc], list[Ints2d]] = Model("resume_char_features", _extract_forward)
    return chain(
        extractor,
        list2ragged(),
        with_array(concatenate(*tables)),
        with_array(Maxout(width, concat_width, nP=3, dropout=0.0, normalize=True)),
        ragged2list(),
    )
