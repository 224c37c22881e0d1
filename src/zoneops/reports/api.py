"""``/api/v1/reports``: the monthly report pack — what it holds for the caller, the pack (ZIP), its PDF,
each Excel file alone. ``period`` is ``YYYY-MM`` (default: the last complete month); a month that is not
one answers 422 naming ``period``; a caller who may see no part answers 403."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Router, Schema

from zoneops.core.web import request_user
from zoneops.reports import selectors
from zoneops.reports.selectors import PackFile, Part

router = Router(tags=["reports"])


def _attachment(file: PackFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.name)
    return response


class PartOut(Schema):
    key: str
    title: str
    file_name: str


class PackOut(Schema):
    period: str
    file_name: str
    pdf_file_name: str
    parts: list[PartOut]


@router.get("", response=PackOut)
def pack_contents(request: HttpRequest, period: str | None = None) -> PackOut:
    """The parts of the month's pack the caller may see, with their file names."""
    user = request_user(request)
    parts = selectors.parts_of(user=user)
    chosen = selectors.pack_period(user=user, text=period)
    return PackOut(
        period=f"{chosen:%Y-%m}",
        file_name=selectors.pack_file_name(chosen),
        pdf_file_name=selectors.pdf_file_name(chosen),
        parts=[
            PartOut(
                key=part.value,
                title=selectors.part_title(part),
                file_name=selectors.part_file_name(part, chosen),
            )
            for part in parts
        ],
    )


@router.get("/pack", response={200: None})
def pack(request: HttpRequest, period: str | None = None) -> HttpResponse:
    """The pack as a ZIP: each report the caller may see (Excel) and the PDF summary."""
    user = request_user(request)
    selectors.parts_of(user=user)
    return _attachment(selectors.report_pack(user=user, period=selectors.pack_period(user=user, text=period)))


@router.get("/pack.pdf", response={200: None})
def pack_pdf(request: HttpRequest, period: str | None = None) -> HttpResponse:
    """The printable PDF summary alone, in the caller's language."""
    user = request_user(request)
    selectors.parts_of(user=user)
    return _attachment(selectors.pack_pdf(user=user, period=selectors.pack_period(user=user, text=period)))


@router.get("/{part}.xlsx", response={200: None})
def part_workbook(request: HttpRequest, part: str, period: str | None = None) -> HttpResponse:
    """One report of the pack alone: ``scheduling``, ``economic``, ``pipeline`` or ``servicedesk``."""
    user = request_user(request)
    selectors.parts_of(user=user)
    try:
        chosen = Part(part)
    except ValueError as unknown:
        raise Http404 from unknown
    return _attachment(
        selectors.part_file(user=user, period=selectors.pack_period(user=user, text=period), part=chosen)
    )
