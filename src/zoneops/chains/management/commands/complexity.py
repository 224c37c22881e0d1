"""``zoneops complexity IN.csv --time … --loc … --prod … --val … -o OUT.csv``: economic complexity of a
location × product table (RCA, ECI/PCI, density, COI, COG). See docs/complexity.md."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zoneops.complexity.cli import main


class Command(BaseCommand):
    help = "Economic complexity of a long-format CSV (time, location, product, value): docs/complexity.md."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Every argument belongs to the complexity CLI, which parses and validates them itself.
        parser.add_argument("arguments", nargs="*")
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        code = main(argv[2:])
        if code:
            sys.exit(code)

    def handle(self, *args: Any, **options: Any) -> None:
        code = main(list(options["arguments"]))
        if code:
            raise CommandError(f"complexity exited with {code}")
