"""Train the résumé NER pipeline from the ResumeNER BMES files.

Usage::

    python -m nlp.ner.train [--out DIR] [--seed 0] [--data DIR] [--variant char-context]

The BMES ``train`` split is converted to spaCy ``Doc`` objects (one token per character, gold
entities as character spans) and written, with ``dev``, to a temporary folder outside the
repository (the data may not be copied into the repo). spaCy's trainer then trains the config
``nlp/ner/config.cfg``; ``dev`` is used for early stopping and for the scores printed at the
end. The best checkpoint is copied to ``--out`` (default: the shipped ``nlp/models/resume_ner``;
an existing ``MODEL_CARD.md`` there is kept), together with ``training.json`` that records the
seed, variant, time taken and dev scores.

Variants (``--variant``) exist to document the segmentation decision; only ``char-context``
is shipped:

* ``char-context``: spaCy ``char`` segmenter + hashed character-context features (shipped).
* ``char-baseline``: ``char`` segmenter + spaCy's default NER tok2vec/parser settings.
* ``jieba-baseline``: ``jieba`` segmenter + the same default settings.

Training is deterministic for a given seed on a given machine (CPU only).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import spacy
from spacy.tokens import Doc, DocBin
from spacy.util import load_config
from spacy.vocab import Vocab

from nlp.ner import features as _features  # noqa: F401  (registers xiaoqi.ResumeCharEmbed.v1)
from nlp.ner.bmes import BmesSentence, default_data_dir, read_bmes

__all__ = ["CONFIG_PATH", "VARIANTS", "build_config", "main", "sentences_to_docbin", "train"]

CONFIG_PATH = Path(__file__).with_name("config.cfg")
SHIPPED_MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "resume_ner"
VARIANTS = ("char-context", "char-baseline", "jieba-baseline")

# spaCy's default NER model for a CPU "efficiency" config (what `spacy init config -p ner`
# writes), used by the baseline variants so that only the segmenter differs between them.
_DEFAULT_TOK2VEC: dict[str, Any] = {
    "@architectures": "spacy.Tok2Vec.v2",
    "embed": {
        "@architectures": "spacy.MultiHashEmbed.v2",
        "width": 96,
        "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
        "rows": [5000, 1000, 2500, 2500],
        "include_static_vectors": False,
    },
    "encode": {
        "@architectures": "spacy.MaxoutWindowEncoder.v2",
        "width": 96,
        "depth": 4,
        "window_size": 1,
        "maxout_pieces": 3,
    },
}


def sentences_to_docbin(sentences: list[BmesSentence], vocab: Vocab) -> DocBin:
    """Gold docs with one token per character and the gold entities set."""
    docbin = DocBin(attrs=["ENT_IOB", "ENT_TYPE"], store_user_data=False)
    for sentence in sentences:
        doc = Doc(vocab, words=list(sentence.text), spaces=[False] * len(sentence.text))
        doc.ents = [doc.char_span(s, e, label=label) for s, e, label in sentence.spans]
        docbin.add(doc)
    return docbin


def build_config(
    variant: str,
    seed: int,
    train_path: Path,
    dev_path: Path,
    max_epochs: int | None,
    config_path: Path = CONFIG_PATH,
    max_steps: int | None = None,
):
    """Load the training config and adapt it to the variant, seed and corpus paths."""
    if variant not in VARIANTS:
        raise ValueError(f"Unknown variant {variant!r}; choose one of: {', '.join(VARIANTS)}.")
    config = load_config(config_path)
    config["paths"]["train"] = str(train_path)
    config["paths"]["dev"] = str(dev_path)
    config["system"]["seed"] = seed
    if max_epochs is not None:
        config["training"]["max_epochs"] = max_epochs
    if max_steps is not None:
        config["training"]["max_steps"] = max_steps
    if variant != "char-context":
        model = config["components"]["ner"]["model"]
        model["tok2vec"] = json.loads(json.dumps(_DEFAULT_TOK2VEC))
        model["hidden_width"] = 64
        config["training"]["dropout"] = 0.1
        if variant == "jieba-baseline":
            config["nlp"]["tokenizer"]["segmenter"] = "jieba"
    return config


def train(
    out: Path = SHIPPED_MODEL_DIR,
    *,
    seed: int = 0,
    data_dir: Path | None = None,
    variant: str = "char-context",
    max_epochs: int | None = None,
    keep_work_dir: Path | None = None,
    config_path: Path = CONFIG_PATH,
    max_steps: int | None = None,
) -> dict[str, Any]:
    """Train a pipeline and copy the best checkpoint to ``out``.

    Returns:
        The record written to ``out/training.json`` (variant, seed, seconds, dev scores).

    Raises:
        FileNotFoundError: if the BMES files are missing.
    """
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as train_nlp

    from nlp.ner.ops import matmul_ops

    data_dir = data_dir or default_data_dir()
    train_file = data_dir / "train.char.bmes"
    dev_file = data_dir / "dev.char.bmes"
    for path in (train_file, dev_file):
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} not found. Point KG_SHARED_DATA (or --data) at the folder that holds "
                "resume-ner/{train,dev}.char.bmes."
            )

    with tempfile.TemporaryDirectory(prefix="resume_ner_") as tmp:
        work = keep_work_dir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        vocab = spacy.blank("zh").vocab
        sentences_to_docbin(read_bmes(train_file), vocab).to_disk(work / "train.spacy")
        sentences_to_docbin(read_bmes(dev_file), vocab).to_disk(work / "dev.spacy")
        config = build_config(
            variant,
            seed,
            work / "train.spacy",
            work / "dev.spacy",
            max_epochs,
            config_path,
            max_steps,
        )
        config.to_disk(work / "config.cfg")

        (work / "output").mkdir(exist_ok=True)
        log = _Tee(sys.stdout)
        started = time.perf_counter()
        started_cpu = time.process_time()
        with matmul_ops():
            nlp = init_nlp(config, use_gpu=-1)
            train_nlp(nlp, work / "output", use_gpu=-1, stdout=log, stderr=sys.stderr)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - started_cpu

        install_pipeline(work / "output" / "model-best", out)

    return write_training_record(
        out,
        dev_file,
        variant=variant,
        seed=seed,
        seconds=seconds,
        config=config,
        cpu_seconds=cpu_seconds,
        steps=parse_training_log(log.getvalue()),
    )


class _Tee(io.StringIO):
    """A text stream that keeps what is written and passes it on to another stream."""

    def __init__(self, target: Any) -> None:
        super().__init__()
        self._target = target

    def write(self, text: str) -> int:
        self._target.write(text)
        return super().write(text)

    def flush(self) -> None:
        self._target.flush()


# A row of spaCy's console training log: epoch, step, loss, ents_f, ents_p, ents_r, score.
_LOG_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+[-\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+([\d.]+)\s*$")


def parse_training_log(text: str) -> dict[str, int | None]:
    """Best and last evaluated update step from spaCy's console log.

    spaCy keeps the checkpoint with the highest score; on a tie the later step wins (it
    takes ``max`` over ``(score, step)`` pairs), and so does this function.

    >>> parse_training_log("  0     100   9.1   50.00  50.00  50.00  0.50\\n  1  200  3.0  "
    ...                    "60.00  60.00  60.00  0.60\\n  2  300  2.0  55.0  55.0  55.0  0.55\\n")
    {'best_step': 200, 'stopped_at_step': 300}
    """
    rows = [
        (float(m.group(3)), int(m.group(2)))
        for line in text.splitlines()
        if (m := _LOG_ROW.match(line))
    ]
    if not rows:
        return {"best_step": None, "stopped_at_step": None}
    return {"best_step": max(rows)[1], "stopped_at_step": rows[-1][1]}


def install_pipeline(best: Path, out: Path) -> None:
    """Replace the pipeline files in ``out`` by those in ``best`` (``MODEL_CARD.md`` is kept)."""
    out.mkdir(parents=True, exist_ok=True)
    for child in out.iterdir():
        if child.name == "MODEL_CARD.md":
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    for child in best.iterdir():
        target = out / child.name
        if child.is_dir():
            shutil.copytree(child, target)
        else:
            shutil.copy2(child, target)
    # The corpus paths point into a deleted temporary folder; don't ship them.
    config = load_config(out / "config.cfg", interpolate=False)
    config["paths"]["train"] = None
    config["paths"]["dev"] = None
    config.to_disk(out / "config.cfg")
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    meta["name"] = "resume_ner"
    meta["description"] = "Chinese résumé NER (ResumeNER labels); see MODEL_CARD.md"
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n")


def write_training_record(
    out: Path,
    dev_file: Path,
    *,
    variant: str,
    seed: int,
    seconds: float,
    config: Any,
    cpu_seconds: float | None = None,
    steps: dict[str, int | None] | None = None,
) -> dict[str, Any]:
    """Score ``out`` on ``dev_file`` and write ``out/training.json``; returns the record."""
    from nlp.ner.evaluate import evaluate

    scores = evaluate(out, dev_file)
    training = config["training"]
    record = {
        "variant": variant,
        "seed": seed,
        "date": date.today().isoformat(),
        **(steps or {}),
        "train_seconds": round(seconds, 1),
        "train_cpu_seconds": round(cpu_seconds, 1) if cpu_seconds is not None else None,
        "max_epochs": training["max_epochs"],
        "max_steps": training["max_steps"],
        "patience": training["patience"],
        "size_bytes": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()),
        "dev": scores,
    }
    (out / "training.json").write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nlp.ner.train", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--out", type=Path, default=SHIPPED_MODEL_DIR, help="where to put the pipeline"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=None, help="folder with {train,dev}.char.bmes")
    parser.add_argument("--variant", choices=VARIANTS, default="char-context")
    parser.add_argument("--max-epochs", type=int, default=None, help="override training.max_epochs")
    parser.add_argument("--max-steps", type=int, default=None, help="override training.max_steps")
    parser.add_argument("--work-dir", type=Path, default=None, help="keep intermediate files here")
    parser.add_argument("--config", type=Path, default=CONFIG_PATH, help="spaCy training config")
    args = parser.parse_args(argv)
    try:
        record = train(
            args.out,
            seed=args.seed,
            data_dir=args.data,
            variant=args.variant,
            max_epochs=args.max_epochs,
            keep_work_dir=args.work_dir,
            config_path=args.config,
            max_steps=args.max_steps,
        )
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    dev = record["dev"]["micro"]
    print(
        f"{args.variant}: dev micro P={dev['precision']:.4f} R={dev['recall']:.4f} "
        f"F1={dev['f1']:.4f}; trained in {record['train_seconds']:.0f}s; "
        f"{record['size_bytes'] / 1e6:.1f} MB at {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
