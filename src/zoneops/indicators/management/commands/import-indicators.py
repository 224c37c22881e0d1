"""``zoneops import-indicators FILE [--dry-run]``: the import job, run in the foreground from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation

from zoneops.accounts.models import User
from zoneops.core.errors import InvalidInput
from zoneops.indicators.models import ImportStatus
from zoneops.indicators.parsing import parse_period
from zoneops.indicators.services import import_run, import_start


class Command(BaseCommand):
    help = "Import monthly enterprise figures from an Excel or CSV file (all-or-nothing, like the upload)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="the statistician the import is recorded under")
        parser.add_argument("--period", help="the file's period, YYYY-MM")
        parser.add_argument("--ytd", action="store_true", help="values are year-to-date (1-本月累计)")
        parser.add_argument("--dry-run", action="store_true", help="validate only; publish nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        user = User.objects.filter(username=options["user"], is_active=True).select_related("zone").first()
        if user is None or user.zone is None:
            raise CommandError(f"{options['user']}: no active user of a zone with this name")
        period = None
        if options["period"]:
            period = parse_period(options["period"])
            if period is None:
                raise CommandError("--period: write it as YYYY-MM")
        # Messages in the user's language, else the installation's (not whatever the shell's locale is).
        with translation.override(user.language or settings.LANGUAGE_CODE):
            self._import(user=user, path=path, period=period, options=options)

    def _import(self, *, user: User, path: Path, period: Any, options: dict[str, Any]) -> None:
        assert user.zone is not None  # checked by handle()
        try:
            with transaction.atomic():
                batch = import_start(
                    actor=user,
                    zone=user.zone,
                    file_name=path.name,
                    content=path.read_bytes(),
                    cumulative=True if options["ytd"] else None,
                    declared_period=period,
                    dry_run=options["dry_run"],
                    enqueue=False,
                )
        except InvalidInput as invalid:
            raise CommandError("; ".join(f"{e.field}: {e.message}" for e in invalid.errors)) from invalid
        batch = import_run(batch_id=batch.pk, detect_cumulative=not options["ytd"])
        self.stdout.write(
            f"import {batch.pk}: {batch.status}, {batch.rows} rows, periods {', '.join(batch.periods)}"
        )
        for problem in batch.errors:
            self.stdout.write(f"  error row {problem['row']} [{problem['column']}]: {problem['message']}")
        for problem in batch.warnings:
            self.stdout.write(f"  warning row {problem['row']} [{problem['column']}]: {problem['message']}")
        counts = batch.counts
        self.stdout.write(
            f"created {counts.get('created', 0)}, updated {counts.get('updated', 0)}, "
            f"unchanged {counts.get('unchanged', 0)}{' (dry run)' if batch.dry_run else ''}"
        )
        if batch.status == ImportStatus.REJECTED:
            raise CommandError("the file was rejected; nothing was written")
