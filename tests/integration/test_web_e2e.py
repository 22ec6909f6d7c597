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
        yield Demo(base, token, *picked)
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

    # 5. Follow a match to the collaboration path from the firm, explained hop by hop.
    card = page.locator("[data-testid=demand-people] [data-testid=match-card]", has_text=demo.candidate_name).first
    card.get_by_role("button", name="查看路径").click()
    page.wait_for_selector("[data-testid=path-card]", timeout=SLOW)
    lines = page.locator("[data-testid=path-card]").first.locator("[data-testid=path-explanation] li")
    assert lines.count() >= 1
    assert demo.candidate_name in page.text_content("[data-testid=path-results]")
    page.locator("[data-testid=path-card]").first.click()
    _shot(page, "05-path")

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
