"""``zoneops worker``: a Huey consumer alone (run as many as you like, on any machine)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a Huey consumer for background jobs (same as run_huey)."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("run_huey")
