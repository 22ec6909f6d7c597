"""The web explorer in a real browser: Debian's chromium driven by Playwright (never a downloaded
browser), against uvicorn serving demo data on a loopback port.

A matchmaker's morning: sign in with a token, search an enterprise, open it and expand a node of
its graph by clicking it, open one of its demands and the matched people and patents, follow a
match to the collaboration path with its Chinese explanation, then ask for technology mentors.
Screenshots of each step go to ``test-output/`` (look at them: they show what a person sees).

No chromium at /usr/bin/chromium → skipped with the reason, unless ``KG_REQUIRE_BROWSER=1`` (CI),
where that is a failure.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.security import create_token
from graph.model import NodeLabel, RelType
from graph.store.embedded import EmbeddedStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "ingest" / "demo"
OUT = REPO / "test-output"
CHROMIUM = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
REQUIRE_BROWSER = os.environ.get("KG_REQUIRE_BROWSER", "") not in ("", "0", "false")
CV_COUNT = 30
SLOW = 120_000  # ms: the first matching request builds the text index


def _need_browser() -> None:
    reason = None
    if not CHROMIUM.is_file():
        reason = f"chromium not found at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright Python package is not installed"
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(f"KG_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)


@dataclass
class Demo:
    base: str
    token: str
    firm_id: str
    firm_name: str
    demand_id: str
    demand_name: str
    candidate_name: str
    batch: str = "2026H1"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _inputs(folder: Path) -> list[Path]:
    """The bundled demo's tables and its first CVs: the demo, a little smaller."""
    tables = [DEMO / n for n in ("enterprises.csv", "patents.csv", "demands.xlsx", "achievements.csv")]
    cvs = folder / "cvs"
    cvs.mkdir(parents=True)
    for cv in sorted((DEMO / "cvs").iterdir())[:CV_COUNT]:
        (cvs / cv.name).write_bytes(cv.read_bytes())
    return [*tables, cvs]


def _pick(store: EmbeddedStore) -> tuple[str, str, str, str, str]:
    """A firm, one of its demands and a matched person or team joined to the firm by a path."""
    from graph.queries.matching import match_demand
    from graph.queries.paths import collaboration_paths

    for demand in sorted(store.find_nodes(NodeLabel.DEMAND, limit=200), key=lambda n: n.id):
        posted = store.relationships(demand.id, types=[RelType.POSTED])
        if not posted:
            continue
        firm = store.get_node(posted[0].src)
        for m in match_demand(store, demand.id, kinds=["person", "team"], limit=4):
            if collaboration_paths(store, firm.id, m.id, k=1):
                return firm.id, firm.name, demand.id, demand.name, m.name
    raise AssertionError("the demo data has no demand with a connected candidate")


