"""Signing a document with a simple electronic signature through the API, and every way it must fail.

Bad input leaves no signature: a wrong code (400, one attempt counted), an expired code (400), a sixth attempt
(400 even with the right code: a new code is needed), someone else's document (404 to an outsider, 403 to a
manager who may see it), a second signature (409)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from documents.models import Document, Signature, SignatureCode
from documents.tests.conftest import approved_trip, last_code, pdf_text
from hrportal.storage import private_storage

pytestmark = pytest.mark.django_db


def _order(cast) -> Document:
    request = approved_trip(cast)
    return Document.objects.get(request=request)


def test_approval_makes_the_t9_order_with_the_next_number(cast) -> None:
    first = _order(cast)
    second = Document.objects.get(request=approved_trip(cast, start="2026-07-01", end="2026-07-02"))
    assert (first.kind, first.number, first.seq, first.year) == ("trip_order", "1-к", 1, 2026)
    assert second.number == "2-к"
    assert first.status == Document.Status.AWAITING
    assert list(first.employees.all()) == [cast.employee]
    text = pdf_text(private_storage().path(first.file.name))
    assert "1-к" in text and "Кузнецов Алексей Павлович" in text and "Новосибирск" in text
    assert "01.06.2026" in text and "03.06.2026" in text
    assert len(first.sha256) == 64


def test_sign_with_the_mailed_code(cast, api) -> None:
    document = _order(cast)
    client = api(cast.employee)
    assert client.post(f"/api/v1/documents/{document.pk}/code/").status_code == 202
    response = client.post(
        f"/api/v1/documents/{document.pk}/sign/",
        {"code": last_code(cast.employee)},
        format="json",
        HTTP_USER_AGENT="pytest-browser/1.0",
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 200, response.content
    assert response.json()["signer"] == cast.employee.pk
    signature = Signature.objects.get(document=document)
    assert (signature.ip, signature.user_agent, signature.method) == ("203.0.113.7", "pytest-browser/1.0", "code")
    document.refresh_from_db()
    assert signature.document_sha256 == document.sha256  # the hash of the original, which stays
    assert document.status == Document.Status.SIGNED
    stamped = pdf_text(private_storage().path(document.signed_file.name))
    assert "ПОДПИСАН ПРОСТОЙ ЭЛЕКТРОННОЙ ПОДПИСЬЮ" in stamped and document.sha256 in stamped.replace("\n", "")
    assert "203.0.113.7" in stamped
    listed = api(cast.employee).get(f"/api/v1/documents/?request={document.request_id}").json()["results"]
    assert listed[0]["signatures"][0]["signer"] == cast.employee.pk
    assert set(listed[0]) == {"id", "kind", "number", "date", "employee", "request", "sha256", "signatures"}


def _sign(api, person, document, code):
    return api(person).post(f"/api/v1/documents/{document.pk}/sign/", {"code": code}, format="json")


def test_a_wrong_code_is_400_and_counts_an_attempt(cast, api) -> None:
    document = _order(cast)
    api(cast.employee).post(f"/api/v1/documents/{document.pk}/code/")
    right = last_code(cast.employee)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    response = _sign(api, cast.employee, document, wrong)
    assert response.status_code == 400 and "code" in response.json()
    assert SignatureCode.objects.get(document=document).attempts == 1
    assert not Signature.objects.exists()


def test_the_sixth_attempt_is_refused_even_with_the_right_code(cast, api) -> None:
    document = _order(cast)
    api(cast.employee).post(f"/api/v1/documents/{document.pk}/code/")
    right = last_code(cast.employee)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(5):
        assert _sign(api, cast.employee, document, wrong).status_code == 400
    sixth = _sign(api, cast.employee, document, right)
    assert sixth.status_code == 400 and "new code" in sixth.json()["code"][0]
    assert not Signature.objects.exists()
    # A new code signs.
    api(cast.employee).post(f"/api/v1/documents/{document.pk}/code/")
    assert _sign(api, cast.employee, document, last_code(cast.employee)).status_code == 200


def test_an_expired_code_is_400(cast, api) -> None:
    document = _order(cast)
    api(cast.employee).post(f"/api/v1/documents/{document.pk}/code/")
    code = last_code(cast.employee)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        response = _sign(api, cast.employee, document, code)
    assert response.status_code == 400 and "expired" in response.json()["code"][0]
    assert not Signature.objects.exists()


def test_an_old_code_dies_when_a_new_one_is_sent(cast, api) -> None:
    document = _order(cast)
    api(cast.employee).post(f"/api/v1/documents/{document.pk}/code/")
    old = last_code(cast.employee)
    api(cast.employee).post(f"/api/v1/documents/{document.pk}/code/")
    new = last_code(cast.employee)
    if old != new:
        assert _sign(api, cast.employee, document, old).status_code == 400
    assert _sign(api, cast.employee, document, new).status_code == 200


def test_someone_elses_document_is_404_to_an_outsider_and_403_to_the_manager(cast, api) -> None:
    document = _order(cast)
    for person, status in ((cast.outsider, 404), (cast.manager, 403)):
        assert api(person).post(f"/api/v1/documents/{document.pk}/code/").status_code == status
        assert _sign(api, person, document, "123456").status_code == status
        assert api(person).get(f"/api/v1/documents/{document.pk}/file/").status_code == (404 if status == 404 else 200)
    assert not Signature.objects.exists() and not SignatureCode.objects.exists()


def test_signing_twice_is_409_and_records_nothing_more(cast, api) -> None:
    document = _order(cast)
    api(cast.employee).post(f"/api/v1/documents/{document.pk}/code/")
    assert _sign(api, cast.employee, document, last_code(cast.employee)).status_code == 200
    assert api(cast.employee).post(f"/api/v1/documents/{document.pk}/code/").status_code == 409
    assert _sign(api, cast.employee, document, "000000").status_code == 409
    assert Signature.objects.count() == 1


def test_bad_bodies_are_400(cast, api) -> None:
    document = _order(cast)
    client = api(cast.employee)
    assert client.post(f"/api/v1/documents/{document.pk}/sign/", {}, format="json").status_code == 400
    assert client.post(f"/api/v1/documents/{document.pk}/sign/", [1], format="json").status_code == 400
    response = client.post(f"/api/v1/documents/{document.pk}/sign/", {"code": "x" * 100}, format="json")
    assert response.status_code == 400 and "code" in response.json()
    assert not Signature.objects.exists()


def test_password_signature_when_the_setting_says_so(cast, api, settings) -> None:
    from conftest import PASSWORD

    settings.HRPORTAL = {**settings.HRPORTAL, "DOCUMENT_SIGN_METHOD": "password"}
    document = _order(cast)
    client = api(cast.employee)
    bad = client.post(f"/api/v1/documents/{document.pk}/sign/", {"password": "nope"}, format="json")
    assert bad.status_code == 400 and "password" in bad.json()
    good = client.post(f"/api/v1/documents/{document.pk}/sign/", {"password": PASSWORD}, format="json")
    assert good.status_code == 200
    assert Signature.objects.get().method == "password"
