"""The OpenAPI document is valid, and a property-based run of every operation against it (in-process,
WSGI, bounded examples) finds no server error."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

pytestmark = pytest.mark.django_db
MAX_EXAMPLES = 20
# Whole-cycle spreadsheets take about a second each: fewer examples, same coverage of their parameters.
HEAVY = {"/exports/raw.xlsx": 4, "/exports/ranking.xlsx": 6, "/reports": 8}


@pytest.fixture
def spec() -> dict:  # type: ignore[type-arg]
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_it_publishes_a_valid_openapi_3_document(spec: dict) -> None:  # type: ignore[type-arg]
    from openapi_spec_validator import validate

    validate(spec)
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path in ("/api/v1/regions/{code}", "/api/v1/units", "/api/v1/programmes", "/api/v1/cycles/{year}",
                 "/api/v1/submissions", "/api/v1/results/{code}/{year}", "/api/v1/ranking", "/api/v1/feedback",
                 "/api/v1/assessments", "/api/v1/reports", "/api/v1/tokens", "/api/v1/worksheets/{submission_id}"):
        assert path in paths, path


def test_it_serves_swagger_ui_without_internet() -> None:
    html = Client().get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert Client().get("/static/ninja/swagger-ui-bundle.js").status_code == 200


@pytest.fixture
def in_process_wsgi() -> Iterator[None]:
    # Like django.test.Client: the request signals must not close the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_it_finds_no_server_error_in_any_operation(actors, in_process_wsgi) -> None:  # type: ignore[no-untyped-def]
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    from kotacerdas.accounts.actions import do_create_token
    from kotacerdas.wsgi import application

    _token, raw = do_create_token(actors.alice, actors.alice, "schemathesis", ["read", "write"])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures: list[str] = []
    statuses: list[int] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        path = operation.path.removeprefix("/api/v1")

        @settings(max_examples=HEAVY.get(path, MAX_EXAMPLES), deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers={"Authorization": f"Bearer {raw}"})
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}: "
                                f"{response.text[:300]}")

        run()
    assert operations >= 40
    assert len(statuses) >= operations * 4  # hypothesis really generated and sent requests
    assert sum(200 <= s < 300 for s in statuses) >= operations  # many were accepted, not all refused
    assert not failures, "\n".join(failures[:20])
