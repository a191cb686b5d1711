"""django-allauth adapters: accounts are created by administrators, never by open sign-up."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: Any) -> bool:
        return False


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return "kotacerdas"
