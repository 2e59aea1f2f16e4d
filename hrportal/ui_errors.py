"""Service errors as the pages show them: in the user's language.

Services raise `hrportal.errors.ApplicationError` with messages the API returns as they are; the HTML pages
of every app translate them here, in one place. A plain message is looked up in the catalogue (the services'
messages are marked for it with `gettext_noop` where they are raised in English, see requests_app.views); a
message with a variable part cannot be, so it is recognised and rebuilt from its parts.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from hrportal.errors import ApplicationError

# requests_app.services builds these two in English with the request's number or status in them.
_OVERLAP = re.compile(
    r"^These dates overlap another pending or approved absence of this employee \(request #(\d+)\)\.$"
)
_STATE = re.compile(r"^An? .+ request cannot be (approved|rejected|cancelled)\.$")


def localise(message: str) -> str:
    """One service message in the user's language (the dynamic ones rebuilt from their parts)."""
    if match := _OVERLAP.match(message):
        return _("These dates overlap another pending or approved absence of this employee (request #%(id)s).") % {
            "id": match.group(1)
        }
    if match := _STATE.match(message):
        return {
            "approved": _("The request is no longer pending: it cannot be approved."),
            "rejected": _("The request is no longer pending: it cannot be rejected."),
            "cancelled": _("The request can no longer be cancelled."),
        }[match.group(1)]
    return _(message)


def service_messages(exc: ApplicationError) -> dict[str, list[str]]:
    """The error's messages by field, in the user's language."""
    return {field: [localise(message) for message in msgs] for field, msgs in exc.detail.items()}


def error_text(exc: ApplicationError) -> str:
    """The error's messages in the user's language as one line (for a flash message or a 403 page)."""
    return " ".join(message for msgs in service_messages(exc).values() for message in msgs)
