"""Writes of the enterprise registry. Every change is validated whole, then written with its audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zoneops.accounts.models import User, Zone
from zoneops.core import clock
from zoneops.core.access import Perm, require_perm
from zoneops.core.errors import FieldError, InvalidInput
from zoneops.core.services import audit_record, model_snapshot, snapshot_changes
from zoneops.enterprises import uscc as uscc_rules
from zoneops.enterprises.models import (
    Enterprise,
    EnterpriseContact,
    IndustryClass,
    IndustryLevel,
    Ownership,
    Park,
)

# Fields a caller may set; relations arrive as the industry code and the park id.
EDITABLE_FIELDS = (
    "name",
    "name_en",
    "short_name",
    "uscc",
    "industry",
    "established_on",
    "registered_capital",
    "ownership",
    "above_scale",
    "high_tech",
    "fortune_global_500",
    "listed",
    "park",
    "address",
    "website",
    "description",
)
_TEXT_LIMITS = {"name": 200, "name_en": 200, "short_name": 60, "address": 300, "website": 200}
_REQUIRED = ("name", "uscc", "industry")


def _clean(*, zone: Zone, values: Mapping[str, Any], instance: Enterprise | None) -> dict[str, Any]:
    """Validate every given field and return model-ready values; InvalidInput lists every problem."""
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    errors.extend(FieldError(name, _("Unknown field.")) for name in unknown)

    for name in _REQUIRED:
        if instance is None and (values.get(name) in (None, "")):
            errors.append(FieldError(name, _("This field is required.")))
        elif instance is not None and name in values and values[name] in (None, ""):
            errors.append(FieldError(name, _("This field may not be empty.")))

    for name, limit in _TEXT_LIMITS.items():
        if name in values and values[name] is not None:
            text = str(values[name]).strip()
            if len(text) > limit:
                errors.append(FieldError(name, _("Enter at most %(max)d characters.") % {"max": limit}))
            cleaned[name] = text
    for name in ("description",):
        if name in values and values[name] is not None:
            cleaned[name] = str(values[name]).strip()

    if values.get("uscc"):
        try:
            code = uscc_rules.validate(str(values["uscc"]))
        except InvalidInput as invalid:
            errors.extend(invalid.errors)
        else:
            clash = Enterprise.objects.filter(zone=zone, uscc=code)
            if instance is not None:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                errors.append(FieldError("uscc", _("Another enterprise of this zone has this code.")))
            cleaned["uscc"] = code

    if values.get("industry"):
        industry = IndustryClass.objects.filter(pk=str(values["industry"]).strip()).first()
        if industry is None:
            errors.append(FieldError("industry", _("No such GB/T 4754-2017 class.")))
        elif industry.level != IndustryLevel.CLASS:
            errors.append(
                FieldError("industry", _("Choose a 4-digit class, not a section, division or group."))
            )
        else:
            cleaned["industry"] = industry

    if "park" in values:
        if values["park"] in (None, ""):
            cleaned["park"] = None
        else:
            park = Park.objects.filter(zone=zone, pk=values["park"]).first()
            if park is None:
                errors.append(FieldError("park", _("No such park in this zone.")))
            else:
                cleaned["park"] = park

    if "established_on" in values:
        established = values["established_on"]
        if established in (None, ""):
            cleaned["established_on"] = None
        elif not isinstance(established, dt.date):
            try:
                established = dt.date.fromisoformat(str(established))
            except ValueError:
                errors.append(FieldError("established_on", _("Enter a valid date (YYYY-MM-DD).")))
                established = None
        if isinstance(established, dt.date):
            if established > clock.today(zone=zone):
                errors.append(FieldError("established_on", _("The date is in the future.")))
            else:
                cleaned["established_on"] = established

    if "registered_capital" in values:
        capital = values["registered_capital"]
        if capital in (None, ""):
            cleaned["registered_capital"] = None
        else:
            try:
                amount = Decimal(str(capital))
            except InvalidOperation:
                errors.append(FieldError("registered_capital", _("Enter an amount in yuan.")))
            else:
                if not amount.is_finite() or amount < 0:
                    errors.append(FieldError("registered_capital", _("The amount must not be negative.")))
                elif amount >= Decimal("1e16"):
                    errors.append(FieldError("registered_capital", _("The amount is too large.")))
                else:
                    cleaned["registered_capital"] = amount.quantize(Decimal("0.01"))

    if "ownership" in values and values["ownership"] is not None:
        if values["ownership"] not in Ownership.values:
            errors.append(FieldError("ownership", _("Unknown ownership type.")))
        else:
            cleaned["ownership"] = values["ownership"]

    for flag in ("above_scale", "high_tech", "fortune_global_500", "listed"):
        if flag in values and values[flag] is not None:
            if not isinstance(values[flag], bool):
                errors.append(FieldError(flag, _("Enter true or false.")))
            else:
                cleaned[flag] = values[flag]

    if errors:
        raise InvalidInput(errors)
    return cleaned


@transaction.atomic
def enterprise_create(
    *, actor: User, zone: Zone, values: Mapping[str, Any], synthetic: bool = False
) -> Enterprise:
    require_perm(actor, Perm.ENTERPRISE_EDIT)
    cleaned = _clean(zone=zone, values=values, instance=None)
    enterprise = Enterprise(zone=zone, is_synthetic=synthetic, **cleaned)
    enterprise.save()
    audit_record(
        actor=actor, action="enterprise.create", instance=enterprise, after=model_snapshot(enterprise)
    )
    return enterprise


@transaction.atomic
def enterprise_update(*, actor: User, enterprise: Enterprise, values: Mapping[str, Any]) -> Enterprise:
    require_perm(actor, Perm.ENTERPRISE_EDIT)
    # Lock the row so two editors' changes are applied one after the other, each audited against the other.
    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    cleaned = _clean(zone=locked.zone, values=values, instance=locked)
    before = model_snapshot(locked)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    locked.save()
    changed_before, changed_after = snapshot_changes(before, model_snapshot(locked))
    if changed_after:
        audit_record(
            actor=actor,
            action="enterprise.update",
            instance=locked,
            before=changed_before,
            after=changed_after,
        )
    return locked


@transaction.atomic
def enterprise_contact_add(
    *,
    actor: User,
    enterprise: Enterprise,
    name: str,
    title: str = "",
    phone: str = "",
    email: str = "",
    is_primary: bool = False,
) -> EnterpriseContact:
    require_perm(actor, Perm.ENTERPRISE_EDIT)
    if not name.strip():
        raise InvalidInput.single("name", _("This field is required."))
    if is_primary:
        enterprise.contacts.filter(is_primary=True).update(is_primary=False)
    contact = EnterpriseContact.objects.create(
        enterprise=enterprise, name=name.strip(), title=title, phone=phone, email=email, is_primary=is_primary
    )
    audit_record(
        actor=actor,
        action="enterprise.contact_add",
        instance=contact,
        zone=enterprise.zone,
        after=model_snapshot(contact),
    )
    return contact
