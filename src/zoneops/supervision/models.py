"""Supervision items (督办事项) followed to verified closure, and department assessment (考核)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import UploadedDocument, ZoneScopedModel


class ItemSource(models.TextChoices):
    PROJECT_PROBLEM = "project_problem", _("project problem")
    SERVICE_ORDER = "service_order", _("late service order")
    LEADER_INSTRUCTION = "leader_instruction", _("leader's instruction")
    ASSESSMENT_FINDING = "assessment_finding", _("assessment finding")


class ItemStatus(models.TextChoices):
    ASSIGNED = "assigned", _("assigned")
    RESPONDED = "responded", _("responded")
    VERIFIED = "verified", _("verified")
    RETURNED = "returned", _("sent back")
    CLOSED = "closed", _("closed")


class SupervisionItem(ZoneScopedModel):
    number = models.CharField(_("number"), max_length=30)
    source = models.CharField(_("source"), max_length=24, choices=ItemSource.choices)
    subject = models.CharField(_("subject"), max_length=300)
    instructions = models.TextField(_("instructions"), blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="supervision_items",
        verbose_name=_("department assigned"),
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_items",
        verbose_name=_("leader in charge"),
    )
    project = models.ForeignKey(
        "projects.KeyProject",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_items",
        verbose_name=_("project"),
    )
    problem = models.OneToOneField(
        "projects.Problem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_item",
        verbose_name=_("problem"),
    )
    opened_on = models.DateField(_("opened on"))
    working_days = models.PositiveSmallIntegerField(_("deadline (working days)"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.ASSIGNED
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    # Asked for by the department, approved or refused by the supervision office.
    extension_requested_to = models.DateField(_("extension requested to"), null=True, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision items")
        ordering = ["zone", "-opened_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["zone", "number"], name="supervision_number_unique")]
        indexes = [
            models.Index(fields=["zone", "status", "deadline"], name="supervision_status_idx"),
            models.Index(fields=["department", "deadline"], name="supervision_department_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def closed_on_time(self) -> bool | None:
        if self.closed_on is None:
            return None
        return self.closed_on <= self.deadline


class ItemAction(models.TextChoices):
    """The steps an item's timeline records."""

    RAISE = "raise", _("raised")
    RESPOND = "respond", _("responded")
    PROGRESS = "progress", _("progress reported")
    VERIFY = "verify", _("verified")
    CLOSE = "close", _("closed")
    RETURN = "return", _("sent back")
    REQUEST_EXTENSION = "request_extension", _("more time asked")
    APPROVE_EXTENSION = "approve_extension", _("more time granted")
    REFUSE_EXTENSION = "refuse_extension", _("more time refused")
    REMIND = "remind", _("reminded")
    ESCALATE = "escalate", _("escalated to the leader")


class SupervisionEvent(models.Model):
    """One step on an item's timeline (the audit log holds the same step with before/after)."""

    item = models.ForeignKey(
        SupervisionItem, on_delete=models.CASCADE, related_name="events", verbose_name=_("item")
    )
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=30, choices=ItemAction.choices)
    status_after = models.CharField(_("status after"), max_length=12, choices=ItemStatus.choices)
    note = models.TextField(_("note"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    deadline_after = models.DateField(_("deadline after"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision step")
        verbose_name_plural = _("supervision steps")
        ordering = ["item", "at", "id"]

    def __str__(self) -> str:
        return f"{self.item.number} {self.action}"


class SupervisionEvidence(UploadedDocument):
    """A file the department gives with its response or a progress report (a photo of the site, a signed
    reply, minutes): checked by its bytes and kept with the step it came with."""

    item = models.ForeignKey(
        SupervisionItem, on_delete=models.CASCADE, related_name="documents", verbose_name=_("item")
    )
    event = models.ForeignKey(
        SupervisionEvent, on_delete=models.CASCADE, related_name="documents", verbose_name=_("step")
    )
    file = models.FileField(_("file"), upload_to="supervision/%Y/%m/")

    class Meta:
        verbose_name = _("supervision evidence")
        verbose_name_plural = _("supervision evidence")
        ordering = ["item", "uploaded_at", "id"]


class AssessmentAdjustment(ZoneScopedModel):
    """A bonus or penalty the supervision office enters for a department and period, with its reason."""

    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="assessment_adjustments",
        verbose_name=_("department"),
    )
    period = models.CharField(_("period"), max_length=7)  # 2022Q1 or 2022
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        verbose_name = _("assessment adjustment")
        verbose_name_plural = _("assessment adjustments")
        ordering = ["zone", "period", "department"]

    def __str__(self) -> str:
        return f"{self.period} {self.department} {self.points}"


class AssessmentScheme(ZoneScopedModel):
    """The measures' weights (points out of 100) the zone assesses its departments by: the standing scheme
    (no period) or the one frozen for a period, so a closed period keeps the weights it was assessed under
    when the standing scheme changes."""

    name = models.CharField(_("name"), max_length=200)
    weights = models.JSONField(_("weights"))
    is_default = models.BooleanField(_("in use"), default=True)
    period = models.CharField(_("period"), max_length=7, blank=True, default="")  # "", 2022Q1 or 2022

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["zone", "-is_default", "period", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "period"],
                condition=~models.Q(period=""),
                name="assessment_scheme_one_per_period",
            )
        ]

    def __str__(self) -> str:
        return self.name
