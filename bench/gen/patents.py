"""Patents as a CNIPA search export: ``patents.csv`` (and ``patents.xlsx`` at demo scale).

Who files what:

* university patents of a team (inventors: leader, members, students active that year);
* joint patents of a team and one of its partner firms (university + firm applicants,
  inventors from both);
* firm patents (inventors from the firm's staff);
* alliance patents: dense co-filing among one university team, a leading firm and SMEs;
* focus patents: a planted team's patents on its exclusive topic (truth/demand_targets.json);
* movers' patents filed at their previous university.

Rows are generated one at a time and streamed to the CSV; the world keeps only a small
record per patent (for CVs, demands, achievements and truth).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from bench.gen.ids import cn_application_number
from bench.gen.orgnames import NameLog
from bench.gen.vocab import FieldVocab
from bench.gen.world import CURRENT_YEAR, Firm, Person, Team, University, World
from bench.gen.writers import CsvSink, write_xlsx

__all__ = ["Patent", "PATENT_HEADER", "PATENT_XLSX_HEADER", "generate_patents", "CUTOFF"]

PATENT_HEADER = (
    "申请号",
    "公开(公告)号",
    "发明名称",
    "摘要",
    "申请人",
    "发明人",
    "IPC分类号",
    "主分类号",
    "申请日",
    "公开(公告)日",
    "法律状态",
    "专利类型",
    "地址",
)
# The same columns as another search platform labels them (patents.xlsx).
PATENT_XLSX_HEADER = (
    "申请号",
    "公开号",
    "名称",
    "摘要",
    "专利权人",
    "发明人",
    "IPC分类号",
    "主分类号",
    "申请日",
    "公开日",
    "法律状态",
    "专利类型",
    "地址",
)
CUTOFF = date(2026, 3, 31)  # data pulled at the end of 2026 Q1
YEARS = list(range(2013, CURRENT_YEAR + 1))
YEAR_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 11, 11, 10, 8]
_EPOCH = date(2010, 1, 1)
_PUB_RATE = {
    "A": (101_600_000, 3300),
    "B": (101_600_000, 3300),
    "U": (201_500_000, 3800),
    "S": (301_100_000, 1370),
}
_KIND = {"发明": 1, "实用新型": 2, "外观设计": 3}
_APP_SPAN = {1: 1_300_000, 2: 2_000_000, 3: 900_000}


@dataclass(eq=False, slots=True)
class Patent:
    """What the rest of the generator needs to know about a written patent."""

    app_no: str
    title: str
    ptype: str
    status: str
    year: int
    field: str
    topic: tuple[str, str, str]
    inventors: list[Person]
    team: Team | None = None
    firms: list[Firm] = field(default_factory=list)
    univs: list[University] = field(default_factory=list)

    @property
    def granted(self) -> bool:
        return self.status == "有效"


def _sep(rng: random.Random) -> str:
    r = rng.random()
    return ";" if r < 0.85 else "；" if r < 0.95 else "、"


def _fill(tpl: str, **slots: str) -> str:
    for k, v in slots.items():
        tpl = tpl.replace("{" + k + "}", v)
    return tpl


class PatentFactory:
    def __init__(self, w: World, names: NameLog) -> None:
        self.w = w
        self.rng = w.rng
        self.names = names
        self.app_used: set[str] = set()
        self.pub_used: set[int] = set()
        self.year_cw = list(accumulate(YEAR_WEIGHTS))
        self.records: list[Patent] = []
        self._peers: dict[tuple[str, str], list[Person]] = {}
        for p in w.persons:
            if p.kind == "faculty":
                self._peers.setdefault((p.org.code, p.field), []).append(p)

    def peers(self, u: University, field_name: str) -> list[Person]:
        """Faculty of a university working in a field."""
        return self._peers.get((u.code, field_name), [])

    # ---------------------------------------------------------------- pieces
    def year(self, lo: int = 2013, hi: int = CURRENT_YEAR) -> int:
        lo = max(lo, YEARS[0])
        hi = min(hi, CURRENT_YEAR)
        if lo > hi:
            return hi
        for _ in range(6):
            y = self.rng.choices(YEARS, cum_weights=self.year_cw)[0]
            if lo <= y <= hi:
                return y
        return self.rng.randint(lo, hi)

    def ptype(self, fv: FieldVocab, firm_only: bool) -> str:
        r = self.rng.random()
        if fv.has_designs and r < (0.12 if firm_only else 0.05):
            return "外观设计"
        if r < (0.45 if firm_only else 0.25):
            return "实用新型"
        return "发明"

    def topic(self, fv: FieldVocab, team: Team | None) -> tuple[str, str, str]:
        rng = self.rng
        reserved = self.w.reserved.get(fv.name, {})
        t = (rng.choice(fv.objects), rng.choice(fv.methods), rng.choice(fv.tasks))
        for _ in range(12):
            if team is not None:
                o = rng.choice(team.objects) if rng.random() < 0.8 else rng.choice(fv.objects)
                m = rng.choice(team.methods) if rng.random() < 0.75 else rng.choice(fv.methods)
                k = rng.choice(team.tasks) if rng.random() < 0.75 else rng.choice(fv.tasks)
                t = (o, m, k)
            else:
                t = (rng.choice(fv.objects), rng.choice(fv.methods), rng.choice(fv.tasks))
            owner = reserved.get(t)
            if owner is None or owner is team:
                return t
        return t

    def title(self, fv: FieldVocab, ptype: str, t: tuple[str, str, str], focus: bool) -> str:
        rng = self.rng
        o, m, k = t
        if ptype == "外观设计":
            return f"{rng.choice(fv.design_products)}（{rng.choice(fv.design_motifs)}）"
        if ptype == "实用新型":
            return _fill(rng.choice(fv.um_titles), O=o, T=k, D=rng.choice(fv.devices))
        tpls = [x for x in fv.inv_titles if "{M}" in x] if focus else list(fv.inv_titles)
        return _fill(rng.choice(tpls), O=o, M=m, T=k)

    def abstract(self, fv: FieldVocab, ptype: str, title: str, t: tuple[str, str, str]) -> str:
        rng = self.rng
        o, m, k = t
        if ptype == "外观设计":
            use = "冰雪运动及日常使用" if fv.name == "冰雪经济" else "日常生活及文创纪念"
            return (
                f"本外观设计产品的名称：{title}。本外观设计产品的用途：本外观设计产品用于{use}。"
                "本外观设计产品的设计要点：在于形状与图案的结合。最能表明设计要点的图片或照片：立体图。"
            )
        effects = [_fill(e, O=o, M=m, T=k) for e in rng.sample(fv.effects, 2)]
        problem = rng.choice(fv.problems)
        if ptype == "实用新型":
            p1, p2, p3 = rng.sample(fv.parts, 3)
            return (
                f"本实用新型公开了{title}，包括{p1}、{p2}和{p3}，所述{p1}与{p2}固定连接，"
                f"所述{p3}设置于{p2}的一侧。本实用新型结构简单、安装方便，{effects[0]}，"
                f"适用于{o}{k}场景。"
            )
        idx = [0, *sorted(rng.sample(range(1, len(fv.steps)), 2))]
        steps = "；".join(
            f"S{i + 1}，{_fill(fv.steps[j], O=o, M=m, T=k)}" for i, j in enumerate(idx)
        )
        return (
            f"本发明公开了{title}，属于{fv.domain}技术领域。其技术方案包括：{steps}。"
            f"本发明{effects[0]}，{effects[1]}，解决了现有{o}{k}技术中存在的{problem}等问题。"
        )

    def app_number(self, year: int, kind: int, doy: int) -> str:
        span = _APP_SPAN[kind]
        base = span * doy // 366
        while True:
            no = cn_application_number(
                year, kind, 1 + base + self.rng.randrange(max(1, span // 366))
            )
            if no not in self.app_used:
                self.app_used.add(no)
                return no

    def pub_number(self, suffix: str, d: date) -> str:
        base, rate = _PUB_RATE[suffix]
        n = base + (d - _EPOCH).days * rate + self.rng.randrange(rate)
        while n in self.pub_used:
            n += 1
        self.pub_used.add(n)
        return f"CN{n:09d}{suffix}"

    def dates(self, ptype: str, year: int) -> tuple[date, date, str, str]:
        """``(application date, publication date, publication number, legal status)``."""
        rng = self.rng
        last = 181 if year >= CURRENT_YEAR else 364
        app = date(year, 1, 1) + timedelta(days=rng.randint(0, last))
        if ptype == "发明":
            pub = min(app + timedelta(days=rng.randint(180, 560)), CUTOFF)
            grant = pub + timedelta(days=rng.randint(300, 900))
            if grant <= CUTOFF and rng.random() < 0.75:
                # the grant keeps the publication's serial, with kind code B
                status = "有效" if rng.random() < 0.82 else "失效"
                return app, grant, self.pub_number("B", pub), status
            pending = app > date(CUTOFF.year - 4, CUTOFF.month, 1) and rng.random() < 0.85
            return app, pub, self.pub_number("A", pub), "审中" if pending else "失效"
        if ptype == "实用新型":
            pub = app + timedelta(days=rng.randint(100, 270))
            lapse = 0.45 if year < 2017 else 0.15
            return app, pub, self.pub_number("U", pub), "失效" if rng.random() < lapse else "有效"
        pub = app + timedelta(days=rng.randint(90, 240))
        return app, pub, self.pub_number("S", pub), "失效" if rng.random() < 0.2 else "有效"

    def ipc(self, fv: FieldVocab, ptype: str, team: Team | None) -> list[str]:
        rng = self.rng
        if ptype == "外观设计":
            return [rng.choice(fv.loc)]
        main = (
            rng.choice(team.home_ipc)
            if team is not None and rng.random() < 0.7
            else rng.choice(fv.ipc)
        )
        extra = [c for c in rng.sample(fv.ipc, min(len(fv.ipc), rng.randint(0, 3))) if c != main]
        return [main, *extra]

    # ---------------------------------------------------------------- people
    def team_inventors(self, team: Team, year: int, n: int) -> list[Person]:
        rng = self.rng
        staff = [p for p in team.members if p.join_year <= year]
        studs = [p for p in team.students if p.join_year <= year <= p.active_until]
        pool = staff + studs
        rng.shuffle(pool)
        chosen = pool[: max(0, n - 1)]
        leader = team.leader
        if leader is not None and (rng.random() < 0.88 or not chosen):
            if rng.random() < 0.55:
                chosen.insert(0, leader)
            else:
                chosen.insert(min(len(chosen), 1), leader)
        return chosen or [p for p in team.staff[:1]]

    def firm_inventors(self, firm: Firm, year: int, n: int) -> list[Person]:
        rng = self.rng
        pool = [p for p in firm.staff if p.join_year <= year] or list(firm.staff)
        return rng.sample(pool, min(n, len(pool)))

    # ---------------------------------------------------------------- a patent
    def make(
        self,
        fv: FieldVocab,
        year: int,
        inventors: list[Person],
        applicants: list[Any],
        team: Team | None,
        focus: tuple[str, str, str] | None = None,
        firm_only: bool = False,
    ) -> tuple[Patent, list[str]]:
        rng = self.rng
        ptype = "发明" if focus else self.ptype(fv, firm_only)
        t = focus or self.topic(fv, team)
        if ptype == "外观设计":
            t = (t[0], "", "")
        title = self.title(fv, ptype, t, focus is not None)
        app, pub, pub_no, status = self.dates(ptype, year)
        app_no = self.app_number(year, _KIND[ptype], app.timetuple().tm_yday)
        codes = self.ipc(fv, ptype, team)
        dotted = rng.random() < 0.12
        fmt = "%Y.%m.%d" if dotted else "%Y-%m-%d"
        first = applicants[0]
        address = first.address if isinstance(first, (University, Firm)) else ""
        row = [
            app_no,
            pub_no,
            title,
            self.abstract(fv, ptype, title, t),
            _sep(rng).join(self.names.org(a, p_official=0.72, p_abbr=0.07) for a in applicants),
            _sep(rng).join(p.name for p in inventors),
            _sep(rng).join(codes),
            codes[0],
            app.strftime(fmt),
            pub.strftime(fmt),
            status,
            ptype,
            address,
        ]
        rec = Patent(
            app_no=app_no,
            title=title,
            ptype=ptype,
            status=status,
            year=year,
            field=fv.name,
            topic=t,
            inventors=inventors,
            team=team,
            firms=[a for a in applicants if isinstance(a, Firm)],
            univs=[a for a in applicants if isinstance(a, University)],
        )
        for p in inventors:
            p.patents.append(rec)
        if team is not None:
            team.patents.append(rec)
        self.records.append(rec)
        return rec, row


def _jobs(w: World) -> list[tuple[str, Any]]:
    """The list of patents to write, as ``(kind, subject)``, in random order."""
    rng, scale = w.rng, w.scale
    jobs: list[tuple[str, Any]] = []
    for a in w.alliances:
        jobs += [("alliance", a)] * scale.alliance_patents
    for t in w.teams:
        if t.focus is not None:
            jobs += [("focus", t)] * scale.focus_patents
    for p in w.persons:
        if p.prev_univ is not None:
            jobs += [("mover", p)] * rng.randint(1, 2)
    cap = int(scale.patents * 0.4)
    if len(jobs) > cap:
        rng.shuffle(jobs)
        jobs = jobs[:cap]
    rest = scale.patents - len(jobs)
    teams = w.teams
    loose = [p for p in w.persons if p.kind == "faculty" and p.team is None]
    team_cw = list(accumulate(t.weight for t in teams))
    partnered = [t for t in teams if t.partners]
    part_cw = list(accumulate(t.weight for t in partnered))
    firm_cw = list(accumulate((8.0 if f.size == "龙头企业" else 1.0) for f in w.firms))
    for _ in range(rest):
        r = rng.random()
        if r < 0.52 or (r < 0.75 and not partnered):
            if loose and rng.random() < 0.12:
                jobs.append(("loose", rng.choice(loose)))
            else:
                jobs.append(("univ", rng.choices(teams, cum_weights=team_cw)[0]))
        elif r < 0.75:
            jobs.append(("joint", rng.choices(partnered, cum_weights=part_cw)[0]))
        else:
            jobs.append(("firm", rng.choices(w.firms, cum_weights=firm_cw)[0]))
    rng.shuffle(jobs)
    return jobs


def _render(fac: PatentFactory, kind: str, subj: Any) -> tuple[Patent, list[str]] | None:
    w, rng = fac.w, fac.rng
    if kind in ("univ", "focus"):
        t: Team = subj
        fv = w.fv(t.field)
        y = fac.year(lo=t.leader.join_year if t.leader else 2013)
        invs = fac.team_inventors(t, y, rng.randint(2, 6))
        apps: list[Any] = [t.univ]
        if kind == "focus" and t.partners and rng.random() < 0.3:
            apps.append(rng.choice(t.partners))
            invs += fac.firm_inventors(apps[-1], y, 1)
        return fac.make(fv, y, invs, apps, t, focus=t.focus if kind == "focus" else None)
    if kind == "joint":
        t = subj
        fv = w.fv(t.field)
        f = rng.choice(t.partners)
        y = fac.year(lo=max(t.leader.join_year if t.leader else 2013, f.est_year))
        invs = fac.team_inventors(t, y, rng.randint(2, 5)) + fac.firm_inventors(
            f, y, rng.randint(1, 2)
        )
        apps = [t.univ, f] if rng.random() < 0.65 else [f, t.univ]
        return fac.make(fv, y, invs, apps, t)
    if kind == "alliance":
        a = subj
        fv = w.fv(a.field)
        t = a.team
        sme = rng.choice(a.smes)
        combo = rng.choices(("UL", "US", "LS", "ULS"), weights=(35, 30, 20, 15))[0]
        y = fac.year(lo=max(2019, t.leader.join_year if t.leader else 2019))
        invs: list[Person] = []
        apps = []
        if "U" in combo:
            apps.append(t.univ)
            invs += fac.team_inventors(t, y, rng.randint(2, 4))
        for code, firm in (("L", a.leading), ("S", sme)):
            if code in combo:
                apps.append(firm)
                invs += fac.firm_inventors(firm, y, rng.randint(1, 2))
        rec, row = fac.make(fv, y, invs, apps, t if "U" in combo else None)
        a.patents.append(rec)
        return rec, row
    if kind == "firm":
        f: Firm = subj
        fv = w.fv(f.field)
        y = fac.year(lo=f.est_year)
        invs = fac.firm_inventors(f, y, rng.randint(1, 4))
        return fac.make(fv, y, invs, [f], None, firm_only=True)
    if kind == "loose":
        p: Person = subj
        fv = w.fv(p.field)
        y = fac.year(lo=p.join_year)
        u = p.org
        peers = [q for q in fac.peers(u, p.field) if q is not p and q.join_year <= y]
        invs = [p] + rng.sample(peers, min(len(peers), rng.randint(0, 2)))
        return fac.make(fv, y, invs, [u], None)
    if kind == "mover":
        p = subj
        prev = p.prev_univ
        spans = [(s, e) for org, _u, _t, s, e in p.positions if org is prev and e is not None]
        if not spans:
            return None
        lo = max(2013, min(s for s, _ in spans))
        hi = min(CURRENT_YEAR, max(e for _, e in spans))
        if lo > hi:
            return None
        y = rng.randint(lo, hi)
        fv = w.fv(p.field)
        peers = [q for q in fac.peers(prev, p.field) if q.join_year <= y and q is not p]
        invs = [p] + rng.sample(peers, min(len(peers), rng.randint(1, 3)))
        rng.shuffle(invs)
        return fac.make(fv, y, invs, [prev], None)
    raise ValueError(kind)


def generate_patents(w: World, names: NameLog, out: Path) -> PatentFactory:
    """Write ``patents.csv`` (and at demo scale ``patents.xlsx``); return the factory."""
    fac = PatentFactory(w, names)
    rng = w.rng
    xlsx_rows: list[list[Any]] = []
    with CsvSink(out / "patents.csv", PATENT_HEADER) as sink:
        for kind, subj in _jobs(w):
            made = _render(fac, kind, subj)
            if made is None:  # a mover without a usable earlier post: an ordinary patent
                made = _render(fac, "univ", rng.choice(w.teams))
            assert made is not None
            _rec, row = made
            if w.scale.patents_xlsx and rng.random() < 0.3:
                xlsx_rows.append(_xlsx_row(row))
                if rng.random() < 0.15:  # the two exports overlap a little
                    sink.write(row)
            else:
                sink.write(row)
    if w.scale.patents_xlsx:
        write_xlsx(
            out / "patents.xlsx",
            "检索结果",
            PATENT_XLSX_HEADER,
            xlsx_rows,
            widths=(18, 18, 40, 60, 36, 30, 24, 12, 12, 12, 10, 10, 40),
        )
    return fac


def _xlsx_row(row: list[str]) -> list[str]:
    """The other platform drops the ``CN`` prefix of application numbers and dots dates."""
    out = list(row)
    out[0] = out[0][2:]
    out[8] = out[8].replace("-", ".")
    out[9] = out[9].replace("-", ".")
    return out
