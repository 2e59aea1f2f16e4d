"""Issue 17: the rate change's indexation flag (Regulation 922 item 16) on the page — HR's box only — and its way
to the recorded pay rate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from conftest import make_employee
from documents.models import Document
from documents.services import signature_record_paper
from requests_app.models import Request
from requests_app.services import request_approve, request_create
from staff.models import HR_GROUP, PayRate

pytestmark = pytest.mark.django_db


def test_hr_sees_the_box_and_a_manager_does_not(cast, login) -> None:
    assert 'name="indexation"' in login(cast.hr).get(reverse("rate-change-new")).content.decode()
    assert 'name="indexation"' not in login(cast.manager).get(reverse("rate-change-new")).content.decode()


def test_hr_files_an_indexation_from_the_page(cast, login) -> None:
    response = login(cast.hr).post(
        reverse("rate-change-new"),
        {
            "employee": cast.employee.pk,
            "effective_date": "2026-01-01",
            "fte": "1.00",
            "salary": "110000.00",
            "indexation": "on",
            "comment": "Приказ об индексации",
        },
    )
    assert response.status_code == 302
    assert Request.objects.get(kind="rate_change").rate_change.indexation is True


def test_a_manager_posting_the_box_files_no_indexation(cast, login) -> None:
    """The box is not on a manager's form, so a forged field is ignored, not obeyed."""
    login(cast.manager).post(
        reverse("rate-change-new"),
        {
            "employee": cast.employee.pk,
            "effective_date": "2030-01-01",
            "fte": "1.00",
            "salary": "110000.00",
            "indexation": "on",
        },
    )
    assert Request.objects.get(kind="rate_change").rate_change.indexation is False


def test_the_approved_flag_reaches_the_pay_rate(cast) -> None:
    request = request_create(
        actor=cast.hr.user,
        kind=Request.Kind.RATE_CHANGE,
        employee=cast.sub_employee,
        effective_date=dt.date(2026, 1, 1),
        fte=cast.sub_employee.rates.get().fte,
        salary=cast.sub_employee.rates.get().salary * 2,
        indexation=True,
    )
    request_approve(request_id=request.pk, actor=cast.sub_manager.user)

    other_hr = make_employee(username="hr2", department=cast.hr_department, last_name="Зайцева")
    other_hr.user.groups.add(Group.objects.get(name=HR_GROUP))
    request_approve(request_id=request.pk, actor=other_hr.user)
    # Art. 72: the change takes effect once the agreement is signed (here HR records the paper signature).
    agreement = Document.objects.get(request=request, kind="rate_agreement")
    signature_record_paper(document_id=agreement.pk, actor=other_hr.user)
    assert PayRate.objects.get(employee=cast.sub_employee, effective_date=dt.date(2026, 1, 1)).indexation is True
