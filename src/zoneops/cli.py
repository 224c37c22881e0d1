"""The ``zoneops`` console script: every Django management command, plus zoneops's own
(``demo``, ``serve``, ``worker``, ``generate`` and those later capabilities add)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] == "demo":
        # The demo runs without a SECRET_KEY and serves its static files itself.
        os.environ.setdefault("ZONEOPS_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneops.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
