"""Vietnamese number formatting for templates: {{ amount|dong }} -> "8.000"."""

from __future__ import annotations

from django import template

from cqs.core.text import format_dong

register = template.Library()


@register.filter
def dong(value: object) -> str:
    try:
        return format_dong(int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
