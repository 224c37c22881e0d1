"""Reads of clusters (chains and gap analysis come with the chain-investment capability)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from zoneops.accounts.models import User
from zoneops.chains.models import Cluster, ClusterMembership
from zoneops.core.access import Perm, has_perm, zone_scope


def cluster_list(*, user: User) -> QuerySet[Cluster]:
    """The zone's clusters with their enterprise counts and chain masters (staff roles only)."""
    if not has_perm(user, Perm.DIRECTORY_VIEW):
        return Cluster.objects.none()
    masters = ClusterMembership.objects.filter(is_chain_master=True).select_related("enterprise")
    return (
        Cluster.objects.filter(zone_scope(user))
        .annotate(
            enterprise_count=Count("memberships", distinct=True),
            above_scale_count=Count(
                "memberships", filter=Q(memberships__enterprise__above_scale=True), distinct=True
            ),
        )
        .prefetch_related(Prefetch("memberships", queryset=masters, to_attr="master_memberships"))
        .order_by("sort_order", "code")
    )
