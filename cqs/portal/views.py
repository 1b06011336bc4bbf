"""Public portal pages: the catalogue and the citizen's own page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from cqs.catalogue.models import Level, OnlineLevel
from cqs.catalogue.selectors import procedure_get, procedure_search, sectors_with_counts
from cqs.core.errors import ApplicationError
from cqs.core.text import format_dong
from cqs.dossiers.api import public_lookup


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "sectors": sectors_with_counts(),
            "full_online": procedure_search(online_level=OnlineLevel.FULL).count(),
            "total": procedure_search().count(),
        },
    )


def procedure_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    sector = request.GET.get("linh-vuc", "")[:60]
    level = request.GET.get("cap", "")
    online = request.GET.get("truc-tuyen", "")
    if level not in Level.values:
        level = ""
    if online not in OnlineLevel.values:
        online = ""
    qs = procedure_search(q=q, sector=sector, level=level, online_level=online)
    page = Paginator(qs, 20).get_page(request.GET.get("trang"))
    return render(
        request,
        "portal/procedure_list.html",
        {
            "page": page,
            "q": q,
            "sector": sector,
            "level": level,
            "online": online,
            "sectors": sectors_with_counts(),
            "levels": Level.choices,
            "online_levels": OnlineLevel.choices,
        },
    )


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The procedure page. Its body (documents, fees, steps, legal basis) is public and the
    same for everyone, so it is rendered once per catalogue change and language and kept in
    the cache; a visit then costs no query at all (the page must keep up with the portal's
    busiest traffic: bench/bench_portal.py)."""
    import hashlib

    from django.core.cache import cache
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    from cqs.catalogue.selectors import catalogue_version
    from cqs.dossiers.online import is_online

    digest = hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()[:32]
    key = f"portal:procedure:{digest}:{catalogue_version()}:{get_language()}"
    cached = cache.get(key)
    if cached is None:
        p = procedure_get(code)  # the Vietnamese 404 for an unknown code
        fees = [
            {**f, "amount_text": format_dong(f["amount"]) if f.get("amount") is not None else ""}
            for f in p.fees
        ]
        body = render_to_string(
            "portal/_procedure_body.html", {"p": p, "fees": fees, "online": is_online(p)}
        )
        cached = (p.name, p.code, body)
        cache.set(key, cached, 3600)
    name, code, body = cached
    return render(
        request,
        "portal/procedure_detail.html",
        {"p": {"name": name, "code": code}, "body": mark_safe(body)},  # noqa: S308 - our own rendering
    )


def procedure_form(request: HttpRequest, code: str, position: int) -> HttpResponseBase:
    """Download the blank form (mẫu đơn, tờ khai) of one document of a procedure.

    Public. ETag is the file's SHA-256; the page links with ``?v=<sha256 prefix>``, so a link
    that names the current file may be cached for a day, any other for five minutes."""
    from django.http import FileResponse, HttpResponseNotModified
    from django.utils.http import http_date

    from cqs.catalogue.rules import clean_filename
    from cqs.catalogue.selectors import document_form_get

    requirement = document_form_get(code, position)  # the Vietnamese 404 when there is none
    etag = f'"{requirement.form_sha256}"'
    current = request.GET.get("v", "") == requirement.form_sha256[:12]
    cache_control = "public, max-age=86400" if current else "public, max-age=300"
    if etag in {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}:
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        not_modified["Cache-Control"] = cache_control
        return not_modified
    try:
        handle = requirement.form_file.open("rb")
    except FileNotFoundError as exc:
        from cqs.core.errors import NotFound

        raise NotFound("Tệp mẫu tạm thời không tải được. Vui lòng thử lại sau.") from exc
    response = FileResponse(handle, content_type=requirement.form_content_type)
    filename = clean_filename(requirement.form_filename or requirement.name)
    response["Content-Disposition"] = _attachment(filename)
    response["Content-Length"] = str(requirement.form_size)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    if requirement.form_uploaded_at is not None:
        response["Last-Modified"] = http_date(requirement.form_uploaded_at.timestamp())
    return response


def _attachment(filename: str) -> str:
    """RFC 6266 with RFC 8187: an ASCII ``filename`` for old clients, the Vietnamese name in
    ``filename*`` (UTF-8, percent-encoded) for every current browser."""
    from urllib.parse import quote

    from cqs.core.text import fold

    safe = (
        ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_"
        for ch in fold(filename)
    )
    fallback = "".join(safe).replace(" ", "-") or "mau"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@login_required
def citizen_home(request: HttpRequest) -> HttpResponse:
    from cqs.dossiers.online import drafts_of
    from cqs.dossiers.selectors import my_dossiers

    return render(
        request,
        "portal/citizen_home.html",
        {
            "recent": list(my_dossiers(request.user)[:5]),
            "drafts": list(drafts_of(request.user)[:5]),
        },
    )


def lookup(request: HttpRequest) -> HttpResponse:
    """Public dossier lookup by code: status, due date and timeline, no personal data."""
    code = request.GET.get("ma", "").strip()[:60]
    result = None
    error = ""
    status = 200
    if code:
        try:
            result = public_lookup(code)
        except ApplicationError as exc:
            error = exc.message
            status = exc.status
    return render(
        request,
        "portal/lookup.html",
        {"code": code, "result": result, "error": error},
        status=status,
    )
