"""``zoneops generate --enterprises N --seed S``: a deterministic synthetic zone for benchmarks."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zoneops.demo.generator import generate_figures, generate_zone


class Command(BaseCommand):
    help = "Generate a deterministic synthetic zone of any size (for benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enterprises", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--months", type=int, default=0, help="also monthly figures of the 8 indicators, from 2020-01"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enterprises"] < 1:
            raise CommandError("--enterprises must be at least 1")

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done}/{total} enterprises")

        result = generate_zone(enterprises=options["enterprises"], seed=options["seed"], progress=progress)
        self.stdout.write(
            f"zone {result.zone.code} (id {result.zone.pk}): {result.enterprises} enterprises, "
            f"{result.created} created in {result.seconds:.1f} s"
        )
        if options["months"] > 0:
            figures = generate_figures(
                zone=result.zone, seed=options["seed"], months=options["months"], progress=progress
            )
            self.stdout.write(
                f"figures: {figures.values} monthly values, {figures.created} created "
                f"in {figures.seconds:.1f} s"
            )
