"""The OpenAPI document is valid and true: a property-based run of every operation against it (in-process,
WSGI, bounded examples), as anonymous, read-token and write-token callers, finds no server error, no
undeclared status code and no body or content type that differs from the declared one."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

pytestmark = pytest.mark.django_db
MAX_EXAMPLES = 7  # per operation and caller (anonymous, read token, write token)
# Whole-cycle spreadsheets take about a second each: fewer examples, same coverage of their parameters.
HEAVY = {"/exports/raw.xlsx": 2, "/exports/ranking.xlsx": 3, "/reports": 4}


@pytest.fixture
def spec() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_it_publishes_a_valid_openapi_3_document(spec: dict) -> None:
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


def _check(operation, who: str, headers: dict[str, str], examples: int, checks: list,
           statuses: dict[str, list[int]], failures: list[str]) -> None:
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case) -> None:
        response = case.call(headers=headers)
        statuses[who].append(response.status_code)
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # every failed check is collected and reported
            failures.append(f"[{who}] {case.method} {case.formatted_path} {case.query} -> "
                            f"{response.status_code}: {str(exc)[:400]} | {response.text[:200]}")

    run()


def test_it_keeps_every_operation_to_its_contract(actors, in_process_wsgi) -> None:
    """As an anonymous caller, with a read-scope token and with a write-scope token: no server error, every
    status code is one the operation declares, every body (errors included) matches its declared schema and
    content type."""
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from kotacerdas.accounts.actions import do_create_token
    from kotacerdas.wsgi import application

    _t, read = do_create_token(actors.alice, actors.alice, "schemathesis-read", ["read"])
    _t, write = do_create_token(actors.alice, actors.alice, "schemathesis-write", ["read", "write"])
    callers = {"anonymous": {}, "read": {"Authorization": f"Bearer {read}"},
               "write": {"Authorization": f"Bearer {write}"}}
    checks = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures: list[str] = []
    statuses: dict[str, list[int]] = {who: [] for who in callers}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid operation fails the test here
        operations += 1
        path = operation.path.removeprefix("/api/v1")
        for who, headers in callers.items():
            _check(operation, who, headers, HEAVY.get(path, MAX_EXAMPLES), checks, statuses, failures)
    assert operations >= 40
    for who, seen in statuses.items():
        assert len(seen) >= operations * 2, who  # hypothesis really generated and sent requests
    assert sum(200 <= s < 300 for s in statuses["write"]) >= operations // 2  # many were accepted
    assert 401 in statuses["anonymous"] and 403 in statuses["read"]
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:25])


def test_it_answers_a_read_token_on_a_write_with_a_scope_error(actors) -> None:
    from kotacerdas.accounts.actions import do_create_token

    _t, read = do_create_token(actors.citra, actors.citra, "baca", ["read"])
    r = Client(HTTP_AUTHORIZATION=f"Bearer {read}").post(
        "/api/v1/reports", {"region": "16.07", "year": 2024, "format": "xlsx"}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "insufficient_scope" and "write" in r.json()["detail"]
    anonymous = Client().post("/api/v1/reports", {"region": "16.07", "year": 2024}, content_type="application/json")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthenticated"
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(actors.citra)
    r = browser.post("/api/v1/reports", {"region": "16.07", "year": 2024}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"


def test_it_documents_optional_auth_errors_and_enums(spec: dict) -> None:
    paths = spec["paths"]
    results = paths["/api/v1/results"]["get"]
    assert {} in results["security"] and "401" not in results["responses"]
    put = paths["/api/v1/submissions/{submission_id}/answers/{indicator}"]["put"]
    for code in ("401", "403", "404", "409", "422", "428"):
        assert put["responses"][code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorOut"}, code
    schemas = spec["components"]["schemas"]
    assert "OptionalAuth" not in spec["components"]["securitySchemes"]
    assert schemas["SubmissionStatus"]["enum"][0] == "draft" and schemas["RegionClass"]["enum"] == ["A", "B"]
