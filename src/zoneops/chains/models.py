"""Industrial clusters of a zone and the enterprises in them (chains and their nodes build on these)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import TimeStampedModel, ZoneScopedModel


class ClusterTier(models.TextChoices):
    HUNDRED_BILLION = "hundred_billion", _("100-billion-yuan cluster")
    TEN_BILLION = "ten_billion", _("10-billion-yuan cluster")
    EMERGING = "emerging", _("emerging cluster")


class Cluster(ZoneScopedModel):
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    tier = models.CharField(
        _("tier"), max_length=30, choices=ClusterTier.choices, default=ClusterTier.TEN_BILLION
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise",
        through="ClusterMembership",
        related_name="clusters",
        verbose_name=_("enterprises"),
    )

    class Meta:
        verbose_name = _("industrial cluster")
        verbose_name_plural = _("industrial clusters")
        ordering = ["zone", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["zone", "code"], name="cluster_code_unique_in_zone")]

    def __str__(self) -> str:
        return self.name


class ClusterMembership(TimeStampedModel):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="memberships"
    )
    # A chain master anchors the cluster's chains; its local suppliers are its chain enterprises.
    is_chain_master = models.BooleanField(_("chain master"), default=False)

    class Meta:
        verbose_name = _("cluster membership")
        verbose_name_plural = _("cluster memberships")
        constraints = [
            models.UniqueConstraint(fields=["cluster", "enterprise"], name="cluster_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster} · {self.enterprise}"
