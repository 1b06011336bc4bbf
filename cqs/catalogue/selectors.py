"""Reads over the catalogue (public data: every visitor may read every active procedure)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cqs.catalogue.models import DocumentRequirement, Procedure, Sector
from cqs.core.errors import NotFound
from cqs.core.text import fold


def procedure_search(
    *,
    q: str = "",
    sector: str = "",
    level: str = "",
    online_level: str = "",
    agency: str = "",
) -> QuerySet[Procedure]:
    """Active procedures matching every filter; ``q`` is accent- and case-insensitive.

    Every word of the folded query must occur in the folded code, name or sector name.
    """
    qs = Procedure.objects.filter(is_active=True).select_related("sector")
    for word in fold(q).split()[:12]:
        qs = qs.filter(search_text__contains=word)
    if sector:
        qs = qs.filter(sector__code=sector)
    if level:
        qs = qs.filter(level=level)
    if online_level:
        qs = qs.filter(online_level=online_level)
    if agency:
        qs = qs.filter(Q(agencies__code=agency)).distinct()
    return qs.order_by("sector__name", "code")


def procedure_get(code: str) -> Procedure:
    procedure = (
        Procedure.objects.filter(code=code, is_active=True)
        .select_related("sector")
        .prefetch_related("documents", "steps", "agencies")
        .first()
    )
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục có mã «{code}».")
    return procedure


def document_form_get(code: str, position: int) -> DocumentRequirement:
    """The published blank form of document ``position`` of active procedure ``code`` (one
    query, only the columns a download needs), or a Vietnamese 404."""
    requirement = (
        DocumentRequirement.objects.filter(
            procedure__code=code, procedure__is_active=True, position=position
        )
        .exclude(form_file="")
        .only(
            "id",
            "name",
            "form_file",
            "form_filename",
            "form_content_type",
            "form_size",
            "form_sha256",
            "form_uploaded_at",
        )
        .first()
    )
    if requirement is None:
        raise NotFound(
            f"Giấy tờ số {position} của thủ tục «{code}» không có mẫu đơn, tờ khai để tải về."
        )
    return requirement


def form_download_path(code: str, position: int, sha256: str) -> str:
    """Absolute path of a form download; ``v`` changes with the file so caches may keep it."""
    from django.urls import reverse

    path = reverse("portal:procedure_form", kwargs={"code": code, "position": position})
    return f"{path}?v={sha256[:12]}"


def sectors_with_counts() -> QuerySet[Sector]:
    from django.db.models import Count

    return (
        Sector.objects.annotate(
            procedure_count=Count("procedures", filter=Q(procedures__is_active=True))
        )
        .filter(procedure_count__gt=0)
        .order_by("name")
    )


CATALOGUE_VERSION_KEY = "catalogue:version"
CATALOGUE_VERSION_SECONDS = 60


def catalogue_version() -> str:
    """A token that changes whenever the catalogue does: forgotten by
    ``services.catalogue_changed`` on every import or agency assignment, and renewed at least
    every minute so that processes without a shared cache (and edits made elsewhere, such as
    an agency renamed) catch up within that time."""
    import secrets

    from django.core.cache import cache

    version = cache.get(CATALOGUE_VERSION_KEY)
    if version is None:
        version = secrets.token_hex(8)
        cache.set(CATALOGUE_VERSION_KEY, version, CATALOGUE_VERSION_SECONDS)
    return str(version)
