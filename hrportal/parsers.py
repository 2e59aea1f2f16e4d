"""The API's JSON parser: what it accepts, the database can store and Python can walk.

DRF's JSONParser lets through text with NUL characters (PostgreSQL refuses them: a 500 at the first query) and
lets a deeply nested body raise RecursionError (a 500 too). Both are the caller's mistakes, so both are a 400
here, with the field named where there is one.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32  # no body of this API nests deeper than a few levels
NUL_MESSAGE = _("Null characters are not allowed.")


def _nul_path(value: Any, depth: int = 0) -> list[str] | None:
    """The path to the first string (or key) holding a NUL character, or None."""
    if depth > MAX_DEPTH:
        raise exceptions.ParseError(_("The JSON body is nested too deeply."))
    if isinstance(value, str):
        return [] if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                return [str(key).replace("\x00", "")]
            found = _nul_path(item, depth + 1)
            if found is not None:
                return [str(key), *found]
    elif isinstance(value, list):
        for item in value:
            found = _nul_path(item, depth + 1)
            if found is not None:
                return found
    return None


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("The JSON body is nested too deeply.")) from None
        path = _nul_path(data)
        if path is not None:
            field = path[0] if path else "non_field_errors"
            raise exceptions.ValidationError({field: [NUL_MESSAGE]})
        return data
