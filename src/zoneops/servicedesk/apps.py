from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceDeskConfig(AppConfig):
    name = "zoneops.servicedesk"
    label = "servicedesk"
    verbose_name = _("enterprise service desk")
