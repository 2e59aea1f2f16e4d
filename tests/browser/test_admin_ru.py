"""The admin in Russian, walked as HR walks it: Debian's chromium (Playwright) against the live server, on the
demo organisation (`seed_demo`) with a delegation, an early-leave right, a settlement and a report job added so
that no list HR uses is empty.

HR (the demo's `hr` login) signs in on the portal's login page, opens the admin's index, every list it offers,
the first object of each list with its history, and each add form. On every page no heading, column title,
label, filter, action or date-hierarchy link may hold an English word (tests/browser/admin_words.py: its short
list of allowed words and what counts as data), and the columns that show choices (kinds, statuses, events,
leave types, weekdays…) show their labels, never the stored codes.

Screenshots: with HRPORTAL_SCREENSHOTS=docs/screenshots the admin's index and the employee list are (re)written
for the README; otherwise they go to the test's temporary directory.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.utils import translation

from notifications.models import Event
from tests.browser.admin_words import admin_links, english_in
from tests.harness.marks import requires_postgres

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--lang=ru-RU",
]
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOTS = os.environ.get("HRPORTAL_SCREENSHOTS", "")
TIMEOUT_MS = 30_000
PASSWORD = "demo12345"
# The list columns that show a choice or a code-like value: their cells must hold its label (no Latin word).
LABELLED_COLUMNS = {
    "kind",
    "status",
    "stage",
    "event",
    "leave_type",
    "action",
    "weekday",
    "source",
    "category",
    "counting",
    "absence_kind",
    "last_error_kind",
    "language_display",
}
LATIN = re.compile(r"[A-Za-z]{2,}")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    requires_postgres,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM} (apt)"),
]


@pytest.fixture
def demo(db: None, tmp_path: Path, settings: Any) -> None:
    """The demo organisation, its mail queued on a filesystem broker of this test's own (never sent), and one
    row in each list the demo leaves empty."""
    from django.contrib.auth.models import User

    from leave.models import EarlyLeaveRight, LeaveSettlement
    from reports.models import ReportJob
    from staff.models import Delegation, Employee

    broker = tmp_path / "broker"
    for folder in ("queue", "processed", "control"):
        (broker / folder).mkdir(parents=True)
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "processed_folder": str(broker / "processed"),
        "control_folder": str(broker / "control"),
    }
    call_command("load_calendar", verbosity=0)
    call_command("seed_demo", employees=40, verbosity=0)
    hr = User.objects.get(username="hr")
    manager = Employee.objects.get(user__username="manager")
    employee = Employee.objects.get(user__username="employee")
    today = dt.date.today()
    Delegation.objects.create(manager=manager, deputy=employee, start_date=today, end_date=today + dt.timedelta(days=7))
    EarlyLeaveRight.objects.create(employee=employee, category="under_18", valid_from=today, created_by=hr)
    LeaveSettlement.objects.create(
        employee=employee,
        termination_date=today,
        ground="own_wish",
        unused_days=Decimal("3.00"),
        compensated_days=Decimal("3.00"),
        deductible_days=Decimal("0.00"),
        average_daily_earnings=Decimal("3412.97"),
        compensation=Decimal("10238.91"),
        actor=hr,
    )
    ReportJob.objects.create(
        requester=hr,
        kind="holiday_work",
        params={"date_from": "2025-01-01", "date_to": "2025-12-31"},
        params_key="2025",
        status="done",
        progress=100,
    )


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            yield instance
        finally:
            instance.close()
            connections.close_all()


def shot(page: Any, name: str, tmp_path: Path) -> None:
    directory = Path(settings.BASE_DIR) / SCREENSHOTS if SCREENSHOTS else tmp_path / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(directory / f"{name}.png"), full_page=False)


def raw_codes(page: Any) -> list[str]:
    """Cells of the labelled columns of a list that hold a Latin word (a stored code shown as it is)."""
    found = []
    for column in LABELLED_COLUMNS:
        cells = page.locator(f"#result_list td.field-{column}")
        for index in range(min(cells.count(), 20)):
            text = cells.nth(index).inner_text().strip()
            if LATIN.search(text):
                found.append(f"{column}: {text}")
    return found


def test_hr_walks_the_admin_in_russian(demo: None, live_server: Any, browser: Any, tmp_path: Path) -> None:
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORT, locale="ru-RU", timezone_id="Europe/Moscow", base_url=base)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "hr")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")  # not a click: the header's RU/EN switch is a submit button too
    page.wait_for_url(f"{base}/")

    page.goto("/admin/")
    assert page.text_content("#site-name").strip() == "Кадровый портал"
    assert page.title().endswith("Кадровый портал")
    sections = [
        page.locator("#content-main caption").nth(i).text_content().strip()
        for i in range(page.locator("#content-main caption").count())
    ]
    assert sorted(sections) == sorted(
        ["Кадры", "Отпуска", "Заявки", "Почта", "Отчёты", "Начисления", "Кадровые документы", "График отпусков"]
    )
    shot(page, "18-admin-index", tmp_path)

    problems: dict[str, list[Any]] = {}
    visited: list[str] = []

    def visit(url: str) -> str:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        visited.append(url)
        html = page.content()
        english = english_in(html)
        codes = raw_codes(page)
        if english or codes:
            problems[url] = english + codes
        return html

    lists = admin_links(visit(f"{base}/admin/"), f"{base}/admin/")
    for url in lists:
        for object_url in admin_links(visit(url), url, objects=True):
            for history_url in admin_links(visit(object_url), object_url, history=True):
                visit(history_url)

    assert not problems, "\n".join(f"{url}: {found}" for url, found in problems.items())
    # Every list HR uses was walked, with an object of each and the add forms HR has.
    assert len(lists) >= 14
    assert sum("/change/" in url for url in visited) >= 13
    assert any(url.endswith("/staff/employee/add/") for url in visited)
    assert sum(url.endswith("/history/") for url in visited) >= 10

    page.goto("/admin/staff/employee/")
    titles = page.locator("#changelist-filter details").evaluate_all("els => els.map(e => e.dataset.filterTitle)")
    assert titles.count("активен") == 1, titles  # once, not once more for the login
    page.click("#toggle-nav-sidebar")  # the list's whole width for the picture
    page.set_viewport_size({"width": 1600, "height": 800})
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "19-admin-employees", tmp_path)

    page.goto("/admin/notifications/outboxmessage/")
    cells = page.locator("#result_list td.field-event")
    with translation.override("ru"):
        labels = {str(label) for label in Event.labels}
    assert cells.count() > 0 and {cells.nth(i).inner_text().strip() for i in range(cells.count())} <= labels
    context.close()
