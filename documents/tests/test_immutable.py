"""A signed document never changes: not through the admin, the API, the services, nor a plain ORM save. A
correction is a new document with the next number that cancels the old one."""

from __future__ import annotations

import pytest

from documents import services
from documents.models import Document, SignedDocumentChanged
from documents.tests.conftest import approved_trip, last_code
from hrportal.errors import Conflict

pytestmark = pytest.mark.django_db


def _signed(cast, api) -> Document:
    document = Document.objects.get(request=approved_trip(cast))
    api(cast.employee).post(f"/api/v1/documents/{document.pk}/code/")
    code = last_code(cast.employee)
    assert (
        api(cast.employee).post(f"/api/v1/documents/{document.pk}/sign/", {"code": code}, format="json").status_code
        == 200
    )
    document.refresh_from_db()
    return document


def _snapshot(document: Document) -> tuple:
    document.refresh_from_db()
    return (document.number, document.date, document.content, document.file.name, document.sha256, document.kind)


def test_the_orm_refuses_to_change_a_signed_document(cast, api) -> None:
    document = _signed(cast, api)
    before = _snapshot(document)
    document.content = {**document.content, "destination": "Сочи"}
    with pytest.raises(SignedDocumentChanged):
        document.save()
    document.refresh_from_db()
    document.number = "999-к"
    with pytest.raises(SignedDocumentChanged):
        document.save()
    assert _snapshot(document) == before


def test_the_services_refuse_to_rerender_a_signed_document(cast, api) -> None:
    document = _signed(cast, api)
    before = _snapshot(document)
    with pytest.raises(Conflict):
        services.document_regenerate(document_id=document.pk, actor=cast.hr.user)
    assert _snapshot(document) == before


def test_the_api_has_no_way_to_write_a_document(cast, api) -> None:
    document = _signed(cast, api)
    before = _snapshot(document)
    url = f"/api/v1/documents/{document.pk}/"
    for method in ("put", "patch", "delete"):
        response = getattr(api(cast.hr), method)(url, {"number": "1"}, format="json")
        assert response.status_code == 405, (method, response.status_code)
    assert _snapshot(document) == before


def test_the_admin_is_read_only_for_a_signed_document(cast, api, login, hr_admin) -> None:
    document = _signed(cast, api)
    before = _snapshot(document)
    client = login(cast.hr)
    url = f"/admin/documents/document/{document.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and b'name="_save"' not in page.content  # shown, with nothing to save
    response = client.post(url, {"number": "999-к", "title": "x"})
    assert response.status_code == 403
    assert client.post(f"/admin/documents/document/{document.pk}/delete/", {"post": "yes"}).status_code == 403
    assert _snapshot(document) == before


def test_an_unsigned_document_is_rerendered_and_a_correction_cancels_the_old(cast, api) -> None:
    document = Document.objects.get(request=approved_trip(cast))
    first_hash = document.sha256
    services.document_regenerate(document_id=document.pk, actor=cast.hr.user)
    document.refresh_from_db()
    assert document.sha256 and document.number == "1-к" and first_hash
    api(cast.employee).post(f"/api/v1/documents/{document.pk}/code/")
    code = last_code(cast.employee)
    api(cast.employee).post(f"/api/v1/documents/{document.pk}/sign/", {"code": code}, format="json")
    new = services.document_correct(document_id=document.pk, actor=cast.hr.user, facts={"destination": "Сочи"})
    document.refresh_from_db()
    assert document.status == Document.Status.CANCELLED and document.cancelled_by == new
    assert new.number == "2-к" and new.content["destination"] == "Сочи" and new.content["replaces"].startswith("1-к")
    assert new.status == Document.Status.AWAITING
