"""Economic indicators: definitions, monthly values per enterprise, imports, submissions, targets, roll-ups.

Money is stored in yuan as Decimal; a period is the first day of its month. A flow indicator (revenue)
is summed over months; a stock indicator (employees at period end) is read at the period.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import ZoneScopedModel


class IndicatorKind(models.TextChoices):
    FLOW = "flow", _("flow (summed over months)")
    STOCK = "stock", _("stock (end of period)")


class IndicatorUnit(models.TextChoices):
    YUAN = "yuan", _("yuan")
    PERSON = "person", _("persons")


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=10, choices=IndicatorUnit.choices)
    # The unit the template's column is headed with (万元 for money), converted on import.
    template_unit = models.CharField(_("template unit"), max_length=10)
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices)
    # Profit may be a loss; a negative revenue or head count is a typing error.
    allow_negative = models.BooleanField(_("may be negative"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name_zh


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("running")
    REJECTED = "rejected", _("rejected")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("awaiting confirmation of warnings")
    COMPLETED = "completed", _("completed")
    FAILED = "failed", _("failed")


class ImportBatch(ZoneScopedModel):
    """One uploaded file of monthly figures: validated whole, then published whole, or rejected whole."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("file checksum"), max_length=64)
    content = models.BinaryField(_("file content"))
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    cumulative = models.BooleanField(_("year-to-date values"), default=False)
    dry_run = models.BooleanField(_("dry run"), default=False)
    declared_period = models.DateField(_("declared period"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=30, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    periods = models.JSONField(_("periods"), default=list, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("indicator import")
        verbose_name_plural = _("indicator imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned for correction")
    PUBLISHED = "published", _("published")


class MonthlySubmission(ZoneScopedModel):
    """An enterprise's own figures for one month, reviewed and published by statistics staff."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("enterprise"),
    )
    period = models.DateField(_("period"))
    status = models.CharField(
        _("status"), max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    values = models.JSONField(_("values"), default=dict)  # indicator code → value in the indicator's unit
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("monthly submission")
        verbose_name_plural = _("monthly submissions")
        ordering = ["-period", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "period"], name="submission_once_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.period:%Y-%m}"


class IndicatorValue(models.Model):
    """The published value of one indicator for one enterprise and month (flows: that month alone).

    A province has tens of millions of these and an import writes a million at a time, so the table has
    no index that another one already covers: zone and enterprise lead the range index and the unique
    constraint; an index on the indicator alone (eight values) would never be chosen."""

    zone = models.ForeignKey("accounts.Zone", on_delete=models.PROTECT, related_name="+", db_index=False)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="indicator_values", db_index=False
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values", db_index=False)
    period = models.DateField(_("period"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submission = models.ForeignKey(
        MonthlySubmission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "indicator", "period"], name="indicator_value_unique"
            ),
        ]
        indexes = [models.Index(fields=["zone", "indicator", "period"], name="indicator_value_zone_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.indicator_id} {self.period:%Y-%m} = {self.value}"


class IndicatorValueRevision(models.Model):
    """A value as it was before a correction replaced it (the history of IndicatorValue)."""

    zone = models.ForeignKey("accounts.Zone", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("period"))
    revision = models.PositiveIntegerField(_("revision"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submission = models.ForeignKey(
        MonthlySubmission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_at = models.DateTimeField(_("replaced at"))
    replaced_by_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_by_submission = models.ForeignKey(
        MonthlySubmission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("indicator value revision")
        verbose_name_plural = _("indicator value revisions")
        ordering = ["enterprise_id", "indicator_id", "period", "revision"]
        indexes = [models.Index(fields=["enterprise", "indicator", "period"], name="indicator_revision_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.indicator_id} {self.period:%Y-%m} r{self.revision}"


class ClusterTarget(ZoneScopedModel):
    cluster = models.ForeignKey("chains.Cluster", on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=20, decimal_places=2)

    class Meta:
        verbose_name = _("cluster target")
        verbose_name_plural = _("cluster targets")
        ordering = ["year", "cluster_id", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "indicator", "year"], name="cluster_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster} {self.year} {self.indicator_id}"


class EnterprisePeriodTotal(models.Model):
    """Per enterprise, indicator and month: the month, year-to-date, and the same for a year earlier.

    Derived from IndicatorValue when values are published; rankings and roll-ups read this table, so
    they never sum months at request time.
    """

    zone = models.ForeignKey("accounts.Zone", on_delete=models.CASCADE, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    month_value = models.DecimalField(max_digits=20, decimal_places=2, null=True)
    ytd = models.DecimalField(max_digits=22, decimal_places=2)
    # The same months a year earlier; null when the enterprise reported nothing for that month then.
    ytd_previous = models.DecimalField(max_digits=22, decimal_places=2, null=True)
    # Percent growth of the YTD on ytd_previous (null without a positive base); stored and indexed so
    # rankings over a province are an index range scan, not a computation per request: the index is in
    # the ranking's order (growth descending, then enterprise) and holds the enterprise, so a page reads
    # its rows in order and a count needs no table rows.
    growth = models.DecimalField(max_digits=24, decimal_places=6, null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "indicator", "period"], name="enterprise_total_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["zone", "indicator", "period"], name="enterprise_total_zone_idx"),
            models.Index(
                fields=["zone", "indicator", "period", "-growth", "enterprise"],
                name="enterprise_total_rank_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.indicator_id} {self.period:%Y-%m}"


class RollupDimension(models.TextChoices):
    ZONE = "zone", _("zone")
    CLUSTER = "cluster", _("cluster")
    PARK = "park", _("park")
    DIVISION = "division", _("industry division")
    OWNERSHIP = "ownership", _("ownership")
    SCALE = "scale", _("above or below designated size")


class Rollup(models.Model):
    """Totals of a group of enterprises for one indicator and month, refreshed on publish."""

    zone = models.ForeignKey("accounts.Zone", on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20, choices=RollupDimension.choices)
    member = models.CharField(max_length=60)  # cluster id, park id, division code, ownership, "true"/"false"
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    month_value = models.DecimalField(max_digits=22, decimal_places=2)
    ytd = models.DecimalField(max_digits=22, decimal_places=2)
    # Comparable enterprises (同口径): those with a value for this month in both years.
    comparable_ytd = models.DecimalField(max_digits=22, decimal_places=2)
    comparable_ytd_previous = models.DecimalField(max_digits=22, decimal_places=2)
    enterprises = models.PositiveIntegerField()
    comparable_enterprises = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "dimension", "member", "indicator", "period"], name="rollup_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}:{self.member} {self.indicator_id} {self.period:%Y-%m}"
