"""Background jobs of the statistics side."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from zoneops.indicators.services import import_run


@db_task(retries=0)
def run_import(batch_id: int, detect_cumulative: bool) -> str:
    return str(import_run(batch_id=batch_id, detect_cumulative=detect_cumulative).status)
