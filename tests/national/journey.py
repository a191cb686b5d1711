"""Shared by the API and CLI journeys of a whole evaluation cycle: reading the invitation mail and
setting the password and TOTP through allauth's own pages, as an invited person does."""

from __future__ import annotations

import re
import time
from typing import Any

from django.core import mail
from django.test import Client

NEW_PASSWORD = "kata-sandi-baru-yang-panjang-42"
YEAR = 2031
REGIONS = ["16.07", "16.06", "16.10"]


def invitation_link(email: str) -> str:
    msgs = [m for m in mail.outbox if email in m.to and "Undangan" in m.subject]
    assert msgs, f"no invitation mail for {email}"
    found = re.search(r"https?://\S+/akun/password/reset/key/\S+", str(msgs[-1].body))
    assert found, msgs[-1].body
    return found.group(0)


def accept_invitation(email: str, *, totp: bool = False) -> Client:
    """Follow the invitation link, set the password, log in (and activate TOTP when the role needs it)."""
    client = Client()
    link = invitation_link(email)
    path = "/" + link.split("/", 3)[3]
    r = client.get(path, follow=True)
    assert r.status_code == 200
    form_path = r.redirect_chain[-1][0] if r.redirect_chain else path
    r = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert r.status_code in (200, 302), r.content[:500]
    r = client.post("/akun/login/", {"login": email, "password": NEW_PASSWORD})
    assert r.status_code == 302, r.content[:500]
    if totp:
        activate_totp(client, NEW_PASSWORD)
    return client


def totp_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return str(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))


def activate_totp(client: Client, password: str) -> str:
    r = client.get("/akun/2fa/totp/activate/")
    if r.status_code == 302 and "/akun/reauthenticate/" in r["Location"]:  # password again first
        assert client.post(r["Location"], {"password": password}).status_code == 302
        r = client.get("/akun/2fa/totp/activate/")
    assert r.status_code == 200, (r.status_code, r.get("Location"))
    secret = r.context["form"].secret
    r = client.post("/akun/2fa/totp/activate/", {"code": totp_code(secret)})
    assert r.status_code == 302, r.content[:500]
    return str(secret)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content[:800])
    return response.json()
