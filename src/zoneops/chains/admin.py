from __future__ import annotations

from django.contrib import admin

from zoneops.chains.models import (
    Chain,
    ChainEdge,
    ChainNode,
    Cluster,
    ClusterMembership,
    NodeMembership,
    OutsideCompany,
    PeerDataset,
    PeerValue,
    SupplyRelation,
)


class MembershipInline(admin.TabularInline[ClusterMembership, Cluster]):
    model = ClusterMembership
    extra = 0
    raw_id_fields = ["enterprise"]


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin[Cluster]):
    list_display = ["name", "code", "tier", "zone", "sort_order"]
    list_filter = ["zone", "tier"]
    inlines = [MembershipInline]


@admin.register(ClusterMembership)
class ClusterMembershipAdmin(admin.ModelAdmin[ClusterMembership]):
    list_display = ["cluster", "enterprise", "is_chain_master"]
    list_filter = ["cluster__zone", "cluster", "is_chain_master"]
    raw_id_fields = ["enterprise"]


class NodeInline(admin.TabularInline[ChainNode, Chain]):
    model = ChainNode
    extra = 0
    fields = ["code", "name", "segment", "importance", "sort_order"]


@admin.register(Chain)
class ChainAdmin(admin.ModelAdmin[Chain]):
    list_display = ["name", "code", "cluster", "zone", "weak_min_enterprises", "weak_min_revenue"]
    list_filter = ["zone", "cluster"]
    filter_horizontal = ["masters"]
    inlines = [NodeInline]


@admin.register(ChainNode)
class ChainNodeAdmin(admin.ModelAdmin[ChainNode]):
    list_display = ["name", "code", "chain", "segment", "importance"]
    list_filter = ["chain__zone", "chain", "segment"]
    filter_horizontal = ["industries"]


@admin.register(ChainEdge)
class ChainEdgeAdmin(admin.ModelAdmin[ChainEdge]):
    list_display = ["chain", "source", "target"]
    list_filter = ["chain"]


@admin.register(NodeMembership)
class NodeMembershipAdmin(admin.ModelAdmin[NodeMembership]):
    list_display = ["node", "enterprise", "status", "score", "decided_by", "decided_at"]
    list_filter = ["status", "node__chain"]
    raw_id_fields = ["enterprise", "decided_by"]


@admin.register(OutsideCompany)
class OutsideCompanyAdmin(admin.ModelAdmin[OutsideCompany]):
    list_display = ["name", "industry", "node", "size", "revenue", "city", "is_synthetic"]
    list_filter = ["zone", "size", "is_synthetic"]
    search_fields = ["name", "name_en"]
    raw_id_fields = ["node"]
    filter_horizontal = ["supplies_masters"]


@admin.register(SupplyRelation)
class SupplyRelationAdmin(admin.ModelAdmin[SupplyRelation]):
    list_display = ["customer", "supplier", "outside_supplier", "node", "year", "amount"]
    list_filter = ["zone", "year"]
    raw_id_fields = ["customer", "supplier", "outside_supplier", "node"]


@admin.register(PeerDataset)
class PeerDatasetAdmin(admin.ModelAdmin[PeerDataset]):
    list_display = ["name", "measure", "home_location", "is_default", "zone"]


@admin.register(PeerValue)
class PeerValueAdmin(admin.ModelAdmin[PeerValue]):
    list_display = ["dataset", "year", "location", "industry", "value"]
    list_filter = ["dataset", "year"]
    raw_id_fields = ["industry"]
