"""The five flows of issue 8 in a real browser: Debian's chromium driven by Playwright, against pytest-django's
live server, with a real Celery worker (Redis broker) sharing the PostgreSQL test database and a real SMTP
server (aiosmtpd) receiving the mail.

1. The employee logs in, files a leave over the May holidays, sees the quote skip 1 and 9 May, submits.
2. The manager sees it in the inbox and on the team calendar, approves it with a comment.
3. The employee sees it approved and the balance reduced; the mail reached the SMTP server.
4. HR asks for the holiday-work report, watches the progress reach 100 %, downloads the file.
5. The outsider cannot open the request's URL (404).

Screenshots: set HRPORTAL_SCREENSHOTS=docs/screenshots to (re)write the README's pictures; otherwise they go
to the test's temporary directory. Nothing here depends on today's date: the leave is in 2026 (the shipped
production calendar), and the balance is read on a fixed date.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

from conftest import PASSWORD, Cast
from tests.harness.broker import broker_url  # noqa: F401  (a fixture)
from tests.harness.celery_worker import CeleryWorker, worker_env
from tests.harness.marks import requires_postgres, requires_redis_broker
from tests.harness.smtp import SMTPServer
from tests.harness.util import wait_until

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--lang=ru-RU",  # the date pickers speak the portal's default language
]
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOTS = os.environ.get("HRPORTAL_SCREENSHOTS", "")
TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, reset_sequences=True),
    requires_postgres,
    requires_redis_broker,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM} (apt)"),
]


@pytest.fixture
def shots(tmp_path: Path) -> Any:
    directory = Path(settings.BASE_DIR) / SCREENSHOTS if SCREENSHOTS else tmp_path / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> None:
        page.screenshot(path=str(directory / f"{name}.png"), full_page=False)

    return take


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, so Django would refuse the test's own database
    # calls as "async unsafe": allow them for this test only (never set globally: `check --deploy` refuses it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            yield instance
        finally:
            instance.close()
            # Playwright runs this test's code in a greenlet with its own context variables, where Django keeps
            # the connections the test body opened: close them here, or they outlive the test database.
            connections.close_all()


@pytest.fixture
def org(db: None) -> Cast:
    from conftest import ensure_leave_types
    from leave.services import load_calendar

    ensure_leave_types()
    for year in (2024, 2025, 2026):
        load_calendar(year=year)
    return Cast()


@pytest.fixture
def running(live_server: Any, broker_url: str, tmp_path: Path, settings: Any) -> Iterator[tuple[SMTPServer, Any]]:  # noqa: F811
    """An SMTP server and a worker that share this test's database, broker and media folder."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    with SMTPServer() as smtp:
        env = worker_env(broker_url=broker_url, smtp=smtp, PORTAL_BASE_URL=live_server.url, MEDIA_ROOT=str(media))
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        with CeleryWorker(env=env) as worker:
            yield smtp, worker


def session(browser: Any, base_url: str, username: str) -> Any:
    """A fresh browser context (its own cookies), logged in through the login page."""
    context = browser.new_context(viewport=VIEWPORT, locale="ru-RU", timezone_id="Europe/Moscow", base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # The CSP allows only our own scripts and styles: anything it refuses shows up as a console error.
    page.csp_violations = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(message.text)  # type: ignore[attr-defined]
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}/")
    return page


def settled(page: Any) -> None:
    """Wait until htmx has no request in flight. Playwright's `fill` of a date fires `change` itself, so a test that
    also dispatches one asks twice for the fragment the form updates (the leave quote, the schedule's preview);
    `hx-sync="this:replace"` aborts the first only while it is in flight, so the first may be drawn and then replaced
    by the second: a test must not read or click the fragment before then."""
    page.wait_for_function("() => document.querySelector('.htmx-request') === null", timeout=TIMEOUT_MS)


def available_on(page: Any, on: str, leave_type: str = "annual") -> Decimal:
    page.goto(f"/?on={on}")
    return Decimal(page.get_attribute(f'[data-leave-type="{leave_type}"] [data-available]', "data-available"))


