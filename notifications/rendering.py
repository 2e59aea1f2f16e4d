"""Rendering an event's mail from `templates/notifications/<event>/`.

Each event has `subject.txt`, `body.txt` and optionally `body.html` in Russian (the default), and
English variants beside them named `subject.en.txt`, `body.en.txt`, `body.en.html`. A language without a
variant falls back to the Russian file. Rendering is per language, not per recipient: the cost of an event
does not grow with the number of recipients, so templates address the reader generically.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import Context, TemplateDoesNotExist
from django.template.loader import select_template
from django.utils import translation

SUBJECT_MAX_LENGTH = 300


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def language_for(code: str | None) -> str:
    """The recipient's language if the portal speaks it, else the default (Russian)."""
    known = {lang for lang, _ in settings.LANGUAGES}
    code = (code or "").lower()
    return code if code in known else settings.LANGUAGE_CODE


def template_names(event: str, name: str, language: str) -> list[str]:
    stem, _, ext = name.rpartition(".")
    return [f"notifications/{event}/{stem}.{language}.{ext}", f"notifications/{event}/{name}"]


def _render_plain(names: list[str], context: dict[str, Any]) -> str:
    # Text parts are not HTML: no autoescaping, or "&" would arrive as "&amp;".
    template = select_template(names).template  # type: ignore[attr-defined]
    return template.render(Context(context, autoescape=False))


def render(*, event: str, language: str, context: dict[str, Any]) -> Rendered:
    context = {**context, "language": language}
    with translation.override(language):
        try:
            subject = _render_plain(template_names(event, "subject.txt", language), context)
        except TemplateDoesNotExist as exc:
            raise ValueError(
                f"Unknown notification event {event!r}: add templates/notifications/{event}/subject.txt"
            ) from exc
        text = _render_plain(template_names(event, "body.txt", language), context)
        try:
            html = select_template(template_names(event, "body.html", language)).render(context)
        except TemplateDoesNotExist:
            html = ""
    subject = " ".join(subject.split())[:SUBJECT_MAX_LENGTH]
    return Rendered(subject=subject, text=text.strip() + "\n", html=html.strip())
