"""Research results ready for transfer (科技成果 / 项目库): ``achievements.csv``.

Each result bundles one to four patents of a team on a common object; the people listed
are the team's inventors on those patents (and a partner firm's, when the firm is a
co-owner).  About a third are offered under open licensing (开放许可), some with staged
pricing for SMEs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.gen.orgnames import NameLog
from bench.gen.patents import Patent
from bench.gen.world import Firm, World, pick
from bench.gen.writers import CsvSink

__all__ = ["ACHIEVEMENT_HEADER", "generate_achievements"]

ACHIEVEMENT_HEADER = (
    "成果名称",
    "完成单位",
    "完成人",
    "技术领域",
    "成熟度",
    "是否开放许可",
    "许可条件",
    "关联专利",
    "简介",
)


def _license(rng: Any, open_license: bool) -> str:
    if open_license:
        years = rng.choice((2, 3, 5))
        if rng.random() < 0.5:
            return (
                f"开放许可，许可使用费{rng.choice((1, 2, 3, 5, 8))}万元/年，许可期限{years}年；"
                "中小微企业首年许可使用费减半"
            )
        return (
            f"开放许可，入门费{rng.choice((2, 5, 10))}万元，按年销售额的{rng.choice((1, 2, 3, 5))}%"
            f"提成，许可期限{years}年"
        )
    return rng.choice(("", "", "普通许可，费用面议", "转让或作价入股，面议", "独占许可，面议"))


def generate_achievements(w: World, names: NameLog, out: Path) -> dict[str, Any]:
    """Write ``achievements.csv``; return truth keyed by 成果名称."""
    rng, scale = w.rng, w.scale
    teams = [t for t in w.teams if any(r.ptype != "外观设计" for r in t.patents)]
    truth: dict[str, Any] = {}
    templates = w.vocab.misc["achievement_titles"]
    maturity = w.vocab.misc["maturity"]
    if not teams:
        CsvSink(out / "achievements.csv", ACHIEVEMENT_HEADER).close()
        return truth
    weights = [len(t.patents) for t in teams]
    with CsvSink(out / "achievements.csv", ACHIEVEMENT_HEADER) as sink:
        attempts = 0
        while sink.rows < scale.achievements and attempts < scale.achievements * 5:
            attempts += 1
            t = rng.choices(teams, weights=weights)[0]
            fv = w.fv(t.field)
            pats = [r for r in t.patents if r.ptype != "外观设计"]
            anchor: Patent = rng.choice(pats)
            o, m, k = anchor.topic
            related = [r for r in pats if r is not anchor and (r.topic[0] == o or r.topic[1] == m)]
            chosen = [anchor] + rng.sample(related, min(len(related), rng.randint(0, 3)))
            title = rng.choice(templates).replace("{O}", o).replace("{M}", m).replace("{T}", k)
            if title in truth:
                continue
            firms: list[Firm] = []
            for r in chosen:
                for f in r.firms:
                    if f not in firms:
                        firms.append(f)
            members = {p.pid for p in t.staff + t.students}
            people = []
            for r in chosen:
                for p in r.inventors:
                    keep = p.pid in members or (isinstance(p.org, Firm) and p.org in firms)
                    if keep and p not in people:
                        people.append(p)
            if t.leader is not None and t.leader in people:
                people.remove(t.leader)
                people.insert(0, t.leader)
            people = people[:7]
            sep = rng.choice((";", ";", "；", "、"))
            units = [names.univ(t.univ, 0.05)] + [names.firm(f, 0.8) for f in firms]
            is_open = rng.random() < 0.35
            stage = pick(rng, maturity)
            n_inv = sum(1 for r in chosen if r.ptype == "发明")
            n_um = len(chosen) - n_inv
            held = f"已获授权（申请）发明专利{n_inv}项" + (
                f"、实用新型专利{n_um}项" if n_um else ""
            )
            intro = (
                f"该成果针对{o}{k}中存在的{rng.choice(fv.problems)}等问题，采用{m}等技术，"
                f"{rng.choice(fv.effects).replace('{T}', k).replace('{O}', o).replace('{M}', m)}。"
                f"{held}，目前处于{stage}，可应用于{'、'.join(rng.sample(fv.products, 2))}等领域。"
            )
            sink.write(
                [
                    title,
                    sep.join(units),
                    sep.join(p.name for p in people),
                    fv.name,
                    stage,
                    "是" if is_open else "否",
                    _license(rng, is_open),
                    ";".join(r.app_no for r in chosen),
                    intro,
                ]
            )
            truth[title] = {
                "team_id": t.tid,
                "person_ids": [p.pid for p in people],
                "patents": [r.app_no for r in chosen],
                "firm_ids": [f.fid for f in firms],
            }
    return truth
