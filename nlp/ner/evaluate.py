"""Exact-match entity scoring of an NER pipeline on a BMES file.

A predicted entity counts as correct only if its start, end and label all equal those of a
gold entity in the same sentence (the CoNLL-style "exact match" entity F1). Precision,
recall and F1 are computed from counts summed over all sentences (micro average), and for
each entity type separately.

Usage::

    python -m nlp.ner.evaluate [--data PATH] [--model DIR] [--json]

``--data`` is a ``.bmes`` file or a folder holding ``dev.char.bmes`` (default: the shared
ResumeNER dev split).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.ner.bmes import Span, default_data_dir, read_bmes

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["evaluate", "main", "predict_spans", "prf", "score_spans"]


def prf(correct: int, predicted: int, gold: int) -> dict[str, float | int]:
    """Precision, recall and F1 from counts (0.0 where a denominator is 0)."""
    precision = correct / predicted if predicted else 0.0
    recall = correct / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "correct": correct,
        "predicted": predicted,
        "gold": gold,
    }


def score_spans(
    gold: Sequence[Iterable[Span]], predicted: Sequence[Iterable[Span]]
) -> dict[str, Any]:
    """Score predicted spans against gold spans, sentence by sentence.

    Args:
        gold: per sentence, the gold ``(start, end, label)`` spans.
        predicted: per sentence, the predicted spans (same sentence order).

    Returns:
        ``{"micro": {...}, "per_type": {label: {...}}, "sentences": n}`` where each ``{...}``
        holds ``precision``, ``recall``, ``f1`` and the ``correct``/``predicted``/``gold`` counts.

    Raises:
        ValueError: if the two sequences differ in length.

    >>> score_spans([[(0, 2, "NAME")]], [[(0, 2, "NAME"), (3, 5, "ORG")]])["micro"]["precision"]
    0.5
    """
    if len(gold) != len(predicted):
        raise ValueError(
            f"Got {len(gold)} gold sentences but {len(predicted)} predicted ones; "
            "score the same sentences in the same order."
        )
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_correct: Counter[str] = Counter()
    for gold_spans, pred_spans in zip(gold, predicted, strict=True):
        gold_set = set(gold_spans)
        pred_set = set(pred_spans)
        n_gold.update(label for _, _, label in gold_set)
        n_pred.update(label for _, _, label in pred_set)
        n_correct.update(label for _, _, label in gold_set & pred_set)
    labels = sorted(set(n_gold) | set(n_pred), key=lambda lab: (-n_gold[lab], lab))
    return {
        "micro": prf(sum(n_correct.values()), sum(n_pred.values()), sum(n_gold.values())),
        "per_type": {lab: prf(n_correct[lab], n_pred[lab], n_gold[lab]) for lab in labels},
        "sentences": len(gold),
    }


def predict_spans(nlp: Language, texts: Sequence[str], batch_size: int = 128) -> list[list[Span]]:
    """Run the pipeline on each text as is (no splitting) and return character spans."""
    return [
        [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
        for doc in nlp.pipe(texts, batch_size=batch_size)
    ]


def evaluate(model_path_or_nlp: str | Path | Language, bmes_path: str | Path) -> dict[str, Any]:
    """Score a pipeline on a BMES file with exact-match entity P/R/F1.

    Args:
        model_path_or_nlp: a loaded spaCy pipeline or a path to one.
        bmes_path: the gold file (e.g. ``dev.char.bmes``).

    Returns:
        The dict of :func:`score_spans`.

    Example::

        >>> evaluate("nlp/models/resume_ner", "../shared/data/resume-ner/dev.char.bmes")["micro"]["f1"]  # doctest: +SKIP
        0.95...
    """
    from nlp.ner import load_ner

    nlp = (
        load_ner(Path(model_path_or_nlp))
        if isinstance(model_path_or_nlp, (str, Path))
        else model_path_or_nlp
    )
    sentences = read_bmes(bmes_path)
    predicted = predict_spans(nlp, [s.text for s in sentences])
    return score_spans([s.spans for s in sentences], predicted)


def _resolve_data(data: Path | None) -> Path:
    if data is None:
        return default_data_dir() / "dev.char.bmes"
    return data / "dev.char.bmes" if data.is_dir() else data


def _print_table(scores: dict[str, Any], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in ("type", "precision", "recall", "F1", "gold", "predicted", "correct"):
        table.add_column(column, justify="left" if column == "type" else "right")

    def row(name: str, s: dict[str, Any], style: str | None = None) -> None:
        table.add_row(
            name,
            f"{s['precision']:.4f}",
            f"{s['recall']:.4f}",
            f"{s['f1']:.4f}",
            str(s["gold"]),
            str(s["predicted"]),
            str(s["correct"]),
            style=style,
        )

    for label, s in scores["per_type"].items():
        row(label, s)
    table.add_section()
    row("micro", scores["micro"], style="bold")
    Console().print(table)


def main(data: Path | None = None, json_output: bool = False, model: Path | None = None) -> int:
    """Evaluate the NER pipeline and print the scores; returns a process exit code.

    Args:
        data: a BMES file or a folder with ``dev.char.bmes``; default: shared ResumeNER dev.
        json_output: print JSON instead of a table.
        model: pipeline folder; default: the shipped one.

    Returns:
        0 on success, 2 if the data or the model is missing.
    """
    from nlp.ner import MODEL_DIR, NerModelMissingError

    bmes = _resolve_data(data)
    if not bmes.is_file():
        print(
            f"No BMES file at {bmes}. Pass --data, or set KG_SHARED_DATA to the folder that "
            "holds resume-ner/dev.char.bmes.",
            file=sys.stderr,
        )
        return 2
    model_dir = model or MODEL_DIR
    try:
        scores = evaluate(model_dir, bmes)
    except NerModelMissingError as exc:
        print(exc, file=sys.stderr)
        return 2
    if json_output:
        print(json.dumps(scores, ensure_ascii=False, indent=2))
    else:
        _print_table(scores, f"NER on {bmes.name} ({scores['sentences']} sentences), exact match")
    return 0


def _cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nlp.ner.evaluate", description="Exact-match entity P/R/F1 on a BMES file."
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="BMES file or folder with dev.char.bmes"
    )
    parser.add_argument(
        "--model", type=Path, default=None, help="pipeline folder (default: shipped)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    return main(args.data, args.json, model=args.model)


if __name__ == "__main__":
    raise SystemExit(_cli())
