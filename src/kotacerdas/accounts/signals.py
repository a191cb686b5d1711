"""Setting a password from the link mailed to an address (an invitation or a password reset) proves the
person reads that mailbox: the address is marked verified, so an invited admin or assessor can go on to
set up TOTP (allauth refuses two-factor set-up while an address is unverified)."""

from __future__ import annotations

from typing import Any


def mark_email_verified(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    from allauth.account.models import EmailAddress

    if user is None or not user.email:
        return
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=user.email, verified=True,
                                    primary=not EmailAddress.objects.filter(user=user, primary=True).exists())
    elif not address.verified:
        EmailAddress.objects.filter(pk=address.pk).update(verified=True)


def connect() -> None:
    from allauth.account.signals import password_reset

    password_reset.connect(mark_email_verified, dispatch_uid="kotacerdas-mark-email-verified")
