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


class Segment(models.TextChoices):
    UPSTREAM = "upstream", _("upstream")
    MIDSTREAM = "midstream", _("midstream")
    DOWNSTREAM = "downstream", _("downstream")


class Chain(ZoneScopedModel):
    """A directed graph of chain nodes inside a cluster, anchored by its chain masters."""

    cluster = models.ForeignKey(
        Cluster, on_delete=models.PROTECT, related_name="chains", verbose_name=_("cluster")
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    masters = models.ManyToManyField(
        "enterprises.Enterprise", blank=True, related_name="chains_led", verbose_name=_("chain masters")
    )
    # The zone's thresholds below which a covered node still counts as weak.
    weak_min_enterprises = models.PositiveSmallIntegerField(
        _("minimum local enterprises for a strong node"), default=2
    )
    weak_min_revenue = models.DecimalField(
        _("minimum local revenue for a strong node (yuan)"),
        max_digits=18,
        decimal_places=2,
        default=500_000_000,
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("industrial chain")
        verbose_name_plural = _("industrial chains")
        ordering = ["zone", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["zone", "code"], name="chain_code_unique_in_zone")]

    def __str__(self) -> str:
        return self.name


class ChainNode(TimeStampedModel):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("chain"))
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices)
    industries = models.ManyToManyField(
        "enterprises.IndustryClass",
        blank=True,
        related_name="chain_nodes",
        verbose_name=_("GB/T 4754-2017 classes"),
    )
    # Chinese product words matched against enterprise names and descriptions when suggesting members.
    keywords = models.JSONField(_("product keywords"), default=list, blank=True)
    # The staff's weight of the link (1 minor … 5 critical), blended with the chain master's procurement.
    importance = models.PositiveSmallIntegerField(_("importance (1–5)"), default=3)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise",
        through="NodeMembership",
        related_name="chain_nodes",
        verbose_name=_("enterprises"),
    )

    class Meta:
        verbose_name = _("chain node")
        verbose_name_plural = _("chain nodes")
        ordering = ["chain", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "code"], name="chain_node_code_unique_in_chain"),
            models.CheckConstraint(
                condition=models.Q(importance__gte=1, importance__lte=5), name="chain_node_importance_1_5"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChainEdge(TimeStampedModel):
    """``source`` supplies ``target`` (upstream → downstream)."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="edges", verbose_name=_("chain"))
    source = models.ForeignKey(
        ChainNode, on_delete=models.CASCADE, related_name="outgoing", verbose_name=_("supplier node")
    )
    target = models.ForeignKey(
        ChainNode, on_delete=models.CASCADE, related_name="incoming", verbose_name=_("customer node")
    )

    class Meta:
        verbose_name = _("chain edge")
        verbose_name_plural = _("chain edges")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="chain_edge_unique"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="chain_edge_not_a_loop"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class MembershipStatus(models.TextChoices):
    SUGGESTED = "suggested", _("suggested")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")


class NodeMembership(TimeStampedModel):
    """An enterprise on a chain node: suggested by the matcher, then confirmed or rejected by staff."""

    node = models.ForeignKey(
        ChainNode, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("chain node")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="node_memberships",
        verbose_name=_("enterprise"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=MembershipStatus.choices, default=MembershipStatus.SUGGESTED
    )
    score = models.FloatField(_("match score"), default=0)
    reason = models.CharField(_("why suggested"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("node membership")
        verbose_name_plural = _("node memberships")
        constraints = [
            models.UniqueConstraint(fields=["node", "enterprise"], name="node_membership_unique"),
        ]
        indexes = [models.Index(fields=["node", "status"], name="node_membership_status_idx")]

    def __str__(self) -> str:
        return f"{self.node} · {self.enterprise}"


class CompanySize(models.TextChoices):
    LARGE = "large", _("large")
    MEDIUM = "medium", _("medium")
    SMALL = "small", _("small")


class OutsideCompany(ZoneScopedModel):
    """A company outside the zone that could be attracted (the candidate registry)."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    industry = models.ForeignKey(
        "enterprises.IndustryClass",
        on_delete=models.PROTECT,
        related_name="outside_companies",
        verbose_name=_("industry class"),
    )
    node = models.ForeignKey(
        ChainNode,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidates",
        verbose_name=_("chain node"),
    )
    size = models.CharField(_("size"), max_length=10, choices=CompanySize.choices, default=CompanySize.MEDIUM)
    revenue = models.DecimalField(
        _("annual revenue (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    province = models.CharField(_("province"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    listed = models.BooleanField(_("listed"), default=False)
    # Chain masters that already buy from the company: the strongest lead (以商招商).
    supplies_masters = models.ManyToManyField(
        "enterprises.Enterprise",
        blank=True,
        related_name="outside_suppliers",
        verbose_name=_("supplies chain masters"),
    )
    notes = models.TextField(_("notes"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        verbose_name = _("outside company")
        verbose_name_plural = _("outside companies")
        ordering = ["zone", "name", "id"]
        indexes = [models.Index(fields=["zone", "industry"], name="outside_company_industry_idx")]

    def __str__(self) -> str:
        return self.name


class SupplyRelation(ZoneScopedModel):
    """One year of purchases of ``customer`` (a local enterprise) from a local or an outside supplier."""

    customer = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="purchases",
        verbose_name=_("customer"),
    )
    supplier = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales",
        verbose_name=_("local supplier"),
    )
    outside_supplier = models.ForeignKey(
        OutsideCompany,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales",
        verbose_name=_("outside supplier"),
    )
    node = models.ForeignKey(
        ChainNode,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supply_relations",
        verbose_name=_("chain node"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("supply relation")
        verbose_name_plural = _("supply relations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(supplier__isnull=False, outside_supplier__isnull=True)
                    | models.Q(supplier__isnull=True, outside_supplier__isnull=False)
                ),
                name="supply_relation_one_supplier",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="supply_relation_amount_positive"),
            models.UniqueConstraint(
                fields=["customer", "supplier", "year"],
                condition=models.Q(supplier__isnull=False),
                name="supply_relation_local_unique",
            ),
            models.UniqueConstraint(
                fields=["customer", "outside_supplier", "year"],
                condition=models.Q(outside_supplier__isnull=False),
                name="supply_relation_outside_unique",
            ),
        ]
        indexes = [models.Index(fields=["customer", "year"], name="supply_relation_customer_idx")]

    def __str__(self) -> str:
        return f"{self.supplier or self.outside_supplier} → {self.customer} ({self.year})"


class PeerDataset(ZoneScopedModel):
    """A location × industry-class matrix the zone loads to compare itself with its peers, e.g. the 178
    national high-tech zones' revenue by GB/T class; ``home_location`` is the zone's own row."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    measure = models.CharField(_("measure"), max_length=60, default="revenue")
    home_location = models.CharField(_("the zone's own location"), max_length=120)
    is_default = models.BooleanField(_("used for opportunities"), default=False)

    class Meta:
        verbose_name = _("peer dataset")
        verbose_name_plural = _("peer datasets")
        ordering = ["zone", "-is_default", "name"]

    def __str__(self) -> str:
        return self.name


class PeerValue(models.Model):
    dataset = models.ForeignKey(
        PeerDataset, on_delete=models.CASCADE, related_name="values", verbose_name=_("dataset")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    location = models.CharField(_("location"), max_length=120)
    industry = models.ForeignKey(
        "enterprises.IndustryClass", on_delete=models.PROTECT, related_name="+", verbose_name=_("industry")
    )
    value = models.FloatField(_("value"))

    class Meta:
        verbose_name = _("peer value")
        verbose_name_plural = _("peer values")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "year", "location", "industry"], name="peer_value_unique"
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="peer_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.location} {self.industry_id}"
