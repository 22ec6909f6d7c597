"""Enterprise technology demands (需求库): ``demands.xlsx``, sheet 需求清单.

Two half-year batches (2025H2, 2026H1).  Some 2025H2 demands are posted again in 2026H1
(same firm and title, new number, maybe a new budget).  A set of demands is written for a
known team: their text asks for exactly the team's focus topic, and
``truth/demand_targets.json`` records the team, its people and its patents on that topic.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.gen.orgnames import NameLog
from bench.gen.vocab import FieldVocab
from bench.gen.world import Firm, Person, Team, World, pick
from bench.gen.writers import write_xlsx

__all__ = ["Demand", "DEMAND_HEADER", "DEMAND_SHEET", "generate_demands", "BATCHES"]

DEMAND_SHEET = "需求清单"
DEMAND_HEADER = (
    "需求编号",
    "企业名称",
    "需求名称",
    "需求内容",
    "技术领域",
    "需求类型",
    "拟投入资金（万元）",
    "联系人",
    "联系电话",
    "截止日期",
    "所属地市",
    "批次",
)
BATCHES = ("2025H2", "2026H1")
_DEADLINES = {
    "2025H2": (date(2025, 12, 31), date(2026, 6, 30)),
    "2026H1": (date(2026, 6, 30), date(2026, 12, 31)),
}
_IMPACTS = (
    "制约了产品质量的进一步提升",
    "导致生产成本居高不下",
    "难以满足下游客户的需求",
    "影响了企业的市场竞争力",
    "成为企业转型升级的瓶颈",
)
_GOALS = (
    "{T}相关技术指标提升{p}%以上",
    "关键技术指标达到国内先进水平",
    "实现{O}{T}技术的国产化替代",
    "形成可复制推广的{O}{T}技术方案",
)
_GOALS2 = (
    "实现年新增产值{v}万元",
    "建成示范应用场景{n}处",
    "培养企业技术骨干{n}名",
    "制定企业技术标准{n}项",
)


@dataclass(eq=False, slots=True)
class Demand:
    did: str
    batch: str
    firm: Firm
    firm_display: str
    title: str
    content: str
    field: str
    dtype: str
    budget: int | str
    contact: Person
    contact_display: str
    phone: str
    deadline: str
    team: Team | None = None  # planted for this team
    carried_from: str | None = None


def _fill(tpl: str, **slots: Any) -> str:
    for k, v in slots.items():
        tpl = tpl.replace("{" + k + "}", str(v))
    return tpl


class DemandWriter:
    def __init__(self, w: World, names: NameLog) -> None:
        self.w = w
        self.rng = w.rng
        self.names = names
        misc = w.vocab.misc
        self.templates = misc["demand_titles"]
        self.types = misc["demand_types"]
        self.budget_range = misc["demand_budget"]
        self.seen: set[tuple[str, str, str]] = set()

    def budget(self, dtype: str, firm: Firm) -> int | str:
        rng = self.rng
        if rng.random() < 0.05:
            return "面议"
        lo, hi = self.budget_range[dtype]
        v = rng.uniform(lo, hi) * (1.5 if firm.size == "龙头企业" else 1.0)
        step = 10 if v >= 100 else 5
        return max(step, int(round(v / step)) * step)

    def contact(self, firm: Firm) -> tuple[Person, str, str]:
        rng = self.rng
        p = rng.choice(firm.staff)
        if rng.random() < 0.85:
            shown = p.name
        else:
            shown = p.surname + rng.choice(
                ("经理", "工", "主任", "女士" if p.gender == "女" else "先生")
            )
        if rng.random() < 0.7:
            phone = p.phone
        else:
            phone = f"{firm.area_code}-{rng.choice('5678')}{rng.randint(0, 9999999):07d}"
        return p, shown, phone

    def deadline(self, batch: str) -> str:
        rng = self.rng
        if rng.random() < 0.04:
            return "长期"
        lo, hi = _DEADLINES[batch]
        return (lo + timedelta(days=rng.randint(0, (hi - lo).days))).strftime("%Y-%m-%d")

    def content(
        self, fv: FieldVocab, firm: Firm, dtype: str, topic: tuple[str, str, str], dirs: list[str]
    ) -> str:
        rng = self.rng
        o, m, k = topic
        staff = rng.randint(8, 120) if firm.size == "中小企业" else rng.randint(80, 600)
        senior = max(1, staff // rng.randint(4, 8))
        basis = (
            f"    1、公司现有研发人员{staff}人，其中高级职称{senior}人。\n"
            f"    2、公司建有{rng.choice(fv.assets)}，具备开展中试验证的场地与设备条件。\n"
            f"    3、公司{rng.randint(2022, 2024)}年实现销售收入{rng.randint(800, 90000)}万元，"
            f"研发投入占比{rng.randint(3, 12)}%。"
        )
        if dtype == "人才引进":
            need = (
                f"因业务拓展需要，我公司拟引进{dirs[0]}方向的高层次人才（团队），负责{o}相关技术的"
                f"研发与产品升级工作，可采用全职、兼职或聘任产业教授等柔性方式。"
            )
            goal = f"建立校企联合研发平台，{_fill(rng.choice(_GOALS2), v=rng.randint(300, 5000), n=rng.randint(2, 10))}。"
        elif dtype == "技术咨询":
            need = (
                f"我公司主要从事{'、'.join(firm.products)}的研发与生产，现需就{o}{k}中的技术路线选择、"
                f"工艺参数优化等问题开展技术咨询，希望高校专家提供{m}方面的专业意见。"
            )
            goal = "形成技术咨询报告1份，明确后续技术改进方案。"
        else:
            dir_text = f"，重点涉及{'、'.join(dirs[:2])}等方向" if dirs else ""
            need = (
                f"我公司主要从事{'、'.join(firm.products)}的研发、生产与销售。目前在{o}{k}环节存在"
                f"{rng.choice(fv.problems)}等问题，{rng.choice(_IMPACTS)}。拟与高校、科研院所合作，"
                f"围绕{m}等技术开展{'联合攻关' if dtype == '技术攻关' else '成果转化与产业化'}{dir_text}。"
            )
            g1 = _fill(rng.choice(_GOALS), O=o, T=k, p=rng.choice((10, 15, 20, 30)))
            g2 = _fill(rng.choice(_GOALS2), v=rng.randint(300, 5000), n=rng.randint(2, 10))
            goal = f"{g1}；形成具有自主知识产权的技术方案，申请发明专利{rng.randint(1, 5)}项以上；{g2}。"
        return f"需求内容：\n    {need}\n预期目标：\n    {goal}\n现有工作基础：\n{basis}"

    def title(
        self,
        dtype: str,
        fv: FieldVocab,
        topic: tuple[str, str, str],
        dirs: list[str],
        planted: bool,
    ) -> str:
        rng = self.rng
        tpls = self.templates[dtype]
        if planted:  # the title names the object and the task or method
            tpls = [t for t in tpls if "{O}" in t]
        o, m, k = topic
        return _fill(
            rng.choice(tpls), O=o, M=m, T=k, R=dirs[0] if dirs else fv.directions[0][0], F=fv.name
        )

    def make(
        self,
        batch: str,
        firm: Firm,
        fv: FieldVocab,
        dtype: str,
        topic: tuple[str, str, str],
        dirs: list[str],
        team: Team | None,
    ) -> Demand | None:
        title = self.title(dtype, fv, topic, dirs, team is not None)
        key = (batch, firm.fid, title)
        if key in self.seen:
            return None
        self.seen.add(key)
        person, shown, phone = self.contact(firm)
        return Demand(
            did="",
            batch=batch,
            firm=firm,
            firm_display=self.names.firm(firm, 0.65),
            title=title,
            content=self.content(fv, firm, dtype, topic, dirs),
            field=fv.name,
            dtype=dtype,
            budget=self.budget(dtype, firm),
            contact=person,
            contact_display=shown,
            phone=phone,
            deadline="",
            team=team,
        )


def _generic_topic(w: World, rng: random.Random, fv: FieldVocab) -> tuple[str, str, str]:
    reserved = w.reserved.get(fv.name, {})
    while True:
        t = (rng.choice(fv.objects), rng.choice(fv.methods), rng.choice(fv.tasks))
        if t not in reserved:
            return t


def generate_demands(w: World, names: NameLog, out: Path) -> list[Demand]:
    """Write ``demands.xlsx``; return the demands in file order."""
    rng, scale = w.rng, w.scale
    dw = DemandWriter(w, names)
    n_carry = round(scale.demands * 0.12)
    n_new = scale.demands - n_carry
    n_h2 = (n_new + 1) // 2
    by_field: dict[str, list[Firm]] = {}
    for f in w.firms:
        by_field.setdefault(f.field, []).append(f)
    firm_w = [3.0 if f.size == "龙头企业" else 1.0 for f in w.firms]
    fresh: list[Demand] = []
    planted_teams = [t for t in w.teams if t.focus is not None][:n_new]
    for t in planted_teams:
        fv = w.fv(t.field)
        pool = by_field.get(t.field) or w.firms
        dirs = [fv.directions[i][0] for i in t.directions[:2]]
        for _ in range(20):
            firm = rng.choice(t.partners) if t.partners and rng.random() < 0.3 else rng.choice(pool)
            d = dw.make(
                "", firm, fv, "技术攻关" if rng.random() < 0.7 else "成果转化", t.focus, dirs, t
            )
            if d is not None:
                fresh.append(d)
                break
    while len(fresh) < n_new:
        firm = rng.choices(w.firms, weights=firm_w)[0]
        fv = w.fv(firm.field) if rng.random() < 0.9 else rng.choice(w.vocab.fields)
        dtype = pick(rng, dw.types)
        dirs = [d[0] for d in rng.sample(fv.directions, 2)]
        d = dw.make("", firm, fv, dtype, _generic_topic(w, rng, fv), dirs, None)
        if d is not None:
            fresh.append(d)
    rng.shuffle(fresh)
    h2, h1 = fresh[:n_h2], fresh[n_h2:]
    for d in h2:
        d.batch = "2025H2"
        d.deadline = dw.deadline("2025H2")
    for d in h1:
        d.batch = "2026H1"
        d.deadline = dw.deadline("2026H1")
    for i, d in enumerate(h2, start=1):
        d.did = f"XQ2025H2-{i:05d}"
    carried: list[Demand] = []
    for src in rng.sample(h2, min(n_carry, len(h2))):
        budget: int | str = src.budget
        if isinstance(budget, int) and rng.random() < 0.5:
            budget = max(5, int(round(budget * rng.uniform(0.7, 1.5) / 5)) * 5)
        content = src.content
        if rng.random() < 0.4:
            content += "\n备注：本需求为2025年下半年发布需求的延续，已根据前期对接情况更新。"
        person, shown, phone = (
            (src.contact, src.contact_display, src.phone)
            if rng.random() < 0.7
            else dw.contact(src.firm)
        )
        carried.append(
            Demand(
                did="",
                batch="2026H1",
                firm=src.firm,
                firm_display=names.firm(src.firm, 0.6),
                title=src.title,
                content=content,
                field=src.field,
                dtype=src.dtype,
                budget=budget,
                contact=person,
                contact_display=shown,
                phone=phone,
                deadline=dw.deadline("2026H1"),
                team=src.team,
                carried_from=src.did,
            )
        )
    h1 = h1 + carried
    rng.shuffle(h1)
    for i, d in enumerate(h1, start=1):
        d.did = f"XQ2026H1-{i:05d}"
    demands = h2 + h1
    rows = (
        [
            d.did,
            d.firm_display,
            d.title,
            d.content,
            d.field,
            d.dtype,
            d.budget,
            d.contact_display,
            d.phone,
            d.deadline,
            d.firm.city_full,
            d.batch,
        ]
        for d in demands
    )
    write_xlsx(
        out / "demands.xlsx",
        DEMAND_SHEET,
        DEMAND_HEADER,
        rows,
        widths=(16, 34, 36, 80, 14, 10, 16, 10, 16, 12, 10, 8),
    )
    return demands


def demand_targets(demands: list[Demand]) -> dict[str, Any]:
    """Truth for planted demands: who should rank top, and why."""
    out: dict[str, Any] = {}
    for d in demands:
        t = d.team
        if t is None or t.focus is None:
            continue
        focus = [r for r in t.patents if r.topic == t.focus]
        counts: Counter[str] = Counter()
        members = {p.pid for p in t.staff + t.students}
        for r in focus:
            counts.update(p.pid for p in r.inventors if p.pid in members)
        ranked = sorted(counts, key=lambda pid: (-counts[pid], pid))
        if t.leader is not None and t.leader.pid in ranked:
            ranked.remove(t.leader.pid)
            ranked.insert(0, t.leader.pid)
        out[d.did] = {
            "title": d.title,
            "firm": d.firm.name,
            "firm_id": d.firm.fid,
            "batch": d.batch,
            "carried_from": d.carried_from,
            "topic": {"object": t.focus[0], "method": t.focus[1], "task": t.focus[2]},
            "team_id": t.tid,
            "team_name": t.name,
            "university": t.univ.name,
            "university_code": t.univ.code,
            "person_ids": ranked,
            "patents": [r.app_no for r in focus],
        }
    return out
