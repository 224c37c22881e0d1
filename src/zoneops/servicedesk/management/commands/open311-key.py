"""``zoneops open311-key ENTERPRISE_ID [--label L]``: issue an Open311 API key for an enterprise (or an
integration filing for it). The key is printed once; only its hash is kept. ``--revoke PREFIX`` revokes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zoneops.core.services import audit_record
from zoneops.enterprises.models import Enterprise
from zoneops.servicedesk.models import Open311Key
from zoneops.servicedesk.services import open311_key_issue


class Command(BaseCommand):
    help = "Issue (or revoke) an Open311 GeoReport v2 API key for an enterprise."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("enterprise_id", type=int, help="the enterprise's id (see /enterprises/)")
        parser.add_argument("--label", default="", help="what the key is for, e.g. the integration's name")
        parser.add_argument("--revoke", metavar="PREFIX", help="revoke the enterprise's key with this prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        enterprise = Enterprise.objects.filter(pk=options["enterprise_id"]).select_related("zone").first()
        if enterprise is None:
            raise CommandError(f"enterprise_id: no enterprise with id {options['enterprise_id']}.")
        if options["revoke"]:
            key = Open311Key.objects.filter(
                enterprise=enterprise, prefix=options["revoke"], revoked_at__isnull=True
            ).first()
            if key is None:
                raise CommandError(f"--revoke: no live key {options['revoke']}… for this enterprise.")
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at", "updated_at"])
            audit_record(actor=None, action="open311.key_revoke", instance=key, after={"prefix": key.prefix})
            self.stdout.write(f"revoked {key.prefix}…")
            return
        key, raw = open311_key_issue(actor=None, enterprise=enterprise, label=options["label"])
        self.stdout.write(raw)
        self.stderr.write(
            f"Open311 key {key.prefix}… for {enterprise.name} (zone {enterprise.zone.code}); "
            "shown once, keep it safe."
        )
