"""The ``kg`` command: ingest, explore, recommend and serve — readable tables, ``--json`` for scripts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph.config import Settings, get_settings
from graph.errors import KGError

app = typer.Typer(help="校企图谱 XiaoQi Graph — 高校与企业协同创新知识图谱", no_args_is_help=True)
people_app = typer.Typer(help="人员消歧：合并、拆分、待复核 (people merge/split/review)", no_args_is_help=True)
eval_app = typer.Typer(help="评测 (evaluations)", no_args_is_help=True)
app.add_typer(people_app, name="people")
tokens_app = typer.Typer(help="访问令牌 (API tokens with roles)", no_args_is_help=True)
report_app = typer.Typer(help="台账报表：季度统计、半年调度、年度考核 (ledger reports)", no_args_is_help=True)
outcome_app = typer.Typer(help="对接台账：记录进展 (outcome tracking)", no_args_is_help=True)
app.add_typer(report_app, name="report")
app.add_typer(outcome_app, name="outcome")
app.add_typer(eval_app, name="eval")
app.add_typer(tokens_app, name="tokens")

console = Console()
err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON output for scripts")]
DEMO_DIR = Path(__file__).resolve().parents[1] / "ingest" / "demo"


def _store(settings: Settings | None = None):
    from graph.store import open_store

    return open_store(settings or get_settings())


def _emit(data: Any, as_json: bool, render: Any = None) -> None:
    if as_json or render is None:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        render(data)


def main() -> None:  # pragma: no cover - console entry with friendly errors
    try:
        app()
    except KGError as exc:
        err.print(f"[red]错误[/red] {exc}")
        raise SystemExit(2) from exc


# --------------------------------------------------------------------------- ingest

def _run_ingest(paths: list[Path], settings: Settings, *, show_progress: bool, workers: int | None):
    from ingest.pipeline import ingest_paths

    with _store(settings) as store:
        if not show_progress:
            return ingest_paths(paths, store, workers=workers, data_dir=settings.data_dir)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, transient=True) as bar:
            tasks: dict[str, Any] = {}

            def notify(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            return ingest_paths(paths, store, workers=workers, data_dir=settings.data_dir, progress=notify)


def _print_report(data: dict[str, Any]) -> None:
    t = Table(title=f"导入完成 run {data['run_id']}", show_header=False)
    labels = [("files", "文件"), ("records", "记录"), ("loaded", "新增"), ("updated", "更新"),
              ("unchanged", "未变"), ("quarantined", "隔离"), ("unresolved_references", "未解析引用"),
              ("people", "人员"), ("review_pairs", "待复核人员对"), ("collaborations", "合作关系"),
              ("seconds", "用时(秒)")]
    for key, zh in labels:
        t.add_row(f"{zh} {key}", str(data[key]))
    console.print(t)
    if data["quarantine"]:
        q = Table(title="隔离清单 (quarantine, first 20)")
        q.add_column("位置 where")
        q.add_column("字段 field")
        q.add_column("原因 reason")
        for item in data["quarantine"][:20]:
            where = f"{item['source']}:{item['row']}" if item.get("row") else item["source"]
            q.add_row(where, item.get("field") or "", item["reason"])
        console.print(q)
        console.print(f"完整隔离报告 full report: {data['quarantine_file']}")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="文件或目录 (files or folders)")],
    workers: Annotated[int | None, typer.Option(help="并行进程数 (processes)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """导入简历、专利、需求、企业名录、科技成果 (ingest CVs, patents, demands, firms, results)."""
    settings = get_settings()
    report = _run_ingest(paths, settings, show_progress=not as_json, workers=workers)
    _emit(report.as_dict(), as_json, _print_report)
    if report.records == 0 and report.quarantined:
        raise typer.Exit(1)


@app.command()
def stats(as_json: JsonOpt = False) -> None:
    """图谱规模 (node and relationship counts)."""
    with _store() as store:
        c = store.counts()
        data = {"backend": store.backend, "nodes": c.nodes, "relationships": c.relationships}

    def render(d: dict[str, Any]) -> None:
        t = Table(title=f"图谱规模 ({d['backend']})")
        t.add_column("类型 kind")
        t.add_column("数量 count", justify="right")
        for k, v in d["nodes"].items():
            t.add_row(k, str(v))
        for k, v in d["relationships"].items():
            t.add_row(f"-[{k}]-", str(v))
        console.print(t)

    _emit(data, as_json, render)


@app.command()
def runs(limit: int = 10, as_json: JsonOpt = False) -> None:
    """导入记录 (ingest run log)."""
    with _store() as store:
        data = store.runs(limit)
    for r in data:
        r.pop("quarantine", None)

    def render(rows: list[dict[str, Any]]) -> None:
        t = Table(title="导入记录 ingest runs")
        for col in ("run_id", "status", "files", "records", "loaded", "updated", "unchanged", "quarantined"):
            t.add_column(col)
        for r in rows:
            t.add_row(*(str(r.get(c, "")) for c in ("run_id", "status", "files", "records", "loaded", "updated", "unchanged", "quarantined")))
        console.print(t)

    _emit(data, as_json, render)


@app.command()
def reset(yes: Annotated[bool, typer.Option("--yes", help="确认清空")] = False) -> None:
    """清空图谱 (delete everything in the configured store)."""
    if not yes:
        err.print("加 --yes 确认清空 (add --yes to confirm)")
        raise typer.Exit(1)
    with _store() as store:
        store.clear()
    console.print("已清空 (store cleared)")


# --------------------------------------------------------------------------- people

@people_app.command("review")
def people_review(
    limit: int = 50,
    offset: int = 0,
    name: Annotated[str, typer.Option(help="只看姓名含此字串的对 (name contains)")] = "",
    as_json: JsonOpt = False,
) -> None:
    """列出待复核的同名人员对，得分从高到低 (grey-zone pairs left apart, highest score first)."""
    from ingest.review import review_pairs

    with _store() as store:
        page = review_pairs(store, name=name, offset=offset, limit=limit)
    data = {"total": page.total, "offset": page.offset, "items": page.items}

    def render(d: dict[str, Any]) -> None:
        t = Table(title=f"待复核人员对 (review): 第 {d['offset'] + 1}–{d['offset'] + len(d['items'])} 对，共 {d['total']} 对")
        for col in ("姓名", "提及 A", "提及 B", "得分", "证据"):
            t.add_column(col)
        for r in d["items"]:
            a, b = ("\n".join(filter(None, [s["mention_id"], s["kind_name"], "、".join(s.get("organisations", []))]))
                    for s in r["sides"])
            t.add_row(r["name"], a, b, f"{r['score']:.2f}", "；".join(r["evidence"]))
        console.print(t)
        console.print("合并: kg people merge PERSON_A PERSON_B；判定为不同的人: kg people apart MENTION_A MENTION_B")

    _emit(data, as_json, render)


@people_app.command("apart")
def people_apart(a: str, b: str, note: str = "", as_json: JsonOpt = False) -> None:
    """判定同名的两个提及为不同的人 (keep two mentions apart; survives re-ingest)."""
    from ingest.people import keep_apart

    with _store() as store:
        ids = keep_apart(store, a, b, note=note)
    _emit({"person_ids": ids}, as_json, lambda d: console.print("分开为: " + ", ".join(d["person_ids"])))


@people_app.command("merge")
def people_merge(a: str, b: str, note: str = "", as_json: JsonOpt = False) -> None:
    """合并两个同名人员 (merge two people; survives re-ingest)."""
    from ingest.people import merge_people

    with _store() as store:
        pid = merge_people(store, a, b, note=note)
    _emit({"person_id": pid}, as_json, lambda d: console.print(f"已合并为 {d['person_id']}"))


@people_app.command("split")
def people_split(
    person_id: str,
    mentions: Annotated[list[str], typer.Argument(help="要拆出的提及 (mention ids to split off)")],
    note: str = "",
    as_json: JsonOpt = False,
) -> None:
    """把部分提及拆分为另一个人 (split mentions off a person; survives re-ingest)."""
    from ingest.people import split_person

    with _store() as store:
        ids = split_person(store, person_id, mentions, note=note)
    _emit({"person_ids": ids}, as_json, lambda d: console.print("拆分后: " + ", ".join(d["person_ids"])))


@people_app.command("show")
def people_show(person_id: str, as_json: JsonOpt = False) -> None:
    """人员的提及与合并证据 (a person's mentions and the evidence of each merge)."""
    from ingest.people import RESOLUTION

    with _store() as store:
        doc = store.get_documents(RESOLUTION, keys=[person_id]).get(person_id)
        if doc is None:
            err.print(f"没有该人员 (no such person): {person_id}")
            raise typer.Exit(1)
        _emit(doc.doc | {"person_id": person_id}, as_json, None)


# --------------------------------------------------------------------------- tokens

@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Option(help="持有人 (holder)")],
    role: Annotated[str, typer.Option(help="admin | matchmaker | organiser | api_client | viewer")],
    as_json: JsonOpt = False,
) -> None:
    """创建令牌（只显示一次）(create a token; shown once)."""
    from api.security import Role, create_token

    if role not in {r.value for r in Role}:
        err.print(f"未知角色 (unknown role) {role!r}; roles: {', '.join(r.value for r in Role)}")
        raise typer.Exit(2)
    with _store() as store:
        token_id, token = create_token(store, name, role)
    _emit({"token_id": token_id, "token": token, "name": name, "role": role}, as_json,
          lambda d: console.print(f"令牌 {d['token_id']}（{d['role']}，{d['name']}）：\n{d['token']}\n请妥善保存，此后不再显示。"))


