"""Issue 17, pay-rate changes: the minimum-wage floor (art. 133) with HR's confirmed exception, current → new on the
form, the page and the mail, one approved change per employee and date (a later approval supersedes, both histories
say so), and no proposal for oneself, one's own manager or a deputy's principal — through the API, pages, admin."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from conftest import make_employee
from documents.models import Document
from documents.services import signature_record_paper
from notifications.models import OutboxMessage
from requests_app.models import RateChangeDetails, Request
from staff.models import HR_GROUP, Delegation, PayRate
from staff.selectors import rate_on
from staff.services import hr_group_ensure

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def second_hr(cast):
    person = make_employee(username="hr2", department=cast.hr_department, last_name="Зайцева")
    person.user.groups.add(Group.objects.get(name=HR_GROUP))
    return person


def _sign_agreement(request_id: int, hr) -> None:
    """Art. 72: an approved change takes effect once the supplementary agreement is signed (here: HR records the
    employee's paper signature)."""
    agreement = Document.objects.get(request_id=request_id, kind="rate_agreement")
    signature_record_paper(document_id=agreement.pk, actor=hr.user)


def _body(employee, salary: str, fte: str = "1.00", date: str = "2026-04-01", **extra):
    return {
        "kind": "rate_change",
        "employee": employee.pk,
        "effective_date": date,
        "fte": fte,
        "salary": salary,
        **extra,
    }


def test_zero_salary_at_full_time_is_refused(cast, api) -> None:
    """The probe: a manager proposed 0 ₽ at FTE 1.0. Floor on 01.04.2026: 27 093 × max(1.00, 1) = 27 093.00."""
    response = api(cast.manager).post("/api/v1/requests/", _body(cast.employee, "0.00"), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["salary"] and "27093.00" in response.json()["salary"][0]
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    ("salary", "fte", "status"),
    [
        ("27092.99", "1.00", 400),  # a kopeck under 27 093 × 1
        ("27093.00", "1.00", 201),
        ("27092.99", "0.50", 400),  # salary is the full-time one: a half-timer earns 13 546.50 < 27 093 × 0.5
        ("40639.49", "1.50", 400),  # 27 093 × 1.5 = 40 639.50
        ("40639.50", "1.50", 201),
    ],
)
def test_the_floor_is_the_minimum_wage_times_the_fte(cast, api, salary, fte, status) -> None:
    response = api(cast.manager).post("/api/v1/requests/", _body(cast.employee, salary, fte), format="json")
    assert response.status_code == status, response.json()


def test_hr_may_confirm_a_lower_salary_with_a_reason_and_it_is_recorded(cast, api) -> None:
    body = _body(cast.employee, "15000.00", below_minimum_wage_confirmed=True)
    assert api(cast.manager).post("/api/v1/requests/", body, format="json").status_code == 403
    no_reason = api(cast.hr).post("/api/v1/requests/", body, format="json")
    assert no_reason.status_code == 400 and list(no_reason.json()) == ["below_minimum_wage_reason"]
    ok = api(cast.hr).post(
        "/api/v1/requests/", {**body, "below_minimum_wage_reason": "Ученический договор"}, format="json"
    )
    assert ok.status_code == 201, ok.json()
    comparison = ok.json()["rate_comparison"]
    assert comparison["below_minimum_wage_reason"] == "Ученический договор"
    assert comparison["minimum_wage_floor"] == "27093.00"
    assert RateChangeDetails.objects.get().below_minimum_wage_reason == "Ученический договор"


def test_current_to_new_in_the_api_the_page_and_the_hr_mail(cast, api, settings) -> None:
    """100 000 → 112 500: (112 500 − 100 000) / 100 000 × 100 = +12.50 %; last change: the hire, 09.01.2023."""
    filed = api(cast.manager).post("/api/v1/requests/", _body(cast.employee, "112500.00"), format="json").json()
    # The proposing manager does not see pay (HR and the employee do): the new rate, the last change, the floor.
    assert filed["rate_comparison"]["previous_salary"] is None and filed["rate_comparison"]["salary"] == "112500.00"
    assert filed["rate_comparison"]["last_change_date"] == "2023-01-09"
    for viewer in (cast.hr, cast.employee):
        assert api(viewer).get(f"/api/v1/requests/{filed['id']}/").json()["rate_comparison"] == {
            "previous_fte": "1.00",
            "previous_salary": "100000.00",
            "fte": "1.00",
            "salary": "112500.00",
            "salary_change_percent": "12.50",
            "last_change_date": "2023-01-09",
            "minimum_wage_floor": "27093.00",
            "below_minimum_wage_reason": None,
        }
    client = Client()
    client.force_login(cast.hr.user)
    page = client.get(reverse("request-detail", args=[filed["id"]])).content.decode()
    assert "100 000,00 ₽ → " in page.replace("\xa0", " ") and "+12,50 %" in page and "09.01.2023" in page
    [hr_mail] = OutboxMessage.objects.filter(event="request_created", recipient=cast.hr).select_related("content")
    text = hr_mail.content.body_text
    assert "Оклад: 100000,00 → 112500,00 руб. (+12,50 %)" in text and "Последнее изменение: 09.01.2023" in text
    cast.hr.language = "en"
    cast.hr.save()
    second = api(cast.manager).post(
        "/api/v1/requests/", _body(cast.employee, "90000.00", date="2026-05-01"), format="json"
    )
    en = (
        OutboxMessage.objects.filter(event="request_created", recipient=cast.hr)
        .select_related("content")
        .order_by("pk")
        .last()
    )
    assert second.status_code == 201
    assert "Monthly salary: 100000.00 → 90000.00 RUB (-10.00 %)" in en.content.body_text
    assert "Ставка" in hr_mail.content.body_html and "Monthly salary" in en.content.body_html


def test_the_form_compares_before_filing(cast) -> None:
    hr, manager = Client(), Client()
    hr.force_login(cast.hr.user)
    manager.force_login(cast.manager.user)
    data = {
        "employee": cast.employee.pk,
        "effective_date": "2026-04-01",
        "fte": "1.00",
        "salary": "0",
        "action": "check",
    }
    page = hr.post(reverse("rate-change-new"), data)
    text = page.content.decode().replace("\xa0", " ")
    assert page.status_code == 200 and 'id="rate-comparison"' in text and "-100,00 %" in text
    assert "100 000,00 ₽ → " in text and "ниже МРОТ" in text
    theirs = manager.post(reverse("rate-change-new"), data).content.decode().replace("\xa0", " ")
    assert 'id="rate-comparison"' in theirs and "100 000,00" not in theirs  # a manager does not see pay
    assert not Request.objects.exists()
    filed = manager.post(reverse("rate-change-new"), {**data, "action": ""})
    assert filed.status_code == 400 and not Request.objects.exists()  # the floor, on the form's salary field


def test_the_managers_mail_has_the_new_rate_without_the_current_pay(cast, api) -> None:
    """HR proposes; the employee's manager decides first and gets the mail: the new salary, not the current one."""
    api(cast.hr).post("/api/v1/requests/", _body(cast.employee, "112500.00"), format="json")
    [to_manager] = OutboxMessage.objects.filter(event="request_created").select_related("content")
    assert to_manager.recipient == cast.manager
    text = to_manager.content.body_text
    assert "Оклад: 112500,00 руб." in text and "100000" not in text and "Последнее изменение: 09.01.2023" in text


def test_a_second_approval_for_the_same_date_supersedes_the_first(cast, api, second_hr) -> None:
    """Two changes for 01.04.2026, approved one after the other: the second supersedes the first, both histories
    record it, one current rate row (the second's) remains, and the admin shows the link."""
    ids = []
    for salary in ("110000.00", "120000.00"):
        filed = api(cast.manager).post("/api/v1/requests/", _body(cast.employee, salary), format="json")
        ids.append(filed.json()["id"])
    first, second = ids
    assert api(cast.hr).post(f"/api/v1/requests/{first}/approve/").json()["status"] == "approved"
    _sign_agreement(first, cast.hr)
    client = Client()
    client.force_login(second_hr.user)
    warning = client.get(reverse("request-detail", args=[second])).content.decode()
    assert 'id="will-supersede"' in warning and f"#{first}" in warning
    assert api(second_hr).post(f"/api/v1/requests/{second}/approve/").json()["status"] == "approved"
    _sign_agreement(second, cast.hr)
    old, new = (api(cast.hr).get(f"/api/v1/requests/{pk}/").json() for pk in (first, second))
    assert old["superseded_by"] == second and new["superseded_by"] is None
    assert old["history"][-1]["action"] == "superseded" and f"#{second}" in old["history"][-1]["comment"]
    assert [e["action"] for e in new["history"]][-2:] == ["approved", "supersedes"]
    assert rate_on(cast.employee, dt.date(2026, 4, 1)).salary == Decimal("120000.00")
    assert PayRate.objects.filter(employee=cast.employee, effective_date=dt.date(2026, 4, 1)).count() == 2
    assert new["rate_comparison"]["previous_salary"] == "110000.00"  # what it replaced, recorded when approved
    page = client.get(reverse("request-detail", args=[first])).content.decode()
    assert 'id="superseded-by"' in page
    cast.hr.user.is_staff = True  # HR's admin access, with the group's permissions as production sets them
    cast.hr.user.save(update_fields=["is_staff"])
    hr_group_ensure()
    admin = Client()
    admin.force_login(cast.hr.user)
    shown = admin.get(reverse("admin:requests_app_request_change", args=[second])).content.decode()
    assert f"#{first}" in shown
    assert admin.get(reverse("admin:requests_app_request_change", args=[first])).status_code == 200
    employee_page = admin.get(reverse("admin:staff_employee_change", args=[cast.employee.pk])).content.decode()
    assert f"request #{first}" in employee_page and f"request #{second}" in employee_page  # both rows, one superseded


def test_a_manager_may_not_propose_for_their_own_manager_nor_a_deputys_principal(cast, api) -> None:
    """The outsider (Engineering, under other_manager under the CEO) stands in for the CEO and for the sales head:
    through the company they see everyone, their own manager and the sales head included — and may propose for
    neither; nor for themself. Each a 400 naming `employee` (the body's field; see rate-change-guards.md)."""
    for principal in (cast.ceo, cast.manager):
        Delegation.objects.create(manager=principal, deputy=cast.outsider, start_date=TODAY, end_date=TODAY)
    client = api(cast.outsider)
    cases = {
        cast.outsider: "You may not propose a rate change for this employee.",
        cast.other_manager: "You may not propose a pay change for a manager above you.",
        cast.manager: "You may not propose a pay change for the manager you stand in for.",
    }
    for person, message in cases.items():
        response = client.post("/api/v1/requests/", _body(person, "150000.00"), format="json")
        assert response.status_code == 400 and response.json() == {"employee": [message]}, person
    assert client.post("/api/v1/requests/", _body(cast.employee, "150000.00"), format="json").status_code == 201
    page = Client()
    page.force_login(cast.outsider.user)
    form = page.get(reverse("rate-change-new")).content.decode()
    assert f'value="{cast.employee.pk}"' in form
    for person in cases:
        assert f'value="{person.pk}"' not in form
    refused = page.post(
        reverse("rate-change-new"),
        {"employee": cast.other_manager.pk, "effective_date": "2026-04-01", "fte": "1.00", "salary": "150000"},
    )
    assert refused.status_code == 400 and Request.objects.count() == 1


def test_three_approvals_for_one_date_form_a_chain_never_a_silent_winner(cast, api, second_hr) -> None:
    """The probe: three approved changes for one employee and date coexisted and the last silently won. Now each
    approval supersedes the one before it, explicitly, and exactly one approved change of the date stands."""
    ids = [
        api(cast.manager).post("/api/v1/requests/", _body(cast.employee, salary), format="json").json()["id"]
        for salary in ("110000.00", "120000.00", "130000.00")
    ]
    for pk in ids:
        assert api(second_hr).post(f"/api/v1/requests/{pk}/approve/").status_code == 200
        _sign_agreement(pk, cast.hr)
    standing = RateChangeDetails.objects.filter(request__status="approved", superseded_by__isnull=True)
    assert list(standing.values_list("request_id", flat=True)) == [ids[2]]
    assert dict(RateChangeDetails.objects.values_list("request_id", "superseded_by")) == {
        ids[0]: ids[1],
        ids[1]: ids[2],
        ids[2]: None,
    }
    middle = [(e["action"], e["comment"]) for e in api(cast.hr).get(f"/api/v1/requests/{ids[1]}/").json()["history"]]
    assert ("supersedes", f"#{ids[0]}") in middle and ("superseded", f"#{ids[2]}") in middle
    assert rate_on(cast.employee, dt.date(2026, 4, 1)).salary == Decimal("130000.00")


def test_hr_confirms_on_the_form_and_a_manager_is_not_offered_the_box(cast) -> None:
    hr, manager = Client(), Client()
    hr.force_login(cast.hr.user)
    manager.force_login(cast.manager.user)
    assert "below_minimum_wage_confirmed" not in manager.get(reverse("rate-change-new")).content.decode()
    data = {"employee": cast.employee.pk, "effective_date": "2026-04-01", "fte": "1.00", "salary": "15000"}
    refused = hr.post(reverse("rate-change-new"), data)
    assert refused.status_code == 400 and "27093.00" in refused.content.decode() and not Request.objects.exists()
    reason = "Ученический договор " + "<script>x</script>" * 50
    filed = hr.post(
        reverse("rate-change-new"), {**data, "below_minimum_wage_confirmed": "on", "below_minimum_wage_reason": reason}
    )
    assert filed.status_code == 302
    obj = Request.objects.get()
    assert obj.rate_change.below_minimum_wage_reason == reason
    page = hr.get(reverse("request-detail", args=[obj.pk])).content.decode()
    assert "Ученический договор" in page and "<script>x</script>" not in page
