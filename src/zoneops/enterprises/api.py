"""API of the enterprise registry."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from zoneops.core.web import request_user
from zoneops.enterprises.models import Enterprise
from zoneops.enterprises.selectors import EnterpriseFilters, enterprise_get, enterprise_list
from zoneops.enterprises.services import enterprise_create, enterprise_update

router = Router(tags=["enterprises"])


class ClusterRef(Schema):
    id: int
    name: str
    name_en: str


class ContactOut(Schema):
    id: int
    name: str
    title: str
    phone: str
    email: str
    is_primary: bool


class EnterpriseOut(Schema):
    id: int
    zone_id: int
    name: str
    name_en: str
    short_name: str
    uscc: str
    industry: str = Field(..., alias="industry_id")
    industry_name: str
    industry_name_en: str
    established_on: dt.date | None
    registered_capital: Decimal | None
    ownership: str
    above_scale: bool
    high_tech: bool
    fortune_global_500: bool
    listed: bool
    park: int | None = Field(None, alias="park_id")
    park_name: str | None
    address: str
    website: str
    is_synthetic: bool
    clusters: list[ClusterRef]

    @staticmethod
    def resolve_industry_name(obj: Enterprise) -> str:
        return obj.industry.name_zh

    @staticmethod
    def resolve_industry_name_en(obj: Enterprise) -> str:
        return obj.industry.name_en

    @staticmethod
    def resolve_park_name(obj: Enterprise) -> str | None:
        return obj.park.name if obj.park else None

    @staticmethod
    def resolve_clusters(obj: Enterprise) -> list[ClusterRef]:
        return [ClusterRef(id=c.pk, name=c.name, name_en=c.name_en) for c in obj.clusters.all()]


class EnterpriseDetailOut(EnterpriseOut):
    description: str
    contacts: list[ContactOut]

    @staticmethod
    def resolve_contacts(obj: Enterprise) -> list[ContactOut]:
        return [ContactOut.from_orm(c) for c in obj.contacts.all()]


class EnterpriseQuery(Schema):
    search: str = Field(
        "", max_length=200, description="matches the Chinese, English or short name, or the USCC"
    )
    industry: str = Field(
        "", max_length=4, description="GB/T 4754-2017 code at any level, e.g. C, 39, 391, 3913"
    )
    above_scale: bool | None = None
    fortune_global_500: bool | None = None
    cluster: int | None = None
    park: int | None = None


class EnterpriseIn(Schema):
    name: str
    uscc: str
    industry: str = Field(..., description="a 4-digit GB/T 4754-2017 class code")
    name_en: str = ""
    short_name: str = ""
    established_on: dt.date | None = None
    registered_capital: Decimal | None = Field(None, description="yuan")
    ownership: str | None = None
    above_scale: bool = False
    high_tech: bool = False
    fortune_global_500: bool = False
    listed: bool = False
    park: int | None = None
    address: str = ""
    website: str = ""
    description: str = ""


class EnterprisePatch(Schema):
    name: str | None = None
    uscc: str | None = None
    industry: str | None = None
    name_en: str | None = None
    short_name: str | None = None
    established_on: dt.date | None = None
    registered_capital: Decimal | None = None
    ownership: str | None = None
    above_scale: bool | None = None
    high_tech: bool | None = None
    fortune_global_500: bool | None = None
    listed: bool | None = None
    park: int | None = None
    address: str | None = None
    website: str | None = None
    description: str | None = None


@router.get("", response=list[EnterpriseOut])
@paginate(PageNumberPagination)
def enterprise_index(request: HttpRequest, query: Query[EnterpriseQuery]) -> list[Enterprise]:
    """Enterprises the caller may see (an enterprise contact sees its own only)."""
    filters = EnterpriseFilters(
        search=query.search,
        industry=query.industry,
        above_scale=query.above_scale,
        fortune_global_500=query.fortune_global_500,
        cluster=query.cluster,
        park=query.park,
    )
    return enterprise_list(user=request_user(request), filters=filters)  # type: ignore[return-value]


@router.get("/{enterprise_id}", response=EnterpriseDetailOut)
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> Enterprise:
    return enterprise_get(user=request_user(request), enterprise_id=enterprise_id)


@router.post("", response={201: EnterpriseDetailOut})
def enterprise_new(request: HttpRequest, payload: EnterpriseIn) -> Status[Enterprise]:
    """Register an enterprise; the USCC is checked (GB 32100-2015 check character) and unique in the zone."""
    user = request_user(request)
    if user.zone is None:
        # Every enterprise belongs to a zone; an installation superuser acts through a zone's account.
        raise PermissionDenied(_("Act from an account of the zone."))
    created = enterprise_create(actor=user, zone=user.zone, values=payload.dict(exclude_unset=True))
    return Status(201, enterprise_get(user=user, enterprise_id=created.pk))


@router.patch("/{enterprise_id}", response=EnterpriseDetailOut)
def enterprise_change(request: HttpRequest, enterprise_id: int, payload: EnterprisePatch) -> Enterprise:
    user = request_user(request)
    enterprise = enterprise_get(user=user, enterprise_id=enterprise_id)
    enterprise_update(actor=user, enterprise=enterprise, values=payload.dict(exclude_unset=True))
    return enterprise_get(user=user, enterprise_id=enterprise_id)
