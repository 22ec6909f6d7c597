"""How big a generated world is: the ``demo`` preset, ``province`` and multiples of it."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

__all__ = ["Scale", "DEMO", "PROVINCE", "parse_scale"]

# Extra people planted per homonym name (bench/data/names.yaml ``planted``) at province scale;
# natural draws already add dozens more for the commonest names.
_PROVINCE_QUOTAS = (
    40,
    36,
    34,
    32,
    30,
    28,
    26,
    24,
    22,
    20,
    20,
    18,
    18,
    16,
    16,
    15,
    15,
    14,
    14,
    12,
    12,
    12,
    10,
    10,
    10,
    10,
    10,
    10,
    10,
    10,
)


@dataclass(frozen=True, slots=True)
class Scale:
    """Counts of everything the generator makes."""

    label: str
    universities: int  # in the world, national ones included
    national: int  # of which outside Heilongjiang
    faculty: int  # researchers with a CV (教师/研究人员)
    students: int  # PhD/master students: appear on patents only
    firms: int
    staff: int  # enterprise experts (企业科技人才)
    cv_staff: int | None  # how many experts get a CV; None = all
    patents: int
    demands: int
    achievements: int
    alliances: int
    alliance_patents: int  # co-patents per alliance
    planted_demands: int  # demands written for a known team (truth/demand_targets.json)
    focus_patents: int  # patents per planted team on the demand's exact topic
    dup_cvs: int  # people with a second CV (another source, slightly different)
    english_cvs: int
    docx_cvs: int
    homonym_quotas: tuple[int, ...]
    cv_files: bool  # one file per CV (txt/json/yaml/docx) instead of JSON Lines chunks
    patents_xlsx: bool  # also write patents.xlsx with header variants


PROVINCE = Scale(
    label="province",
    universities=80,
    national=6,
    faculty=60_000,
    students=10_000,
    firms=5_000,
    staff=30_000,
    cv_staff=None,
    patents=100_000,
    demands=10_000,
    achievements=5_000,
    alliances=40,
    alliance_patents=30,
    planted_demands=500,
    focus_patents=5,
    dup_cvs=900,
    english_cvs=0,
    docx_cvs=0,
    homonym_quotas=_PROVINCE_QUOTAS,
    cv_files=False,
    patents_xlsx=False,
)

DEMO = Scale(
    label="demo",
    universities=15,
    national=3,
    faculty=150,
    students=45,
    firms=60,
    staff=120,
    cv_staff=40,
    patents=500,
    demands=100,
    achievements=60,
    alliances=3,
    alliance_patents=14,
    planted_demands=12,
    focus_patents=5,
    dup_cvs=10,
    english_cvs=3,
    docx_cvs=6,
    homonym_quotas=(13, 12, 11, 10, 10, 5, 5, 4, 3, 3, 3, 2, 2, 2),
    cv_files=True,
    patents_xlsx=True,
)


def _times(base: Scale, f: float) -> Scale:
    def n(x: int, lo: int) -> int:
        return max(lo, round(x * f))

    univ = min(89, max(4, round(base.universities * math.sqrt(f))))
    firms = n(base.firms, 6)
    alliances = n(base.alliances, 1)
    patents = n(base.patents, 60)
    quotas = tuple(max(round(q * f), 2 if i < 5 else 0) for i, q in enumerate(base.homonym_quotas))
    return replace(
        base,
        label=f"x{f:g}",
        universities=univ,
        national=max(1, round(univ * 0.075)),
        faculty=n(base.faculty, 40),
        students=n(base.students, 8),
        firms=firms,
        staff=max(firms, n(base.staff, 12)),
        patents=patents,
        demands=n(base.demands, 10),
        achievements=n(base.achievements, 5),
        alliances=alliances,
        alliance_patents=max(6, min(base.alliance_patents, patents // (8 * alliances))),
        planted_demands=n(base.planted_demands, 3),
        dup_cvs=n(base.dup_cvs, 2),
        homonym_quotas=quotas,
    )


def parse_scale(arg: str) -> Scale:
    """``demo``, ``province`` or a positive factor of province (``0.1``).

    >>> parse_scale("0.1").faculty
    6000
    """
    if arg == "demo":
        return DEMO
    if arg == "province":
        return PROVINCE
    try:
        f = float(arg)
    except ValueError:
        raise ValueError(f"--scale must be demo, province or a number, not {arg!r}") from None
    if not (0 < f <= 10):
        raise ValueError(f"--scale factor must be in (0, 10], not {arg!r}")
    return PROVINCE if f == 1 else _times(PROVINCE, f)
