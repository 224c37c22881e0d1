"""``zoneops demo``: set up the embedded database, load the demo zone, print the logins, and serve."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from zoneops.core.server import serve
from zoneops.demo import weihai
from zoneops.demo.services import demo_load


class Command(BaseCommand):
    help = "Create (or reuse) the demo zone from the article and serve it on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-serve", action="store_true", help="set up and load, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        # Served like production: hashed, compressed files under var/static (no CDN, works offline).
        call_command("collectstatic", interactive=False, verbosity=0)
        result = demo_load()
        zone = result.zone
        if result.ran:
            self.stdout.write(f"loaded demo steps: {', '.join(result.ran)}")
        else:
            self.stdout.write("demo zone already loaded; reusing it")
        url = f"http://127.0.0.1:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(f"{zone.name} ({zone.name_en}) — data as of {zone.clock_date}")
        self.stdout.write(f"database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write(f"URL: {url}")
        self.stdout.write(f"logins (password {weihai.DEMO_PASSWORD!r}):")
        for username, role, department, enterprise, display in weihai.DEMO_USERS:
            where = department or enterprise or ""
            self.stdout.write(f"  {username:<11} {role:<17} {where:<16} {display}")
        self.stdout.flush()
        if options["no_serve"]:
            return
        serve(bind=f"127.0.0.1:{options['port']}", workers=2, with_worker=True)
