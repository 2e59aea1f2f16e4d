"""`field_label`: a model field's verbose name by its attribute name, for the admin's history pages (the history
app prints the attribute names of its columns and changes: "termination_date")."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

register = template.Library()


@register.filter
def field_label(opts: Any, name: str) -> str:
    """`{{ opts|field_label:"termination_date" }}` → «Дата увольнения»; an unknown name is shown as it is."""
    try:
        return capfirst(opts.get_field(name).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        return name
