"""Print a demo login's current sign-in code, for someone trying the demo without a phone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from casemgmt.mfa.services import DEMO_DEVICE_NAME, next_code


class Command(BaseCommand):
    help = (
        "Print the current 6-digit sign-in code of a demo council login "
        "(development only: needs DEBUG, and a user made by seed_demo)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="a demo login, e.g. practitioner")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "demo_code only runs with DEBUG on: it prints sign-in codes, "
                "which a real council's server must never do."
            )
        username = str(options["username"])
        device = (
            TOTPDevice.objects.filter(
                user__username=username, confirmed=True, name=DEMO_DEVICE_NAME
            )
            .order_by("-id")
            .first()
        )
        if device is None:
            raise CommandError(
                f"{username[:150]!r} is not a demo login made by seed_demo "
                "(or has set up their own authenticator app since)."
            )
        self.stdout.write(next_code(device))
