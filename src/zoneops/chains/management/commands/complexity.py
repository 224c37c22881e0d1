"""``zoneops complexity IN.csv --time … --loc … --prod … --val … -o OUT.csv``: economic complexity of a
location × product table (RCA, ECI/PCI, density, COI, COG). See docs/complexity.md."""

from __future__ import annotations

from zoneops.chains.management.cli_command import CliCommand
from zoneops.complexity.cli import main


class Command(CliCommand):
    help = "Economic complexity of a long-format CSV (time, location, product, value): docs/complexity.md."

    def run_cli(self, argv: list[str]) -> int:
        return main(argv)
