"""django-allauth adapters: accounts are created by administrators, never by open sign-up."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import get_ip
from allauth.mfa.adapter import DefaultMFAAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: Any) -> bool:
        return False

    def _get_login_attempts_cache_key(self, request: Any, **credentials: Any) -> str:
        # The "key" rates of ACCOUNT_RATE_LIMITS["login_failed"] count failures per account *and* client
        # address: wrong passwords sent by a stranger never lock the account for its owner elsewhere.
        # (Also used to clear the count after a password reset, from the address that reset it.)
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{get_ip(request)}"


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return "kotacerdas"
