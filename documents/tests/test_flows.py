"""Certificates issued by HR (generated, uploaded, on paper) with the art. 62 deadline; the art. 72 gate; the zip of
a period's orders."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import pytest
import time_machine

from documents import selectors, services, tasks
from documents.models import Document, DocumentArchive
from documents.tests.conftest import approved_trip, last_code, pdf_text
from hrportal.errors import NotAllowed, ValidationFailed
from hrportal.storage import private_storage
from leave import services as leave_services
from notifications.models import OutboxMessage
from requests_app import services as request_services
from staff.selectors import rate_on

pytestmark = pytest.mark.django_db
FRIDAY = dt.datetime(2026, 3, 6, 9, 0, tzinfo=dt.UTC)


def _certificate(cast, kind: str):
    """Filed on FRIDAY; it goes to HR alone (the line manager does not decide certificates)."""
    with time_machine.travel(FRIDAY, tick=False):
        request = request_services.request_create(
            actor=cast.employee.user, kind="certificate", certificate_type=kind, copies=2
        )
    assert request.stages == ["hr"]
    return request


def test_the_art62_deadline_counts_working_days_of_the_production_calendar(cast) -> None:
    """Filed on Friday 6 March 2026; Monday 9 March is the day off for 8 March (a Sunday), so the three working
    days are 10, 11, 12 March: due 12.03. On 13 March it has waited 4 working days (10–13) and is overdue."""
    leave_services.load_calendar(year=2026)
    request = _certificate(cast, "income")
    [due] = selectors.certificates_due(today=dt.date(2026, 3, 13))
    assert due.request == request and due.due == dt.date(2026, 3, 12)
    assert (due.age_working_days, due.overdue) == (4, True)
    [before] = selectors.certificates_due(today=dt.date(2026, 3, 12))
    assert not before.overdue


def test_an_employment_certificate_is_generated_on_approval_with_the_salary_only_when_asked(cast, api) -> None:
    plain = _certificate(cast, "employment")
    with_pay = _certificate(cast, "salary")
    with pytest.raises(NotAllowed):
        request_services.request_approve(request_id=plain.pk, actor=cast.manager.user)  # not the manager's
    for request in (plain, with_pay):
        assert not Document.objects.filter(request=request).exists()
        issued = services.certificate_issue(request_id=request.pk, actor=cast.hr.user)  # approves: generated at once
        assert services.certificate_issue(request_id=request.pk, actor=cast.hr.user) == issued  # pressed twice
    texts = {}
    for request in (plain, with_pay):
        document = Document.objects.get(request=request)
        assert document.kind == "employment_certificate" and document.status == Document.Status.ISSUED
        texts[request.pk] = pdf_text(private_storage().path(document.file.name))
        assert OutboxMessage.objects.filter(event="certificate_issued", recipient=cast.employee).exists()
    assert "Кузнецов Алексей Павлович" in texts[plain.pk] and "Должностной оклад" not in texts[plain.pk]
    assert "Должностной оклад: 100 000,00 руб." in texts[with_pay.pk]
    assert selectors.certificates_due() == []
    # The employee downloads it; an outsider cannot.
    document = Document.objects.get(request=plain)
    assert api(cast.employee).get(f"/api/v1/documents/{document.pk}/file/").status_code == 200
    assert api(cast.outsider).get(f"/api/v1/documents/{document.pk}/file/").status_code == 404
    assert api(cast.manager).get(f"/api/v1/documents/{document.pk}/file/").status_code == 404  # pay: not theirs


def test_a_2ndfl_waits_for_hr_to_upload_it_or_mark_it_on_paper(cast, login) -> None:
    income = _certificate(cast, "income")
    copy = _certificate(cast, "workbook_copy")
    with pytest.raises(ValidationFailed):
        services.certificate_issue(request_id=income.pk, actor=cast.hr.user)  # nothing to issue with
    assert income.documents.count() == 0
    assert {d.request.pk for d in selectors.certificates_due()} == {income.pk, copy.pk}
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = login(cast.hr).post(
        f"/documents/certificates/{income.pk}/issue/",
        {"file": SimpleUploadedFile("2ndfl.pdf", b"%PDF-1.4 test", content_type="application/pdf")},
    )
    assert page.status_code == 302
    uploaded = Document.objects.get(request=income)
    assert uploaded.kind == "uploaded" and len(uploaded.sha256) == 64
    paper = services.certificate_issue(request_id=copy.pk, actor=cast.hr.user, on_paper=True)
    assert paper.on_paper and not paper.file
    assert selectors.certificates_due() == []
    assert OutboxMessage.objects.filter(event="certificate_issued").count() == 2


def test_a_pay_change_takes_effect_once_the_employee_signs_the_agreement(cast, api) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=True):
        request = request_services.request_create(
            actor=cast.manager.user,
            kind="rate_change",
            employee=cast.employee,
            effective_date=dt.date(2026, 4, 1),
            fte=Decimal("1.00"),
            salary=Decimal("150000.00"),
        )
        request_services.request_approve(request_id=request.pk, actor=cast.hr.user)
        assert rate_on(cast.employee, dt.date(2026, 4, 1)).salary == Decimal("100000.00")  # not yet
        agreement = Document.objects.get(request=request, kind="rate_agreement")
        order = Document.objects.get(request=request, kind="rate_order")
        assert order.content["agreement_number"] == agreement.number == "1-дс"
        api(cast.employee).post(f"/api/v1/documents/{order.pk}/code/")
        api(cast.employee).post(f"/api/v1/documents/{order.pk}/sign/", {"code": last_code(cast.employee)})
        assert rate_on(cast.employee, dt.date(2026, 4, 1)).salary == Decimal("100000.00")  # the order is not it
        api(cast.employee).post(f"/api/v1/documents/{agreement.pk}/code/")
        signed = api(cast.employee).post(
            f"/api/v1/documents/{agreement.pk}/sign/", {"code": last_code(cast.employee)}, format="json"
        )
        assert signed.status_code == 200
    assert rate_on(cast.employee, dt.date(2026, 4, 1)).salary == Decimal("150000.00")


def test_the_zip_of_a_periods_orders(cast) -> None:
    first = Document.objects.get(request=approved_trip(cast))
    second = Document.objects.get(request=approved_trip(cast, start="2026-07-01", end="2026-07-02"))
    archive = DocumentArchive.objects.create(
        date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31), requested_by=cast.hr.user
    )
    done = tasks.build_archive(archive.pk)
    assert done.status == "done" and done.count == 2
    with zipfile.ZipFile(private_storage().path(done.file.name)) as zf:
        names = zf.namelist()
        assert len(names) == 2 and all(zf.read(n).startswith(b"%PDF") for n in names)
    assert {first.number, second.number} == {"1-к", "2-к"}


def test_hr_is_reminded_of_certificates_due_and_employees_of_what_they_have_to_sign(cast) -> None:
    """Filed Friday 6 March 2026, due Thursday 12 March (see above): on Wednesday 11 March HR hears nothing, on the
    12th (due) and the 13th (overdue) HR is mailed once a day; a second run the same day adds nothing. The trip
    order made on 2 March still waits for the employee's signature: they are reminded each working day after."""
    leave_services.load_calendar(year=2026)
    _certificate(cast, "income")
    approved_trip(cast)
    assert tasks.remind.run(day="2026-03-11") == {"certificates": 0, "documents": 1}
    assert OutboxMessage.objects.filter(event="certificate_due").count() == 0
    for day in ("2026-03-12", "2026-03-12", "2026-03-13"):
        tasks.remind.run(day=day)
    due = OutboxMessage.objects.filter(event="certificate_due")
    assert sorted(m.object_key.rpartition("@")[2] for m in due) == ["2026-03-12", "2026-03-13"]
    assert {m.recipient for m in due} == {cast.hr}
    assert tasks.remind.run(day="2026-03-14") == {"certificates": 0, "documents": 0}  # a Saturday


