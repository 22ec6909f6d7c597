"""Word lists and institution facts the generator writes from.

Everything is read once from ``bench/data/*.yaml`` and ``nlp/data`` (the real list of
higher-education institutions) and then treated as read-only.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DATA_DIR", "FieldVocab", "Vocab", "load_vocab"]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_LIST_KEYS = (
    "colleges",
    "teams",
    "directions",
    "majors",
    "objects",
    "methods",
    "tasks",
    "devices",
    "ipc",
    "keywords",
    "inv_titles",
    "um_titles",
    "steps",
    "effects",
    "problems",
    "parts",
    "firm_words",
    "products",
    "assets",
    "design_products",
    "design_motifs",
    "loc",
)


@dataclass(frozen=True, slots=True)
class FieldVocab:
    """The vocabulary of one key industry (领域)."""

    name: str
    en: str
    weight: float
    domain: str
    colleges: tuple[tuple[str, str], ...]
    teams: tuple[tuple[str, str], ...]
    directions: tuple[tuple[str, str], ...]
    majors: tuple[str, ...]
    objects: tuple[str, ...]
    methods: tuple[str, ...]
    tasks: tuple[str, ...]
    devices: tuple[str, ...]
    ipc: tuple[str, ...]
    keywords: tuple[str, ...]
    inv_titles: tuple[str, ...]
    um_titles: tuple[str, ...]
    steps: tuple[str, ...]
    effects: tuple[str, ...]
    problems: tuple[str, ...]
    parts: tuple[str, ...]
    firm_words: tuple[str, ...]
    products: tuple[str, ...]
    assets: tuple[str, ...]
    design_products: tuple[str, ...]
    design_motifs: tuple[str, ...]
    loc: tuple[str, ...]

    @property
    def has_designs(self) -> bool:
        return bool(self.design_products)


@dataclass(frozen=True, slots=True)
class Vocab:
    fields: tuple[FieldVocab, ...]
    field_by_name: dict[str, FieldVocab]
    names: dict[str, Any]
    places: dict[str, Any]
    universities: dict[str, Any]
    misc: dict[str, Any]
    institutions: tuple[dict[str, str], ...]  # rows of nlp/data/institutions.csv
    websites: dict[str, str]  # university name -> e-mail domain


def _tuple(v: Any) -> tuple:
    if v is None:
        return ()
    return tuple(tuple(x) if isinstance(x, list) else x for x in v)


def _read_yaml(name: str) -> dict[str, Any]:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _nlp_data(name: str) -> str:
    """Text of a file under ``nlp/data`` (works from a checkout and from an install)."""
    try:
        return (resources.files("nlp") / "data" / name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - fallback
        root = Path(__file__).resolve().parents[2]
        return (root / "nlp" / "data" / name).read_text(encoding="utf-8")


def _domain(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0]
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=1)
def load_vocab() -> Vocab:
    """Load and cache all word lists."""
    raw = _read_yaml("fields.yaml")["fields"]
    fields = []
    for f in raw:
        fields.append(
            FieldVocab(
                name=f["name"],
                en=f["en"],
                weight=float(f["weight"]),
                domain=f["domain"],
                **{k: _tuple(f.get(k)) for k in _LIST_KEYS},
            )
        )
    rows = tuple(csv.DictReader(io.StringIO(_nlp_data("institutions.csv"))))
    sites = json.loads(_nlp_data("universities_with_website.json"))
    websites = {name: _domain(url) for prov in sites.values() for name, url in prov.items()}
    return Vocab(
        fields=tuple(fields),
        field_by_name={f.name: f for f in fields},
        names=_read_yaml("names.yaml"),
        places=_read_yaml("places.yaml"),
        universities=_read_yaml("universities.yaml"),
        misc=_read_yaml("misc.yaml"),
        institutions=rows,
        websites=websites,
    )
