"""API of the directory: zones and departments (read-only)."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from zoneops.accounts.models import Department, Zone
from zoneops.accounts.selectors import departments_visible, zones_visible
from zoneops.core.web import request_user

router = Router(tags=["directory"])


class ZoneOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    short_name: str
    province: str
    city: str
    clock_date: str | None

    @staticmethod
    def resolve_clock_date(obj: Zone) -> str | None:
        return obj.clock_date.isoformat() if obj.clock_date else None


class DepartmentOut(Schema):
    id: int
    zone_id: int
    code: str
    name: str
    name_en: str
    function: str
    head_id: int | None


@router.get("/zones", response=list[ZoneOut])
@paginate(PageNumberPagination)
def zone_list(request: HttpRequest) -> list[Zone]:
    return zones_visible(user=request_user(request))  # type: ignore[return-value]


@router.get("/zones/{zone_id}", response=ZoneOut)
def zone_detail(request: HttpRequest, zone_id: int) -> Zone:
    return get_object_or_404(zones_visible(user=request_user(request)), pk=zone_id)


@router.get("/departments", response=list[DepartmentOut])
@paginate(PageNumberPagination)
def department_list(request: HttpRequest) -> list[Department]:
    return departments_visible(user=request_user(request))  # type: ignore[return-value]


@router.get("/departments/{department_id}", response=DepartmentOut)
def department_detail(request: HttpRequest, department_id: int) -> Department:
    return get_object_or_404(departments_visible(user=request_user(request)), pk=department_id)
