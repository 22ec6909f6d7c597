"""Who may call what, what they see, and what the API refuses — over the real app in process.

* every role × every route of the API (table below): the allowed roles get 2xx (or 404 for an
  unknown id), the others 403, no token 401;
* personal data (phone, e-mail, ID number, birth date, a demand's contact phone) masked for
  organiser, api_client and viewer, shown to matchmaker and admin — and only then audited;
* 413 for an oversized body, 429 past the rate limit, 422 for malformed parameters, never 500.

The graph is small and built through the ingest pipeline from files (``api_graph.py``), on the
embedded store: the store contract and the query parity tests cover Neo4j.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.queries import guard
from api.security import Principal, Role, mask_value
from graph.config import Settings
from graph.store.embedded import EmbeddedStore
from tests.integration.api_graph import PERSONAL, ApiGraph, build_api_graph

ADMIN, MATCHMAKER, ORGANISER, API_CLIENT, VIEWER = (
    Role.ADMIN, Role.MATCHMAKER, Role.ORGANISER, Role.API_CLIENT, Role.VIEWER)
EVERYONE = frozenset(Role)
CURATORS = frozenset({ADMIN, MATCHMAKER})
MATCHING = frozenset({ADMIN, MATCHMAKER, ORGANISER, API_CLIENT})
ORGANISING = frozenset({ADMIN, MATCHMAKER, ORGANISER})
UNMASKED = CURATORS
MASKED = EVERYONE - UNMASKED


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiGraph]:
    folder = tmp_path_factory.mktemp("api")
    store = EmbeddedStore(folder / "kg.sqlite3")
    yield build_api_graph(store, folder)
    store.close()


def _client(graph: ApiGraph, folder: Path, **settings: Any) -> TestClient:
    app = create_app(Settings(env="test", data_dir=folder, **settings), graph.store)
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client(graph: ApiGraph, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with _client(graph, tmp_path_factory.mktemp("app"), rate_limit="100000/minute") as c:
        yield c


# --------------------------------------------------------------------------- the access table

# (route as the app declares it, the request to make, the roles allowed).  {name} is an id of
# the test graph.  An allowed role gets 2xx, or 404 where the id does not exist.
ROUTES: list[tuple[str, str, dict[str, Any], frozenset[Role]]] = [
    ("GET /api/v1/search", "/api/v1/search?q=焊接", {}, EVERYONE),
    ("GET /api/v1/entities/{entity_id}", "/api/v1/entities/{professor}", {}, EVERYONE),
    ("GET /api/v1/entities/{entity_id}", "/api/v1/entities/person:nobody", {}, EVERYONE),
    ("GET /api/v1/stats", "/api/v1/stats", {}, EVERYONE),
    ("GET /api/v1/people/review", "/api/v1/people/review", {}, CURATORS),
    ("POST /api/v1/people/merge", "/api/v1/people/merge",
     {"json": {"a": "person:nobody-a", "b": "person:nobody-b"}}, CURATORS),
    ("POST /api/v1/people/split", "/api/v1/people/split",
     {"json": {"person_id": "person:nobody", "mentions": ["cv:nobody"]}}, CURATORS),
    ("POST /api/v1/ingest", "/api/v1/ingest",
     {"files": [("files", ("notes.txt", "这不是简历。".encode(), "text/plain"))]}, CURATORS),
    ("GET /api/v1/jobs/{job_id}", "/api/v1/jobs/job-000000000000", {}, CURATORS),
    ("POST /api/v1/people/keep-apart", "/api/v1/people/keep-apart",
     {"json": {"a": "cv:nobody-a", "b": "cv:nobody-b"}}, CURATORS),
    ("GET /api/v1/me", "/api/v1/me", {}, EVERYONE),
    ("GET /api/v1/fields", "/api/v1/fields", {}, EVERYONE),
    ("GET /api/v1/paths", "/api/v1/paths?source={leading_firm}&target={professor}", {}, EVERYONE),
    ("GET /api/v1/paths", "/api/v1/paths?source=org:nobody&target={professor}", {}, EVERYONE),
    ("GET /api/v1/introduce", "/api/v1/introduce?enterprise_id={sme}&researcher_id={professor}", {}, EVERYONE),
    ("GET /api/v1/demands/{demand_id}/matches", "/api/v1/demands/{demand}/matches", {}, MATCHING),
    ("GET /api/v1/demands/{demand_id}/matches", "/api/v1/demands/demand:nobody/matches", {}, MATCHING),
    ("GET /api/v1/researchers/{researcher_id}/demands", "/api/v1/researchers/{professor}/demands", {}, MATCHING),
    ("GET /api/v1/researchers/{researcher_id}/demands", "/api/v1/researchers/{team}/demands?batch=2026H1", {}, MATCHING),
    ("GET /api/v1/matching-list", "/api/v1/matching-list?batch=2026H1&format=csv", {}, CURATORS),
    ("GET /api/v1/matching-list", "/api/v1/matching-list?batch=2026H1&format=xlsx", {}, CURATORS),
    ("POST /api/v1/matching-list/jobs", "/api/v1/matching-list/jobs", {"json": {"batch": "2026H1", "format": "csv"}},
     CURATORS),
    ("GET /api/v1/jobs/{job_id}/file", "/api/v1/jobs/job-000000000000/file", {}, CURATORS),
    ("GET /api/v1/alliances", "/api/v1/alliances?field_id={field}", {}, ORGANISING),
    ("GET /api/v1/alliances", "/api/v1/alliances?demand_id={demand}", {}, ORGANISING),
    ("GET /api/v1/recommendations/industry-professors",
     "/api/v1/recommendations/industry-professors?university_id={university}", {}, MATCHING),
    ("GET /api/v1/recommendations/tech-mentors", "/api/v1/recommendations/tech-mentors?enterprise_id={sme}", {}, MATCHING),
    ("GET /api/v1/recommendations/liaisons", "/api/v1/recommendations/liaisons?enterprise_id={sme}", {}, MATCHING),
    ("GET /api/v1/open-licence", "/api/v1/open-licence?enterprise_id={sme}", {}, MATCHING),
    ("GET /api/v1/open-licence", "/api/v1/open-licence?field_id={field}", {}, MATCHING),
    ("POST /api/v1/outcomes", "/api/v1/outcomes",
     {"json": {"subject_id": "{demand}", "candidate_id": "{professor}", "stage": "contacted", "date": "2026-03-01"}},
     CURATORS),
    ("POST /api/v1/outcomes/{outcome_id}/corrections", "/api/v1/outcomes/outcome-0000000000000000/corrections",
     {"json": {"index": 0, "stage": "signed", "date": "2026-04-01"}}, CURATORS),
    ("GET /api/v1/outcomes", "/api/v1/outcomes", {}, EVERYONE),
    ("GET /api/v1/reports/quarterly", "/api/v1/reports/quarterly?quarter=2026Q1", {}, EVERYONE),
    ("GET /api/v1/reports/half-year", "/api/v1/reports/half-year?batch=2026H1", {}, EVERYONE),
    ("GET /api/v1/reports/annual", "/api/v1/reports/annual?year=2026", {}, EVERYONE),
    ("GET /api/v1/reports/batch-diff", "/api/v1/reports/batch-diff?old=2025H2&new=2026H1", {}, EVERYONE),
    ("GET /api/v1/reports/workbook", "/api/v1/reports/workbook?quarter=2026Q1&batch=2026H1&year=2026", {}, EVERYONE),
]
PUBLIC = {"GET /api/v1/health"}


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _call(client: TestClient, graph: ApiGraph, method: str, url: str, kwargs: dict[str, Any],
          role: Role | None):
    kwargs = {k: (_fill(v, graph.ids) if k == "json" else v) for k, v in kwargs.items()}
    return client.request(method, _fill(url, graph.ids), headers=graph.headers(role), **kwargs)


def _route_cases() -> list[Any]:
    cases = []
    for route, url, kwargs, allowed in ROUTES:
        for role in [*Role, None]:
            cases.append(pytest.param(route, url, kwargs, allowed, role,
                                      id=f"{url.split('?')[0]}-{role.value if role else 'anonymous'}"))
    return cases


@pytest.mark.parametrize(("route", "url", "kwargs", "allowed", "role"), _route_cases())
def test_role_route_table(client: TestClient, graph: ApiGraph, route: str, url: str,
                          kwargs: dict[str, Any], allowed: frozenset[Role], role: Role | None) -> None:
    method = route.split()[0]
    response = _call(client, graph, method, url, kwargs, role)
    if role is None:
        assert response.status_code == 401, response.text
        assert response.headers.get("www-authenticate") == "Bearer"
    elif role in allowed:
        unknown = any(mark in f"{url} {kwargs}" for mark in ("nobody", "0000000000"))
        expected = {404} if unknown else set(range(200, 300))
        assert response.status_code in expected, f"{role.value} {url}: {response.status_code} {response.text[:300]}"
    else:
        assert response.status_code == 403, f"{role.value} {url}: {response.status_code} {response.text[:300]}"
        assert role.value in response.json()["detail"]


def test_table_covers_every_api_route(client: TestClient) -> None:
    declared = {
        f"{method.upper()} {path}"
        for path, operations in client.app.openapi()["paths"].items()
        for method in operations
    }
    tested = {route for route, *_ in ROUTES} | PUBLIC
    assert declared - tested == set(), "routes without an access test"
    assert tested - declared == set(), "access tests for routes the app does not have"


def test_health_needs_no_token(client: TestClient) -> None:
    # The app was given its store, so it does not warm the caches up itself.
    assert client.get("/api/v1/health").json() == {"status": "ok", "backend": "embedded", "warm_up": "off"}


@pytest.mark.parametrize(("url", "role"), [
    ("/api/v1/health", None), ("/api/v1/stats", VIEWER), ("/api/v1/entities/{professor}", VIEWER), ("/", None),
])
def test_head_answers_like_get_without_a_body(client: TestClient, graph: ApiGraph, url: str,
                                              role: Role | None) -> None:
    url = _fill(url, graph.ids)
    get = client.get(url, headers=graph.headers(role))
    head = client.head(url, headers=graph.headers(role))
    assert get.status_code == 200 and len(get.content) > 0
    assert head.status_code == 200, head.text
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))


def test_head_keeps_authorisation_and_method_rules(client: TestClient, graph: ApiGraph) -> None:
    assert client.head("/api/v1/stats").status_code == 401
    assert client.head("/api/v1/people/review", headers=graph.headers(VIEWER)).status_code == 403
    # POST-only: HEAD is refused like GET, and says which method is allowed.
    response = client.head("/api/v1/people/merge", headers=graph.headers(ADMIN))
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_server_with_its_own_store_warms_the_query_caches(graph: ApiGraph, tmp_path: Path) -> None:
    """A server that opens its store builds the text index and people directory at start-up,
    so the first matching request does not pay for them; /health reports the progress."""
    import sqlite3
    import time

    from graph.model import NodeLabel
    from graph.queries import alliances, profiles, text

    with sqlite3.connect(graph.store.path) as src, sqlite3.connect(tmp_path / "kg.sqlite3") as dst:
        src.backup(dst)
    settings = Settings(env="test", data_dir=tmp_path, rate_limit="100000/minute")
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        deadline = time.monotonic() + 120
        while (state := c.get("/api/v1/health").json()["warm_up"]) in ("pending", "running"):
            assert time.monotonic() < deadline, "warm-up did not finish in 120 s"
            time.sleep(0.2)
        assert state == "done"
        store = c.app.state.store
        assert store in text._indexes and store in profiles._directories
        industries = [n.id for n in store.find_nodes(NodeLabel.FIELD) if n.props.get("kind") == "industry"]
        assert any(alliances.cached_projection(store, [f]) for f in industries), \
            "no key-field alliance projection cached"
    with TestClient(create_app(settings.model_copy(update={"warm_up": False}))) as c:
        assert c.get("/api/v1/health").json()["warm_up"] == "off"


@pytest.mark.parametrize("token", ["kg_not-a-real-token", "x" * 250, ""])
def test_unknown_or_malformed_token_is_401(client: TestClient, token: str) -> None:
    response = client.get("/api/v1/stats", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_me_reports_the_routes_the_role_may_call(client: TestClient, graph: ApiGraph) -> None:
    me = client.get("/api/v1/me", headers=graph.headers(VIEWER)).json()
    assert me["role"] == "viewer" and me["sees_personal_data"] is False
    assert "GET /paths" in me["allowed"] and "GET /demands/{demand_id}/matches" not in me["allowed"]
    admin = client.get("/api/v1/me", headers=graph.headers(ADMIN)).json()
    assert admin["sees_personal_data"] is True and "GET /matching-list" in admin["allowed"]


# --------------------------------------------------------------------------- personal data

PERSON_FIELDS = ("phone", "email", "id_number", "birth_date")


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_person_personal_fields_masked_below_matchmaker(client: TestClient, graph: ApiGraph, role: Role) -> None:
    detail = client.get(f"/api/v1/entities/{graph.ids['professor']}", headers=graph.headers(role)).json()
    props = detail["entity"]["props"]
    for field in PERSON_FIELDS:
        if role in UNMASKED:
            assert props[field] == PERSONAL[field], field
        else:
            assert props[field] == mask_value(field, PERSONAL[field]) != PERSONAL[field], field
    assert sorted(detail["masked_fields"]) == ([] if role in UNMASKED else sorted(PERSON_FIELDS))


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_demand_contact_phone_masked_below_matchmaker(client: TestClient, graph: ApiGraph, role: Role) -> None:
    props = client.get(f"/api/v1/entities/{graph.ids['demand']}", headers=graph.headers(role)).json()["entity"]["props"]
    phone = PERSONAL["contact_phone"]
    assert props["contact_phone"] == (phone if role in UNMASKED else "139****2222")


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_search_results_are_masked_too(client: TestClient, graph: ApiGraph, role: Role) -> None:
    items = client.get("/api/v1/search?q=张伟&kind=person", headers=graph.headers(role)).json()["items"]
    (prof,) = [i for i in items if i["id"] == graph.ids["professor"]]
    assert (prof["props"]["phone"] == PERSONAL["phone"]) is (role in UNMASKED)
    assert PERSONAL["email"] not in str(items) or role in UNMASKED


def _principal(role: Role) -> Principal:
    return Principal(name="t", role=role, token_id="0" * 12)


class _Audit:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def record(self, **entry: Any) -> None:
        self.entries.append(entry)


def test_guard_masks_fields_and_free_text_of_query_results() -> None:
    result = {"items": [{"id": "person:a", "name": "张伟", "phone": "13800001234",
                         "explanation": "联系张伟 13800001234 或 zhangwei@hit.edu.cn；专利 CN202310123456.6",
                         "nested": {"contact_phone": "0451-86412345"}}]}
    audit = _Audit()
    masked = guard(result, _principal(VIEWER), audit, action="t", subject="demand:x")  # type: ignore[arg-type]
    item = masked["items"][0]
    assert item["phone"] == "138****1234"
    assert item["nested"]["contact_phone"] == "045****2345"
    assert "13800001234" not in item["explanation"] and "zhangwei@" not in item["explanation"]
    assert "CN202310123456.6" in item["explanation"]  # patent numbers are not phone numbers
    assert audit.entries == []
    plain = guard(result, _principal(MATCHMAKER), audit, action="t", subject="demand:x")  # type: ignore[arg-type]
    assert plain == result
    assert [(e["entity_id"], e["fields"]) for e in audit.entries] == [("person:a", ["contact_phone", "email", "phone"])]


def test_masked_read_leaves_no_audit_entry_and_unmasked_read_one(client: TestClient, graph: ApiGraph) -> None:
    audit = client.app.state.audit
    url = f"/api/v1/entities/{graph.ids['professor']}"
    before = audit.count()
    for role in MASKED:
        assert client.get(url, headers=graph.headers(role)).status_code == 200
    assert audit.count() == before
    assert client.get(url, headers=graph.headers(MATCHMAKER)).status_code == 200
    assert audit.count() == before + 1
    entry = audit.entries(limit=1)[0]
    assert entry["entity_id"] == graph.ids["professor"] and entry["role"] == "matchmaker"
    assert set(PERSON_FIELDS) <= set(entry["fields"]) and entry["who"].startswith("test-matchmaker#")
    assert audit.verify()


def test_matching_list_export_is_audited(client: TestClient, graph: ApiGraph) -> None:
    audit = client.app.state.audit
    before = audit.count()
    response = client.get("/api/v1/matching-list?batch=2026H1&format=csv", headers=graph.headers(ADMIN))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="matching-list-2026H1.csv"' in response.headers["content-disposition"]
    assert response.content.decode("utf-8-sig").startswith("批次,需求编号,需求名称")
    assert audit.count() == before + 1 and audit.entries(limit=1)[0]["entity_id"] == "matching-list:2026H1"


def _wait_job(client: TestClient, graph: ApiGraph, job_id: str) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + 120
    while (job := client.get(f"/api/v1/jobs/{job_id}", headers=graph.headers(ADMIN)).json())["status"] in (
            "queued", "running"):
        assert time.monotonic() < deadline, f"export job still {job['status']} after 120 s"
        time.sleep(0.1)
    return job


def test_matching_list_job_gives_the_same_file_as_the_direct_export(client: TestClient, graph: ApiGraph) -> None:
    audit = client.app.state.audit
    direct = client.get("/api/v1/matching-list?batch=2026H1&format=csv", headers=graph.headers(ADMIN))
    submitted = client.post("/api/v1/matching-list/jobs", json={"batch": "2026H1", "format": "csv", "per_demand": 5},
                            headers=graph.headers(MATCHMAKER))
    assert submitted.status_code == 202, submitted.text
    job = submitted.json()
    assert job["kind"] == "export" and job["status"] in ("queued", "running", "done")
    assert job["submitted_by"].startswith("test-matchmaker#")
    job = _wait_job(client, graph, job["job_id"])
    assert job["status"] == "done", job
    before = audit.count()
    response = client.get(f"/api/v1/jobs/{job['job_id']}/file", headers=graph.headers(MATCHMAKER))
    assert response.status_code == 200
    assert 'filename="matching-list-2026H1.csv"' in response.headers["content-disposition"]
    assert response.content == direct.content
    assert response.headers["x-rows"] == direct.headers["x-rows"] == str(job["rows"])
    # Reading the list is on record, as for the direct download.
    assert audit.count() == before + 1 and audit.entries(limit=1)[0]["entity_id"] == "matching-list:2026H1"


def test_matching_list_job_states(client: TestClient, graph: ApiGraph) -> None:
    jobs = client.app.state.jobs
    h = graph.headers(ADMIN)
    base = {"kind": "export", "batch": "2026H1", "format": "csv", "per_demand": 5}
    jobs._put("job-00000000aaaa", base | {"job_id": "job-00000000aaaa", "status": "running"})
    busy = client.get("/api/v1/jobs/job-00000000aaaa/file", headers=h)
    assert busy.status_code == 409 and "running" in busy.json()["detail"]
    jobs._put("job-00000000bbbb", base | {"job_id": "job-00000000bbbb", "status": "failed", "error": "QueryError: x"})
    failed = client.get("/api/v1/jobs/job-00000000bbbb/file", headers=h)
    assert failed.status_code == 404 and "QueryError: x" in failed.json()["detail"]
    # Done, but its file is gone (expired): 404 that says so, not a 500.
    jobs._put("job-00000000cccc", base | {"job_id": "job-00000000cccc", "status": "done", "file": "gone.csv",
                                          "demands": 1, "rows": 1})
    expired = client.get("/api/v1/jobs/job-00000000cccc/file", headers=h)
    assert expired.status_code == 404 and "过期" in expired.json()["detail"]
    # An ingest job has no file to download.
    jobs._put("job-00000000dddd", {"job_id": "job-00000000dddd", "kind": "ingest", "status": "done"})
    assert client.get("/api/v1/jobs/job-00000000dddd/file", headers=h).status_code == 404
    bad = client.post("/api/v1/matching-list/jobs", json={"batch": "2026", "per_demand": 50}, headers=h)
    assert bad.status_code == 422


def test_old_export_files_are_removed(client: TestClient, graph: ApiGraph) -> None:
    import os
    import time

    from api.jobs import EXPORT_KEEP_DAYS

    root = client.app.state.jobs.settings.data_dir / "exports"
    old, recent = root / "job-0000000000e1", root / "job-0000000000e2"
    for folder in (old, recent):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "matching-list-2026H1.csv").write_text("x")
    stale = time.time() - (EXPORT_KEEP_DAYS + 1) * 86400
    os.utime(old, (stale, stale))
    submitted = client.post("/api/v1/matching-list/jobs", json={"batch": "2026H1", "format": "xlsx"},
                            headers=graph.headers(ADMIN))
    assert submitted.status_code == 202
    assert not old.exists() and recent.exists()
    assert _wait_job(client, graph, submitted.json()["job_id"])["status"] == "done"


# --------------------------------------------------------------------------- answers

def test_query_routes_answer_with_explanations(client: TestClient, graph: ApiGraph) -> None:
    h = graph.headers(ADMIN)
    ids = graph.ids
    paths = client.get(f"/api/v1/paths?source={ids['leading_firm']}&target={ids['professor']}", headers=h).json()
    assert paths["paths"] and all(len(p["explanation"]) == p["length"] for p in paths["paths"])
    matches = client.get(f"/api/v1/demands/{ids['demand']}/matches", headers=h).json()
    assert matches["items"] and abs(sum(matches["weights"].values()) - 1) < 1e-9
    top = matches["items"][0]
    assert {f["factor"] for f in top["factors"]} == {"text", "field", "track", "proximity", "load"}
    assert abs(sum(f["contribution"] for f in top["factors"]) - top["score"]) < 1e-3
    weighted = client.get(f"/api/v1/demands/{ids['demand']}/matches?w_text=1&w_field=0&w_track=0&w_proximity=0&w_load=0",
                          headers=h).json()
    assert weighted["weights"]["text"] == 1.0
    licence = client.get(f"/api/v1/open-licence?enterprise_id={ids['sme']}", headers=h).json()
    assert licence["items"] and licence["items"][0]["licence_terms"]


# --------------------------------------------------------------------------- limits

def test_oversized_body_is_413(client: TestClient, graph: ApiGraph) -> None:
    big = {"a": "person:x", "b": "person:y", "note": "长" * 600_000}
    response = client.post("/api/v1/people/merge", json=big, headers=graph.headers(ADMIN))
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_oversized_chunked_body_is_413(client: TestClient, graph: ApiGraph) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 50_000

    response = client.post("/api/v1/people/merge", content=chunks(),
                           headers={**graph.headers(ADMIN), "Content-Type": "application/json"})
    assert response.status_code == 413


def test_rate_limit_gives_429(graph: ApiGraph, tmp_path: Path) -> None:
    with _client(graph, tmp_path, rate_limit="5/minute") as c:
        codes = [c.get("/api/v1/stats", headers=graph.headers(VIEWER)).status_code for _ in range(7)]
        assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
        assert "rate limit" in c.get("/api/v1/stats", headers=graph.headers(VIEWER)).json()["detail"]
        # Another token has its own allowance.
        assert c.get("/api/v1/stats", headers=graph.headers(ADMIN)).status_code == 200


MALFORMED = [
    "/api/v1/paths?source={leading_firm}&target={professor}&k=0",
    "/api/v1/paths?source={leading_firm}&target={professor}&k=11",
    "/api/v1/paths?source={leading_firm}&target={professor}&max_hops=7",
    "/api/v1/paths?source=no-colon&target={professor}",
    "/api/v1/paths?source={leading_firm}&target={professor}&include_labels=Robot",
    "/api/v1/paths?source={leading_firm}&target={professor}&exclude_rel_types=KNOWS",
    "/api/v1/paths?source={leading_firm}&target={leading_firm}",
    "/api/v1/paths?target={professor}",
    "/api/v1/introduce?enterprise_id={professor}&researcher_id={professor}",
    "/api/v1/introduce?enterprise_id={university}&researcher_id={leading_firm}",
    "/api/v1/introduce?enterprise_id={sme}&researcher_id={professor}&max_hops=1",
    "/api/v1/demands/{demand}/matches?limit=101",
    "/api/v1/demands/{demand}/matches?kinds=robot",
    "/api/v1/demands/{demand}/matches?w_text=-1",
    "/api/v1/demands/{demand}/matches?w_text=nan",
    "/api/v1/demands/{demand}/matches?w_text=0&w_field=0&w_track=0&w_proximity=0&w_load=0",
    "/api/v1/demands/{professor}/matches",
    "/api/v1/demands/{demand}/matches?city=" + "哈" * 51,
    "/api/v1/researchers/{demand}/demands",
    "/api/v1/researchers/{professor}/demands?batch=2026H3",
    "/api/v1/matching-list?batch=2026",
    "/api/v1/matching-list?batch=2026H1&format=pdf",
    "/api/v1/matching-list?batch=2026H1&per_demand=0",
    "/api/v1/alliances",
    "/api/v1/alliances?field_id={field}&rule=bogus",
    "/api/v1/alliances?field_id={field}&rule=wizard:1",
    "/api/v1/alliances?field_id={field}&rule=university:0",
    "/api/v1/alliances?field_id={field}&max_members=1",
    "/api/v1/alliances?field_id={field}&seed=-1",
    "/api/v1/alliances?field_id={professor}",
    "/api/v1/recommendations/industry-professors?university_id={leading_firm}",
    "/api/v1/recommendations/industry-professors",
    "/api/v1/recommendations/tech-mentors?enterprise_id={university}",
    "/api/v1/recommendations/liaisons?enterprise_id={sme}&limit=0",
    "/api/v1/open-licence",
    "/api/v1/open-licence?enterprise_id={university}",
    "/api/v1/fields?kind=colour",
    "/api/v1/search?q=",
    "/api/v1/entities/{professor}?rel_limit=-1",
]


@pytest.mark.parametrize("url", MALFORMED)
def test_malformed_parameters_are_422(client: TestClient, graph: ApiGraph, url: str) -> None:
    response = client.get(_fill(url, graph.ids), headers=graph.headers(ADMIN))
    assert response.status_code == 422, response.text[:300]
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]


ODD = [
    "/api/v1/paths?source=person:%00&target=person:%E2%80%AE",
    "/api/v1/paths?source=person:" + "x" * 210 + "&target={professor}",
    "/api/v1/entities/person:..%2F..%2Fetc",
    "/api/v1/demands/demand:%27%20OR%201=1/matches",
    "/api/v1/search?q=%25%27%22%3C%3E&kind=person",
    "/api/v1/search?q=" + "焊" * 100,
    "/api/v1/researchers/team:nobody/demands",
    "/api/v1/alliances?demand_id=demand:nobody",
    "/api/v1/paths?source={leading_firm}&target={professor}&include_rel_types=IN_FIELD&through_fields=true",
    "/api/v1/paths?source={leading_firm}&target={professor}&include_labels=Field&through_fields=true&max_hops=6",
    "/api/v1/introduce?enterprise_id=org:nobody&researcher_id=person:nobody",
    "/static/../api/app.py",
    "/static/vendor/cytoscape/LICENSE",
]


@pytest.mark.parametrize("url", ODD)
def test_odd_input_never_500(client: TestClient, graph: ApiGraph, url: str) -> None:
    response = client.get(_fill(url, graph.ids), headers=graph.headers(ADMIN))
    assert response.status_code < 500, response.text[:300]


# --------------------------------------------------------------------------- people review

def test_review_pairs_are_paged_described_and_answered(tmp_path: Path) -> None:
    """Two 王磊 inventors at one university with nothing else shared: one pair to review. The
    page describes both sides (no contact details), filters by name, and a keep-apart answer
    takes the pair off the list."""
    from api.security import create_token
    from ingest.pipeline import ingest_paths
    from ingest.readers.patents import application_number_check_digit as check

    q1, q2 = (f"CN{n}.{check(n)}" for n in ("202110555555", "202110666666"))
    d = tmp_path / "in"
    d.mkdir()
    (d / "p.csv").write_text(
        "申请号,发明名称,申请人,发明人,申请日\n"
        f"{q1},一种寒地混凝土养护方法,东北林业大学,王磊;陈静,2021-01-01\n"
        f"{q2},一种木材干燥设备,东北林业大学,王磊;周杰,2021-02-01\n",
        encoding="utf-8")
    store = EmbeddedStore(tmp_path / "kg.sqlite3")
    try:
        report = ingest_paths([d], store, data_dir=tmp_path)
        assert report.quarantined == 0, report.as_dict()
        admin = {"Authorization": f"Bearer {create_token(store, 'rv-admin', Role.ADMIN)[1]}"}
        viewer = {"Authorization": f"Bearer {create_token(store, 'rv-viewer', Role.VIEWER)[1]}"}
        app = create_app(Settings(env="test", data_dir=tmp_path, rate_limit="100000/minute"), store)
        with TestClient(app, raise_server_exceptions=False) as c:
            assert c.get("/api/v1/people/review", headers=viewer).status_code == 403
            page = c.get("/api/v1/people/review", headers=admin).json()
            assert page["total"] == 1 and page["offset"] == 0
            (pair,) = page["items"]
            assert pair["name"] == "王磊" and 0 < pair["score"] < 1 and pair["evidence"]
            sides = {s["mention_id"]: s for s in pair["sides"]}
            assert set(sides) == {pair["a"], pair["b"]}
            for side in sides.values():
                assert side["kind_name"] == "专利发明人" and side["source"] == "p.csv"
                assert side["organisations"] == ["东北林业大学"] and side["years"] == [2021]
            assert {tuple(s["co_names"]) for s in sides.values()} == {("陈静",), ("周杰",)}
            assert len({s["person_id"] for s in sides.values()}) == 2
            assert c.get("/api/v1/people/review?name=张", headers=admin).json() == {
                "total": 0, "offset": 0, "items": []}
            assert c.get("/api/v1/people/review?name=王&offset=1", headers=admin).json()["items"] == []
            assert c.get("/api/v1/people/review?offset=-1", headers=admin).status_code == 422

            answer = c.post("/api/v1/people/keep-apart", json={"a": pair["a"], "b": pair["b"], "note": "不同学院"},
                            headers=admin)
            assert answer.status_code == 200, answer.text
            assert sorted(answer.json()["person_ids"]) == sorted(s["person_id"] for s in sides.values())
            assert c.get("/api/v1/people/review", headers=admin).json()["total"] == 0
            same = c.post("/api/v1/people/keep-apart", json={"a": pair["a"], "b": pair["a"]}, headers=admin)
            assert same.status_code == 422 and "两个不同提及" in same.json()["detail"]
    finally:
        store.close()