def test_a_t6a_order_for_several_employees_from_the_admin(cast, hr_admin, login) -> None:
    from django.core.management import call_command

    leave_services.load_calendar(year=2026)
    call_command("accrue_leave", date="2026-03-01", verbosity=0)
    from leave.models import LeaveType

    annual = LeaveType.objects.get(code="annual")
    orders = []
    for person, start in ((cast.employee, 6), (cast.sub_employee, 13)):
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=True):
            request = request_services.request_create(
                actor=person.user,
                kind="leave",
                leave_type=annual,
                start_date=dt.date(2026, 7, start),
                end_date=dt.date(2026, 7, start + 4),
            )
            manager = cast.manager if person == cast.employee else cast.sub_manager
            request_services.request_approve(request_id=request.pk, actor=manager.user)
        orders.append(Document.objects.get(request=request))
    response = login(cast.hr).post(
        "/admin/documents/document/", {"action": "combine_t6a", "_selected_action": [d.pk for d in orders]}
    )
    assert response.status_code == 302
    group = Document.objects.get(kind="leave_order", employee=None)
    assert set(group.employees.all()) == {cast.employee, cast.sub_employee} and group.number == "3-о"
    text = pdf_text(private_storage().path(group.file.name))
    assert "Т-6а" in text and "Кузнецов" in text and "Волков" in text


def test_hr_orders_a_zip_in_the_admin_and_downloads_it(cast, hr_admin, login, monkeypatch) -> None:
    """The admin's add form queues the build on commit (here run in place of the worker); HR downloads the zip,
    nobody else can."""
    approved_trip(cast)
    monkeypatch.setattr(tasks.build_archive_task, "delay", lambda archive_id: tasks.build_archive(archive_id))
    client = login(cast.hr)
    with django_capture_on_commit() as callbacks:
        response = client.post(
            "/admin/documents/documentarchive/add/",
            {"date_from": "2020-01-01", "date_to": "2030-12-31", "kind": ""},
        )
    assert response.status_code == 302, response.content[:500]
    for callback in callbacks:
        callback()
    archive = DocumentArchive.objects.get()
    assert (archive.status, archive.count) == ("done", 1)
    download = client.get(f"/documents/archives/{archive.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    assert login(cast.employee).get(f"/documents/archives/{archive.pk}/download/").status_code == 403


def django_capture_on_commit():  # type: ignore[no-untyped-def]
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=False)
