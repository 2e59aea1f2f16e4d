"""The leave schedule's whole year in a real browser (issue 18), with a real worker, broker and SMTP server:

HR opens the 2027 schedule; two employees propose; the manager moves a part that overlaps a colleague's and
submits the department; HR approves and exports form T-7, whose rows match; then, with the clock at 14 days
before the moved part, the notice job runs twice and the notice is mailed once; the employee acknowledges it in
the portal; 3 days before, payroll gets the list with the vacation pay.

The clock is frozen (time_machine, ticking) at dates of its own, so nothing depends on today; the session
cookie lasts until the browser closes, since the browser's own clock is not moved.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import time_machine
from django.core.management import call_command

from conftest import PASSWORD, Cast
from tests.browser.test_flows import TIMEOUT_MS, VIEWPORT, browser, org, pytestmark, running, settled  # noqa: F401
from tests.harness.broker import broker_url  # noqa: F401  (a fixture)
from tests.harness.smtp import SMTPServer
from tests.harness.util import wait_until

YEAR = 2027
AUTUMN = dt.datetime(2026, 11, 10, 7, 0, tzinfo=dt.UTC)


def login(chromium: Any, base_url: str, username: str) -> Any:
    context = chromium.new_context(viewport=VIEWPORT, locale="ru-RU", timezone_id="Europe/Moscow", base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.csp_violations = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda m: page.csp_violations.append(m.text) if "Content Security Policy" in m.text else None,  # type: ignore[attr-defined]
    )
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base_url}/")
    return page


def propose(page: Any, start: str, end: str) -> None:
    page.goto(f"/schedule/{YEAR}/")
    page.fill("#id_start_date", start)
    page.fill("#id_end_date", end)
    page.locator("#id_end_date").dispatch_event("change")
    settled(page)
    page.wait_for_selector("#preview p")
    page.click("#part-form button.primary")
    page.wait_for_url(f"**/schedule/{YEAR}/")


def mails_to(smtp: SMTPServer, address: str, words: str) -> list[Any]:
    return [m for m in smtp.messages if address in m.rcpt_tos and words in m.subject]


def test_the_schedule_year_from_opening_to_the_payroll_list(
    org: Cast,  # noqa: F811
    live_server: Any,
    running: tuple[SMTPServer, Any],  # noqa: F811
    browser: Any,  # noqa: F811
    settings: Any,
    tmp_path: Path,
) -> None:
    from openpyxl import load_workbook

    from schedule.models import Acknowledgement, Campaign, Notice, Part, PayrollLine

    smtp, worker = running
    base = live_server.url
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.HRPORTAL = {**settings.HRPORTAL, "SCHEDULE_PAYROLL_EMAIL": "payroll@example.test"}

    with time_machine.travel(AUTUMN, tick=True):
        # HR opens the year.
        hr = login(browser, base, "hr")
        hr.goto("/schedule/")
        hr.fill("#id_year", str(YEAR))
        hr.fill("#id_proposal_deadline", "2026-12-01")
        hr.press("#id_proposal_deadline", "Enter")
        hr.wait_for_url(f"**/schedule/{YEAR}/hr/")
        campaign = Campaign.objects.get(year=YEAR)
        assert campaign.approval_deadline == dt.date(2026, 12, 17)

        # Two employees propose; the preview shows the days charged (12 June is a holiday: 13 of 14).
        employee = login(browser, base, "employee")
        employee.goto(f"/schedule/{YEAR}/")
        employee.fill("#id_start_date", "2027-06-01")
        employee.fill("#id_end_date", "2027-06-14")
        employee.locator("#id_end_date").dispatch_event("change")
        settled(employee)
        employee.wait_for_selector("#preview p")
        assert "13" in employee.inner_text("#preview")
        employee.click("#part-form button.primary")
        employee.wait_for_url(f"**/schedule/{YEAR}/")
        colleague = login(browser, base, "sub_employee")
        propose(colleague, "2027-06-07", "2027-06-20")
        part = Part.objects.get(employee=org.employee)

        # The manager sees the overlap and moves the employee's part, then submits the department.
        manager = login(browser, base, "manager")
        manager.goto(f"/schedule/{YEAR}/team/")
        row = manager.locator(f'tr[data-part="{part.pk}"]')
        assert "Волков" in row.inner_text()  # the colleague away at the same time
        assert manager.get_attribute('td[data-date="2027-06-10"]', "data-away") == "2"
        row.locator("details summary").first.click()
        manager.fill(f"#start-{part.pk}", "2027-07-05")
        manager.fill(f"#end-{part.pk}", "2027-07-18")
        manager.fill(f"#reason-{part.pk}", "Пересечение с коллегой")
        row.locator(".move-form button").click()
        manager.wait_for_url(f"**/schedule/{YEAR}/team/")
        part.refresh_from_db()
        assert (part.start_date, part.end_date) == (dt.date(2027, 7, 5), dt.date(2027, 7, 18))
        manager.click(f"#submit-{org.sales.pk}")
        manager.wait_for_url(f"**/schedule/{YEAR}/team/")
        assert campaign.submissions.filter(department=org.sales).exists()

        # HR approves and exports form T-7.
        hr.goto(f"/schedule/{YEAR}/hr/")
        hr.click("#approve")
        hr.wait_for_url(f"**/schedule/{YEAR}/hr/")
        assert Campaign.objects.get(year=YEAR).status == "approved"
        hr.click("#export-t7")
        hr.wait_for_url("**/reports/")
        job_row = hr.locator("tr[id^=job-]").first
        job_id = int((job_row.get_attribute("id") or "").removeprefix("job-"))
        hr.wait_for_selector(f'#job-{job_id}[data-status="done"]', timeout=90_000)
        with hr.expect_download() as download:
            hr.click(f"#job-{job_id} [data-download]")
        target = tmp_path / "t7.xlsx"
        download.value.save_as(target)
        sheet = load_workbook(io.BytesIO(target.read_bytes()), read_only=True).worksheets[0]
        rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[2]]
        assert [(r[2], int(r[4]), r[5].date()) for r in rows] == [
            ("Кузнецов Алексей Павлович", 14, dt.date(2027, 7, 5)),
            ("Волков Иван Иванович", 13, dt.date(2027, 6, 7)),
        ]
        for page in (hr, employee, colleague, manager):
            assert page.csp_violations == []

        # 14 days before 5 July (the job's date, as `send_due_notices --date` takes it: the worker's clock is not
        # moved, and an outbox row due in its future would wait): run twice, mailed once.
        call_command("send_due_notices", "--date", "2027-06-21")
        call_command("send_due_notices", "--date", "2027-06-21")
        notice = Notice.objects.get(part=part)
        wait_until(lambda: mails_to(smtp, org.employee.email, "05.07.2027"), timeout=60, message=worker.log_tail)
        employee.goto("/schedule/notices/")
        employee.click(f'tr[data-notice="{notice.pk}"] a')
        employee.click("#acknowledge")
        employee.wait_for_selector("#acknowledged")
        ack = Acknowledgement.objects.get(notice=notice)
        assert ack.user == org.employee.user and ack.ip_address == "127.0.0.1" and ack.user_agent

        # 3 days before: payroll gets the list, once.
        call_command("send_due_notices", "--date", "2027-07-02")
        call_command("send_due_notices", "--date", "2027-07-02")
    line = PayrollLine.objects.get(employee=org.employee)
    assert (line.start_date, line.late) == (dt.date(2027, 7, 5), False)
    assert line.vacation_pay is not None and line.vacation_pay > 0
    wait_until(lambda: mails_to(smtp, "payroll@example.test", "05.07.2027"), timeout=60, message=worker.log_tail)
    worker.stop()  # everything in flight is delivered before counting
    assert len(mails_to(smtp, org.employee.email, "05.07.2027")) == 1
    assert len(mails_to(smtp, "payroll@example.test", "05.07.2027")) == 1
