"""What an uploaded file really is, from its first bytes: the name and the browser's claim are not
trusted. Project photos and service-order attachments both ask here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.translation import gettext as _

from zoneops.core.errors import FieldError, InvalidInput


@dataclass(frozen=True, slots=True)
class FileKind:
    mime: str
    extension: str
    image: bool


JPEG = FileKind("image/jpeg", "jpg", True)
PNG = FileKind("image/png", "png", True)
WEBP = FileKind("image/webp", "webp", True)
PDF = FileKind("application/pdf", "pdf", False)
# Word, Excel and other OOXML files are ZIP containers; legacy .doc/.xls are OLE2 compound files.
OOXML = FileKind("application/zip", "zip", False)
OLE2 = FileKind("application/x-ole-storage", "ole", False)

_SIGNATURES = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"%PDF-", PDF),
    (b"PK\x03\x04", OOXML),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE2),
)


def file_kind(content: bytes) -> FileKind | None:
    """The kind of a file this platform accepts, or None for anything else (executables, scripts …)."""
    for signature, kind in _SIGNATURES:
        if content.startswith(signature):
            return kind
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return WEBP
    return None


DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


def document_check(*, name: str, content: bytes) -> tuple[str, FileKind | None, list[FieldError]]:
    """A document upload (PDF, image, Office file) checked the one way every capability checks it: its
    cleaned file name, its kind (None when refused) and the problems, each on the field ``file``."""
    errors: list[FieldError] = []
    kind = file_kind(content)
    if kind is None:
        errors.append(
            FieldError("file", _("Attach a PDF, an image (JPEG, PNG, WebP) or an Office document."))
        )
    if len(content) > DOCUMENT_MAX_BYTES:
        errors.append(FieldError("file", _("The file is larger than 20 MB.")))
    # Only the last part of a path a browser may send (C:\\…\\x.pdf), never empty.
    clean_name = Path(name.replace("\\", "/")).name.strip()[:200] or "file"
    return clean_name, kind, errors


def uploads_read(files: Iterable[UploadedFile[Any]], *, field: str = "files") -> list[tuple[str, bytes]]:
    """The uploaded files' names and bytes, refusing an oversized one by its announced size before its
    bytes are read into memory (``document_check`` then checks what the bytes are)."""
    read: list[tuple[str, bytes]] = []
    for index, upload in enumerate(files):
        if upload.size is not None and upload.size > DOCUMENT_MAX_BYTES:
            raise InvalidInput.single(
                f"{field}.{index}", f"{upload.name or ''}: {_('The file is larger than 20 MB.')}"
            )
        read.append((upload.name or "", upload.read()))
    return read


class StoredDocument(Protocol):
    """An ``UploadedDocument`` subclass: its file field, and what its bytes were found to be."""

    name: str
    content_type: str

    @property
    def file(self) -> FieldFile: ...


def document_response(document: StoredDocument) -> FileResponse:
    """The stored file as a download under its uploaded name and checked type (served by a view that has
    checked who may read it: stored files are never under a public media URL)."""
    return FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.name,
    )
