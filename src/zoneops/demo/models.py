"""Which steps of the demo zone have been loaded, so `zoneops demo` can run again and add only what is new."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoStep(models.Model):
    zone = models.ForeignKey(
        "accounts.Zone", on_delete=models.CASCADE, related_name="+", verbose_name=_("zone")
    )
    name = models.CharField(_("step"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        verbose_name = _("demo step")
        verbose_name_plural = _("demo steps")
        constraints = [models.UniqueConstraint(fields=["zone", "name"], name="demo_step_unique")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
