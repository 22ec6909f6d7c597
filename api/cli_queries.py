"""``kg`` commands for the questions users ask: search, path, introduce, match, alliances, recommend.

Registered on the ``kg`` app of :mod:`api.cli` (which imports this module).  Each command reads
the configured store directly, prints a readable Chinese answer — score, a bar per factor, the
explanation sentence by sentence — and with ``--json`` prints exactly what the HTTP API returns
for the same question.  Personal data is masked in search output: the CLI has no role to check.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from api.cli import JsonOpt, _emit, _store, app, console, err
from api.routes.queries import (
    alliances_answer,
    introducers_answer,
    licence_answer,
    matches_answer,
    parse_rule,
    paths_answer,
    recommendations_answer,
)
from graph.errors import QueryError
from graph.model import NodeLabel, RelType

__all__ = ["search", "path", "introduce", "match", "alliances", "recommend"]

_KINDS = {"person": "Person", "team": "Team", "organization": "Organization", "patent": "Patent",
          "achievement": "Achievement", "demand": "Demand", "field": "Field", "topic": "Topic"}
_LABEL_ZH = {"Person": "人员", "Team": "团队", "Organization": "机构", "Patent": "专利",
             "Achievement": "成果", "Demand": "需求", "Field": "领域", "Topic": "主题"}


# --------------------------------------------------------------------------- rendering

def _bar(value: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, value)) * width)
    return "█" * filled + "░" * (width - filled)


_OPEN, _CLOSE = "（(「《", "）)」》"


def _sentences(text: str) -> list[str]:
    """Split an explanation at its top-level '；' (not inside （…）, 「…」, 《…》)."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if ch == "；" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip().rstrip("。") for p in parts if p.strip()]


def _scored(rank: int, title: str, subtitle: str, score: float, factors: list[dict[str, Any]],
            explanation: str | list[str]) -> None:
    head = Text(f"{rank}. ", style="bold")
    head.append(title, style="bold cyan")
    if subtitle:
        head.append(f"  {subtitle}", style="dim")
    head.append(f"  综合得分 {score:.2f}", style="bold green")
    console.print(head)
    for f in factors:
        console.print(f"   {f['name']:<6}\t{_bar(f['value'])} {f['value']:.2f} ×{f['weight']:.2f}")
    lines = explanation if isinstance(explanation, list) else _sentences(explanation)
    for line in lines:
        console.print(f"   · {line}")
    console.print()


def _orgs(refs: list[dict[str, str]]) -> str:
    return "、".join(r["name"] for r in refs)


# --------------------------------------------------------------------------- search

