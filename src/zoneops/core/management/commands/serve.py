"""``zoneops serve``: the production server (gunicorn) plus the Huey consumer."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from zoneops.core.server import serve


class Command(BaseCommand):
    help = "Serve zoneops with gunicorn (workers from WEB_CONCURRENCY) and a Huey consumer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("ZONEOPS_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--no-worker", action="store_true", help="do not start a Huey consumer here")
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        serve(bind=options["bind"], workers=options["workers"], with_worker=not options["no_worker"])
