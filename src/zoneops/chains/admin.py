from __future__ import annotations

from django.contrib import admin

from zoneops.chains.models import Cluster, ClusterMembership


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
