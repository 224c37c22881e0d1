"""``zoneops order-stats-rebuild [--zone CODE]``: recompute the service desk's daily statistics cells from
the orders — after loading orders in bulk, or after correcting orders in the admin (which bypasses the
services that keep the cells)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zoneops.accounts.models import Zone
from zoneops.servicedesk.services import order_stats_rebuild


class Command(BaseCommand):
    help = "Recompute the service desk's statistics cells from the orders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--zone", help="a zone's code (default: every zone)")

    def handle(self, *args: Any, **options: Any) -> None:
        zone_id = None
        if options["zone"]:
            zone = Zone.objects.filter(code=options["zone"]).first()
            if zone is None:
                raise CommandError(f"--zone: no zone {options['zone']}.")
            zone_id = zone.pk
        started = time.perf_counter()
        cells = order_stats_rebuild(zone_id=zone_id)
        self.stdout.write(f"{cells:,} cells written in {time.perf_counter() - started:.1f} s")