@tokens_app.command("list")
def tokens_list(as_json: JsonOpt = False) -> None:
    """列出令牌（不含密文）(list tokens)."""
    from api.security import list_tokens

    with _store() as store:
        data = list_tokens(store)

    def render(rows: list[dict[str, Any]]) -> None:
        t = Table(title="访问令牌 tokens")
        for col in ("token_id", "name", "role", "created_at", "revoked"):
            t.add_column(col)
        for r in rows:
            t.add_row(*(str(r.get(c, "")) for c in ("token_id", "name", "role", "created_at", "revoked")))
        console.print(t)

    _emit(data, as_json, render)


@tokens_app.command("revoke")
def tokens_revoke(token_id: str) -> None:
    """吊销令牌 (revoke a token)."""
    from api.security import revoke_token

    with _store() as store:
        revoke_token(store, token_id)
    console.print(f"已吊销 (revoked) {token_id}")


# --------------------------------------------------------------------------- ledger

GroupOpt = Annotated[str, typer.Option("--by", help="city | university | enterprise | field")]
XlsxOpt = Annotated[Path | None, typer.Option("--xlsx", help="同时导出 Excel (also write a workbook)")]


def _print_ledger_report(rep: dict[str, Any]) -> None:
    from graph.ledger import DIMENSIONS

    rows = rep["rows"]
    t = Table(title=f"{rep['report']} {rep['period']}（按{DIMENSIONS[rep['by']]}）")
    cols = [k for k in (rows[0] if rows else {}) if k != "group"]
    t.add_column(DIMENSIONS[rep["by"]])
    for c in cols:
        t.add_column(c, justify="right")
    for r in rows:
        t.add_row(str(r["group"]), *(str(round(r[c], 2)) if isinstance(r[c], float) else str(r[c]) for c in cols))
    if rep.get("totals"):
        t.add_row("合计", *(str(rep["totals"].get(c, "")) for c in cols))
    console.print(t)
    for key, p in (rep.get("progress") or {}).items():
        console.print(f"{key}: {p['value']} / {p['target']}  ({p['ratio']:.1%})")
    for u in rep.get("unmatched", [])[:20]:
        console.print(f"未对接 {u['demand']}：{u['reason']}")


