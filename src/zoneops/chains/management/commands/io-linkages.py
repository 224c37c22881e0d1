"""``zoneops io-linkages FLOWS.csv …``: input-output linkages (multipliers, Rasmussen–Hirschman indices,
key sectors). See docs/complexity.md."""

from __future__ import annotations

from zoneops.chains.management.cli_command import CliCommand
from zoneops.complexity.cli import io_main


class Command(CliCommand):
    help = "Input-output linkages of an inter-industry flow table: docs/complexity.md."

    def run_cli(self, argv: list[str]) -> int:
        return io_main(argv)
