"""Tests for nlp.ner: BMES decoding, exact-match span scoring, the shipped résumé NER model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.ner import (
    MODEL_DIR,
    Entity,
    extract_entities,
    extract_entities_batch,
    load_ner,
    split_for_ner,
)
from nlp.ner.bmes import default_data_dir, parse_bmes, tags_to_spans
from nlp.ner.evaluate import evaluate, main, score_spans

#: Dev micro F1 recorded in nlp/models/resume_ner/MODEL_CARD.md for the shipped model.
RECORDED_DEV_MICRO_F1 = 0.9266
TOLERANCE = 0.005

# A hand-made sentence: 张三任北京大学教授 ("Zhang San is a professor at Peking University").
SAMPLE_BMES = """\
张 B-NAME
三 E-NAME
任 O
北 B-ORG
京 M-ORG
大 M-ORG
学 E-ORG
教 B-TITLE
授 E-TITLE

汉 B-RACE
族 E-RACE
"""


def _gold() -> list[list[tuple[int, int, str]]]:
    return [list(sentence.spans) for sentence in parse_bmes(SAMPLE_BMES.splitlines())]


# ---------------------------------------------------------------- BMES decoding


def test_parse_bmes_reads_sentences_and_spans() -> None:
    sentences = list(parse_bmes(SAMPLE_BMES.splitlines()))
    assert [s.text for s in sentences] == ["张三任北京大学教授", "汉族"]
    assert sentences[0].spans == ((0, 2, "NAME"), (3, 7, "ORG"), (7, 9, "TITLE"))
    assert sentences[1].spans == ((0, 2, "RACE"),)


def test_tags_to_spans_handles_singletons_and_drops_fragments() -> None:
    assert tags_to_spans(["S-NAME", "O", "B-ORG", "E-ORG"]) == [(0, 1, "NAME"), (2, 4, "ORG")]
    # An entity never closed, an E with no B, and a type change inside an entity are dropped.
    assert tags_to_spans(["B-ORG", "M-ORG"]) == []
    assert tags_to_spans(["O", "E-ORG"]) == []
    assert tags_to_spans(["B-ORG", "E-TITLE", "B-NAME", "E-NAME"]) == [(2, 4, "NAME")]


def test_parse_bmes_rejects_word_level_lines() -> None:
    with pytest.raises(ValueError, match="one character"):
        list(parse_bmes(["北京 B-LOC"]))


# ---------------------------------------------------------------- scoring


def test_score_perfect_prediction() -> None:
    gold = _gold()
    scores = score_spans(gold, gold)
    assert scores["micro"]["precision"] == scores["micro"]["recall"] == scores["micro"]["f1"] == 1.0
    assert scores["micro"]["gold"] == 4
    assert set(scores["per_type"]) == {"NAME", "ORG", "TITLE", "RACE"}


def test_score_one_missed_entity() -> None:
    gold = _gold()
    predicted = [[(0, 2, "NAME"), (3, 7, "ORG")], [(0, 2, "RACE")]]  # TITLE missed
    micro = score_spans(gold, predicted)["micro"]
    # 3 correct of 3 predicted, 3 of 4 gold: P = 1, R = 0.75, F1 = 2 * 0.75 / 1.75 = 6/7.
    assert micro["precision"] == 1.0
    assert micro["recall"] == pytest.approx(0.75)
    assert micro["f1"] == pytest.approx(6 / 7)
    title = score_spans(gold, predicted)["per_type"]["TITLE"]
    assert (title["precision"], title["recall"], title["f1"]) == (0.0, 0.0, 0.0)


def test_score_boundary_error_counts_as_both_false_positive_and_miss() -> None:
    gold = _gold()
    # 北京大 instead of 北京大学: right type, wrong end.
    predicted = [[(0, 2, "NAME"), (3, 6, "ORG"), (7, 9, "TITLE")], [(0, 2, "RACE")]]
    scores = score_spans(gold, predicted)
    # 3 correct of 4 predicted and of 4 gold: P = R = F1 = 0.75.
    assert scores["micro"]["precision"] == pytest.approx(0.75)
    assert scores["micro"]["recall"] == pytest.approx(0.75)
    assert scores["micro"]["f1"] == pytest.approx(0.75)
    assert scores["per_type"]["ORG"]["f1"] == 0.0
    assert scores["per_type"]["NAME"]["f1"] == 1.0


def test_score_wrong_label_is_an_error() -> None:
    gold = [[(0, 2, "NAME")]]
    assert score_spans(gold, [[(0, 2, "ORG")]])["micro"]["f1"] == 0.0


def test_score_requires_same_number_of_sentences() -> None:
    with pytest.raises(ValueError, match="same sentences"):
        score_spans([[]], [])


def test_score_empty_is_zero_not_an_error() -> None:
    assert score_spans([[]], [[]])["micro"]["f1"] == 0.0


# ---------------------------------------------------------------- chunking


@given(
    st.text(alphabet="张三。，\n 公司abc；", max_size=400), st.integers(min_value=5, max_value=60)
)
def test_split_for_ner_chunks_are_ordered_substrings(text: str, max_chars: int) -> None:
    chunks = split_for_ner(text, max_chars=max_chars)
    previous_end = 0
    for offset, piece in chunks:
        assert piece and piece == piece.strip()
        assert text[offset : offset + len(piece)] == piece
        assert len(piece) <= max_chars
        assert offset >= previous_end
        previous_end = offset + len(piece)
    # Nothing but whitespace is lost.
    assert "".join(p for _, p in chunks).replace(" ", "").replace("\n", "") == text.replace(
        " ", ""
    ).replace("\n", "")


# ---------------------------------------------------------------- the shipped model

# Sentences written for these tests, in the style of a listed-company executive bio.
OWN_SENTENCE = "刘志强先生，1968年出生，中国国籍，现任哈尔滨工业大学机电工程学院教授。"


def test_shipped_model_is_small_and_loads_offline() -> None:
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert size <= 25 * 1024 * 1024
    nlp = load_ner()
    assert "ner" in nlp.pipe_names
    assert load_ner() is nlp  # cached


def test_shipped_model_finds_name_and_org() -> None:
    entities = extract_entities(OWN_SENTENCE)
    found = {(e.label, e.text) for e in entities}
    assert ("NAME", "刘志强") in found
    assert any(label == "ORG" and "哈尔滨工业大学" in text for label, text in found)
    for e in entities:
        assert OWN_SENTENCE[e.start : e.end] == e.text


def test_extract_entities_long_text_keeps_offsets() -> None:
    text = ("\n\n" + OWN_SENTENCE) * 30 + "\n张伟，北京大学经济学博士"
    entities = extract_entities(text)
    assert all(text[e.start : e.end] == e.text for e in entities)
    assert sum(e.label == "NAME" and e.text == "刘志强" for e in entities) == 30
    assert entities == sorted(entities, key=lambda e: e.start)


def test_extract_entities_batch_matches_single_calls() -> None:
    texts = [OWN_SENTENCE, "", "   ", "王芳女士现任本公司董事会秘书。"]
    batch = extract_entities_batch(texts, batch_size=2)
    assert batch == [extract_entities(t) for t in texts]
    assert batch[1] == [] and batch[2] == []
    assert all(isinstance(e, Entity) for e in batch[0])


def test_entity_is_frozen() -> None:
    entity = Entity("张三", "NAME", 0, 2)
    with pytest.raises(AttributeError):
        entity.label = "ORG"  # type: ignore[misc]


def test_evaluate_cli_on_a_tiny_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bmes = tmp_path / "tiny.bmes"
    bmes.write_text(SAMPLE_BMES, encoding="utf-8")
    assert main(bmes, json_output=True) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["sentences"] == 2 and scores["micro"]["gold"] == 4
    assert main(tmp_path / "missing.bmes", json_output=False) == 2


# ---------------------------------------------------------------- shared data


@pytest.mark.shared_data
def test_shipped_model_dev_f1_matches_model_card() -> None:
    dev = default_data_dir() / "dev.char.bmes"
    if not dev.is_file():
        pytest.skip(
            f"ResumeNER dev split not found at {dev} (set KG_SHARED_DATA to ../shared/data)"
        )
    scores = evaluate(load_ner(), dev)
    assert scores["micro"]["gold"] == 1497
    assert scores["micro"]["f1"] >= RECORDED_DEV_MICRO_F1 - TOLERANCE


# ---------------------------------------------------------------- training helpers (no training)


def test_sentences_to_docbin_keeps_character_spans() -> None:
    import spacy

    from nlp.ner.train import sentences_to_docbin

    nlp = spacy.blank("zh")
    sentences = list(parse_bmes(SAMPLE_BMES.splitlines()))
    docs = list(sentences_to_docbin(sentences, nlp.vocab).get_docs(nlp.vocab))
    assert [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in docs] == _gold()
    assert [len(d) for d in docs] == [9, 2]  # one token per character


@pytest.mark.parametrize(
    ("variant", "segmenter"),
    [("char-context", "char"), ("char-baseline", "char"), ("jieba-baseline", "jieba")],
)
def test_build_config_variants(variant: str, segmenter: str, tmp_path: Path) -> None:
    from nlp.ner.train import build_config

    config = build_config(variant, 7, tmp_path / "t.spacy", tmp_path / "d.spacy", None)
    assert config["nlp"]["tokenizer"]["segmenter"] == segmenter
    assert config["system"]["seed"] == 7
    assert config["paths"]["train"] == str(tmp_path / "t.spacy")
