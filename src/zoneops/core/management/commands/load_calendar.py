"""``zoneops load_calendar``: (re)load China's working-day calendar from the holidays package."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zoneops.core.services import work_calendar_default_years, work_calendar_load


class Command(BaseCommand):
    help = "Load China's official working-day calendar (holidays, make-up workdays) into the WorkCalendar."

    def add_arguments(self, parser: CommandParser) -> None:
        first, last = work_calendar_default_years()
        parser.add_argument("--first-year", type=int, default=first)
        parser.add_argument("--last-year", type=int, default=last)

    def handle(self, *args: Any, **options: Any) -> None:
        years = work_calendar_load(first_year=options["first_year"], last_year=options["last_year"])
        provisional = [y.year for y in years if y.provisional]
        self.stdout.write(
            f"loaded {len(years)} years ({years[0].year}–{years[-1].year}); provisional: "
            f"{', '.join(map(str, provisional)) or 'none'}"
        )
