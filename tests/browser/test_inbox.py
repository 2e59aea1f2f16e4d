"""The approvals inbox of issue 22 in a real browser (Debian's chromium through Playwright, against
pytest-django's live server): a cancellation decided there, the context shown beside each leave, and the
reminder mail of a request left pending, followed to the request.

No worker or SMTP server: the mail is checked where the services put it, in the outbox (the send path is
test_flows.py's). The clock is moved to 2 March 2026 (and keeps ticking), so the dates are in the future of
"today" whatever day the test runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from conftest import Cast
from tests.browser.test_flows import CHROMIUM, browser, org, session, shots  # noqa: F401  (fixtures)
from tests.harness.marks import requires_postgres

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, reset_sequences=True),
    requires_postgres,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM} (apt)"),
]

MORNING = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in Moscow


@pytest.fixture
def march() -> Iterator[None]:
    with time_machine.travel(MORNING, tick=True):
        yield


def _trip(person: Any, start: dt.date, days: int = 3) -> Any:
    from requests_app.services import request_create

    return request_create(
        actor=person.user,
        kind="business_trip",
        start_date=start,
        end_date=start + dt.timedelta(days=days - 1),
        destination="Казань",
        purpose="Выставка",
    )


def test_the_manager_declines_a_cancellation_in_the_inbox_and_the_employee_is_mailed(
    org: Cast,  # noqa: F811
    march: None,
    live_server: Any,
    browser: Any,  # noqa: F811
    shots: Any,  # noqa: F811
) -> None:
    from notifications.models import OutboxMessage
    from requests_app.models import Request
    from requests_app.services import request_approve

    trip = _trip(org.employee, dt.date(2026, 4, 6))
    request_approve(request_id=trip.pk, actor=org.manager.user)

    # The employee asks to cancel the approved trip.
    employee = session(browser, live_server.url, "employee")
    employee.goto(f"/requests/{trip.pk}/")
    employee.fill("#id_cancel_comment", "Планы изменились")
    employee.click(f"form[action='/requests/{trip.pk}/cancel/'] button.danger")
    employee.wait_for_selector(".badge.pending")  # "cancellation requested"
    assert Request.objects.get(pk=trip.pk).cancel_requested

    # The manager finds it in the inbox (and the header's count), with both buttons, and declines with a reason.
    manager = session(browser, live_server.url, "manager")
    manager.goto("/approvals/")
    row = manager.locator(f'tr[data-request="{trip.pk}"][data-cancellation]')
    assert row.count() == 1
    assert row.locator(f'button[value="confirm:{trip.pk}"]').count() == 1
    assert manager.inner_text("header .count").strip() == "1"
    shots(manager, "22-inbox-cancellation")
    manager.fill("#id_inbox_comment", "Выставку не перенести, поезжайте")
    row.locator(f'button[value="decline:{trip.pk}"]').click()
    manager.wait_for_selector(".messages, [role=status], .notice")
    assert manager.locator(f'tr[data-request="{trip.pk}"]').count() == 0
    kept = Request.objects.get(pk=trip.pk)
    assert (kept.status, kept.cancel_requested) == ("approved", False)

    # The employee's mail says so, with the manager's comment.
    mail = OutboxMessage.objects.select_related("content").get(event="request_cancel_declined")
    assert mail.recipient_email == org.employee.email
    assert "Выставку не перенести, поезжайте" in mail.content.body_text
    assert "отклонена" in mail.content.subject
    employee.goto(f"/requests/{trip.pk}/")
    assert employee.locator(".badge.approved").count() == 1
    assert "Выставку не перенести, поезжайте" in employee.inner_text(".timeline")
    for page in (employee, manager):
        assert page.csp_violations == []


def test_the_inbox_shows_the_balance_after_each_leave_and_who_else_is_away(
    org: Cast,  # noqa: F811
    march: None,
    live_server: Any,
    browser: Any,  # noqa: F811
    shots: Any,  # noqa: F811
) -> None:
    from leave.models import LeaveType
    from requests_app.services import request_create

    leave = request_create(
        actor=org.employee.user,
        kind="leave",
        leave_type=LeaveType.objects.get(code="annual"),
        start_date=dt.date(2026, 4, 6),
        end_date=dt.date(2026, 4, 10),
    )
    available_after = leave.leave.quote["available_after"]
    colleague = org.deactivated  # in Sales too
    colleague.user.is_active = True
    colleague.user.save()
    _trip(colleague, dt.date(2026, 4, 9))
    _trip(org.outsider, dt.date(2026, 4, 7))  # Engineering: not the employee's team

    manager = session(browser, live_server.url, "manager")
    manager.goto("/approvals/")
    row = manager.locator(f'tr[data-request="{leave.pk}"]')
    assert row.locator("[data-available-after]").get_attribute("data-available-after") == available_after
    assert available_after.split(".")[0] in row.locator("[data-available-after]").inner_text()
    away = row.locator("[data-away]")
    assert away.locator("[data-away-employee]").count() == 1
    assert colleague.last_name in away.inner_text()
    assert org.outsider.last_name not in row.inner_text()
    shots(manager, "23-inbox-context")
    assert manager.csp_violations == []


def test_the_reminder_mail_leads_the_approver_to_the_request(
    org: Cast,  # noqa: F811
    live_server: Any,
    browser: Any,  # noqa: F811
    shots: Any,  # noqa: F811
    settings: Any,
) -> None:
    """A business trip filed on Monday 2 March reminds the manager on Wednesday (two working days); the mail, as
    the outbox holds it, opens in the browser and its link takes the manager to the request to decide."""
    from notifications.models import OutboxMessage
    from requests_app.models import Request
    from requests_app.reminders import pending_reminders
    from requests_app.services import request_create

    settings.PORTAL_BASE_URL = live_server.url
    with time_machine.travel(MORNING, tick=False):
        certificate = request_create(  # the manager decides trips (certificates go to HR alone)
            actor=org.employee.user,
            kind="business_trip",
            start_date=dt.date(2026, 6, 1),
            end_date=dt.date(2026, 6, 2),
            destination="Омск",
            purpose="Аудит",
        )
    with time_machine.travel(dt.datetime(2026, 3, 4, 6, 0, tzinfo=dt.UTC), tick=True):
        assert pending_reminders().reminded == 1
        assert pending_reminders().reminded == 1  # the same day again: still one mail
        mail = OutboxMessage.objects.select_related("content").get(event="request_reminder")
        assert mail.recipient_email == org.manager.email
        assert f"№ {certificate.pk}" in mail.content.subject and "2 раб. дн." in mail.content.subject

        manager = session(browser, live_server.url, "manager")
        manager.set_content(mail.content.body_html)
        assert "ждёт вашего решения" in manager.inner_text("body")
        shots(manager, "24-reminder-mail")
        manager.click(f'a[href="{live_server.url}/requests/{certificate.pk}/"]')
        manager.wait_for_url(f"**/requests/{certificate.pk}/")
        manager.click("form[action$='/approve/'] button.primary")
        manager.wait_for_selector(".badge.approved")
    assert Request.objects.get(pk=certificate.pk).status == "approved"
