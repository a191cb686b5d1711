from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = ("Tampilkan kode TOTP saat ini untuk akun DEMO (*.test) / Print the current TOTP code of a demo "
            "account, for trying the two-factor login without an authenticator app.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **opts: Any) -> None:
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import (
            format_hotp_value,
            hotp_value,
            yield_hotp_counters_from_time,
        )
        from allauth.mfa.utils import decrypt

        email = opts["email"]
        if not email.endswith(".test"):
            raise CommandError("Hanya untuk akun demo (*.test) / demo accounts only")
        auth = Authenticator.objects.filter(user__username=email, type=Authenticator.Type.TOTP).first()
        if auth is None:
            raise CommandError(f"{email} belum punya TOTP")
        secret = decrypt(auth.data["secret"])
        counters = list(yield_hotp_counters_from_time())
        counter = counters[len(counters) // 2]
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
