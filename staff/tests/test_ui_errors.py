"""Service errors in the user's language (hrportal.ui_errors), which every app's pages show them through."""

from __future__ import annotations

import pytest
from django.utils import translation

from hrportal.errors import Conflict, NotAllowed, ValidationFailed
from hrportal.ui_errors import error_text, localise, service_messages
from requests_app.services import OVERLAP_MESSAGE
from tests.ui.test_i18n import module_messages, russian


@pytest.mark.parametrize("module", ["hrportal/ui_errors.py", "staff/services.py"])
def test_every_message_has_a_russian_translation(module: str) -> None:
    messages = module_messages(module)
    assert messages
    assert [m for m in messages if russian(m) == m] == []


def test_a_plain_message_comes_from_the_catalogue() -> None:
    with translation.override("ru"):
        assert localise("You cannot be your own deputy.") == russian("You cannot be your own deputy.")
    with translation.override("en"):
        assert localise("You cannot be your own deputy.") == "You cannot be your own deputy."


def test_the_messages_with_a_number_or_a_status_are_rebuilt() -> None:
    overlap = OVERLAP_MESSAGE.format(id=42)  # as requests_app.services raises it
    with translation.override("ru"):
        rebuilt = localise(overlap)
        assert rebuilt != overlap and "42" in rebuilt
        assert localise("A Rejected request cannot be approved.") == russian(
            "The request is no longer pending: it cannot be approved."
        )
        assert localise("An Approved request cannot be rejected.") == russian(
            "The request is no longer pending: it cannot be rejected."
        )
        assert localise("A Cancelled request cannot be cancelled.") == russian(
            "The request can no longer be cancelled."
        )
    with translation.override("en"):
        assert localise(overlap) == overlap


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
        assert error_text(Conflict("A Rejected request cannot be cancelled.")) == russian(
            "The request can no longer be cancelled."
        )
        assert error_text(NotAllowed("You cannot approve this request.")) == russian("You cannot approve this request.")
    assert refused.detail["deputy"] == ["You cannot be your own deputy."]  # the error itself stays as raised