def _report(kind: str, period: str, by: str, xlsx: Path | None, as_json: bool) -> None:
    from graph import ledger

    with _store() as store:
        if kind == "quarterly":
            rep = ledger.quarterly_statistics(store, period, by=by)
        elif kind == "half_year":
            rep = ledger.half_year_dispatch(store, period, by=by)
        else:
            rep = ledger.annual_assessment(store, int(period), by=by)
    if xlsx:
        ledger.export_report_xlsx([rep], xlsx)
        err.print(f"已导出 (written) {xlsx}")
    _emit(rep, as_json, _print_ledger_report)


@report_app.command("quarterly")
def report_quarterly(quarter: str, by: GroupOpt = "city", xlsx: XlsxOpt = None, as_json: JsonOpt = False) -> None:
    """季度统计，例如 kg report quarterly 2026Q2 --by university."""
    _report("quarterly", quarter, by, xlsx, as_json)


@report_app.command("half-year")
def report_half_year(batch: str, by: GroupOpt = "city", xlsx: XlsxOpt = None, as_json: JsonOpt = False) -> None:
    """半年调度，例如 kg report half-year 2026H1."""
    _report("half_year", batch, by, xlsx, as_json)


@report_app.command("annual")
def report_annual(year: int, by: GroupOpt = "city", xlsx: XlsxOpt = None, as_json: JsonOpt = False) -> None:
    """年度考核（对照省级目标），例如 kg report annual 2026."""
    _report("annual", str(year), by, xlsx, as_json)


