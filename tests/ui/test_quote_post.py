"""The live quote of the leave form is a POST: the form's CSRF token never lands in a URL (issue 22)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

QUOTE = {"leave_type": "annual", "start_date": "2026-04-27", "end_date": "2026-05-15"}


def test_the_leave_form_posts_its_quote_and_the_token_travels_in_no_url(cast, calendars, login) -> None:
    html = login(cast.employee).get(reverse("request-new-leave")).content.decode()
    assert f'hx-post="{reverse("leave-quote-fragment")}"' in html
    assert "hx-get" not in html
    assert "X-CSRFToken" in html  # base.html's hx-headers: htmx sends the token as a header
    # The view takes the POST and, like every POST, wants the token.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.employee.user)
    assert strict.post(reverse("leave-quote-fragment"), QUOTE).status_code == 403
    form = strict.get(reverse("request-new-leave")).content.decode()
    token = form.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = strict.post(reverse("leave-quote-fragment"), QUOTE, HTTP_X_CSRFTOKEN=token, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "data-days-charged" in response.content.decode()
