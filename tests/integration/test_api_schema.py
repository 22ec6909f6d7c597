"""The API against its own OpenAPI document (schemathesis 4, in process over ASGI).

Every operation is called with generated inputs, valid and invalid, as an admin: no reply may be
a 5xx, and every reply must match the documented status codes, content types and schemas.
Example counts are kept small so the whole run stays under two minutes, and generation is
derandomised so that CI sees the same cases on every run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    unsupported_method,
)

from api.app import create_app
from api.security import Role
from graph.config import Settings
from graph.store.embedded import EmbeddedStore
from tests.integration.api_graph import ApiGraph, build_api_graph

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 10

# Checks left out, and why:
# * positive_data_acceptance — some rules span several parameters (field_id or demand_id; source
#   ≠ target; not all weights zero; an id of the right kind of entity) and a schema cannot state
#   them; the API answers such requests with 422 and a message, as it should.
# * unsupported_method, allow_header_conformance — where two routes share a path (GET and POST
#   /outcomes) the framework's 405 lists only one route's methods in Allow.
# * negative_data_rejection on POST /ingest only — a multipart upload with an extra, unknown form
#   field is accepted (only ``files`` is read), which is harmless.
EXCLUDED_CHECKS = [positive_data_acceptance, unsupported_method, allow_header_conformance]
LENIENT = {"/api/v1/ingest": [negative_data_rejection]}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiGraph]:
    folder = tmp_path_factory.mktemp("schema")
    store = EmbeddedStore(folder / "kg.sqlite3")
    yield build_api_graph(store, folder)
    store.close()


@pytest.fixture(scope="module")
def app(graph: ApiGraph, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder: Path = tmp_path_factory.mktemp("schema-app")
    return create_app(Settings(env="test", data_dir=folder, rate_limit="1000000/minute",
                               max_upload_bytes=200_000), graph.store)


@pytest.fixture(scope="module")
def admin(graph: ApiGraph) -> dict[str, str]:
    return graph.headers(Role.ADMIN)


# The document is the app's own; it does not depend on the store, so it is read at import (the
# tests are generated from it) and the calls go to the app built on the test graph.
schema = schemathesis.openapi.from_dict(create_app(Settings(env="test")).openapi())
# The admin token is sent with every call, so the bearer header is not one of the generated
# parameters (a "missing Authorization" negative case would be sent with it anyway).
schema.config.generation.update(with_security_parameters=False)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(case: schemathesis.Case, app: FastAPI, admin: dict[str, str]) -> None:
    # The schema was loaded from the document alone; point it at the app so that the checks' own
    # probe requests (e.g. the same call without credentials) reach it too.
    case.operation.schema.app = app
    excluded = EXCLUDED_CHECKS + LENIENT.get(case.operation.path, [])
    case.call_and_validate(headers=admin, app=app, excluded_checks=excluded)
