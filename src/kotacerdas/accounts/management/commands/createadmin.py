from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kotacerdas.accounts.actions import record_event
from kotacerdas.accounts.choices import Role
from kotacerdas.accounts.models import Membership


class Command(BaseCommand):
    help = "Buat admin nasional / Create a national administrator (superuser with the national admin role)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--password", help="kata sandi; atau env KOTACERDAS_ADMIN_PASSWORD")

    @transaction.atomic
    def handle(self, *args: Any, **opts: Any) -> None:
        password = opts["password"] or os.environ.get("KOTACERDAS_ADMIN_PASSWORD")
        if not password:
            raise CommandError("Kata sandi wajib: --password atau KOTACERDAS_ADMIN_PASSWORD")
        User = get_user_model()
        email = opts["email"]
        user, created = User.objects.get_or_create(username=email, defaults={"email": email})
        user.email = email
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        Membership.objects.get_or_create(user=user, role=Role.NATIONAL_ADMIN, region=None, unit=None)
        record_event(None, "accounts.createadmin", user, to_state="national_admin")
        self.stdout.write(("Dibuat" if created else "Diperbarui") + f": {email}")
