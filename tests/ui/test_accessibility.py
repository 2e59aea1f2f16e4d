"""Accessibility smoke checks on every page, and what the CSP demands of the markup.

Per page (as each role that may open it, and the error pages): exactly one <h1>; every input, select and
textarea has a label (label[for], a wrapping label, aria-label or aria-labelledby); everything clickable is a
<button> or an <a href> (keyboard-reachable; no tabindex above 0, no click handlers on other elements); the
document has a language; no inline style or script, no handler attributes, scripts only from our static files.
And the stylesheet's main colour pairs have a WCAG contrast of at least 4.5:1 (3:1 for the focus ring).
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from django.conf import settings
from django.urls import reverse

from tests.ui.pages import all_pages

pytestmark = pytest.mark.django_db

CSS = Path(settings.BASE_DIR) / "static" / "css" / "hrportal.css"
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


def problems_in(html: str, *, fragment: bool = False) -> list[str]:
    found: list[str] = []
    doc = lxml.html.fragment_fromstring(html, create_parent="div") if fragment else lxml.html.document_fromstring(html)
    if not fragment:
        if not (doc.get("lang") or "").strip():
            found.append("<html> has no lang")
        h1 = doc.xpath("//h1")
        if len(h1) != 1:
            found.append(f"{len(h1)} <h1> elements")
    labelled_ids = {label.get("for") for label in doc.xpath("//label[@for]")}
    for control in doc.xpath("//input | //select | //textarea"):
        if control.tag == "input" and (control.get("type") or "text").lower() in UNLABELLED_TYPES:
            continue
        has_label = (
            control.get("id") in labelled_ids
            or (control.get("aria-label") or "").strip()
            or (control.get("aria-labelledby") or "").strip()
            or control.xpath("ancestor::label")
        )
        if not has_label:
            found.append(f"unlabelled <{control.tag} name={control.get('name')!r} id={control.get('id')!r}>")
    for link in doc.xpath("//a[not(@href)]"):
        found.append(f"<a> without href: {lxml.html.tostring(link)[:80]!r}")
    for button in doc.xpath("//button"):
        text = (button.text_content() or "").strip() or (button.get("aria-label") or "").strip()
        if not text:
            found.append(f"<button> without a name: {lxml.html.tostring(button)[:80]!r}")
    for element in doc.xpath("//*[@role='button' or @role='link']"):
        found.append(f"a fake control <{element.tag} role={element.get('role')}>: use <button> or <a href>")
    for element in doc.xpath("//*[@tabindex]"):
        if int(element.get("tabindex")) > 0:
            found.append(f"tabindex above 0 on <{element.tag}>")
    for element in doc.xpath("//*[@style]"):
        found.append(f"inline style on <{element.tag}> (the CSP refuses it)")
    if doc.xpath("//style"):
        found.append("a <style> element (the CSP refuses it)")
    for script in doc.xpath("//script"):
        src = script.get("src") or ""
        if not src.startswith(
            settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
        ):
            found.append(f"<script> not from our static files: {src or 'inline'}")
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in element.attrib:
            if attribute.lower().startswith("on"):
                found.append(f"handler attribute {attribute} on <{element.tag}>")
            if attribute.lower().startswith("hx-on"):
                found.append(f"{attribute} on <{element.tag}> needs eval (the CSP refuses it)")
    for image in doc.xpath("//img[not(@alt)]"):
        found.append(f"<img> without alt: {image.get('src')}")
    return found


def test_the_checker_finds_what_it_looks_for() -> None:
    bad = (
        '<html><body><h1>a</h1><h1>b</h1><input name="x"><a>no href</a><div role="button">x</div>'
        '<p style="color:red" onclick="x()">y</p><script>alert(1)</script><button></button></body></html>'
    )
    found = "\n".join(problems_in(bad))
    for expected in (
        "lang",
        "2 <h1>",
        "unlabelled",
        "without href",
        "fake control",
        "inline style",
        "handler",
        "not from our static files",
        "without a name",
    ):
        assert expected in found, expected
    good = (
        '<html lang="ru"><body><h1>a</h1><label for="x">X</label><input id="x"><label>Y <input name="y"></label>'
        '<input aria-label="Z"><button type="submit">Go</button><a href="/">home</a>'
        '<script src="/static/js/htmx.min.js"></script></body></html>'
    )
    assert problems_in(good) == []


@pytest.mark.parametrize("role", ["employee", "manager", "hr", "outsider"])
def test_every_page_passes_the_smoke_check(cast, calendars, login, role) -> None:
    client = login(getattr(cast, role))
    failures = []
    for page in all_pages(cast):
        response = client.get(page.url)
        if response.status_code != 200:
            continue  # the refusal pages are checked below
        for problem in problems_in(response.content.decode(), fragment=page.fragment):
            failures.append(f"{role} {page.url}: {problem}")
    assert not failures, "\n".join(failures)


def test_forms_with_errors_and_the_error_pages_pass_too(cast, calendars, login, client) -> None:
    employee = login(cast.employee)
    pages = {
        "login": client.get(reverse("login")).content,
        "login failed": client.post(reverse("login"), {"username": "employee", "password": "wrong"}).content,
        "leave form errors": employee.post(reverse("request-new-leave"), {"start_date": "2026-05-10"}).content,
        "trip form errors": employee.post(reverse("request-new-trip"), {"end_date": "x"}).content,
        "404": employee.get("/requests/999999/").content,
        "403": employee.get(reverse("reports")).content,
        "delegation errors": login(cast.manager).post(reverse("delegations"), {"start_date": "2020-01-01"}).content,
    }
    failures = [f"{name}: {problem}" for name, html in pages.items() for problem in problems_in(html.decode())]
    assert not failures, "\n".join(failures)


# --- colour contrast --------------------------------------------------------------------------------------

# (text colour, background) pairs the stylesheet puts together, by custom property name.
TEXT_PAIRS = [
    ("fg", "bg"),
    ("fg", "surface"),
    ("fg", "accent-soft"),
    ("fg", "success-soft"),
    ("fg", "danger-soft"),
    ("fg", "warning-soft"),
    ("fg", "neutral-soft"),
    ("fg", "weekend"),
    ("muted", "bg"),
    ("muted", "surface"),
    ("accent", "bg"),
    ("accent", "surface"),
    ("accent-dark", "accent-soft"),
    ("on-accent", "accent"),
    ("on-accent", "accent-dark"),
    ("danger", "bg"),
    ("danger", "danger-soft"),
    ("success", "success-soft"),
    ("warning", "warning-soft"),
    ("neutral", "neutral-soft"),
    ("on-leave", "leave"),
    ("on-leave-pending", "leave-pending"),
    ("on-trip", "trip"),
    ("on-trip-pending", "trip-pending"),
    ("on-sick", "sick"),
    ("on-unpaid", "unpaid"),
    ("on-holiday", "holiday"),
]
# Non-text contrast (WCAG 1.4.11): the focus ring against the page.
UI_PAIRS = [("focus", "bg"), ("focus", "surface"), ("on-accent", "accent-dark")]


def css_colours() -> dict[str, str]:
    root = re.search(r":root\s*\{(.*?)\}", CSS.read_text(), re.S)
    assert root, "the stylesheet has no :root block"
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\b", root.group(1)))


def luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    lighter, darker = sorted((luminance(a), luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-failing grey


def test_main_colour_pairs_have_enough_contrast() -> None:
    colours = css_colours()
    low = [
        f"--{fg} on --{bg}: {contrast(colours[fg], colours[bg]):.2f}"
        for fg, bg in TEXT_PAIRS
        if contrast(colours[fg], colours[bg]) < 4.5
    ]
    low += [
        f"--{fg} against --{bg}: {contrast(colours[fg], colours[bg]):.2f} (needs 3)"
        for fg, bg in UI_PAIRS
        if contrast(colours[fg], colours[bg]) < 3
    ]
    assert not low, "\n".join(low)


def test_every_colour_variable_used_is_defined() -> None:
    text = CSS.read_text()
    defined = set(re.findall(r"--([\w-]+):", text))
    used = set(re.findall(r"var\(--([\w-]+)\)", text))
    assert used <= defined, used - defined
