"""The demo zone's service desk: the six guarantees' catalogue."""

from __future__ import annotations

from zoneops.accounts.models import Zone
from zoneops.servicedesk.catalogue import catalogue_load


def load_catalogue(zone: Zone) -> None:
    catalogue_load(zone=zone)
