from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core import mail
from django.core.cache import caches
from django.test import Client

from tests.base import PASSWORD, TEST_TOTP_SECRET, _user

pytestmark = pytest.mark.django_db
SECRET = TEST_TOTP_SECRET


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with no login counters and no used TOTP codes: allauth keeps both in the cache,
    which a test's rolled-back transaction does not undo, and the test actors are made anew with the same
    ids on SQLite, so a code one test used would be refused to the next within the same 30-second step."""
    caches["default"].clear()


def _code(secret: str = SECRET) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def _login(client: Client, email: str, password: str = PASSWORD):
    return client.post("/akun/login/", {"login": email, "password": password})


def test_it_logs_a_coordinator_in_by_email_without_a_second_factor(actors) -> None:
    c = Client()
    r = _login(c, "citra@test.id")
    assert r.status_code == 302
    assert c.get("/").wsgi_request.user.username == "citra@test.id"


def test_it_sends_an_assessor_without_totp_to_the_setup_page(actors) -> None:
    _user("baru@test.id", "assessor")
    c = Client()
    assert _login(c, "baru@test.id").status_code == 302
    r = c.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/akun/2fa/totp/activate")
    api = c.get("/api/v1/submissions")
    assert api.status_code == 403 and api.json()["code"] == "mfa_required"


def test_it_asks_an_assessor_with_totp_for_the_code(actors) -> None:
    c = Client()
    r = _login(c, "ayu@test.id")
    assert r.status_code == 302 and "/akun/2fa/authenticate" in r["Location"]
    assert not c.get("/").wsgi_request.user.is_authenticated
    assert c.post("/akun/2fa/authenticate/", {"code": "000000" if _code() != "000000" else "111111"}
                  ).status_code == 200  # wrong code: form again
    assert not c.get("/").wsgi_request.user.is_authenticated
    r = c.post("/akun/2fa/authenticate/", {"code": _code()})
    assert r.status_code == 302
    assert c.get("/").status_code == 200


def test_it_lets_an_admin_activate_totp_and_get_recovery_codes(actors) -> None:
    new_admin = _user("admin2@test.id", "national_admin")
    c = Client()
    _login(c, "admin2@test.id")
    page = c.get("/akun/2fa/totp/activate/")
    assert page.status_code == 302 and "/akun/reauthenticate/" in page["Location"]  # password again first
    assert c.post(page["Location"], {"password": PASSWORD}).status_code == 302
    page = c.get("/akun/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    r = c.post("/akun/2fa/totp/activate/", {"code": _code(secret)})
    assert r.status_code == 302
    assert Authenticator.objects.filter(user=new_admin, type="totp").exists()
    assert Authenticator.objects.filter(user=new_admin, type="recovery_codes").exists()
    assert c.get("/").status_code == 200


def test_it_throttles_repeated_failed_logins(actors) -> None:
    c = Client()
    for _ in range(5):
        assert _login(c, "citra@test.id", "salah-sandi-123").status_code == 200  # the form again
    r = _login(c, "citra@test.id")  # now even the right password is refused for a while
    assert r.status_code in (200, 429)
    assert not c.get("/").wsgi_request.user.is_authenticated
    other = Client()
    assert _login(other, "oki@test.id").status_code == 302  # other accounts are not locked out


def _fails_then_logs_in(client: Client, email: str) -> bool:
    """A right password from `client`: True when it is let through to the next stage."""
    return _login(client, email).status_code == 302


def test_it_does_not_let_a_stranger_lock_an_account_out(actors) -> None:
    stranger = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(12):
        assert _login(stranger, "ayu@test.id", "salah-sandi-123").status_code in (200, 429)
    assert not _fails_then_logs_in(stranger, "ayu@test.id")  # the stranger's own address is throttled
    owner = Client(REMOTE_ADDR="198.51.100.20")
    r = _login(owner, "ayu@test.id")
    assert r.status_code == 302 and "/akun/2fa/authenticate" in r["Location"]
    assert owner.post("/akun/2fa/authenticate/", {"code": _code()}).status_code == 302
    assert owner.get("/").wsgi_request.user.username == "ayu@test.id"


def test_it_makes_the_wait_grow_with_the_failures(actors, monkeypatch) -> None:
    import time

    real, offset = time.time, [0.0]
    monkeypatch.setattr(time, "time", lambda: real() + offset[0])
    c = Client(REMOTE_ADDR="203.0.113.8")

    def fail(n: int) -> None:
        for _ in range(n):
            assert _login(c, "citra@test.id", "salah-sandi-123").status_code in (200, 429)

    fail(5)
    assert not _fails_then_logs_in(c, "citra@test.id")
    offset[0] += 6 * 60  # 5 failures: a five-minute wait
    fail(5)
    offset[0] += 6 * 60  # 10 failures within the hour: five minutes are no longer enough
    assert not _fails_then_logs_in(c, "citra@test.id")
    offset[0] += 3600
    assert _fails_then_logs_in(Client(REMOTE_ADDR="203.0.113.8"), "citra@test.id")


def test_it_keeps_a_ceiling_per_address_across_accounts(actors) -> None:
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(30):
        _login(sprayer, f"orang{i}@test.id", "salah-sandi-123")
    assert not _fails_then_logs_in(sprayer, "citra@test.id")  # this address is spent, whatever account
    assert _fails_then_logs_in(Client(REMOTE_ADDR="198.51.100.21"), "citra@test.id")


def test_it_refuses_open_sign_up() -> None:
    r = Client().post("/akun/signup/", {"email": "x@y.id", "password1": "abcdefghijk1!", "password2":
                                        "abcdefghijk1!"})
    assert r.status_code == 200 and b"x@y.id" not in r.content
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="x@y.id").exists()


def test_it_sends_a_password_reset_email(actors) -> None:
    r = Client().post("/akun/password/reset/", {"email": "citra@test.id"})
    assert r.status_code == 302
    assert len(mail.outbox) == 1 and "citra@test.id" in mail.outbox[0].to


def test_it_expires_sessions(settings) -> None:
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.ACCOUNT_SESSION_REMEMBER is False


def test_it_gives_demo_admins_and_assessors_a_totp() -> None:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(memberships__role__in=["national_admin", "assessor"],
                                            username__endswith=".test").distinct()
    assert users.count() == 5
    assert all(Authenticator.objects.filter(user=u, type="totp").exists() for u in users)


def test_it_does_not_invite_sign_up_on_the_login_page_and_styles_its_button() -> None:
    html = Client().get("/akun/login/").content.decode()
    assert "/akun/signup/" not in html and "daftar</a>" not in html
    assert '<button class="button"' in html
