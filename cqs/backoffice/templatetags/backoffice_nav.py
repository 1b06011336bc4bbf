"""``{% backoffice_nav %}``: the sidebar of the back office (see ``cqs.backoffice.navigation``)."""

from __future__ import annotations

from typing import Any

from django import template

from cqs.backoffice.navigation import nav_items

register = template.Library()


@register.inclusion_tag("backoffice/_nav.html", takes_context=True)
def backoffice_nav(context: template.Context) -> dict[str, Any]:
    return {"items": nav_items(context["request"])}
