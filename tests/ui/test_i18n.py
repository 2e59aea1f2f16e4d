"""Both languages: Russian by default, English on request, and no untranslated string.

- Every {% translate %}/{% blocktranslate %} message of the page templates, every gettext message of the
  page views and forms, and every choice label the pages show has a Russian translation in the shipped
  catalogue (locale/ru/LC_MESSAGES/django.mo) — found by walking the compiled templates and the modules'
  syntax trees, so the test needs no gettext tools.
- Every page renders in both languages, and no template message shows up untranslated in the Russian page.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.template import engines
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.urls import reverse
from django.utils import translation

from documents.models import Document
from leave.models import LeaveType
from reports.models import ReportJob
from requests_app.models import CertificateDetails, Request, RequestEvent
from staff.models import Employee
from tests.ui.pages import all_pages

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
# Mail templates are written once per language (notifications owns them), not through the catalogue.
SKIP_TEMPLATE_DIRS = ("notifications",)
PAGE_MODULES = [
    "hrportal/web/dashboard.py",
    "hrportal/web/team_calendar.py",
    "staff/views.py",
    "requests_app/views.py",
    "requests_app/forms.py",
    "reports/views.py",
    "documents/views.py",
    "documents/services.py",
]
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "pgettext", "pgettext_lazy"}
CHOICES = [
    Request.Kind,
    Request.Status,
    RequestEvent.Action,
    CertificateDetails.Type,
    ReportJob.Kind,
    ReportJob.Status,
    Employee.Language,
    LeaveType.Counting,
    Document.Kind,
    Document.Status,
]


def page_templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*.html") if p.relative_to(TEMPLATES).parts[0] not in SKIP_TEMPLATE_DIRS)


def _walk(nodelist) -> Iterator[object]:  # type: ignore[no-untyped-def]
    for node in nodelist:
        yield node
        for attr in getattr(node, "child_nodelists", ()):
            yield from _walk(getattr(node, attr, None) or [])
        if hasattr(node, "conditions_nodelists"):  # {% if %}
            for _condition, inner in node.conditions_nodelists:
                yield from _walk(inner)


def template_messages(path: Path) -> list[tuple[str, str | None, str | None]]:
    """(msgid, plural, context) of every translation tag in one template."""
    template = engines["django"].from_string(path.read_text())
    found = []
    for node in _walk(template.template.nodelist):
        if isinstance(node, TranslateNode):
            var = node.filter_expression.var
            literal = getattr(var, "literal", None)
            if isinstance(literal, str):
                found.append((literal, None, node.message_context.var if node.message_context else None))
        elif isinstance(node, BlockTranslateNode):
            singular, _vars = node.render_token_list(node.singular)
            plural = node.render_token_list(node.plural)[0] if node.plural else None
            context = node.message_context.var if node.message_context else None
            found.append((singular, plural, context))
    return found


def module_messages(relative: str) -> list[str]:
    tree = ast.parse((ROOT / relative).read_text())
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in GETTEXT_NAMES
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(node.args[0].value)
    return found


def russian(msgid: str, plural: str | None = None, context: str | None = None) -> str:
    with translation.override("ru"):
        if plural:
            return (
                translation.npgettext(context, msgid, plural, 5) if context else translation.ngettext(msgid, plural, 5)
            )
        return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


def test_the_template_walk_finds_the_messages() -> None:
    messages = {m for m, _p, _c in template_messages(TEMPLATES / "base.html")}
    assert {"HR portal", "Log out", "Dashboard", "Team calendar"} <= messages
    plural = [m for m in template_messages(TEMPLATES / "requests_app" / "approvals.html") if m[1]]
    assert plural, "blocktranslate count is found too"


def test_every_template_message_has_a_russian_translation() -> None:
    missing = [
        f"{path.relative_to(ROOT)}: {msgid!r}"
        for path in page_templates()
        for msgid, plural, context in template_messages(path)
        if russian(msgid, plural, context) in (msgid, plural)
    ]
    assert not missing, "untranslated (run makemessages -l ru, translate, compilemessages):\n" + "\n".join(missing)


def test_every_message_of_the_page_code_has_a_russian_translation() -> None:
    missing = [
        f"{module}: {msgid!r}"
        for module in PAGE_MODULES
        for msgid in module_messages(module)
        if russian(msgid) == msgid
    ]
    assert not missing, "\n".join(missing)


def test_every_choice_label_the_pages_show_is_translated() -> None:
    missing = []
    for choices in CHOICES:
        for value, label in choices.choices:
            with translation.override("en"):
                msgid = str(label)  # English is the source language: no English catalogue
            if russian(msgid) == msgid:
                missing.append(f"{choices.__qualname__}.{value}: {msgid!r}")
    assert not missing, "\n".join(missing)


def visible_texts(html: bytes) -> set[str]:
    doc = lxml.html.document_fromstring(html)
    for element in doc.xpath("//script | //style"):
        element.drop_tree()
    texts = {" ".join(t.split()) for t in doc.itertext()}
    texts |= {
        " ".join((e.get(a) or "").split())
        for a in ("aria-label", "title", "placeholder")
        for e in doc.iter()
        if isinstance(e.tag, str)
    }
    return {t for t in texts if t}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["employee", "manager", "hr"])
def test_every_page_renders_in_both_languages_and_russian_has_no_english_left(cast, calendars, login, role) -> None:
    english = {
        msgid
        for path in page_templates()
        for msgid, plural, _context in template_messages(path)
        if "{" not in msgid and "%(" not in msgid and any(c.isalpha() for c in msgid) and len(msgid) > 2
    }
    client = login(getattr(cast, role))
    logins = set(User.objects.values_list("username", flat=True))
    failures = []
    for page in [p for p in all_pages(cast) if not p.fragment]:
        for language in ("ru", "en"):
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            response = client.get(page.url)
            if response.status_code != 200:
                continue
            html = response.content
            if f'<html lang="{language}">'.encode() not in html:
                failures.append(f"{page.url} [{language}]: no <html lang={language}>")
            if language == "ru":
                left = english & visible_texts(html) - logins  # a login that happens to be an English word is data
                failures += [f"{page.url} [ru]: {text!r} is shown in English" for text in sorted(left)]
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_russian_is_the_default_and_english_is_one_click_away(cast, login) -> None:
    client = login(cast.employee)
    assert "Главная".encode() in client.get(reverse("dashboard")).content
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert b"Dashboard" in client.get(reverse("dashboard")).content


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def parse_po(path: Path) -> dict[tuple[str | None, str], list[str]]:
    """{(context, msgid): [msgstr, …]} of a .po file (enough of the format for makemessages' output)."""
    entries: dict[tuple[str | None, str], list[str]] = {}
    current: dict[str, str] = {}
    key = ""

    def flush() -> None:
        if current.get("msgid"):
            strings = [v for k, v in sorted(current.items()) if k.startswith("msgstr")]
            entries[(current.get("msgctxt"), current["msgid"])] = strings
        current.clear()

    for raw in [*path.read_text().splitlines(), ""]:
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += _unquote(line)
        else:
            key, _sep, rest = line.partition(" ")
            current[key] = _unquote(rest)
    return entries


def test_the_shipped_mo_matches_the_po_and_nothing_is_left_untranslated() -> None:
    import gettext

    po = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    entries = parse_po(po)
    assert len(entries) > 100
    empty = [msgid for (_ctx, msgid), strings in entries.items() if not all(strings)]
    assert not empty, "empty msgstr in django.po:\n" + "\n".join(empty)
    with mo.open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    stale = []
    for (context, msgid), strings in entries.items():
        if len(strings) > 1:
            continue  # plural forms: checked through the templates above
        got = catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)
        if got != strings[0]:
            stale.append(msgid)
    assert not stale, "django.mo is stale (run compilemessages):\n" + "\n".join(stale)


def test_no_translation_holds_two_glued_together() -> None:
    """A merge once kept both sides of a conflicting msgstr ("…эту дату.Эта дата…"): a full stop with no space before
    a capital letter is that, not Russian."""
    import re

    entries = parse_po(ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po")
    glued = [
        msgid
        for (_ctx, msgid), strings in entries.items()
        if any(re.search(r"[а-яё»)]\.[А-ЯЁ]", text) for text in strings)
    ]
    assert not glued, "two translations glued into one msgstr:\n" + "\n".join(glued)
