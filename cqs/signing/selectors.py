"""Reads of the signing app: trust roots, certificates an official may see, signed shares."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.db.models import Count, IntegerField, Max, QuerySet, Subquery, Window

from cqs.accounts.permissions import DASHBOARD_ROLES, agency_scope
from cqs.signing.models import Certificate, SignatureKind, SignatureRecord, TrustAnchor
from cqs.signing.pki import load_pem

_lock = threading.Lock()
_roots_cache: dict[tuple[int, int], list[asn1_x509.Certificate]] = {}


ANCHORS_COUNT = "trust_anchors_count"
ANCHORS_LAST = "trust_anchors_last"


def trust_anchors_version() -> dict[str, Any]:
    """Annotations carrying the trust anchors' version (count, last id) on rows of a query that
    is made anyway (the signer's certificate), so ``trust_roots`` needs no round trip of its own
    to know whether its parsed roots are current."""
    anchors = TrustAnchor.objects.order_by()
    return {
        ANCHORS_COUNT: Subquery(
            anchors.annotate(v=Window(Count("id"))).values("v")[:1], output_field=IntegerField()
        ),
        ANCHORS_LAST: Subquery(
            anchors.annotate(v=Window(Max("id"))).values("v")[:1], output_field=IntegerField()
        ),
    }


def version_of(row: Any) -> tuple[int, int] | None:
    """The version annotated by ``trust_anchors_version`` on ``row`` (None when absent)."""
    if row is None or not hasattr(row, ANCHORS_COUNT):
        return None
    return (int(getattr(row, ANCHORS_COUNT) or 0), int(getattr(row, ANCHORS_LAST) or 0))


def trust_roots(version: tuple[int, int] | None = None) -> list[asn1_x509.Certificate]:
    """Every trust anchor, parsed once per change of the table. ``version`` is the table's
    (count, last id) read in the same request (``version_of``); without it, it is queried."""
    if version is None:
        key_row = TrustAnchor.objects.aggregate(n=Count("id"), last=Max("id"))
        version = (int(key_row["n"] or 0), int(key_row["last"] or 0))
    key = version
    with _lock:
        cached = _roots_cache.get(key)
    if cached is not None:
        return cached
    from cryptography.hazmat.primitives import serialization

    roots = [
        asn1_x509.Certificate.load(load_pem(pem).public_bytes(serialization.Encoding.DER))
        for pem in TrustAnchor.objects.values_list("pem", flat=True)
    ]
    with _lock:
        _roots_cache.clear()
        _roots_cache[key] = roots
    return roots


def certificates_visible_to(user: Any) -> QuerySet[Certificate]:
    """Officials see the certificates of the agencies in their scope, and their own."""
    scope = agency_scope(user)
    return Certificate.objects.filter(agency_id__in=scope).select_related("agency", "user")


def certificate_by_fingerprint(fingerprint: str) -> Certificate | None:
    return Certificate.objects.filter(fingerprint=fingerprint).first()


# --- Dashboard feed: share of results and documents that carry digital signatures ----------

ShareSource = Callable[[Iterable[int] | None, datetime, datetime], dict[int, int]]
# context prefix ("dossier", "document") -> function returning {agency_id: number of items
# that should carry a signature} for the period; apps above signing register theirs.
_share_sources: dict[str, ShareSource] = {}


def register_share_source(prefix: str, source: ShareSource) -> None:
    _share_sources[prefix] = source


@dataclass(frozen=True)
class SignedShare:
    agency_id: int
    agency_name: str
    level: str
    prefix: str  # "dossier" or "document"
    signed: int  # distinct items with a personal signature and a seal (or system) signature
    total: int | None  # items that should be signed (None when no source is registered)

    @property
    def share(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.signed / self.total)


def signed_share(
    agency_ids: Iterable[int] | None, start: datetime, end: datetime
) -> list[SignedShare]:
    """Per agency and level: items (dossier results, documents) signed in [start, end) and the
    number that should be (from the registered sources)."""
    ids = list(agency_ids) if agency_ids is not None else None
    rows = SignatureRecord.objects.filter(at__gte=start, at__lt=end).exclude(context="")
    if ids is not None:
        rows = rows.filter(agency_id__in=ids)
    signed: dict[tuple[int, str, str], set[str]] = {}
    names: dict[int, str] = {}
    for agency_id, name, level, context, kind in rows.values_list(
        "agency_id", "agency__name", "level", "context", "kind"
    ):
        prefix = context.split(":", 1)[0]
        names[agency_id] = name
        # A result counts as signed when it carries the seal (which follows the leader's
        # signature) or, for automatic receipts, the system signature.
        if kind in (SignatureKind.SEAL, SignatureKind.SYSTEM):
            signed.setdefault((agency_id, level, prefix), set()).add(context)
    totals: dict[str, dict[int, int]] = {
        prefix: source(ids, start, end) for prefix, source in _share_sources.items()
    }
    out: list[SignedShare] = []
    keys = set(signed)
    for prefix, per_agency in totals.items():
        for agency_id in per_agency:
            if not any(k[0] == agency_id and k[2] == prefix for k in keys):
                keys.add((agency_id, "", prefix))
    missing = {k[0] for k in keys} - set(names)
    if missing:
        from cqs.units.models import Agency

        for agency in Agency.objects.filter(pk__in=missing).select_related("unit"):
            names[agency.pk] = agency.name
            keys = {
                (a, agency.unit.level if a == agency.pk and not lv else lv, p) for a, lv, p in keys
            }
    for agency_id, level, prefix in sorted(keys):
        total = totals.get(prefix, {}).get(agency_id) if prefix in totals else None
        out.append(
            SignedShare(
                agency_id=agency_id,
                agency_name=names.get(agency_id, ""),
                level=level,
                prefix=prefix,
                signed=len(signed.get((agency_id, level, prefix), set())),
                total=total,
            )
        )
    return out


def dashboard_scope(user: Any) -> frozenset[int]:
    return agency_scope(user, DASHBOARD_ROLES)
