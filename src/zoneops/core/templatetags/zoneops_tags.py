from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``{{ dict|get_item:key }}`` for JSON dicts (audit before/after)."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def wan(value: Any) -> Any:
    """Yuan → 10,000 yuan (万元), the unit of Chinese economic tables."""
    if value is None:
        return None
    return Decimal(value) / 10_000


@register.filter
def yi(value: Any) -> str:
    """Yuan → 100 million yuan (亿元) with one decimal: how targets are spoken of."""
    if value is None:
        return "—"
    return f"{Decimal(value) / 100_000_000:,.1f}"


@register.filter
def plain(value: Any) -> str:
    """A number as a form field gives it back to be edited: no exponent, no trailing zeros (1000, 12.5)."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


@register.filter
def absolute(value: Any) -> Any:
    return abs(value) if value is not None else None


@register.filter
def person(user: Any) -> str:
    """A user as pages name them: the full name, else the login, else a dash."""
    if user is None:
        return "—"
    return str(user.get_full_name() or user.get_username())
