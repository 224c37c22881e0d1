"""A management command that hands its arguments to a pure-Python CLI function (``main(argv) -> int``)."""

from __future__ import annotations

import sys
from abc import abstractmethod
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class CliCommand(BaseCommand):
    # The CLI parses and validates its own arguments (zoneops.complexity has no Django in it).
    @abstractmethod
    def run_cli(self, argv: list[str]) -> int:
        """Each command calls its CLI function here."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("arguments", nargs="*")
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        code = self.run_cli(argv[2:])
        if code:
            sys.exit(code)

    def handle(self, *args: Any, **options: Any) -> None:
        code = self.run_cli(list(options["arguments"]))
        if code:
            raise CommandError(f"{type(self).__module__.rsplit('.', 1)[-1]} exited with {code}")
