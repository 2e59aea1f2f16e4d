"""Issue 19 in a real browser (chromium, the live server, a Celery worker on Redis, an SMTP server):

1. The employee files a leave; the manager approves it; the T-6 order appears with the register's next number.
2. The employee asks for a code, reads it from the mail the worker delivered, signs; the signed PDF downloads and
   `pdftotext` finds the number, the name, the dates and the signature stamp.
3. A certificate goes to HR (not the manager), HR issues it from its desk, the employee downloads it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from django.utils import timezone

from conftest import Cast
from tests.browser.test_flows import (  # noqa: F401  (fixtures)
    browser,
    org,
    pytestmark,
    running,
    session,
    shots,
)
from tests.harness.broker import broker_url  # noqa: F401  (a fixture)
from tests.harness.smtp import SMTPServer
from tests.harness.util import wait_until


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_leave_order_signed_with_the_mailed_code_and_a_certificate_issued_by_hr(
    org: Cast,  # noqa: F811
    live_server: Any,
    running: tuple[SMTPServer, Any],  # noqa: F811
    browser: Any,  # noqa: F811
    shots: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    from documents.models import Document, DocumentRegister
    from requests_app.models import Request

    smtp, worker = running
    base = live_server.url
    year = timezone.localdate().year
    DocumentRegister.objects.create(kind="leave_order", year=year, last_number=41)  # this year's orders so far

    # 1. The employee files a leave, the manager approves it.
    employee = session(browser, base, "employee")
    employee.goto("/requests/new/leave/")
    employee.select_option("#id_leave_type", "annual")
    employee.fill("#id_start_date", "2026-04-27")
    employee.fill("#id_end_date", "2026-05-15")
    employee.click("button[name=action][value=submit]")
    employee.wait_for_url("**/requests/*/")
    request_id = int(employee.url.rstrip("/").rsplit("/", 1)[1])
    manager = session(browser, base, "manager")
    manager.goto(f"/requests/{request_id}/")
    manager.click("form[action$='/approve/'] button.primary")
    manager.wait_for_selector(".badge.approved")

    # The T-6 order, with the next number of the register.
    order = Document.objects.get(request_id=request_id)
    assert (order.kind, order.number) == ("leave_order", "42-о")
    employee.goto("/documents/")
    assert employee.locator(f'[data-to-sign="{order.pk}"]').count() == 1
    shots(employee, "30-documents")
    employee.click(f'tr[data-document="{order.pk}"] a[href="/documents/{order.pk}/"]')
    employee.wait_for_url(f"**/documents/{order.pk}/")
    assert employee.get_attribute("[data-document-number]", "data-document-number") == "42-о"

    # 2. A code by mail, read from the delivered message, signs the order.
    employee.click("#send-code")
    employee.wait_for_url(f"**/documents/{order.pk}/")
    mails = wait_until(
        lambda: [m for m in smtp.messages if org.employee.email in m.rcpt_tos and "42-о" in m.subject],
        timeout=60,
        message=worker.log_tail,
    )
    codes = [re.search(r"\b(\d{6})\b", m.subject) for m in mails if "Код подписи" in m.subject]
    assert codes and codes[-1] is not None, [m.subject for m in mails]
    code = codes[-1].group(1)
    assert any(code in m.text() for m in mails)  # the body says it too
    employee.fill("#code", code)
    employee.click("#sign")
    employee.wait_for_selector("[data-signature]")
    shots(employee, "31-document-signed")
    order.refresh_from_db()
    assert order.status == "signed" and order.signatures.count() == 1

    with employee.expect_download() as download_info:
        employee.click("#download")
    target = tmp_path / "order.pdf"
    download_info.value.save_as(target)
    text = _pdf_text(target)
    assert "42-о" in text and "Кузнецов Алексей Павлович" in text
    assert "27.04.2026" in text and "15.05.2026" in text
    assert "ПОДПИСАН ПРОСТОЙ ЭЛЕКТРОННОЙ ПОДПИСЬЮ" in text and order.sha256 in text.replace("\n", "").replace(" ", "")

    # 3. A certificate goes to HR, not to the manager; HR issues it; the employee downloads it.
    employee.goto("/requests/new/certificate/")
    employee.select_option("#id_certificate_type", "employment")
    employee.fill("#id_copies", "2")
    employee.click("form[action='/requests/new/certificate/'] button.primary")
    employee.wait_for_url("**/requests/*/")
    certificate_id = int(employee.url.rstrip("/").rsplit("/", 1)[1])
    assert Request.objects.get(pk=certificate_id).stage == "hr"
    manager.goto("/approvals/")
    assert manager.locator(f'tr[data-request="{certificate_id}"]').count() == 0
    hr = session(browser, base, "hr")
    hr.goto("/documents/hr/")
    assert hr.locator(f'tr[data-due="{certificate_id}"]').count() == 1
    shots(hr, "32-hr-documents")
    hr.click(f'[data-issue="{certificate_id}"]')
    hr.wait_for_url("**/documents/hr/")
    assert hr.locator(f'tr[data-due="{certificate_id}"]').count() == 0
    certificate = Document.objects.get(request_id=certificate_id)
    employee.goto(f"/documents/{certificate.pk}/")
    with employee.expect_download() as download_info:
        employee.click("#download")
    target = tmp_path / "certificate.pdf"
    download_info.value.save_as(target)
    text = _pdf_text(target)
    assert "СПРАВКА" in text and "Кузнецов Алексей Павлович" in text and certificate.number in text
    wait_until(
        lambda: [m for m in smtp.messages if org.employee.email in m.rcpt_tos and "Справка готова" in m.subject],
        timeout=60,
        message=worker.log_tail,
    )
    for page in (employee, manager, hr):
        assert page.csp_violations == []
