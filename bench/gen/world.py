"""The ground-truth population: universities, colleges, teams, people and firms.

Everything the input files say is rendered from this world, and the truth files are
read off it, so the two can never disagree.  Building it consumes one ``random.Random``
in a fixed order, which makes a world a pure function of (scale, seed).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from bench.gen.ids import USCC_CHARS, uscc
from bench.gen.names import NameGenerator
from bench.gen.scale import Scale
from bench.gen.vocab import FieldVocab, Vocab

__all__ = [
    "University",
    "Team",
    "Person",
    "Firm",
    "Alliance",
    "World",
    "build_world",
    "pick",
    "CURRENT_YEAR",
]

CURRENT_YEAR = 2025  # last full year of activity; demands run into 2026
FEMALE_SHARE = {
    "数字经济": 0.3,
    "电子信息": 0.25,
    "高端智能装备": 0.18,
    "农机装备": 0.15,
    "新材料": 0.3,
    "生物医药": 0.5,
    "生物经济": 0.45,
    "食品精深加工": 0.5,
    "冰雪经济": 0.35,
    "创意设计": 0.55,
}
BIRTH_RANGE = {
    "教授": (1962, 1983),
    "研究员": (1963, 1983),
    "副教授": (1972, 1990),
    "副研究员": (1974, 1990),
    "讲师": (1984, 1995),
    "助理研究员": (1986, 1995),
    "高级实验师": (1968, 1988),
}
LADDERS = (
    ("讲师", "副教授", "教授"),
    ("助理研究员", "副研究员", "研究员"),
    ("实验师", "高级实验师"),
)
# Other universities used as places of study must plausibly teach every field's majors.
_NOT_STEM = (
    "学院",
    "医",
    "师范",
    "外国语",
    "财经",
    "政法",
    "体育",
    "艺术",
    "音乐",
    "美术",
    "民族",
    "警察",
    "公安",
    "传媒",
    "语言",
    "经济",
    "商",
)
TEAM_SUFFIXES = (("团队", 0.5), ("创新团队", 0.2), ("研究团队", 0.15), ("科研团队", 0.15))


def pick(rng: random.Random, pairs: list | tuple) -> Any:
    """Choose from ``[(value, weight), ...]``."""
    values = [p[0] for p in pairs]
    return rng.choices(values, weights=[p[1] for p in pairs])[0]


@dataclass(eq=False, slots=True, repr=False)
class University:
    code: str
    name: str
    city: str  # as in institutions.csv, e.g. 哈尔滨市
    province: str
    national: bool
    size: float
    fields: dict[str, float]
    abbr: list[str]
    en: str | None
    domain: str
    address: str
    colleges: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


@dataclass(eq=False, slots=True, repr=False)
class Firm:
    fid: str
    name: str  # official registered name (enterprises.csv)
    brand: str
    brand_py: str
    industry: str
    legal: str
    prefix: str  # 哈尔滨 / 黑龙江 … as written in the official name
    paren_form: bool  # official name is 品牌行业（城市）有限公司
    city: str  # key into places (哈尔滨)
    city_full: str  # 哈尔滨市
    district: str
    division: str
    field: str
    size: str  # 龙头企业 / 中小企业
    zjtx: str  # 是 / 否 / 小巨人
    hitech: str
    uscc: str
    est_year: int
    address: str
    area_code: str
    domain: str
    products: list[str]
    staff: list[Person] = field(default_factory=list)
    confusable_with: str | None = None


@dataclass(eq=False, slots=True, repr=False)
class Person:
    pid: str
    surname: str
    given: str
    gender: str  # 男 / 女
    birth_year: int
    birth_month: int
    kind: str  # faculty / student / expert
    org: University | Firm
    unit: str
    unit_en: str
    field: str
    title: str
    supervisor: str | None = None  # 博导 / 硕导
    team: Team | None = None
    role: str | None = None  # 负责人 / 成员
    join_year: int = 2010  # first year at the current employer
    active_until: int = CURRENT_YEAR  # students graduate
    directions: list[int] = field(default_factory=list)  # indices into the field's directions
    education: list[tuple[str, Any, str, int, int]] = field(default_factory=list)
    # (degree, University|str school, major, start, end)
    positions: list[tuple[Any, str, str, int, int | None]] = field(default_factory=list)
    # (University|Firm|str org, unit, title, start, end or None)
    prev_univ: University | None = None  # movers: where they were before
    has_cv: bool = False
    patents: list[Any] = field(default_factory=list)
    phone: str = ""
    email: str = ""
    surname_py: str = ""
    given_py: str = ""

    @property
    def name(self) -> str:
        return self.surname + self.given


@dataclass(eq=False, slots=True, repr=False)
class Team:
    tid: str
    name: str
    name_en: str
    univ: University
    field: str
    college: tuple[str, str]
    directions: list[int]
    objects: list[str]
    methods: list[str]
    tasks: list[str]
    home_ipc: list[str]
    leader: Person | None = None
    members: list[Person] = field(default_factory=list)  # leader excluded
    students: list[Person] = field(default_factory=list)
    partners: list[Firm] = field(default_factory=list)
    focus: tuple[str, str, str] | None = None  # planted demand topic (O, M, T)
    patents: list[Any] = field(default_factory=list)
    weight: float = 1.0

    @property
    def staff(self) -> list[Person]:
        return ([self.leader] if self.leader else []) + self.members


@dataclass(eq=False, slots=True, repr=False)
class Alliance:
    aid: str
    field: str
    team: Team
    leading: Firm
    smes: list[Firm]
    patents: list[Any] = field(default_factory=list)


@dataclass(eq=False)
class World:
    scale: Scale
    vocab: Vocab
    rng: random.Random
    names: NameGenerator
    universities: list[University] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    firms: list[Firm] = field(default_factory=list)
    alliances: list[Alliance] = field(default_factory=list)
    # field -> (O, M, T) -> team that owns that exact topic
    reserved: dict[str, dict[tuple[str, str, str], Team]] = field(default_factory=dict)
    other_schools: list[str] = field(default_factory=list)

    def fv(self, name: str) -> FieldVocab:
        return self.vocab.field_by_name[name]

    @property
    def faculty(self) -> list[Person]:
        return [p for p in self.persons if p.kind == "faculty"]

    @property
    def experts(self) -> list[Person]:
        return [p for p in self.persons if p.kind == "expert"]


# --------------------------------------------------------------------------- universities


def _city_key(city_full: str) -> str:
    for suffix in ("地区", "市"):
        if city_full.endswith(suffix):
            return city_full[: -len(suffix)]
    return city_full


def _place(vocab: Vocab, key: str) -> dict[str, Any]:
    for c in vocab.places["cities"]:
        if c["name"] == key:
            return c
    return vocab.places["cities"][0]


def _address(rng: random.Random, vocab: Vocab, key: str) -> tuple[str, str, str]:
    """``(address, district, division code)`` in a Heilongjiang city."""
    c = _place(vocab, key)
    district, division = rng.choice(c["districts"])
    road = rng.choice(c["roads"])
    addr = (
        f"{c['postcode']} 黑龙江省{c['name']}{c['suffix']}{district}{road}{rng.randint(1, 399)}号"
    )
    return addr, district, division


def _university_profiles(vocab: Vocab, scale: Scale) -> list[tuple[dict, dict]]:
    """``(csv row, profile)`` for the universities of a world, in priority order."""
    rows = {r["name"]: r for r in vocab.institutions}
    cfg = vocab.universities
    explicit = {u["name"]: u for u in cfg["heilongjiang"]}
    low = set(cfg["low_priority"])
    hlj_rows = [r for r in vocab.institutions if r["province"] == "黑龙江"]

    def default_profile(r: dict) -> dict:
        fields = next(
            f for keys, f in cfg["keyword_rules"] if not keys or any(k in r["name"] for k in keys)
        )
        size = 1.5 if r["level"] == "本科" else 0.6
        if r["remarks"] == "民办":
            size *= 0.55
        return {"name": r["name"], "size": size, "abbr": [], "fields": fields}

    ordered = [explicit[n] for n in explicit if n in rows]
    rest = [r for r in hlj_rows if r["name"] not in explicit and r["name"] not in low]
    rest.sort(key=lambda r: (r["level"] != "本科", r["remarks"] == "民办"))
    ordered += [default_profile(r) for r in rest]
    ordered += [default_profile(r) for r in hlj_rows if r["name"] in low]
    n_hlj = max(1, scale.universities - scale.national)
    out = [(rows[p["name"]], p) for p in ordered[:n_hlj]]
    out += [(rows[p["name"]], p) for p in cfg["national"][: scale.national] if p["name"] in rows]
    return out


def _build_universities(w: World) -> None:
    rng, vocab = w.rng, w.vocab
    for row, prof in _university_profiles(vocab, w.scale):
        national = row["province"] != "黑龙江"
        address = prof["address"] if national else _address(rng, vocab, _city_key(row["city"]))[0]
        domain = vocab.websites.get(row["name"]) or f"u{row['code'][-5:]}.edu.cn"
        u = University(
            code=row["code"],
            name=row["name"],
            city=row["city"],
            province=row["province"],
            national=national,
            size=float(prof.get("size", 1.0)),
            fields={k: float(v) for k, v in prof["fields"].items()},
            abbr=list(prof.get("abbr") or []),
            en=prof.get("en"),
            domain=domain,
            address=address,
        )
        for fname, fw in u.fields.items():
            colleges = list(w.fv(fname).colleges)
            k = 2 if u.size * fw >= 8 else 1
            u.colleges[fname] = rng.sample(colleges, k)
        w.universities.append(u)
    known = {u.name for u in w.universities}
    w.other_schools = [
        r["name"]
        for r in vocab.institutions
        if r["level"] == "本科"
        and r["name"] not in known
        and r["name"].endswith("大学")
        and not any(k in r["name"] for k in _NOT_STEM)
    ][:400]


# --------------------------------------------------------------------------- firms


def _firm_name(prefix: str, brand: str, ind: str, legal: str, paren: bool) -> str:
    return f"{brand}{ind}（{prefix}）{legal}" if paren else f"{prefix}{brand}{ind}{legal}"


def _ensure_confusables(w: World, k: int) -> None:
    """Make sure a few SMEs share brand and trade with a firm in another city."""
    rng = w.rng
    have = sum(1 for f in w.firms if f.confusable_with)
    smes = [f for f in w.firms if f.size == "中小企业" and not f.confusable_with]
    names = {f.name for f in w.firms}
    for _ in range(max(0, k - have) * 10):
        if have >= k or not smes:
            break
        b = rng.choice(smes)
        a = rng.choice(w.firms)
        if a is b or a.city == b.city or b.prefix != b.city:
            continue
        name = _firm_name(b.prefix, a.brand, a.industry, b.legal, b.paren_form)
        if name in names:
            continue
        names.discard(b.name)
        names.add(name)
        b.name, b.brand, b.brand_py, b.industry, b.field = (
            name,
            a.brand,
            a.brand_py,
            a.industry,
            a.field,
        )
        b.products = rng.sample(list(w.fv(a.field).products), 2)
        b.domain = f"{a.brand_py}{int(b.fid[1:])}.com"
        b.confusable_with = a.fid
        smes.remove(b)
        have += 1


def _build_firms(w: World) -> None:
    rng, vocab, scale = w.rng, w.vocab, w.scale
    cities = vocab.places["cities"]
    city_cw = list(accumulate(float(c["weight"]) for c in cities))
    brands = vocab.misc["brands"]
    legal_forms = vocab.misc["legal_forms"]
    fields = vocab.fields
    n_lead = max(1, round(scale.firms * 0.06))
    used: set[str] = set()
    domains: dict[str, int] = defaultdict(int)
    for i in range(scale.firms):
        leading = i < n_lead
        if i < len(fields) * 2 and scale.firms >= 30:
            fv = fields[i % len(fields)]  # every field gets firms, leading and small
            city = rng.choices(cities, cum_weights=city_cw)[0]
        else:
            city = rng.choices(cities, cum_weights=city_cw)[0]
            mult = city.get("fields") or {}
            fv = rng.choices(
                fields, weights=[f.weight * float(mult.get(f.name, 1.0)) for f in fields]
            )[0]
        confusable = None
        for _attempt in range(50):
            if w.firms and rng.random() < 0.03:
                other = rng.choice(w.firms)  # same brand and trade, another city: a different firm
                brand, brand_py, ind = other.brand, other.brand_py, other.industry
                confusable = other.fid
                if other.field != fv.name:
                    fv = w.fv(other.field)
            else:
                brand, brand_py = rng.choice(brands)
                ind = rng.choice(fv.firm_words)
                confusable = None
            legal = "股份有限公司" if leading and rng.random() < 0.6 else pick(rng, legal_forms)
            prefix = city["name"] if rng.random() > 0.08 else "黑龙江"
            paren = rng.random() < 0.15
            name = _firm_name(prefix, brand, ind, legal, paren)
            if name not in used and (confusable is None or prefix == city["name"]):
                break
        used.add(name)
        addr, district, division = _address(rng, vocab, city["name"])
        body = "".join(rng.choice(USCC_CHARS) for _ in range(8))
        if leading:
            zjtx = "否" if rng.random() < 0.85 else "是"
        else:
            r = rng.random()
            zjtx = "小巨人" if r < 0.03 else "是" if r < 0.2 else "否"
        hitech = "是" if rng.random() < (0.85 if leading or zjtx != "否" else 0.35) else "否"
        domains[brand_py] += 1
        dom = f"{brand_py}.com" if domains[brand_py] == 1 else f"{brand_py}{domains[brand_py]}.com"
        w.firms.append(
            Firm(
                fid=f"F{i + 1:06d}",
                name=name,
                brand=brand,
                brand_py=brand_py,
                industry=ind,
                legal=legal,
                prefix=prefix,
                paren_form=paren,
                city=city["name"],
                city_full=city["name"] + city["suffix"],
                district=district,
                division=division,
                field=fv.name,
                size="龙头企业" if leading else "中小企业",
                zjtx=zjtx,
                hitech=hitech,
                uscc=uscc(division, body),
                est_year=rng.randint(1993, 2022),
                address=addr,
                area_code=city["area_code"],
                domain=dom,
                products=rng.sample(list(fv.products), 2),
                confusable_with=confusable,
            )
        )
    _ensure_confusables(w, max(2, scale.firms // 50))


# --------------------------------------------------------------------------- people


def _school_pick(w: World, exclude: University | None = None, national_bias: float = 0.2) -> Any:
    rng = w.rng
    if w.other_schools and rng.random() < 0.15:
        return rng.choice(w.other_schools)
    pool = [u for u in w.universities if u is not exclude]
    if not pool:
        pool = w.universities
    nat = [u for u in pool if u.national]
    if nat and rng.random() < national_bias:
        return rng.choice(nat)
    return rng.choices(pool, weights=[u.size for u in pool])[0]


def _education(w: World, p: Person, fv: FieldVocab, phd: bool, home: University | None) -> int:
    """Fill ``p.education`` (most recent first); return the year the last degree ended."""
    rng = w.rng
    b = p.birth_year
    bs_start = b + 18 + (rng.random() < 0.3)
    bs_end = bs_start + 4
    major = rng.choice(fv.majors)
    bs_major = major if rng.random() < 0.7 else rng.choice(fv.majors)
    edu = [("学士", _school_pick(w), bs_major, bs_start, bs_end)]
    end = bs_end
    if phd and rng.random() < 0.2:  # 硕博连读
        school = home if home is not None and rng.random() < 0.45 else _school_pick(w)
        edu.append(("博士", school, major, bs_end, bs_end + 5))
        end = bs_end + 5
    else:
        if phd or rng.random() < 0.7:
            ms_start = bs_end + (rng.random() < 0.25)
            ms_end = ms_start + rng.choice((2, 3, 3))
            ms_school = _school_pick(w)
            edu.append(("硕士", ms_school, major, ms_start, ms_end))
            end = ms_end
        if phd:
            if home is not None and rng.random() < 0.45:
                school = home
            else:
                school = _school_pick(w, national_bias=0.3)
            ph_start = end + (rng.random() < 0.3)
            ph_end = ph_start + rng.choice((3, 4, 4, 5))
            edu.append(("博士", school, major, ph_start, ph_end))
            end = ph_end
    shift = max(0, end - (CURRENT_YEAR - 2))
    if shift:  # keep careers in the past: make the person older instead
        p.birth_year -= shift
        edu = [(d, sch, m, a - shift, b_ - shift) for d, sch, m, a, b_ in edu]
        end -= shift
    p.education = list(reversed(edu))
    return end


def _career_faculty(w: World, p: Person, u: University, start: int) -> None:
    """Positions: promotions at the current university, movers start elsewhere."""
    rng = w.rng
    ladder = next((lad for lad in LADDERS if p.title in lad), LADDERS[0])
    k = ladder.index(p.title)
    segs: list[list[Any]] = []
    y = start
    if rng.random() < 0.25:  # a postdoc first
        segs.append([None, "博士后流动站", "博士后", y, y + 2])
        y += 2
    for i in range(k + 1):
        segs.append([None, p.unit, ladder[i], y, None])
        y += rng.randint(4, 7)
    # squeeze the career into the years that have passed
    last_start = segs[-1][3]
    if last_start > CURRENT_YEAR - 1:
        span = max(1, CURRENT_YEAR - 1 - segs[0][3])
        n = len(segs)
        for i, s in enumerate(segs):
            s[3] = segs[0][3] + (span * i) // max(1, n - 1) if n > 1 else s[3]
    for i in range(len(segs) - 1):
        segs[i][4] = segs[i + 1][3]
    mover = len(w.universities) > 1 and len(segs) >= 2 and rng.random() < 0.08
    n_prev = 0
    if mover:
        prev = _school_pick(w, exclude=u, national_bias=0.15)
        if isinstance(prev, University):
            p.prev_univ = prev
            n_prev = 1 if len(segs) == 2 else rng.randint(1, len(segs) - 1)
            cols = prev.colleges.get(p.field) or [rng.choice(w.fv(p.field).colleges)]
            prev_unit = rng.choice(cols)[0]
            for s in segs[:n_prev]:
                s[0] = prev
                if s[1] != "博士后流动站":
                    s[1] = prev_unit
    postdoc_host = _school_pick(w, exclude=None, national_bias=0.3)
    for s in segs:
        if s[0] is None:
            s[0] = postdoc_host if s[1] == "博士后流动站" else u
    p.join_year = next(s[3] for s in segs if s[0] is u and s[1] != "博士后流动站")
    p.positions = [tuple(s) for s in reversed(segs)]


def _new_person(
    w: World, kind: str, org: Any, fname: str, title: str, taken: set[str] | None
) -> Person:
    rng = w.rng
    gender = "女" if rng.random() < FEMALE_SHARE.get(fname, 0.35) else "男"
    for _ in range(20):
        s, g = w.names.full(gender)
        if taken is None or s + g not in taken:
            break
    if taken is not None:
        taken.add(s + g)
    p = Person(
        pid=f"P{len(w.persons) + 1:07d}",
        surname=s,
        given=g,
        gender=gender,
        birth_year=1980,
        birth_month=rng.randint(1, 12),
        kind=kind,
        org=org,
        unit="",
        unit_en="",
        field=fname,
        title=title,
    )
    w.persons.append(p)
    return p


def _faculty(
    w: World,
    u: University,
    fname: str,
    college: tuple[str, str],
    title: str,
    taken: set[str] | None,
) -> Person:
    rng = w.rng
    fv = w.fv(fname)
    p = _new_person(w, "faculty", u, fname, title, taken)
    lo, hi = BIRTH_RANGE[title]
    p.birth_year = rng.randint(lo, hi)
    p.unit, p.unit_en = college
    if title in ("教授", "研究员"):
        p.supervisor = "博导" if rng.random() < 0.7 else "硕导"
    elif title in ("副教授", "副研究员"):
        p.supervisor = "硕导" if rng.random() < 0.8 else None
    phd = title != "高级实验师" or rng.random() < 0.4
    end = _education(w, p, fv, phd, u)
    _career_faculty(w, p, u, end)
    return p


def _directions(rng: random.Random, fv: FieldVocab, base: list[int]) -> list[int]:
    k = min(len(base), rng.randint(2, 3))
    out = rng.sample(base, k)
    if rng.random() < 0.4:
        extra = rng.randrange(len(fv.directions))
        if extra not in out:
            out.append(extra)
    return out


def _build_teams_and_faculty(w: World) -> None:
    rng, scale = w.rng, w.scale
    unis = w.universities
    in_teams = round(scale.faculty * 0.85)
    n_teams = max(1, round(in_teams / 6.5))
    sizes = [min(14, 3 + int(rng.expovariate(1 / 3.5))) for _ in range(n_teams)]
    total = sum(sizes)
    while total > in_teams and any(s > 3 for s in sizes):
        i = rng.randrange(n_teams)
        if sizes[i] > 3:
            sizes[i] -= 1
            total -= 1
    while total < in_teams:
        sizes[rng.randrange(n_teams)] += 1
        total += 1
    uni_cw = list(accumulate(u.size for u in unis))
    field_names = [f.name for f in w.vocab.fields]
    stems_used: dict[str, set[str]] = defaultdict(set)
    for t_i, size in enumerate(sizes):
        if t_i < len(field_names) and n_teams >= 2 * len(field_names):
            fname = field_names[t_i]
            cands = [u for u in unis if fname in u.fields] or unis
            u = rng.choices(cands, weights=[c.size * c.fields.get(fname, 0.1) for c in cands])[0]
            fname = fname if fname in u.fields else rng.choice(list(u.fields))
        else:
            u = rng.choices(unis, cum_weights=uni_cw)[0]
            fname = rng.choices(list(u.fields), weights=list(u.fields.values()))[0]
        fv = w.fv(fname)
        stems = [s for s in fv.teams if s[0] not in stems_used[u.code]] or list(fv.teams)
        stem_zh, stem_en = rng.choice(stems)
        stems_used[u.code].add(stem_zh)
        suffix = pick(rng, TEAM_SUFFIXES)
        name = stem_zh + suffix
        if name in {t.name for t in w.teams if t.univ is u}:
            name = stem_zh + "第二" + suffix
        college = rng.choice(u.colleges[fname])
        team = Team(
            tid=f"T{t_i + 1:06d}",
            name=name,
            name_en=f"{stem_en} Team",
            univ=u,
            field=fname,
            college=college,
            directions=rng.sample(range(len(fv.directions)), 4),
            objects=rng.sample(list(fv.objects), 2),
            methods=rng.sample(list(fv.methods), 2),
            tasks=rng.sample(list(fv.tasks), 2),
            home_ipc=rng.sample(list(fv.ipc), 2),
            weight=size * rng.lognormvariate(0, 0.6),
        )
        taken: set[str] = set()
        leader = _faculty(
            w, u, fname, college, pick(rng, w.vocab.misc["faculty_titles"]["leader"]), taken
        )
        leader.team, leader.role = team, "负责人"
        leader.directions = _directions(rng, fv, team.directions)
        team.leader = leader
        for _ in range(size - 1):
            m = _faculty(
                w, u, fname, college, pick(rng, w.vocab.misc["faculty_titles"]["member"]), taken
            )
            m.team, m.role = team, "成员"
            m.directions = _directions(rng, fv, team.directions)
            team.members.append(m)
        w.teams.append(team)
    for _ in range(scale.faculty - in_teams):  # faculty outside any named team
        u = rng.choices(unis, cum_weights=uni_cw)[0]
        fname = rng.choices(list(u.fields), weights=list(u.fields.values()))[0]
        fv = w.fv(fname)
        p = _faculty(
            w,
            u,
            fname,
            rng.choice(u.colleges[fname]),
            pick(rng, w.vocab.misc["faculty_titles"]["loose"]),
            None,
        )
        p.directions = rng.sample(range(len(fv.directions)), rng.randint(2, 3))


def _build_students(w: World) -> None:
    rng = w.rng
    if not w.teams:
        return
    weights = [len(t.members) + 1 for t in w.teams]
    for _ in range(w.scale.students):
        team = rng.choices(w.teams, weights=weights)[0]
        taken = {p.name for p in team.staff + team.students}
        phd = rng.random() < 0.6
        p = _new_person(
            w, "student", team.univ, team.field, "博士研究生" if phd else "硕士研究生", taken
        )
        enrol = rng.randint(2015, 2024)
        p.birth_year = enrol - (24 if phd else 22) - rng.randint(0, 2)
        p.join_year = enrol
        p.active_until = min(CURRENT_YEAR, enrol + (4 if phd else 3))
        p.unit, p.unit_en = team.college
        p.team, p.role = team, "成员"
        p.directions = _directions(rng, w.fv(team.field), team.directions)
        team.students.append(p)


def _build_experts(w: World) -> None:
    rng, scale, misc = w.rng, w.scale, w.vocab.misc
    firms = w.firms
    counts = [1] * len(firms)
    extra = max(0, scale.staff - len(firms))
    fw = [6.0 if f.size == "龙头企业" else 1.0 for f in firms]
    for i in rng.choices(range(len(firms)), weights=fw, k=extra):
        counts[i] += 1
    by_field: dict[str, list[Firm]] = defaultdict(list)
    for f in firms:
        by_field[f.field].append(f)
    for firm, n in zip(firms, counts, strict=True):
        fv = w.fv(firm.field)
        taken: set[str] = set()
        for _ in range(n):
            title = pick(rng, misc["expert_titles"])
            p = _new_person(w, "expert", firm, firm.field, title, taken)
            p.birth_year = rng.randint(1965, 1996)
            p.unit = rng.choice(misc["expert_units"])
            p.directions = rng.sample(range(len(fv.directions)), rng.randint(1, 3))
            phd = rng.random() < 0.1
            end = _education(w, p, fv, phd, None)
            start = max(end, firm.est_year)
            segs: list[tuple[Any, str, str, int, int | None]] = []
            if rng.random() < 0.4 and start < CURRENT_YEAR - 3:
                r = rng.random()
                if r < 0.15 and w.universities:  # came from a university
                    u = rng.choice(w.universities)
                    cols = u.colleges.get(firm.field) or [rng.choice(fv.colleges)]
                    prev: Any = u
                    unit = rng.choice(cols)[0]
                    ptitle = rng.choice(("讲师", "副教授"))
                else:
                    peers = [f for f in by_field[firm.field] if f is not firm] or [
                        f for f in firms if f is not firm
                    ]
                    prev = rng.choice(peers) if peers else f"{firm.city}某制造企业"
                    unit = rng.choice(misc["expert_units"])
                    ptitle = rng.choice(misc["firm_early_titles"])
                switch = rng.randint(start + 2, max(start + 2, CURRENT_YEAR - 1))
                segs.append((prev, unit, ptitle, start, switch))
                start = switch
            p.join_year = min(max(start, firm.est_year), CURRENT_YEAR)
            segs.append((firm, p.unit, title, p.join_year, None))
            p.positions = list(reversed(segs))
            firm.staff.append(p)


# --------------------------------------------------------------------------- links


def _link_partners(w: World) -> None:
    rng = w.rng
    by_field: dict[str, list[Firm]] = defaultdict(list)
    for f in w.firms:
        by_field[f.field].append(f)
    for t in w.teams:
        pool = by_field.get(t.field) or w.firms
        n = pick(rng, ((0, 0.25), (1, 0.35), (2, 0.25), (3, 0.15)))
        city = _city_key(t.univ.city)
        near = [f for f in pool if f.city == city]
        for _ in range(n):
            src = near if near and rng.random() < 0.6 else pool
            f = rng.choices(src, weights=[4.0 if x.size == "龙头企业" else 1.0 for x in src])[0]
            if f not in t.partners:
                t.partners.append(f)


def _build_alliances(w: World) -> None:
    rng = w.rng
    fields = [f.name for f in w.vocab.fields]
    rng.shuffle(fields)
    used_teams: set[str] = set()
    used_firms: set[str] = set()
    for i in range(w.scale.alliances):
        for attempt in range(len(fields)):
            fname = fields[(i + attempt) % len(fields)]
            teams = [
                t
                for t in w.teams
                if t.field == fname
                and not t.univ.national
                and t.tid not in used_teams
                and len(t.members) >= 2
            ]
            firms = [f for f in w.firms if f.field == fname and f.fid not in used_firms]
            leads = [f for f in firms if f.size == "龙头企业"]
            if not teams or len(firms) < 3:
                continue
            if not leads:
                lead = max(firms, key=lambda f: len(f.staff))
                lead.size = "龙头企业"
            else:
                lead = rng.choice(leads)
            smes = [f for f in firms if f.size == "中小企业" and f is not lead]
            near = [f for f in smes if f.city == lead.city]
            k = rng.randint(2, min(4, max(2, len(smes))))
            if len(smes) < 2:
                continue
            chosen = rng.sample(near, min(k, len(near)))
            rest = [f for f in smes if f not in chosen]
            chosen += rng.sample(rest, k - len(chosen)) if k > len(chosen) else []
            team = rng.choices(teams, weights=[len(t.members) + 1 for t in teams])[0]
            used_teams.add(team.tid)
            used_firms.update(f.fid for f in [lead, *chosen])
            for f in [lead, *chosen]:
                if f not in team.partners:
                    team.partners.append(f)
            w.alliances.append(Alliance(f"A{len(w.alliances) + 1:03d}", fname, team, lead, chosen))
            break


def _plant_focus(w: World) -> None:
    """Give some teams an exclusive topic (O, M, T) that a planted demand will ask for."""
    rng = w.rng
    eligible = [t for t in w.teams if len(t.members) >= 2 and not t.univ.national]
    rng.shuffle(eligible)
    for t in eligible[: w.scale.planted_demands]:
        fv = w.fv(t.field)
        res = w.reserved.setdefault(t.field, {})
        for attempt in range(40):
            if attempt < 8:
                topic = (rng.choice(t.objects), rng.choice(t.methods), rng.choice(t.tasks))
            else:
                topic = (rng.choice(fv.objects), rng.choice(fv.methods), rng.choice(fv.tasks))
            if topic not in res:
                res[topic] = t
                t.focus = topic
                break


def _plant_homonyms(w: World) -> None:
    """Rename people so the commonest names are shared by many distinct people."""
    rng, scale = w.rng, w.scale
    pool = [p for p in w.persons if p.kind == "faculty" or (p.kind == "expert" and p.has_cv)]
    if scale.cv_files is False:
        pool += [p for p in w.persons if p.kind == "student"]
    rng.shuffle(pool)
    used: set[str] = set()
    planted = w.vocab.names["planted"]
    for (name, sex), quota in zip(planted, scale.homonym_quotas, strict=False):
        surname = name[:1]
        given = name[1:]
        n = 0
        for p in pool:
            if n >= quota:
                break
            if p.pid in used:
                continue
            if sex == "m" and p.gender != "男" or sex == "f" and p.gender != "女":
                continue
            group = (
                p.team.staff + p.team.students
                if p.team
                else (p.org.staff if isinstance(p.org, Firm) else [])
            )
            if any(q.name == name for q in group):
                continue
            p.surname, p.given = surname, given
            used.add(p.pid)
            n += 1


def _email_locals(local: str, p: Person) -> Iterator[str]:
    yield local
    yield f"{local}{p.birth_year % 100:02d}"
    yield f"{p.given_py}.{p.surname_py}"
    k = 2
    while True:
        yield f"{local}{k}"
        k += 1


def _contacts(w: World) -> None:
    """Phones and e-mails: unique, derived from pinyin like real addresses."""
    rng = w.rng
    phones: set[str] = set()
    emails: set[str] = set()
    for p in w.persons:
        p.surname_py, p.given_py = w.names.py(p.surname, p.given)
        while True:
            ph = "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))
            if ph not in phones:
                phones.add(ph)
                p.phone = ph
                break
        base = p.surname_py + p.given_py
        if p.kind == "student":
            continue
        if isinstance(p.org, University) or rng.random() < 0.5:
            domain = p.org.domain
        else:
            domain = rng.choice(("163.com", "126.com", "qq.com", "sina.com"))
        local = str(rng.randint(10**7, 3 * 10**9)) if domain == "qq.com" else base
        for c in _email_locals(local, p):
            e = f"{c}@{domain}"
            if e not in emails:
                emails.add(e)
                p.email = e
                break


def build_world(scale: Scale, vocab: Vocab, rng: random.Random) -> World:
    """Build the whole ground-truth world for a scale from one random stream."""
    w = World(scale=scale, vocab=vocab, rng=rng, names=NameGenerator(vocab, rng))
    _build_universities(w)
    _build_firms(w)
    _build_teams_and_faculty(w)
    _build_students(w)
    _build_experts(w)
    for p in w.persons:
        if p.kind == "faculty" or (p.kind == "expert" and scale.cv_staff is None):
            p.has_cv = True
    if scale.cv_staff is not None:
        experts = w.experts
        for p in rng.sample(experts, min(scale.cv_staff, len(experts))):
            p.has_cv = True
    _link_partners(w)
    _build_alliances(w)
    _plant_focus(w)
    _plant_homonyms(w)
    _contacts(w)
    return w
