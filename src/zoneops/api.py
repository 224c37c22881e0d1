"""The HTTP API (``/api/v1/``): one NinjaAPI assembling each app's router.

Every endpoint accepts ``Authorization: Bearer <token>`` (from ``POST /api/v1/auth/token``) or the
browser session (with its CSRF token for writes). Errors are JSON: ``{"detail": ..., "errors":
[{"field": ..., "message": ...}]}``; invalid input answers 422 and names the field.
"""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import SessionAuth

from zoneops.core.apiauth import BearerTokenAuth
from zoneops.core.errors import InvalidInput, TransitionNotAllowed

api = NinjaAPI(
    title="zoneops API",
    version="1",
    description=(
        "Operations platform of an industrial development zone. Authenticate with "
        "`POST /api/v1/auth/token` and send `Authorization: Bearer <token>`."
    ),
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionAuth()],
)


_CONTAINERS = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_of(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in _CONTAINERS:
        # Body errors carry the parameter name next ("body", "payload", "uscc").
        parts = parts[2:] if parts[0] == "body" and len(parts) > 2 else parts[1:]
    return ".".join(parts) or "__all__"


def _message_of(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"decimal_parsing", "decimal_type", "float_parsing", "float_type"}:
        return _("Enter a number.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Enter a valid date (YYYY-MM-DD).")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind in {"string_too_long"}:
        return _("Enter at most %(max)s characters.") % {"max": ctx.get("max_length", "")}
    if kind in {"string_type"}:
        return _("Enter text.")
    if kind in {"enum", "literal_error"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Enter a value of at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt", ""))}
    if kind in {"json_invalid", "model_attributes_type", "dict_type"}:
        return _("The request body is not valid JSON of the expected shape.")
    return str(error.get("msg", _("Invalid value.")))


def error_response(
    request: HttpRequest, *, status: int, detail: str, errors: list[dict[str, Any]]
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors}, status=status)


@api.exception_handler(ValidationError)
def on_schema_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"field": _field_of(e.get("loc", ())), "message": _message_of(e)} for e in exc.errors]
    return error_response(request, status=422, detail=_("The input is not valid."), errors=errors)


@api.exception_handler(InvalidInput)
def on_invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return error_response(
        request, status=422, detail=_("The input is not valid."), errors=[e.as_dict() for e in exc.errors]
    )


@api.exception_handler(TransitionNotAllowed)
def on_transition_refused(request: HttpRequest, exc: TransitionNotAllowed) -> HttpResponse:
    return error_response(request, status=409, detail=str(exc), errors=[])


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, status=403, detail=str(exc) or _("Your role may not do this."), errors=[])


@api.exception_handler(ObjectDoesNotExist)
def on_object_missing(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return error_response(request, status=404, detail=_("Not found."), errors=[])


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, status=404, detail=_("Not found."), errors=[])


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, status=401, detail=_("Authentication required."), errors=[])


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, status=exc.status_code, detail=str(exc), errors=[])


def _register_routers() -> None:
    from zoneops.accounts.api import router as accounts_router
    from zoneops.chains.api import candidates_router, opportunities_router, peers_router, supply_router
    from zoneops.chains.api import enterprise_router as chain_master_router
    from zoneops.chains.api import router as chains_router
    from zoneops.cockpit.api import router as cockpit_router
    from zoneops.cockpit.api import search_router
    from zoneops.core.api import router as core_router
    from zoneops.enterprises.api import router as enterprises_router
    from zoneops.indicators.api import enterprise_router as enterprise_figures_router
    from zoneops.indicators.api import router as indicators_router
    from zoneops.investment.api import pipeline_router
    from zoneops.investment.api import router as leads_router
    from zoneops.projects.api import router as projects_router
    from zoneops.reports.api import router as reports_router
    from zoneops.servicedesk.api import router as orders_router
    from zoneops.supervision.api import assessment_router
    from zoneops.supervision.api import router as supervision_router

    api.add_router("/", core_router)
    api.add_router("/", accounts_router)
    api.add_router("/enterprises", enterprises_router)
    api.add_router("/enterprises", enterprise_figures_router)
    api.add_router("/indicators", indicators_router)
    api.add_router("/enterprises", chain_master_router)
    api.add_router("/chains", chains_router)
    api.add_router("/opportunities", opportunities_router)
    api.add_router("/candidates", candidates_router)
    api.add_router("/supply-relations", supply_router)
    api.add_router("/peer-datasets", peers_router)
    api.add_router("/projects", projects_router)
    api.add_router("/supervision-items", supervision_router)
    api.add_router("/assessments", assessment_router)
    api.add_router("/orders", orders_router)
    api.add_router("/leads", leads_router)
    api.add_router("/pipeline", pipeline_router)
    api.add_router("/cockpit", cockpit_router)
    api.add_router("/search", search_router)
    api.add_router("/reports", reports_router)


_register_routers()