@app.command()
def search(
    q: Annotated[str, typer.Argument(help="名称片段或关键词，如 焊接、哈工大")],
    kind: Annotated[str | None, typer.Option(help="person | team | organization | patent | achievement | demand | field | topic")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
    as_json: JsonOpt = False,
) -> None:
    """搜索实体 (search entities by name; personal data masked)."""
    from api.security import mask_props
    from graph.model import NodeLabel

    if kind is not None and kind not in _KINDS:
        err.print(f"未知类型 (unknown kind) {kind!r}; kinds: {', '.join(_KINDS)}")
        raise typer.Exit(2)
    label = NodeLabel(_KINDS[kind]) if kind else None
    with _store() as store:
        hits = store.find_nodes(label, name_contains=q.strip(), limit=limit)
        if not hits and not kind:
            from nlp.orgs import resolve_org

            try:
                match = resolve_org(q.strip())
            except ValueError:
                match = None
            if match is not None and match.canonical_name and match.canonical_name != q.strip():
                hits = store.find_nodes(NodeLabel.ORGANIZATION, name_contains=match.canonical_name, limit=limit)
    items = []
    for n in hits:
        props = {k: v for k, v in n.props.items() if k not in ("source", "source_key", "run_id")}
        items.append({"id": n.id, "label": n.label.value, "name": n.name, "props": mask_props(props)[0]})

    def render(rows: list[dict[str, Any]]) -> None:
        if not rows:
            console.print(f"没有找到“{q}” (nothing found)")
            return
        t = Table(title=f"搜索：{q}")
        for col in ("类型", "名称", "id"):
            t.add_column(col)
        for r in rows:
            t.add_row(_LABEL_ZH.get(r["label"], r["label"]), r["name"], r["id"])
        console.print(t)

    _emit(items, as_json, render)


# --------------------------------------------------------------------------- paths

@app.command()
def path(
    source: Annotated[str, typer.Argument(help="起点 id，如 org:…")],
    target: Annotated[str, typer.Argument(help="终点 id，如 person:…")],
    k: Annotated[int, typer.Option(min=1, max=10, help="路径条数")] = 3,
    max_hops: Annotated[int, typer.Option(min=1, max=6, help="最长跳数")] = 4,
    through_fields: Annotated[bool, typer.Option("--through-fields", help="允许经过领域/主题节点")] = False,
    avoid_rel: Annotated[list[RelType] | None, typer.Option(
        "--avoid-rel", help="不走这类关系（可重复），如 STUDIED_AT")] = None,
    avoid_kind: Annotated[list[NodeLabel] | None, typer.Option(
        "--avoid-kind", help="起点与终点之间不经过这类节点（可重复），如 Organization")] = None,
    as_json: JsonOpt = False,
) -> None:
    """两个实体之间的合作路径，每跳附中文解释 (collaboration paths, explained hop by hop)."""
    from graph.queries.paths import DEFAULT_EXCLUDED_LABELS, collaboration_paths

    # Naming kinds to avoid replaces the default exclusions (Field, Topic), so they are named too.
    excluded: list[NodeLabel] | None = [] if through_fields else None
    if avoid_kind:
        excluded = [*avoid_kind, *(() if through_fields else DEFAULT_EXCLUDED_LABELS)]
    with _store() as store:
        found = collaboration_paths(store, source, target, k=k, max_hops=max_hops,
                                    exclude_labels=excluded, exclude_rel_types=avoid_rel or None)
        data = paths_answer(store, source, target, found)

    def render(d: dict[str, Any]) -> None:
        console.print(f"[bold]{d['source']['name']} → {d['target']['name']}[/bold]")
        if not d["paths"]:
            console.print(f"在 {max_hops} 跳以内没有路径 (no path within {max_hops} hops)；可加大 --max-hops、"
                          "加 --through-fields 或减少 --avoid-rel/--avoid-kind")
        for i, p in enumerate(d["paths"], start=1):
            console.print(f"\n[bold]路径 {i}[/bold]（{p['length']} 跳，代价 {p['cost']:.2f}）{p['summary']}")
            for j, line in enumerate(p["explanation"], start=1):
                console.print(f"   {j}. {line}")

    _emit(data, as_json, render)


@app.command()
def introduce(
    enterprise: Annotated[str, typer.Argument(help="企业 id，org:…")],
    researcher: Annotated[str, typer.Argument(help="研究人员 id，person:…")],
    limit: Annotated[int, typer.Option(min=1, max=50)] = 10,
    max_hops: Annotated[int, typer.Option(min=2, max=6)] = 4,
    as_json: JsonOpt = False,
) -> None:
    """谁能把企业引荐给研究人员 (who can introduce a firm to a researcher)."""
    from graph.queries.paths import who_can_introduce

    with _store() as store:
        found = who_can_introduce(store, enterprise, researcher, limit=limit, max_hops=max_hops)
        data = introducers_answer(store, enterprise, researcher, found)

    def render(d: dict[str, Any]) -> None:
        console.print(f"[bold]谁能引荐：{d['enterprise']['name']} → {d['researcher']['name']}[/bold]\n")
        if not d["introducers"]:
            console.print("没有找到引荐人 (no introducer found)")
        for i, x in enumerate(d["introducers"], start=1):
            console.print(f"{i}. [bold cyan]{x['person']['name']}[/bold cyan]  评分 {x['score']:.3f}  {x['summary']}")
            for line in x["explanation"]:
                console.print(f"   · {line}")

    _emit(data, as_json, render)


# --------------------------------------------------------------------------- matching

@app.command()
def match(
    subject: Annotated[str | None, typer.Argument(help="需求 id（demand:…）找候选；人员/团队 id 找需求；省略并给 --batch --out 导出对接清单")] = None,
    kinds: Annotated[str, typer.Option(help="候选类型，逗号分隔: person,team,patent,achievement")] = "person,team,patent,achievement",
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    batch: Annotated[str | None, typer.Option(help="半年批次，如 2026H1")] = None,
    province: Annotated[str | None, typer.Option(help="只要该省份的候选")] = None,
    city: Annotated[str | None, typer.Option(help="只要该城市的候选")] = None,
    out: Annotated[Path | None, typer.Option(help="导出对接清单到此文件（.csv 或 .xlsx），需 --batch")] = None,
    per_demand: Annotated[int, typer.Option(min=1, max=50, help="导出时每条需求的候选数")] = 5,
    as_json: JsonOpt = False,
) -> None:
    """供需对接：需求的候选人员/团队/专利/成果，人员的适配需求，或导出批次对接清单 (matching)."""
    from graph.queries.matching import match_demand, match_researcher, resolve_weights

    if subject is None:
        if not (batch and out):
            err.print("请给出需求或人员 id，或用 --batch 与 --out 导出对接清单 (give an id, or --batch and --out)")
            raise typer.Exit(2)
        from graph.queries.export import export_matching_list

        with _store() as store:
            summary = export_matching_list(store, batch, out, per_demand=per_demand)
        data = {"path": str(summary.path), "batch": summary.batch, "format": summary.format,
                "demands": summary.demands, "rows": summary.rows}
        _emit(data, as_json, lambda d: console.print(
            f"已导出 {d['batch']} 对接清单：{d['demands']} 条需求，{d['rows']} 行 → {d['path']}"))
        return
    weights = resolve_weights(None)
    with _store() as store:
        if subject.startswith("demand:"):
            found = match_demand(store, subject, kinds=[k.strip() for k in kinds.split(",") if k.strip()],
                                 limit=limit, province=province, city=city)
        elif subject.startswith(("person:", "team:")):
            found = match_researcher(store, subject, batch=batch, limit=limit)
        else:
            raise QueryError(f"{subject} 不是需求、人员或团队的 id (need demand:…, person:… or team:…)")
        data = matches_answer(store, subject, found, weights)

    def render(d: dict[str, Any]) -> None:
        console.print(f"[bold]对接：{d['query']['name']}[/bold]（权重 " +
                      "、".join(f"{f['name']} {f['weight']:.2f}" for f in (d["items"][0]["factors"] if d["items"] else [])) + "）\n")
        if not d["items"]:
            console.print("没有匹配的候选 (no match)")
        for i, m in enumerate(d["items"], start=1):
            _scored(i, f"[{m['kind_name']}] {m['name']}", _orgs(m["organizations"]), m["score"], m["factors"],
                    m["explanation"])

    _emit(data, as_json, render)


# --------------------------------------------------------------------------- alliances

@app.command()
def alliances(
    field: Annotated[str | None, typer.Option(help="领域 id，如 field:new_materials")] = None,
    demand: Annotated[str | None, typer.Option(help="需求 id（用其领域；含其企业的联合体优先）")] = None,
    limit: Annotated[int, typer.Option(min=1, max=50)] = 5,
    rule: Annotated[str | None, typer.Option(help="组成规则，如 university:1,leading:1,sme:1")] = None,
    seed: Annotated[int, typer.Option(min=0, help="社区发现的随机种子")] = 42,
    max_members: Annotated[int, typer.Option(min=2, max=30)] = 8,
    as_json: JsonOpt = False,
) -> None:
    """创新联合体候选：高校 + 龙头企业 + 中小企业 (alliance candidates for a field or demand)."""
    from graph.queries.alliances import DEFAULT_RULE, alliance_candidates

    if field is None and demand is None:
        err.print("请给出 --field 或 --demand (give --field or --demand)")
        raise typer.Exit(2)
    try:
        parsed = parse_rule(rule)
    except ValueError:
        raise QueryError(f"组成规则应形如 university:1,leading:1,sme:1，收到 {rule!r}") from None
    with _store() as store:
        found = alliance_candidates(store, field_id=field, demand_id=demand, limit=limit, rule=parsed,
                                    seed=seed, max_members=max_members)
        data = alliances_answer(store, found, parsed or dict(DEFAULT_RULE))

    def render(d: dict[str, Any]) -> None:
        if not d["items"]:
            console.print("没有满足组成规则的联合体候选 (no candidate meets the rule)")
        for i, a in enumerate(d["items"], start=1):
            _scored(i, "、".join(f["name"] for f in a["fields"]) + " 联合体候选",
                    f"{len(a['members'])} 家核心成员 / 社区 {a['community_size']} 家", a["score"], a["factors"],
                    [a["explanation"].rstrip("。")] + [m["explanation"].rstrip("。") for m in a["members"]])

    _emit(data, as_json, render)


# --------------------------------------------------------------------------- people for roles

class RecommendFor(StrEnum):
    INDUSTRY_PROFESSORS = "industry-professors"
    TECH_MENTORS = "tech-mentors"
    LIAISONS = "liaisons"
    OPEN_LICENCE = "open-licence"


@app.command()
def recommend(
    role: Annotated[RecommendFor, typer.Argument(help="industry-professors（产业教授，目标为高校）| tech-mentors（技术导师）| liaisons（高校联络员）| open-licence（开放许可成果）")],
    target: Annotated[str, typer.Argument(help="高校/学院 id（产业教授）、企业 id，或开放许可的企业/领域 id")],
    field: Annotated[str | None, typer.Option(help="限定领域 id（产业教授、开放许可）")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    as_json: JsonOpt = False,
) -> None:
    """推荐产业教授、技术导师、高校联络员，或开放许可成果 (people for roles, open-licence offers)."""
    from graph.queries import licensing, roles

    with _store() as store:
        if role is RecommendFor.OPEN_LICENCE:
            if target.startswith("field:"):
                found = licensing.open_licence_matches(store, field_id=target, limit=limit)
            else:
                found = licensing.open_licence_matches(store, enterprise_id=target, field_id=field, limit=limit)
            data = licence_answer(found)
        else:
            if role is RecommendFor.INDUSTRY_PROFESSORS:
                recs = roles.recommend_industry_professors(store, target, field_id=field, limit=limit)
            elif role is RecommendFor.TECH_MENTORS:
                recs = roles.recommend_tech_mentors(store, target, limit=limit)
            else:
                recs = roles.recommend_liaisons(store, target, limit=limit)
            data = recommendations_answer(store, recs)

    def render(d: dict[str, Any]) -> None:
        if role is RecommendFor.OPEN_LICENCE:
            if not d["items"]:
                console.print("没有匹配的开放许可成果 (no offer matches)")
            for i, m in enumerate(d["items"], start=1):
                _scored(i, f"{m['achievement']['name']} → {m['enterprise']['name']}", _orgs(m["owners"]),
                        m["score"], m["factors"], m["explanation"])
            return
        console.print(f"[bold]{d['target']['name']} 的{d['role_name']}候选[/bold]"
                      + (f"（领域：{'、'.join(f['name'] for f in d['fields'])}）" if d["fields"] else "") + "\n")
        if not d["candidates"]:
            console.print("没有符合条件的候选人 (no candidate)")
        for i, c in enumerate(d["candidates"], start=1):
            _scored(i, c["name"], " · ".join(x for x in (_orgs(c["organizations"]), c["title"]) if x),
                    c["score"], c["factors"], c["explanation"])
        if d["excluded"]:
            console.print("[bold]因利益冲突排除 (excluded)[/bold]")
            for x in d["excluded"]:
                console.print(f"   · {x['name']}（{x['reason']}）：{x['detail']}")

    _emit(data, as_json, render)
