"""The submission workflow is one table (evaluations.transitions): the actions refuse what it refuses, the
web shows exactly the buttons it allows, and the API lists and accepts exactly the steps it allows, for
every status × role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kotacerdas.evaluations import transitions as T
from kotacerdas.evaluations.choices import SubmissionStatus as S
from kotacerdas.evaluations.models import Submission

pytestmark = pytest.mark.django_db


def test_the_table_reads_as_the_workflow_is_documented() -> None:
    # Written out by hand (not derived from the table), so a wrong table entry fails here.
    assert T.allowed_in(S.DRAFT) == ["edit_answers", "add_evidence", "submit"]
    assert T.allowed_in(S.RETURNED) == ["edit_answers", "add_evidence", "submit"]
    assert T.allowed_in(S.SUBMITTED) == ["start_assessment", "return", "reopen"]
    assert T.allowed_in(S.RESUBMITTED) == ["start_assessment", "return", "reopen"]
    assert T.allowed_in(S.UNDER_ASSESSMENT) == ["score", "set_consensus", "conclude", "reopen"]
    assert T.allowed_in(S.ASSESSED) == ["set_consensus", "finalise", "reopen"]
    assert T.allowed_in(S.FINAL) == ["publish", "reopen"]
    assert T.allowed_in(S.PUBLISHED) == []
    assert T.step("submit").to(S.DRAFT) == S.SUBMITTED and T.step("submit").to(S.RETURNED) == S.RESUBMITTED
    assert T.step("conclude").to(S.UNDER_ASSESSMENT) == S.ASSESSED


def _set(sub: Submission, status: str) -> Submission:
    Submission.objects.filter(pk=sub.pk).update(status=status)
    sub.refresh_from_db()
    return sub


def _markers(sub: Submission, code: str) -> dict[str, tuple[str, str]]:
    """Action -> (page, the HTML that is there only when the button/form for it is offered)."""
    pk = sub.pk
    return {
        "edit_answers": ("submission", f'hx-post="{reverse("web:save_answer", args=[pk, code])}"'),
        "add_evidence": ("submission", f'action="{reverse("web:evidence_file", args=[pk, code])}"'),
        "submit": ("submission", f'action="{reverse("web:submit", args=[pk])}"'),
        "start_assessment": ("assess", f'action="{reverse("web:start_assessment", args=[pk])}"'),
        "return": ("assess", f'action="{reverse("web:return_submission", args=[pk])}"'),
        "score": ("assess", f'hx-post="{reverse("web:save_score", args=[pk, code])}"'),
        "set_consensus": ("assess", 'id="konsensus-form"'),
        "conclude": ("assess", f'action="{reverse("web:conclude", args=[pk])}"'),
    }


def test_web_buttons_and_api_follow_the_table(world, actors) -> None:  # type: ignore[no-untyped-def]
    sub = world.sub
    code = world.indicators[0]
    people = {"alice": actors.alice, "andi": actors.andi, "ayu": actors.ayu, "citra": actors.citra,
              "oki": actors.oki, "eka": actors.eka, "mira": actors.mira}
    clients = {name: actors.client(user) for name, user in people.items()}
    markers = _markers(sub, code)
    seen: set[tuple[str, str]] = set()
    for status in S:
        sub = _set(sub, status)
        for name, user in people.items():
            c = clients[name]
            expected = T.available(user, sub)
            # API: the submission lists the steps this caller may take now …
            got = c.get(f"/api/v1/submissions/{sub.pk}")
            if name == "mira":
                assert got.status_code == 404 and expected == []
                continue
            assert got.status_code == 200, (status, name, got.content[:200])
            assert got.json()["actions"] == expected, (status, name)
            seen.update((status, a) for a in expected)
            # … web: each button/form is on the page exactly when the table allows it.
            pages = {"submission": c.get(reverse("web:submission", args=[sub.pk]))}
            pages["assess"] = c.get(reverse("web:assess", args=[sub.pk]))
            for action, (page, marker) in markers.items():
                response = pages[page]
                html = response.content.decode() if response.status_code == 200 else ""
                shown = marker in html
                if action == "add_evidence" and name == "oki":
                    # the operator sees the form only for a programme of their unit (the unit rule)
                    assert not shown or action in expected, (status, name, action)
                    continue
                assert shown == (action in expected), (status, name, action)
            # … and the transition routes refuse what the table refuses, without changing anything.
            for action in ("submit", "return", "start_assessment", "conclude", "finalise"):
                before = Submission.objects.values_list("status", "version").get(pk=sub.pk)
                r = c.post(f"/api/v1/submissions/{sub.pk}/{action.replace('_', '-')}", {"reason": "uji", "notes": {code: "catatan"}},
                           content_type="application/json")
                if action in expected:
                    # allowed by status and role: only a condition of the content (pre-submit checks,
                    # notes, completed sheets) may still refuse it
                    assert r.status_code in (200, 422), (status, name, action, r.content[:200])
                    sub = _set(sub, status)
                else:
                    assert r.status_code in (403, 409), (status, name, action, r.status_code)
                    assert Submission.objects.values_list("status", "version").get(pk=sub.pk) == before
    # every step of the table was offered to someone in some status (the walk covered the whole table)
    assert {a for _, a in seen} == set(T.TABLE)
