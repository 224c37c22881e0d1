from __future__ import annotations

from django.urls import path

from zoneops.chains import views

app_name = "chains"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.chain_import, name="import"),
    path("opportunities/", views.opportunities_page, name="opportunities"),
    path("clusters/<int:cluster_id>/", views.cluster_page, name="cluster"),
    path("masters/<int:enterprise_id>/", views.master_page, name="master"),
    path("<int:chain_id>/", views.chain_page, name="chain"),
    path("<int:chain_id>/export/", views.chain_export, name="export"),
    path("<int:chain_id>/nodes/", views.node_save, name="node-save"),
    path("<int:chain_id>/edges/", views.edge_save, name="edge-save"),
    path("<int:chain_id>/suggest/", views.members_suggest, name="suggest"),
    path("nodes/<int:node_id>/panel/", views.node_panel, name="node-panel"),
    path("nodes/<int:node_id>/delete/", views.node_remove, name="node-delete"),
    path("edges/<int:edge_id>/delete/", views.edge_remove, name="edge-delete"),
    path("memberships/<int:membership_id>/decide/", views.membership_decide, name="membership-decide"),
    path("candidates/<int:company_id>/lead/", views.lead_create, name="lead-start"),
]
