"""Service errors as the pages show them: in the user's language.

Services raise `hrportal.errors.ApplicationError` with messages the API returns as they are; the HTML pages
of every app translate them here, in one place. A plain message is looked up in the catalogue (the services'
messages are marked for it with `gettext_noop` where they are raised in English, see requests_app.views); a
message with a variable part carries its own wording for the pages (`ApplicationError.ui`).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from hrportal.errors import ApplicationError


def localise(message: str) -> str:
    """One plain service message in the user's language (from the catalogue; unknown ones as they are)."""
    return _(message)


def service_messages(exc: ApplicationError) -> dict[str, list[str]]:
    """The error's messages by field, in the user's language: its `ui` wording when it has one (a message with
    a number or a status in it), else each message from the catalogue."""
    if exc.ui is not None:
        template, params = exc.ui
        return {field: [_(template) % params if params else _(template)] for field in exc.detail}
    return {field: [localise(message) for message in msgs] for field, msgs in exc.detail.items()}


def error_text(exc: ApplicationError) -> str:
    """The error's messages in the user's language as one line (for a flash message or a 403 page)."""
    return " ".join(message for msgs in service_messages(exc).values() for message in msgs)
