"""Service errors in the user's language (hrportal.ui_errors), which every app's pages show them through."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from hrportal.errors import Conflict, NotAllowed, ValidationFailed
from hrportal.ui_errors import error_text, localise, service_messages
from requests_app.services import OVERLAP_MESSAGE
from tests.ui.test_i18n import module_messages, russian


@pytest.mark.parametrize("module", ["requests_app/services.py", "staff/services.py"])
def test_every_message_has_a_russian_translation(module: str) -> None:
    messages = module_messages(module)
    assert messages
    assert [m for m in messages if russian(m) == m] == []


def test_a_plain_message_comes_from_the_catalogue() -> None:
    with translation.override("ru"):
        assert localise("You cannot be your own deputy.") == russian("You cannot be your own deputy.")
    with translation.override("en"):
        assert localise("You cannot be your own deputy.") == "You cannot be your own deputy."


@pytest.mark.django_db
def test_the_messages_with_a_number_or_a_status_are_worded_for_the_pages(cast) -> None:
    """As requests_app.services raises them: the API's English text carries the number or the status, the
    pages show the catalogue's wording of it."""
    from requests_app import services

    trip = {"kind": "business_trip", "destination": "Омск", "purpose": "A"}
    first = services.request_create(
        actor=cast.employee.user, start_date=dt.date(2030, 5, 12), end_date=dt.date(2030, 5, 15), **trip
    )
    with pytest.raises(Conflict) as overlap:
        services.request_create(
            actor=cast.employee.user, start_date=dt.date(2030, 5, 14), end_date=dt.date(2030, 5, 18), **trip
        )
    assert overlap.value.detail == {"detail": [OVERLAP_MESSAGE.format(id=first.pk)]}  # the API's text
    services.request_reject(request_id=first.pk, actor=cast.manager.user)
    with pytest.raises(Conflict) as closed:
        services.request_approve(request_id=first.pk, actor=cast.manager.user)
    with pytest.raises(Conflict) as gone:
        services.request_cancel(request_id=first.pk, actor=cast.employee.user)
    with translation.override("ru"):
        shown = error_text(overlap.value)
        assert shown == russian(
            "These dates overlap another pending or approved absence of this employee (request #%(id)s)."
        ) % {"id": first.pk}
        assert shown != OVERLAP_MESSAGE.format(id=first.pk)
        assert error_text(closed.value) == russian("The request is no longer pending: it cannot be approved.")
        assert error_text(gone.value) == russian("The request can no longer be cancelled.")
    with translation.override("en"):
        assert error_text(overlap.value) == OVERLAP_MESSAGE.format(id=first.pk)


def test_an_error_is_shown_by_field_or_as_one_line() -> None:
    refused = ValidationFailed(
        {"deputy": ["You cannot be your own deputy."], "end_date": ["A delegation lasts at most a year."]}
    )
    with translation.override("ru"):
        assert service_messages(refused) == {
            "deputy": [russian("You cannot be your own deputy.")],
            "end_date": [russian("A delegation lasts at most a year.")],
        }
        assert error_text(refused) == " ".join(
            [russian("You cannot be your own deputy."), russian("A delegation lasts at most a year.")]
        )
        assert error_text(NotAllowed("You cannot approve this request.")) == russian("You cannot approve this request.")
    assert refused.detail["deputy"] == ["You cannot be your own deputy."]  # the error itself stays as raised
