"""Leads in Django's admin: readable, never written there — every change goes through the pipeline's
audited services."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.investment.conftest import PrinterGap, typed_lead
from zoneops.core.models import AuditEvent
from zoneops.investment.models import Lead

pytestmark = pytest.mark.django_db


def test_every_lead_field_is_read_only_in_the_admin(page_as: Any, gap: PrinterGap) -> None:
    lead = typed_lead(
        gap.invest, gap.zone, "后台只读有限公司", node_ids=[gap.print_head.pk], notes="谈判要点"
    )
    client = page_as("admin")
    url = f"/admin/investment/lead/{lead.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "后台只读有限公司" in html
    assert "谈判要点" in html
    # No field of the lead is an input, a select or a text area, and there is no save button.
    form = re.search(r'<form[^>]*id="lead_form"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None
    fields = set(re.findall(r'<(?:input|select|textarea)[^>]*name="([^"]+)"', form.group(1)))
    assert fields <= {"csrfmiddlewaretoken"}
    before = (
        Lead.objects.filter(pk=lead.pk).values().get(),
        list(lead.nodes.all()),
        AuditEvent.objects.count(),
    )
    changed = client.post(url, {"company_name": "后台改名", "stage": "signed", "notes": "", "nodes": []})
    assert changed.status_code == 403
    after = (
        Lead.objects.filter(pk=lead.pk).values().get(),
        list(lead.nodes.all()),
        AuditEvent.objects.count(),
    )
    assert after == before
    # Nor are leads added or deleted there.
    assert client.get("/admin/investment/lead/add/").status_code == 403
    assert client.post(f"/admin/investment/lead/{lead.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Lead.objects.filter(pk=lead.pk).exists()
    assert client.get("/admin/investment/lead/").status_code == 200