def test_leave_over_the_may_holidays_from_filing_to_approval(
    org: Cast, live_server: Any, running: tuple[SMTPServer, Any], browser: Any, shots: Any
) -> None:
    from requests_app.models import Request

    smtp, worker = running
    base = live_server.url

    # 1. The employee files a leave over the May holidays and sees the quote skip them.
    employee = session(browser, base, "employee")
    shots(employee, "01-dashboard")
    before = available_on(employee, "2026-05-15")
    employee.goto("/requests/new/leave/")
    employee.select_option("#id_leave_type", "annual")
    employee.fill("#id_start_date", "2026-04-27")
    employee.fill("#id_end_date", "2026-05-15")
    employee.locator("#id_end_date").dispatch_event("change")
    settled(employee)
    employee.wait_for_function(
        "() => document.querySelector('[data-days-charged]')?.textContent.trim() === '17'", timeout=TIMEOUT_MS
    )
    assert employee.inner_text("[data-calendar-days]").strip() == "19"
    holidays = employee.locator("[data-holidays] time")
    assert [holidays.nth(i).get_attribute("datetime") for i in range(holidays.count())] == ["2026-05-01", "2026-05-09"]
    assert employee.locator("[data-vacation-pay]").count() == 1
    employee.fill("#id_comment", "Майские праздники")
    shots(employee, "02-leave-quote")
    employee.click("button[name=action][value=submit]")
    employee.wait_for_url("**/requests/*/")
    request_id = int(employee.url.rstrip("/").rsplit("/", 1)[1])
    leave = Request.objects.get(pk=request_id)
    assert (leave.employee_id, leave.status, leave.leave.days) == (org.employee.pk, "pending", Decimal(17))
    shots(employee, "03-request-pending")

    # 2. The manager finds it in the inbox and on the team calendar, and approves with a comment.
    manager = session(browser, base, "manager")
    manager.goto("/approvals/")
    assert manager.locator(f'tr[data-request="{request_id}"]').count() == 1
    shots(manager, "04-approvals")
    manager.goto("/team/calendar/?month=2026-05")
    row = manager.locator('tr[data-employee="employee"]')
    assert row.locator("td.absent.k-leave.pending").count() == 15  # 1–15 May
    shots(manager, "05-team-calendar")
    manager.goto(f"/requests/{request_id}/")
    manager.fill("#id_decision_comment", "Согласовано, хорошего отдыха")
    manager.click("form[action$='/approve/'] button.primary")
    manager.wait_for_selector(".badge.approved")
    assert "Согласовано, хорошего отдыха" in manager.inner_text(".timeline")
    shots(manager, "06-request-approved")
    manager.goto("/team/calendar/?month=2026-05")
    assert manager.locator('tr[data-employee="employee"] td.absent.k-leave.approved').count() == 15

    # 3. The employee sees it approved, the balance reduced by the days charged, and the mail arrived.
    employee.goto(f"/requests/{request_id}/")
    assert employee.locator(".badge.approved").count() == 1
    assert employee.locator('.timeline [data-action="approved"]').count() == 1
    after = available_on(employee, "2026-05-15")
    assert before - after == Decimal(17)
    shots(employee, "07-dashboard-after")
    # By its subject: the T-6 order's "awaits your signature" mail goes to the employee too, and its number
    # ("№ 1-о") may hold the request's id.
    approved_mail = wait_until(
        lambda: [m for m in smtp.messages if org.employee.email in m.rcpt_tos and "согласована" in m.subject],
        timeout=60,
        message=worker.log_tail,
    )
    assert approved_mail[0].subject == f"Заявка № {request_id} согласована"
    assert any(org.manager.email in m.rcpt_tos for m in smtp.messages)  # "a request awaits you" went first

    # More pages, for the README.
    employee.goto("/requests/")
    shots(employee, "08-my-requests")
    employee.goto("/profile/")
    shots(employee, "09-profile")
    manager.goto("/delegations/")
    shots(manager, "10-delegations")
    manager.goto(f"/rates/new/?employee={org.employee.pk}")
    shots(manager, "11-pay-rate")

    # 5. The outsider cannot open the request: it does not exist for them.
    outsider = session(browser, base, "outsider")
    response = outsider.goto(f"/requests/{request_id}/")
    assert response is not None and response.status == 404
    assert "Заявка" not in outsider.inner_text("main")
    shots(outsider, "12-not-found")
    outsider.goto("/")
    shots(outsider, "13-dashboard-plain-employee")
    for page in (employee, manager, outsider):
        assert page.csp_violations == []


def test_hr_builds_the_holiday_work_report_and_downloads_it(
    org: Cast, live_server: Any, running: tuple[SMTPServer, Any], browser: Any, shots: Any, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from staff.models import TimesheetEntry

    smtp, worker = running
    for day in (dt.date(2026, 5, 1), dt.date(2026, 5, 9), dt.date(2026, 5, 10)):
        TimesheetEntry.objects.create(
            employee=org.employee, date=day, kind="holiday" if day.day != 10 else "weekend", hours=Decimal(8)
        )

    # 4. HR orders the report and watches its progress reach 100 %.
    hr = session(browser, live_server.url, "hr")
    hr.goto("/reports/")
    hr.select_option("#id_kind", "holiday_work")
    hr.fill("#id_date_from", "2026-01-01")
    hr.fill("#id_date_to", "2026-06-30")
    hr.click("form[action='/reports/'] button.primary")
    hr.wait_for_url("**/reports/")
    row = hr.locator("tr[id^=job-]").first
    job_id = int((row.get_attribute("id") or "").removeprefix("job-"))
    # The row refreshes itself (htmx polling) until the worker is done: no reload here.
    hr.wait_for_selector(f'#job-{job_id}[data-status="done"]', timeout=90_000)
    assert hr.inner_text(f"#job-{job_id} [data-progress]").strip() == "100%"
    assert hr.get_attribute(f"#job-{job_id} progress", "value") == "100"
    assert hr.csp_violations == []
    shots(hr, "14-reports")

    with hr.expect_download() as download_info:
        hr.click(f"#job-{job_id} [data-download]")
    target = tmp_path / "report.xlsx"
    download_info.value.save_as(target)
    workbook = load_workbook(io.BytesIO(target.read_bytes()), read_only=True)
    text = "\n".join(
        " ".join(str(cell) for cell in row if cell is not None)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )
    assert org.employee.last_name in text
    assert "2026-05-01" in text or "01.05.2026" in text
    wait_until(
        lambda: [m for m in smtp.messages if org.hr.email in m.rcpt_tos and m.attachment_names()],
        timeout=60,
        message=worker.log_tail,
    )
    shutil.rmtree(tmp_path / "media", ignore_errors=True)
