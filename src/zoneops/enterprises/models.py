"""The enterprise registry: enterprises, their contacts, parks, and the GB/T 4754-2017 classification."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import TimeStampedModel, ZoneScopedModel


class IndustryLevel(models.TextChoices):
    SECTION = "section", _("section")
    DIVISION = "division", _("division")
    GROUP = "group", _("group")
    CLASS = "class", _("class")


class IndustryClass(models.Model):
    """One entry of GB/T 4754-2017 (sections A–T, 2-digit divisions, 3-digit groups, 4-digit classes)."""

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    level = models.CharField(_("level"), max_length=10, choices=IndustryLevel.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=240)

    class Meta:
        verbose_name = _("industry class")
        verbose_name_plural = _("industry classes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def division_code(self) -> str:
        return self.code[:2] if self.level != IndustryLevel.SECTION else ""


class Park(ZoneScopedModel):
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("park")
        verbose_name_plural = _("parks")
        ordering = ["zone", "code"]
        constraints = [models.UniqueConstraint(fields=["zone", "code"], name="park_code_unique_in_zone")]

    def __str__(self) -> str:
        return self.name


class Ownership(models.TextChoices):
    STATE_OWNED = "state_owned", _("state-owned")
    COLLECTIVE = "collective", _("collective")
    PRIVATE = "private", _("private")
    LIMITED_LIABILITY = "limited_liability", _("limited liability company")
    JOINT_STOCK = "joint_stock", _("joint-stock company")
    HK_MACAO_TAIWAN = "hk_macao_taiwan", _("Hong Kong, Macao or Taiwan invested")
    FOREIGN = "foreign", _("foreign invested")
    OTHER = "other", _("other")


class Enterprise(ZoneScopedModel):
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    industry = models.ForeignKey(
        IndustryClass, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("industry class")
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    ownership = models.CharField(
        _("ownership"), max_length=30, choices=Ownership.choices, default=Ownership.PRIVATE
    )
    above_scale = models.BooleanField(_("above designated size"), default=False)
    high_tech = models.BooleanField(_("high-tech enterprise"), default=False)
    fortune_global_500 = models.BooleanField(_("Fortune Global 500"), default=False)
    listed = models.BooleanField(_("listed"), default=False)
    park = models.ForeignKey(
        Park,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
        verbose_name=_("park"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    # Demo and benchmark rows say so, so nobody mistakes them for registry data.
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "uscc"], name="enterprise_uscc_unique_in_zone")
        ]
        indexes = [
            # The registry list orders by name then id: this index serves the page without sorting the zone.
            models.Index(fields=["zone", "name", "id"], name="enterprise_zone_name_idx"),
            models.Index(fields=["zone", "industry"], name="enterprise_zone_industry_idx"),
            models.Index(fields=["zone", "above_scale"], name="enterprise_zone_scale_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class EnterpriseContact(TimeStampedModel):
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("enterprise")
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return self.name
