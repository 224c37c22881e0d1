"""The investment pipeline: leads worked from a chain gap to a signed project in operation.

A lead starts from a chain gap's candidate ("start a lead" on the chain map) or is typed in; it moves
through ``STAGE_ORDER`` (or is lost, or put on hold), becomes a key project when signed, and its new
enterprise enters the registry and the chain nodes it fills when registered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import UploadedDocument, ZoneScopedModel


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


# The forward path; lost and on hold are side states.
STAGE_ORDER: tuple[str, ...] = (
    LeadStage.LEAD,
    LeadStage.CONTACTED,
    LeadStage.SITE_VISIT,
    LeadStage.NEGOTIATING,
    LeadStage.SIGNED,
    LeadStage.REGISTERED,
    LeadStage.CONSTRUCTION,
    LeadStage.OPERATING,
)
PRE_SIGNING: tuple[str, ...] = STAGE_ORDER[:4]
OPEN_STAGES: tuple[str, ...] = (*PRE_SIGNING, LeadStage.ON_HOLD)


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
    team = models.CharField(_("team"), max_length=60, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_leads",
        verbose_name=_("leader in charge"),
    )
    # The chain the lead's nodes belong to (kept for the board's and the funnel's filters).
    chain = models.ForeignKey(
        "chains.Chain",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("chain"),
    )
    intended_investment = models.DecimalField(
        _("intended investment (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    intended_output = models.DecimalField(
        _("intended annual output (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    next_action = models.CharField(_("next action"), max_length=300, blank=True)
    next_action_on = models.DateField(_("next action on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    stage_entered_on = models.DateField(_("in this stage since"), null=True, blank=True)
    # The furthest stage of STAGE_ORDER ever reached (its index): the funnel counts from it.
    furthest = models.PositiveSmallIntegerField(_("furthest stage reached"), default=0)
    held_stage = models.CharField(_("stage before the hold"), max_length=20, blank=True)
    closed_reason = models.CharField(_("reason lost or on hold"), max_length=500, blank=True)
    signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    signed_amount = models.DecimalField(
        _("agreed investment (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    key_project = models.OneToOneField(
        "projects.KeyProject",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead",
        verbose_name=_("key project"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("registered enterprise"),
    )
    construction_on = models.DateField(_("construction started on"), null=True, blank=True)
    operating_on = models.DateField(_("in operation since"), null=True, blank=True)
    # Another open lead for the same company worked by another officer (flagged, not refused).
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("same company as"),
    )

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["zone", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["zone", "stage"], name="lead_stage_idx"),
            models.Index(fields=["zone", "opened_on"], name="lead_opened_idx"),
        ]

    def __str__(self) -> str:
        return self.company_name


class LeadEvent(models.Model):
    """One line of a lead's timeline: created, moved (from → to, with the reason), changed, reminded."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events", verbose_name=_("lead"))
    at = models.DateTimeField(_("at"))
    on = models.DateField(_("on"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=20)
    stage_from = models.CharField(_("from stage"), max_length=20, blank=True)
    stage_to = models.CharField(_("to stage"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("lead step")
        verbose_name_plural = _("lead steps")
        ordering = ["lead", "at", "id"]
        indexes = [models.Index(fields=["stage_to", "on"], name="lead_event_stage_idx")]

    def __str__(self) -> str:
        return f"{self.lead} {self.action}"


class LeadContact(models.Model):
    """A person at the target company (commercially sensitive: only pipeline staff see leads)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("lead"))
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("lead contact")
        verbose_name_plural = _("lead contacts")
        ordering = ["lead", "id"]

    def __str__(self) -> str:
        return self.name


class LeadDocument(UploadedDocument):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="documents", verbose_name=_("lead"))
    file = models.FileField(_("file"), upload_to="leads/%Y/%m/")

    class Meta:
        verbose_name = _("lead document")
        verbose_name_plural = _("lead documents")
        ordering = ["lead", "uploaded_at", "id"]


class PipelineSettings(ZoneScopedModel):
    """A zone's pipeline rules: how long a lead may sit in each stage before it is flagged, and the
    signed-investment target of each year."""

    # {"lead": 30, "contacted": 45, …} in days
    stage_limits = models.JSONField(_("days allowed per stage"), default=dict, blank=True)
    # {"2022": "20000000000.00", …} in yuan
    year_targets = models.JSONField(_("signed investment target per year (yuan)"), default=dict, blank=True)

    class Meta:
        verbose_name = _("pipeline settings")
        verbose_name_plural = _("pipeline settings")
        constraints = [models.UniqueConstraint(fields=["zone"], name="pipeline_settings_one_per_zone")]

    def __str__(self) -> str:
        return str(self.zone)