@report_app.command("diff")
def report_diff(old: str, new: str, as_json: JsonOpt = False) -> None:
    """两期需求对比，例如 kg report diff 2025H2 2026H1."""
    from graph.ledger import batch_diff

    with _store() as store:
        data = batch_diff(store, old, new)

    def render(d: dict[str, Any]) -> None:
        for key, zh in (("added", "新增"), ("carried_over", "结转"), ("not_reposted", "未再发布")):
            console.print(f"[bold]{zh} {key}[/bold]: {len(d[key])}")
            for item in d[key][:30]:
                console.print(f"  {item['demand']} ({item['demand_id']})")

    _emit(data, as_json, render)


@outcome_app.command("record")
def outcome_record(
    subject: Annotated[str, typer.Argument(help="需求或企业 id")],
    candidate: Annotated[str, typer.Argument(help="候选 id")],
    stage: Annotated[str, typer.Argument(help="proposed|contacted|negotiating|signed|industrialised|certified_high_tech|appointed")],
    date: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    by: Annotated[str, typer.Option("--recorded-by", help="记录人")],
    amount: Annotated[float | None, typer.Option(help="合同金额（万元）")] = None,
    role: Annotated[str | None, typer.Option(help="聘任角色")] = None,
    kind: str = "match",
    note: str = "",
    as_json: JsonOpt = False,
) -> None:
    """记录一次对接进展 (append a stage to an outcome)."""
    from graph.ledger import OutcomeEntry, record_outcome

    entry = OutcomeEntry(stage=stage, date=date, amount_wan=amount, role=role, note=note, recorded_by=by)
    with _store() as store:
        doc = record_outcome(store, subject_id=subject, candidate_id=candidate, kind=kind, entry=entry)
    _emit(doc, as_json, lambda d: console.print(f"{d['outcome_id']}: 当前阶段 {d['stage']}"))


# --------------------------------------------------------------------------- evaluations

@eval_app.command("ner")
def eval_ner(
    data: Annotated[Path | None, typer.Option(help="BMES 文件 (default: ResumeNER dev)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """简历 NER 评测：micro 与各类型 F1 (ResumeNER dev)."""
    from nlp.ner.evaluate import main as ner_main

    raise typer.Exit(ner_main(data, as_json))


# --------------------------------------------------------------------------- serving

@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """启动 API 与网页浏览器 (serve the HTTP API and the web explorer)."""
    import uvicorn

    from api.app import create_app

    console.print(f"校企图谱 XiaoQi Graph: http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(create_app(), host=host, port=port, log_level="info")


@app.command()
def demo(
    port: int = 8000,
    host: str = "127.0.0.1",
    no_serve: Annotated[bool, typer.Option("--no-serve", help="只导入不启动服务")] = False,
) -> None:
    """导入内置演示数据到嵌入式存储并启动服务 (ingest the bundled demo data, then serve)."""
    settings = get_settings()
    if settings.backend != "embedded":
        err.print("演示使用嵌入式存储 (the demo uses the embedded store); unset KG_BACKEND")
        raise typer.Exit(1)
    if not DEMO_DIR.is_dir():
        err.print(f"找不到演示数据 (demo data missing): {DEMO_DIR}")
        raise typer.Exit(1)
    inputs = [p for p in sorted(DEMO_DIR.iterdir()) if p.name not in ("truth", "README.md")]
    report = _run_ingest(inputs, settings, show_progress=True, workers=None)
    _print_report(report.as_dict())
    from api.security import create_token, list_tokens

    with _store(settings) as store:
        if not any(t["name"] == "演示管理员" and not t["revoked"] for t in list_tokens(store)):
            _, token = create_token(store, "演示管理员", "admin")
            console.print(f"演示登录令牌 (demo admin token, shown once — paste it on the login page):\n{token}")
        else:
            console.print("演示令牌已创建过；新建请用 (a demo token exists; create another with) "
                          "kg tokens create --name 名字 --role matchmaker")
    if no_serve:
        return
    serve(host=host, port=port)


# The query commands (search, path, introduce, match, alliances, recommend) register themselves.
from api import cli_queries  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    main()
