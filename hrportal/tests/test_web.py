"""The web layer's navigation: computed only when a template shows it, once per render, and the same as the
role rules say."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse

from hrportal.web import context

pytestmark = pytest.mark.django_db


def _render(source: str, user: Any) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return engines["django"].from_string(source).render({}, request)


def test_the_nav_is_computed_once_and_only_when_a_template_reads_it(cast, monkeypatch) -> None:
    calls = []
    real = context.nav_for
    monkeypatch.setattr(context, "nav_for", lambda user: calls.append(user) or real(user))
    _render("{{ user.username }}", cast.manager.user)
    assert calls == []
    page = _render("{{ nav.can_approve }} {{ nav.manages }} {% if nav.is_hr %}hr{% endif %}", cast.manager.user)
    assert page == "True True " and len(calls) == 1


def test_the_nav_follows_the_roles(cast) -> None:
    assert context.nav_for(cast.employee.user).can_approve is False
    assert context.nav_for(cast.manager.user).can_approve is True
    hr = context.nav_for(cast.hr.user)
    assert hr.is_hr and hr.can_approve and hr.employee == cast.hr
    nobody = context.nav_for(AnonymousUser())
    assert (nobody.employee, nobody.can_approve, nobody.approvals_count) == (None, False, 0)


def test_a_fragment_makes_no_query_for_the_nav(cast, login, monkeypatch) -> None:
    monkeypatch.setattr(context, "nav_for", lambda user: pytest.fail("the fragment read the nav"))
    response = login(cast.employee).get(reverse("leave-quote-fragment"))
    assert response.status_code == 200 and b'data-testid="quote"' in response.content
