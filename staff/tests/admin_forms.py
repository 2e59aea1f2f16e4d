"""Build the POST data of an admin change form from its GET response, as a browser would."""

from __future__ import annotations

from typing import Any

from django.forms import MultiWidget


def _put(data: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        if value:
            data[key] = "on"
        return
    if isinstance(value, list | tuple):
        data[key] = [str(v) for v in value]
        return
    data[key] = str(value)


def _put_field(data: dict[str, Any], form: Any, name: str) -> None:
    bound = form[name]
    widget = bound.field.widget
    key = form.add_prefix(name)
    if isinstance(widget, MultiWidget):  # e.g. a split date/time: one input per part
        value = bound.value()
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        for suffix, part in zip(widget.widgets_names, parts, strict=True):
            _put(data, f"{key}{suffix}", part)
        return
    _put(data, key, bound.value())


def admin_form_data(response: Any) -> dict[str, Any]:
    """Every field of the main form and of every inline formset (management forms included)."""
    data: dict[str, Any] = {}
    form = response.context["adminform"].form
    for name in form.fields:
        _put_field(data, form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            _put(data, management.add_prefix(name), management[name].value())
        for inline_form in formset.forms:
            for name in inline_form.fields:
                _put_field(data, inline_form, name)
    return data


def inline_prefix(response: Any, inline_class: type) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if isinstance(inline.opts, inline_class):
            return inline.formset.prefix
    raise LookupError(inline_class)
