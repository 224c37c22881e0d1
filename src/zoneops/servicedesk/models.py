"""The enterprise service desk ("一切按单"): the six guarantees' catalogue and service orders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import UploadedDocument, ZoneScopedModel


class Guarantee(models.TextChoices):
    LAND = "land", _("land")
    POLICY = "policy", _("policy")
    INNOVATION = "innovation", _("innovation")
    CAPITAL = "capital", _("capital")
    HUMAN_RESOURCES = "human_resources", _("human resources")
    LAW = "law", _("law")


class ServiceType(ZoneScopedModel):
    """A sub-type of one of the six guarantees, with its department, fields and deadlines."""

    guarantee = models.CharField(_("guarantee"), max_length=20, choices=Guarantee.choices)
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="service_types",
        verbose_name=_("department"),
    )
    accept_days = models.PositiveSmallIntegerField(_("acceptance (working days)"), default=1)
    reply_days = models.PositiveSmallIntegerField(_("first reply (working days)"), default=3)
    resolve_days = models.PositiveSmallIntegerField(_("resolution (working days)"), default=10)
    # [{"name": "area_mu", "label": "用地面积（亩）", "type": "number", "required": true}, …]
    fields = models.JSONField(_("extra fields"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["zone", "guarantee", "code"]
        constraints = [models.UniqueConstraint(fields=["zone", "code"], name="service_type_code_unique")]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    REFUSED = "refused", _("refused")
    DISPATCHED = "dispatched", _("dispatched")
    IN_PROGRESS = "in_progress", _("in progress")
    WAITING = "waiting", _("waiting for the enterprise")
    RETURNED = "returned", _("returned by the department")
    ANSWERED = "answered", _("answered")
    CONFIRMED = "confirmed", _("confirmed")
    CLOSED = "closed", _("closed")
    MERGED = "merged", _("merged as duplicate")


_S = OrderStatus
# Orders not yet answered (the queues); of these, the ones whose resolution deadline is running (waiting
# for the enterprise pauses it; a submitted order has none yet).
OPEN_STATES = frozenset({_S.SUBMITTED, _S.ACCEPTED, _S.DISPATCHED, _S.IN_PROGRESS, _S.WAITING, _S.RETURNED})
RUNNING_STATES = frozenset({_S.ACCEPTED, _S.DISPATCHED, _S.IN_PROGRESS, _S.RETURNED})
# Orders nobody works on any more: a problem with none but these may be filed again.
FINISHED_STATES = frozenset({_S.CLOSED, _S.REFUSED, _S.MERGED})
# A rating this low or lower calls for a follow-up by the general office.
BAD_RATING = 2


class ServiceOrder(ZoneScopedModel):
    number = models.CharField(_("number"), max_length=30)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="service_orders",
        verbose_name=_("enterprise"),
    )
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="orders", verbose_name=_("service type")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    extra = models.JSONField(_("extra fields"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.SUBMITTED
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_orders",
        verbose_name=_("department"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_orders",
        verbose_name=_("handler"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="filed_orders",
        verbose_name=_("filed by"),
    )
    submitted_on = models.DateField(_("submitted on"))
    accept_due = models.DateField(_("acceptance due"))
    reply_due = models.DateField(_("first reply due"), null=True, blank=True)
    resolve_due = models.DateField(_("resolution due"), null=True, blank=True)
    deadline_provisional = models.BooleanField(_("deadline provisional"), default=False)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    # The department's first step that reaches the enterprise (asking it for something, or the answer):
    # what the first-reply deadline asks for.
    replied_on = models.DateField(_("first replied on"), null=True, blank=True)
    # A reopened order's resolution deadline runs again from the reopening, with the pauses since then
    # (``paused_days`` keeps counting all of them: the working days to the answer leave them all out).
    reopened_on = models.DateField(_("reopened on"), null=True, blank=True)
    paused_before_reopen = models.PositiveIntegerField(
        _("paused before the reopening (working days)"), default=0, db_default=0
    )
    waiting_since = models.DateField(_("waiting since"), null=True, blank=True)
    # Working days the clock stood still while the enterprise was asked for something, and working days
    # granted by approved extensions: both move the resolution deadline (see ``services.deadlines_set``).
    paused_days = models.PositiveIntegerField(_("paused (working days)"), default=0)
    extension_days = models.PositiveIntegerField(_("extension granted (working days)"), default=0)
    extension_requested_days = models.PositiveSmallIntegerField(
        _("extension requested (working days)"), null=True, blank=True
    )
    extension_reason = models.CharField(_("extension reason"), max_length=500, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # Working days from filing to the answer, less the paused days; written once at the answer so that
    # statistics over hundreds of thousands of orders are a plain average.
    resolve_working_days = models.PositiveIntegerField(_("working days to the answer"), null=True, blank=True)
    answered_on_time = models.BooleanField(_("answered on time"), null=True, blank=True)
    # The rating of the latest answer (a reopened order may be rated again); every rating given is kept
    # in ``OrderRating``.
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    # 0 none; 1 handler reminded; 2 department head told; 3 supervision item raised.
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    amber_sent = models.BooleanField(_("deadline warning sent"), default=False)
    # The reminders of the acceptance and first-reply deadlines, once each (per deadline). Rows written
    # without them (bulk loads) read as not yet reminded.
    accept_reminded = models.BooleanField(_("acceptance reminder sent"), default=False, db_default=False)
    reply_reminded = models.BooleanField(_("first-reply reminder sent"), default=False, db_default=False)
    # Open311 clients get this token with their POST; ``/open311/v2/tokens/{token}`` resolves it.
    open311_token = models.CharField(_("Open311 token"), max_length=32, blank=True, db_index=True)
    supervision_item = models.ForeignKey(
        "supervision.SupervisionItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("supervision item"),
    )
    problem = models.ForeignKey(
        "projects.Problem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_orders",
        verbose_name=_("project problem"),
    )

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        ordering = ["zone", "-submitted_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "number"], name="service_order_number_unique"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="service_order_rating_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["zone", "status", "resolve_due"], name="service_order_status_idx"),
            models.Index(fields=["department", "status"], name="service_order_department_idx"),
            models.Index(fields=["enterprise", "status"], name="service_order_enterprise_idx"),
            models.Index(fields=["zone", "submitted_on"], name="service_order_submitted_idx"),
            # The assessment counts each department's orders due in a quarter and those answered on time;
            # on PostgreSQL the included columns let it read the index alone (SQLite ignores them).
            models.Index(
                fields=["zone", "resolve_due"],
                include=["id", "department", "status", "answered_on_time"],
                name="service_order_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class OrderEvent(models.Model):
    order = models.ForeignKey(
        ServiceOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("order")
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
    action = models.CharField(_("action"), max_length=20)
    status_after = models.CharField(_("status after"), max_length=12, choices=OrderStatus.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("order step")
        verbose_name_plural = _("order steps")
        ordering = ["order", "at", "id"]

    def __str__(self) -> str:
        return f"{self.order.number} {self.action}"


class OrderRating(models.Model):
    """One rating the enterprise gave an answer: kept when the order is reopened, so the statistics count
    every rating and a bad one stays on record with its follow-up by the general office."""

    order = models.ForeignKey(
        ServiceOrder, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("order")
    )
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"))
    # None: rated through the link sent with the answer, without a login.
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("rated by"),
    )
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("followed up by"),
    )

    class Meta:
        verbose_name = _("order rating")
        verbose_name_plural = _("order ratings")
        ordering = ["order", "rated_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="order_rating_1_5")
        ]
        indexes = [
            # The dispatcher's board lists the bad ratings not yet followed up: few rows among many.
            models.Index(
                fields=["rated_at"],
                condition=models.Q(rating__lte=BAD_RATING, followed_up_at__isnull=True),
                name="order_rating_follow_up_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.rating}"


class OrderAttachment(UploadedDocument):
    """A file the enterprise or a handler attached to an order (type checked by its bytes, size capped)."""

    order = models.ForeignKey(
        ServiceOrder, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("order")
    )
    file = models.FileField(_("file"), upload_to="orders/%Y/%m/")

    class Meta:
        verbose_name = _("order attachment")
        verbose_name_plural = _("order attachments")
        ordering = ["order", "uploaded_at", "id"]


class Open311Key(ZoneScopedModel):
    """An Open311 API key, issued to an enterprise or an integration filing for it. Only its SHA-256 is
    kept; the key itself is shown once when issued."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="open311_keys",
        verbose_name=_("enterprise"),
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    prefix = models.CharField(_("key prefix"), max_length=8)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")
        ordering = ["zone", "enterprise", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.enterprise}"


class OrderDayStat(models.Model):
    """The orders filed on one day for one sub-type and department, summed: statistics over hundreds of
    thousands of orders read these few cells. Kept by the service desk's services at every step that
    changes an order's contribution; ``order_stats_rebuild`` recomputes them from the orders."""

    zone = models.ForeignKey(
        "accounts.Zone", on_delete=models.CASCADE, related_name="+", verbose_name=_("zone")
    )
    day = models.DateField(_("filed on"))
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.CASCADE, related_name="+", verbose_name=_("service type")
    )
    # The order's department (its sub-type's until dispatched elsewhere).
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="+", verbose_name=_("department")
    )
    filed = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    days_total = models.BigIntegerField(default=0)
    days_counted = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    rating_total = models.IntegerField(default=0)
    r1 = models.IntegerField(default=0)
    r2 = models.IntegerField(default=0)
    r3 = models.IntegerField(default=0)
    r4 = models.IntegerField(default=0)
    r5 = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily order statistics")
        verbose_name_plural = _("daily order statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "day", "service_type", "department"], name="order_day_stat_unique"
            )
        ]
        indexes = [models.Index(fields=["zone", "day"], name="order_day_stat_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.service_type_id} {self.department_id}"
