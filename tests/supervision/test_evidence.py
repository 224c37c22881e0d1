"""The department's evidence: files with its response, progress reports before it answers, and who may
read the files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import ROLES
from zoneops.accounts.models import Department, Zone
from zoneops.core.errors import InvalidInput, TransitionNotAllowed
from zoneops.core.models import AuditEvent
from zoneops.supervision.models import ItemStatus, SupervisionEvent, SupervisionEvidence, SupervisionItem
from zoneops.supervision.services import item_act, item_progress, item_raise

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + bytes(range(64))
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(32))
EXE = b"MZ\x90\x00" + bytes(32)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploads go to a directory of the test's own, so a test can see every byte written."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def _stored(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def item(zone: Zone, user_of: Any) -> SupervisionItem:
    return item_raise(
        actor=user_of("supervisor"),
        zone=zone,
        source="leader_instruction",
        subject="协调项目用电增容",
        department=Department.objects.get(zone=zone, code="projects"),
        working_days=10,
    )


def test_a_response_keeps_its_files_on_the_step(item: SupervisionItem, user_of: Any, media: Path) -> None:
    projects = user_of("projects")
    item_act(
        actor=projects,
        item=item,
        action="respond",
        note="已完成增容",
        evidence="供电公司回函",
        files=[("回函.pdf", PDF), ("C:\\现场\\照片.png", PNG)],
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.RESPONDED
    event = SupervisionEvent.objects.get(item=item, action="respond")
    documents = list(event.documents.order_by("pk"))
    assert [(d.name, d.content_type, d.size, d.uploaded_by) for d in documents] == [
        ("回函.pdf", "application/pdf", len(PDF), projects),
        ("照片.png", "image/png", len(PNG), projects),
    ]
    assert [p.read_bytes() for p in _stored(media)] == sorted([PDF, PNG], key=lambda b: b[:1] != b"%")
    audit = AuditEvent.objects.get(action="supervision.respond", object_id=str(item.pk))
    assert audit.after["files"] == [d.file.name for d in documents]


def test_a_bad_file_leaves_the_step_undone(item: SupervisionItem, user_of: Any, media: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        item_act(
            actor=user_of("projects"),
            item=item,
            action="respond",
            note="已完成",
            files=[("回函.pdf", PDF), ("setup.exe", EXE)],
        )
    assert [e.field for e in caught.value.errors] == ["files.1"]
    assert caught.value.errors[0].message.startswith("setup.exe: ")
    item.refresh_from_db()
    assert item.status == ItemStatus.ASSIGNED
    assert list(item.events.values_list("action", flat=True)) == ["raise"]
    assert not SupervisionEvidence.objects.exists()
    assert _stored(media) == []


def test_only_the_department_gives_files(item: SupervisionItem, user_of: Any) -> None:
    item_act(actor=user_of("projects"), item=item, action="respond", note="已完成")
    with pytest.raises(InvalidInput) as caught:
        item_act(actor=user_of("supervisor"), item=item, action="verify", files=[("x.pdf", PDF)])
    assert [e.field for e in caught.value.errors] == ["files"]
    item.refresh_from_db()
    assert item.status == ItemStatus.RESPONDED


def test_progress_is_reported_without_answering(item: SupervisionItem, user_of: Any) -> None:
    projects = user_of("projects")
    event = item_progress(
        actor=projects, item=item, note="已报供电公司，待现场勘察", files=[("勘察.png", PNG)]
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.ASSIGNED
    assert (event.action, event.status_after, event.note) == (
        "progress",
        "assigned",
        "已报供电公司，待现场勘察",
    )
    assert [d.name for d in event.documents.all()] == ["勘察.png"]
    assert AuditEvent.objects.filter(action="supervision.progress", object_id=str(item.pk)).count() == 1
    with pytest.raises(InvalidInput) as caught:
        item_progress(actor=projects, item=item, note="  ")
    assert [e.field for e in caught.value.errors] == ["note"]
    # Once verified or closed, there is nothing more to report.
    item_act(actor=projects, item=item, action="respond", note="已完成")
    item_act(actor=user_of("supervisor"), item=item, action="verify")
    with pytest.raises(TransitionNotAllowed):
        item_progress(actor=projects, item=item, note="补充")
    assert item.events.filter(action="progress").count() == 1


@pytest.mark.parametrize("username", ROLES)
def test_files_through_the_api_for_every_role(
    item: SupervisionItem, api_as: Any, username: str, media: Path
) -> None:
    client = api_as(username)
    response = client.client.post(
        f"/api/v1/supervision-items/{item.pk}/files",
        {"action": "progress", "note": "进展", "files": [SimpleUploadedFile("进展.pdf", PDF)]},
        headers=client.headers,
    )
    # The department and the supervision office (and the zone administrator who holds its rights);
    # enterprises never see items; other departments do not see this one.
    if username in ("projects", "supervisor", "admin"):
        assert response.status_code == 200
        step = response.json()["timeline"][-1]
        assert (step["action"], step["note"]) == ("progress", "进展")
        (document,) = step["documents"]
        assert (document["name"], document["content_type"], document["size"]) == (
            "进展.pdf",
            "application/pdf",
            len(PDF),
        )
        assert document["url"] == f"/supervision/evidence/{document['id']}/"
    else:
        # Leaders read items but do not answer them; everyone else does not see this one.
        assert response.status_code == (403 if username == "leader" else 404)
        assert not SupervisionEvidence.objects.exists()
        assert _stored(media) == []


def test_progress_through_the_json_action(item: SupervisionItem, api_as: Any) -> None:
    response = api_as("projects").post(f"/api/v1/supervision-items/{item.pk}/progress", {"note": "已对接"})
    assert response.status_code == 200
    assert [(s["action"], s["status_after"]) for s in response.json()["timeline"]] == [
        ("raise", "assigned"),
        ("progress", "assigned"),
    ]


@pytest.mark.parametrize("username", ROLES)
def test_who_downloads_an_evidence_file(
    item: SupervisionItem, user_of: Any, page_as: Any, username: str
) -> None:
    item_progress(actor=user_of("projects"), item=item, note="进展", files=[("进展.pdf", PDF)])
    document = SupervisionEvidence.objects.get()
    response = page_as(username).get(f"/supervision/evidence/{document.pk}/")
    if username in ("projects", "supervisor", "admin", "leader"):
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
    else:
        assert response.status_code == 404


def test_the_item_page_takes_files_and_progress(item: SupervisionItem, page_as: Any) -> None:
    client = page_as("projects")
    page = client.get(f"/supervision/{item.pk}/").content.decode()
    assert 'data-testid="progress-form"' in page
    assert 'name="files" type="file" multiple' in page
    client.post(
        f"/supervision/{item.pk}/step/",
        {"action": "progress", "note": "已对接", "files": [SimpleUploadedFile("a.png", PNG)]},
    )
    client.post(
        f"/supervision/{item.pk}/step/",
        {"action": "respond", "note": "已完成", "files": [SimpleUploadedFile("b.pdf", PDF)]},
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.RESPONDED
    assert [(e.action, [d.name for d in e.documents.all()]) for e in item.events.order_by("pk")] == [
        ("raise", []),
        ("progress", ["a.png"]),
        ("respond", ["b.pdf"]),
    ]
    page = client.get(f"/supervision/{item.pk}/").content.decode()
    assert page.count('data-testid="evidence-file"') == 2
    # Another department's staff cannot add to it.
    before = item.events.count()
    assert (
        page_as("stats")
        .post(f"/supervision/{item.pk}/step/", {"action": "progress", "note": "x"})
        .status_code
        == 404
    )
    assert item.events.count() == before
