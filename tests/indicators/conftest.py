from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pytest
from openpyxl import Workbook


def xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def upload(api_as: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """POST a file to the import endpoint as a user; the job runs at commit (Huey immediate mode)."""

    def send(username: str, content: bytes, name: str = "figures.xlsx", **form: Any) -> Any:
        api = api_as(username)
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {"file": SimpleUploadedFile(name, content), **{k: v for k, v in form.items() if v is not None}}
        with django_capture_on_commit_callbacks(execute=True):
            response = api.client.post("/api/v1/indicators/imports", data, headers=api.headers)
        if response.status_code != 202:
            return response
        return api.get(f"/api/v1/indicators/imports/{response.json()['id']}")

    return send