def _seed_ledger(store: EmbeddedStore) -> str:
    """A few outcomes in 2026Q2 for the ledger page: demands of the demo's batch with people
    proposed, contacted, negotiating, signed (with amounts) and one result industrialised.
    Returns the batch the demands were posted in."""
    from graph.ledger import OutcomeEntry, record_outcome

    demands, cities = [], set()
    for d in sorted(store.find_nodes(NodeLabel.DEMAND, limit=200), key=lambda n: n.id):
        posted = store.relationships(d.id, types=[RelType.POSTED])
        city = posted and store.get_node(posted[0].src).props.get("city")
        if posted and city not in cities:  # firms in different cities: several groups to draw
            cities.add(city)
            demands.append(d)
    people = sorted(store.find_nodes(NodeLabel.PERSON, limit=50), key=lambda n: n.id)
    assert len(demands) >= 4 and len(people) >= 4, "the demo data is too small for the ledger"
    plan = [
        (0, 0, [("proposed", "2026-04-08", None), ("contacted", "2026-04-20", None),
                ("signed", "2026-05-18", 320.0), ("industrialised", "2026-06-25", None)]),
        (1, 1, [("proposed", "2026-04-12", None), ("contacted", "2026-05-06", None),
                ("negotiating", "2026-05-30", None), ("signed", "2026-06-12", 150.0)]),
        (2, 2, [("proposed", "2026-05-02", None), ("contacted", "2026-06-01", None)]),
        (3, 3, [("proposed", "2026-06-03", None)]),
        (0, 2, [("proposed", "2026-04-15", None)]),
    ]
    for d, c, stages in plan:
        for stage, day, amount in stages:
            record_outcome(store, subject_id=demands[d].id, candidate_id=people[c].id,
                           entry=OutcomeEntry(stage=stage, date=day, amount_wan=amount, recorded_by="浏览器测试"))
    first = demands[0].props
    return str((first.get("batches") or [first.get("batch")])[0] or "2026H1")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    _need_browser()
    from ingest.pipeline import ingest_paths

    folder = tmp_path_factory.mktemp("web")
    data = folder / "var"
    store = EmbeddedStore(data / "kg.sqlite3")
    try:
        ingest_paths(_inputs(folder / "in"), store, workers=1, data_dir=data)
        token = create_token(store, "浏览器测试", "admin")[1]
        picked = _pick(store)
        batch = _seed_ledger(store)
    finally:
        store.close()
    port = _free_port()
    env = {**os.environ, "KG_DATA_DIR": str(data), "KG_BACKEND": "embedded", "KG_ENV": "test"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read().decode(errors="replace") if server.stdout else ""
                    raise RuntimeError(f"uvicorn did not start: {output[-2000:]}") from None
                time.sleep(0.3)
        yield Demo(base, token, *picked, batch=batch)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def page(demo: Demo):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(30_000)
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        # Everything must come from the app itself: no CDN, no other host.
        page.on("request", lambda r: problems.append(f"off-site request: {r.url}")
                if not r.url.startswith((demo.base, "data:", "blob:")) else None)
        page.problems = problems  # type: ignore[attr-defined]
        yield page
        context.close()
        browser.close()


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_timeout(400)  # let the graph finish drawing
    page.screenshot(path=str(OUT / f"web-{name}.png"))


def _graph_nodes(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("() => window.xiaoqi.graph.size"))


def test_matchmaker_journey(page, demo: Demo) -> None:  # type: ignore[no-untyped-def]
    # 1. Sign in with a token (kept in sessionStorage, not in the URL or a cookie).
    page.goto(demo.base + "/")
    page.wait_for_selector("#login-form")
    _shot(page, "01-login")
    page.fill("#token-input", "kg_wrong-token")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#login-error:not([hidden])")
    assert "无效" in page.text_content("#login-error")
    page.problems.clear()  # type: ignore[attr-defined]  # the browser logs that refused 401
    page.fill("#token-input", demo.token)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("[data-testid=user-name]")
    assert page.text_content("[data-testid=user-name]") == "浏览器测试"
    assert page.evaluate("() => sessionStorage.getItem('xiaoqi.token')") == demo.token

    # 2. Search the enterprise.
    page.fill("[data-testid=search-input]", demo.firm_name[:6])
    page.press("[data-testid=search-input]", "Enter")
    hit = page.locator("[data-testid=search-hit]", has_text=demo.firm_name).first
    hit.wait_for()
    _shot(page, "02-search")

    # 3. Open it: details, relationships, its neighbourhood in the graph; click a node to expand it.
    hit.locator("a.entity-link").click()
    page.wait_for_selector(f"h1:has-text('{demo.firm_name}')")
    page.wait_for_function("() => window.xiaoqi.graph.size > 1")
    before = _graph_nodes(page)
    box = page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    target = page.evaluate(
        """() => {
            const cy = window.xiaoqi.graph.cy;
            const n = cy.nodes().filter((x) => !x.hasClass('expanded') && x.data('label') !== 'Topic'
                                             && x.data('label') !== 'Field').first();
            const p = n.renderedPosition();
            return { id: n.id(), x: p.x, y: p.y };
        }""")
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    page.wait_for_function("(id) => window.xiaoqi.graph.expanded.has(id)", arg=target["id"], timeout=SLOW)
    assert page.locator(".graph-info").is_visible()
    assert _graph_nodes(page) >= before
    _shot(page, "03-enterprise-graph")

    # 4. One of its demands, with matched people, teams, patents and results.
    page.goto(f"{demo.base}/#/entity/{demo.demand_id}")
    page.get_by_role("button", name="需求对接").click()
    page.wait_for_selector("[data-testid=match-card]", timeout=SLOW)
    cards = page.locator("[data-testid=match-card]")
    assert cards.count() > 0
    assert cards.first.locator(".factor").count() == 5  # one bar per factor
    assert cards.first.locator(".bar-fill").count() == 5
    assert page.locator("[data-testid=demand-people] [data-testid=match-card]").count() > 0
    _shot(page, "04-demand-matches")

    # 4b. The batch's matching list: a background job, polled, then downloaded with the token.
    with page.expect_download(timeout=SLOW) as info:
        page.get_by_role("button", name=re.compile(r"导出 \d{4}H[12] 对接清单")).click()
    download = info.value
    assert re.fullmatch(r"matching-list-\d{4}H[12]\.xlsx", download.suggested_filename)
    path = download.path()
    assert path is not None and Path(path).read_bytes()[:2] == b"PK"

    # 5. Follow a match to the collaboration path from the firm, explained hop by hop.
    card = page.locator("[data-testid=demand-people] [data-testid=match-card]", has_text=demo.candidate_name).first
    card.get_by_role("button", name="查看路径").click()
    page.wait_for_selector("[data-testid=path-card]", timeout=SLOW)
    lines = page.locator("[data-testid=path-card]").first.locator("[data-testid=path-explanation] li")
    assert lines.count() >= 1
    assert demo.candidate_name in page.text_content("[data-testid=path-results]")
    page.locator("[data-testid=path-card]").first.click()
    _shot(page, "05-path")
    # Filters: refusing every kind of tie leaves no path, and the address keeps the choice.
    page.click("[data-testid=path-filters] summary")
    boxes = page.locator("[data-testid=path-filters] input[name=avoid_rels]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    page.get_by_role("button", name="查找路径").click()
    page.wait_for_selector("[data-testid=path-results] .empty", timeout=SLOW)
    assert page.locator("[data-testid=path-card]").count() == 0
    assert "avoid_rels=" in page.url and "更多筛选（已选" in page.text_content("[data-testid=path-filters] summary")
    page.go_back()
    page.wait_for_selector("[data-testid=path-card]", timeout=SLOW)

    # 6. A recommendation: technology mentors for the firm, with score breakdowns and reasons.
    page.goto(f"{demo.base}/#/recommend?role=tech-mentors&target={demo.firm_id}")
    page.wait_for_selector("[data-testid=recommendation-card], [data-testid=recommendations] .empty", timeout=SLOW)
    recs = page.locator("[data-testid=recommendation-card]")
    assert recs.count() > 0, "no technology mentor for the demo firm"
    assert recs.first.locator(".factor").count() >= 5
    assert recs.first.locator(".explanation li").count() >= 2
    _shot(page, "06-recommendation")

    # 7. The graph keeps at most 150 nodes and says so.
    page.goto(f"{demo.base}/#/entity/{demo.firm_id}")
    page.wait_for_function("() => window.xiaoqi.graph.size > 1")
    page.evaluate(
        """async () => {
            const g = window.xiaoqi.graph;
            for (let round = 0; round < 6 && g.omitted === 0; round++) {
                const hubs = g.cy.nodes().filter((n) => !g.expanded.has(n.id())).sort((a, b) => b.degree() - a.degree());
                for (const n of hubs.slice(0, 8)) await g.expand(n.id(), { layout: false });
            }
            g.layout('cose');
        }""")
    assert _graph_nodes(page) <= 150
    notice = page.locator(".graph-notice")
    if page.evaluate("() => window.xiaoqi.graph.omitted") > 0:
        assert notice.is_visible() and "150" in notice.text_content()
    _shot(page, "07-graph-cap")

    assert page.problems == [], page.problems  # type: ignore[attr-defined]


def test_ledger_charts(page, demo: Demo) -> None:  # type: ignore[no-untyped-def]
    """台账统计: quarterly stages, the half-year dispatch and progress toward the annual targets
    drawn as inline SVG, and the Excel workbook downloaded with the token."""
    page.goto(demo.base + "/")
    page.fill("#token-input", demo.token)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("[data-testid=user-name]")
    page.click("#nav a[data-view=ledger]")
    page.wait_for_selector("[data-testid=ledger] section")
    assert not page.locator("#graph").is_visible()  # the charts take the whole width
    page.goto(f"{demo.base}/#/ledger?quarter=2026Q2&batch={demo.batch}&year=2026&by=city")
    page.wait_for_selector("[data-testid=chart-quarterly] svg.chart")

    heights = page.eval_on_selector_all(
        "[data-testid=chart-quarterly] rect.chart-bar", "(rs) => rs.map((r) => r.getBBox().height)")
    assert heights and max(heights) > 10, heights
    # one bar per stage reached: 5 proposed, 3 contacted, 1 negotiating, 2 signed, 1 industrialised
    values = page.eval_on_selector_all(
        "[data-testid=chart-quarterly] rect.chart-bar",
        "(rs) => rs.map((r) => [r.dataset.series, Number(r.dataset.value)])")
    totals: dict[str, float] = {}
    for series, value in values:
        totals[series] = totals.get(series, 0) + value
    assert totals == {"proposed": 5, "contacted": 3, "negotiating": 1, "signed": 2, "industrialised": 1}, totals
    legend = page.text_content("[data-testid=chart-quarterly] .chart-legend")
    for name in ("提出", "已联系", "洽谈中", "签约", "成果转化落地"):
        assert name in legend
    assert page.locator("[data-testid=chart-quarterly] rect.chart-bar title").first.text_content()
    assert page.locator("[data-testid=chart-quarterly] .chart-tick").count() >= 3
    assert "470" in page.text_content("[data-testid=ledger] .stats")  # 320 + 150 万元 signed

    dispatch = page.locator("[data-testid=chart-dispatch] rect.chart-bar")
    assert dispatch.count() > 0
    assert "未对接" in page.text_content("[data-testid=chart-dispatch] .chart-legend")
    assert page.locator("[data-testid=unmatched] li").count() > 0

    progress = page.locator("[data-testid=chart-progress] .chart-progress-row")
    assert progress.count() == 3
    assert page.locator("[data-testid=chart-progress] rect.chart-fill").count() >= 2
    assert "成果转化落地" in page.text_content("[data-testid=chart-progress]")
    page.set_viewport_size({"width": 1440, "height": 1700})  # the whole page in one picture
    _shot(page, "08-ledger-charts")
    page.set_viewport_size({"width": 1440, "height": 900})

    # Stacked view, another dimension, then an empty quarter says so instead of drawing nothing.
    page.get_by_role("button", name="堆叠").click()
    page.wait_for_selector("[data-testid=chart-quarterly] svg.chart-stacked")
    page.goto(f"{demo.base}/#/ledger?quarter=2025Q1&batch={demo.batch}&year=2026&by=field")
    page.wait_for_selector("[data-testid=chart-quarterly] .empty")
    assert "没有台账记录" in page.text_content("[data-testid=chart-quarterly]")

    with page.expect_download() as info:
        page.click("[data-testid=ledger-workbook]")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = download.path()
    assert path is not None and Path(path).read_bytes()[:2] == b"PK"

    # Back to the graph: it comes back.
    page.click("#nav a[data-view=search]")
    page.wait_for_selector("#graph", state="visible")
    assert page.problems == [], page.problems  # type: ignore[attr-defined]


def test_page_is_served_offline_with_a_strict_policy(demo: Demo) -> None:
    with urllib.request.urlopen(demo.base + "/", timeout=5) as r:
        html = r.read().decode()
        csp = r.headers["Content-Security-Policy"]
        assert r.headers["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "http://" not in html and "https://" not in html
    for path, kind in (("/static/app.js", "text/javascript"), ("/static/app.css", "text/css"),
                       ("/static/vendor/cytoscape/cytoscape.esm.min.mjs", "text/javascript")):
        with urllib.request.urlopen(demo.base + path, timeout=5) as r:
            assert r.headers["Content-Type"].startswith(kind), path
            assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_people_review(page, demo: Demo) -> None:  # type: ignore[no-untyped-def]
    """人员复核: same-name pairs a page at a time, both records side by side; "不是同一人" takes
    the pair off the list (runs last: it changes the demo's corrections)."""
    page.goto(demo.base + "/")
    page.fill("#token-input", demo.token)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("[data-testid=user-name]")
    page.click("#nav a[data-view=review]")
    page.wait_for_selector("[data-testid=review-pair]", timeout=SLOW)
    assert not page.locator("#graph").is_visible()  # the two records side by side take the width
    pager = page.text_content("[data-testid=review-pager]")
    total = int(re.search(r"共 (\d+) 对", pager).group(1))  # type: ignore[union-attr]
    assert total >= 1
    cards = page.locator("[data-testid=review-pair]")
    assert 1 <= cards.count() <= 20 and cards.count() == min(total, 20)
    first = cards.first
    assert first.locator("[data-testid=review-side]").count() == 2
    assert "来源" in first.text_content() and "查看人员" in first.text_content()
    _shot(page, "09-people-review")

    # Filter by the first pair's name: every pair shown has that name.
    name = first.locator(".result-title").first.evaluate("(el) => el.firstChild.textContent")
    page.fill("input[name=name]", name)
    page.press("input[name=name]", "Enter")
    page.wait_for_function("(n) => location.hash.includes(encodeURIComponent(n))", arg=name)
    page.wait_for_selector("[data-testid=review-pair]")
    titles = page.eval_on_selector_all("[data-testid=review-pair] .result-title",
                                       "(els) => els.map((el) => el.firstChild.textContent)")
    assert titles and set(titles) == {name}
    named = int(re.search(r"共 (\d+) 对", page.text_content("[data-testid=review-pager]")).group(1))  # type: ignore[union-attr]

    page.locator("[data-testid=review-pair]").first.get_by_role("button", name="不是同一人").click()
    page.wait_for_selector("[data-testid=review-done]")
    assert "不同的人" in page.text_content("[data-testid=review-done]")
    page.get_by_role("button", name="刷新").click()
    if named > 1:
        page.wait_for_function(
            "(n) => (document.querySelector('[data-testid=review-pager]') || {}).textContent?.includes(`共 ${n} 对`)",
            arg=named - 1)
    else:
        page.wait_for_selector("[data-testid=review] .empty")
    assert page.problems == [], page.problems  # type: ignore[attr-defined]

