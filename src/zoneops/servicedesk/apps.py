from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceDeskConfig(AppConfig):
    name = "zoneops.servicedesk"
    label = "servicedesk"
    verbose_name = _("enterprise service desk")

    def ready(self) -> None:
        from zoneops.core.services import calendar_changed

        calendar_changed.connect(_calendar_changed, dispatch_uid="servicedesk.deadlines_recompute")


def _calendar_changed(*, first_year: int, last_year: int, **_kwargs: Any) -> None:
    from zoneops.servicedesk.services import deadlines_recompute

    deadlines_recompute(first_year=first_year, last_year=last_year)
