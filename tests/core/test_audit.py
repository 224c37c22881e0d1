from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError

from zoneops.accounts.models import Zone
from zoneops.core.clock import SHANGHAI
from zoneops.core.models import AuditEvent
from zoneops.core.services import audit_record, model_snapshot, snapshot_changes

pytestmark = pytest.mark.django_db


def test_audit_record_writes_who_what_before_after(zone: Zone, user_of: object) -> None:
    actor = user_of("admin")  # type: ignore[operator]
    event = audit_record(
        actor=actor, action="zone.touch", instance=zone, before={"a": 1}, after={"a": 2}, note="n"
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_label, stored.action, stored.object_type, stored.object_id) == (
        "admin",
        "zone.touch",
        "accounts.zone",
        str(zone.pk),
    )
    assert (stored.before, stored.after, stored.note, stored.zone_id) == ({"a": 1}, {"a": 2}, "n", zone.pk)
    # Stored moments come back in UTC; the zone's day is the one in Shanghai.
    assert stored.at.astimezone(SHANGHAI).date().isoformat() == "2022-05-08"


def test_audit_record_outside_a_transaction_is_refused(zone: Zone) -> None:
    # The test runs inside an atomic block; leave it to see the guard.
    with connection.cursor():
        pass
    original = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError, match="inside the service's transaction"):
            audit_record(actor=None, action="x", instance=zone)
    finally:
        connection.in_atomic_block = original


def test_audit_events_cannot_be_changed_or_deleted(zone: Zone) -> None:
    event = audit_record(actor=None, action="zone.touch", instance=zone)
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()
    # The database refuses too, whatever the ORM does.
    rows = AuditEvent.objects.filter(pk=event.pk)
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        rows.update(action="rewritten")
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        rows.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "zone.touch"


def test_snapshot_is_json_safe_and_changes_keep_only_differences(zone: Zone) -> None:
    snap = model_snapshot(zone, fields=["name", "clock_date"])
    assert snap == {"name": "威海火炬高技术产业开发区", "clock_date": "2022-05-08"}
    before, after = snapshot_changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4})
    assert (before, after) == ({"b": 2, "c": None}, {"b": 3, "c": 4})
