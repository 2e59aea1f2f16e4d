"""Every event of the contract renders in both languages, with a full context and with an empty one."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from notifications.models import Event
from notifications.rendering import render, template_names
from notifications.tests.factories import fake_request

# The yearly art. 124 letters are plain text.
TEXT_ONLY = {"leave_overdue", "leave_overdue_hr"}

FULL_CONTEXT: dict[str, Any] = {
    "event": "x",
    "obj": SimpleNamespace(pk=9),
    "portal_url": "https://hr.example.com",
    "object_url": "https://hr.example.com/requests/9/",
    "attached": True,
    "attachment_names": ["holiday_work.xlsx"],
    "request": fake_request(SimpleNamespace(full_name="Кузнецов Алексей Павлович"), id=9),
    "actor_name": "Смирнова Анна Сергеевна",
    "employee_name": "Кузнецов Алексей Павлович",
    "comment": "ok",
    "report": SimpleNamespace(kind="holiday_work", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 3, 31)),
    "download_url": "https://hr.example.com/api/v1/reports/3/download/",
    "error": "timeout",
}


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("event", Event.values)
def test_each_event_renders_in_each_language(event: str, language: str) -> None:
    rendered = render(event=event, language=language, context=FULL_CONTEXT)
    assert rendered.subject and "\n" not in rendered.subject
    assert "https://hr.example.com" in rendered.text
    if event in TEXT_ONLY:
        assert rendered.html == ""
    else:
        assert rendered.html.startswith("<!doctype html>")
        assert f'lang="{language}"' in rendered.html
    # The fixed wording is in the reader's language (names inside it may not be).
    first_letter = rendered.subject[0].lower()
    assert ("а" <= first_letter <= "я") is (language == "ru")


@pytest.mark.parametrize("event", Event.values)
def test_templates_survive_a_context_without_the_expected_objects(event: str) -> None:
    rendered = render(event=event, language="ru", context={"obj": SimpleNamespace(pk=1), "object_url": "/"})
    assert rendered.subject
    assert rendered.text.strip()


def test_english_variants_sit_beside_the_russian_files() -> None:
    assert template_names("request_created", "body.html", "en") == [
        "notifications/request_created/body.en.html",
        "notifications/request_created/body.html",
    ]


def test_every_template_folder_is_an_event_with_a_label() -> None:
    """A new mail needs its Event choice: the admin shows the label, the metrics count the event."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR) / "templates" / "notifications"
    from notifications.models import Event

    folders = {p.name for p in root.iterdir() if p.is_dir()}
    assert folders == set(Event.values)
