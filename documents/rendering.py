"""Documents to PDF: a Django template per kind (templates/documents/pdf/), rendered by WeasyPrint in Russian
with Debian's DejaVu/Liberation fonts (both carry Cyrillic). The facts come from the document's frozen
`content`, never from today's records, so a copy rendered later (the signed copy with its stamp) says what the
original said."""

from __future__ import annotations

import hashlib
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

TEMPLATES = {
    "leave_order": "documents/pdf/leave_order.html",
    "trip_order": "documents/pdf/trip_order.html",
    "rate_order": "documents/pdf/rate_order.html",
    "rate_agreement": "documents/pdf/rate_agreement.html",
    "employment_certificate": "documents/pdf/employment_certificate.html",
    "leave_notice": "documents/pdf/leave_notice.html",
}


def render_html(kind: str, content: dict[str, Any], *, stamps: list[dict[str, Any]] = ()) -> str:  # type: ignore[assignment]
    with translation.override("ru"):
        return render_to_string(TEMPLATES[kind], {"c": content, "stamps": list(stamps)})


def render_pdf(kind: str, content: dict[str, Any], *, stamps: list[dict[str, Any]] = ()) -> bytes:  # type: ignore[assignment]
    """The PDF of a document; with `stamps`, the signed copy (a stamp per signature at the end)."""
    from weasyprint import HTML  # imported here: loading Pango is slow, and only rendering needs it

    return HTML(string=render_html(kind, content, stamps=stamps)).write_pdf()  # type: ignore[no-any-return]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
