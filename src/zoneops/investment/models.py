"""The investment pipeline: leads worked from a chain gap towards a signed project.

A lead starts here from a chain gap's candidate ("start a lead" on the chain map); its later stages are
worked in the pipeline.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import ZoneScopedModel


class LeadStage(models.TextChoices):
    LEAD = "lead", _("lead")
    CONTACTED = "contacted", _("contacted")
    SITE_VISIT = "site_visit", _("site visit")
    NEGOTIATING = "negotiating", _("negotiating")
    SIGNED = "signed", _("signed")
    REGISTERED = "registered", _("registered")
    CONSTRUCTION = "construction", _("construction started")
    OPERATING = "operating", _("in operation")
    LOST = "lost", _("lost")
    ON_HOLD = "on_hold", _("on hold")


class LeadSource(models.TextChoices):
    CHAIN_MASTER = "chain_master", _("chain-master referral")
    EXHIBITION = "exhibition", _("exhibition")
    AGENCY = "agency", _("agency")
    RESEARCH = "research", _("own research")
    OWN_APPROACH = "own_approach", _("enterprise's own approach")


class Lead(ZoneScopedModel):
    company_name = models.CharField(_("company"), max_length=200)
    candidate = models.ForeignKey(
        "chains.OutsideCompany",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("candidate"),
    )
    nodes = models.ManyToManyField(
        "chains.ChainNode", blank=True, related_name="leads", verbose_name=_("chain nodes")
    )
    source = models.CharField(_("source"), max_length=20, choices=LeadSource.choices)
    referred_by = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_leads",
        verbose_name=_("referred by chain master"),
    )
    stage = models.CharField(_("stage"), max_length=20, choices=LeadStage.choices, default=LeadStage.LEAD)
    officer = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("responsible officer"),
    )
    intended_investment = models.DecimalField(
        _("intended investment (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    next_action = models.CharField(_("next action"), max_length=300, blank=True)
    next_action_on = models.DateField(_("next action on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["zone", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.company_name
