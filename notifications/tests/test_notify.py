"""notify(): rows, languages, links, dedupe, one insert, one enqueue after commit, never raising on a dead broker."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError

from notifications import services
from notifications.models import OutboxContent, OutboxMessage
from notifications.rendering import language_for
from notifications.services import notify
from notifications.tests.factories import fake_request, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """Record dispatch publishes instead of talking to a broker."""
    from notifications.tasks import dispatch

    calls: list[list[int]] = []

    def fake_apply_async(args: Any = None, **kwargs: Any) -> None:
        calls.append(list(args[0]))

    monkeypatch.setattr(dispatch, "apply_async", fake_apply_async)
    return calls


def test_one_row_per_recipient_rendered_in_their_language(settings: Any) -> None:
    settings.PORTAL_BASE_URL = "https://hr.example.com/"
    ru, en = make_person(language="ru"), make_person(language="en")
    request = fake_request(employee=ru, id=7)
    messages = notify(
        event="request_created",
        obj=ru,
        recipients=[ru, en],
        context={"request": request, "actor": ru, "path": "/requests/7/"},
    )
    by_language = {m.language: m for m in messages}
    assert set(by_language) == {"ru", "en"}
    assert by_language["ru"].recipient == ru
    assert by_language["ru"].recipient_email == ru.email
    assert by_language["ru"].subject.startswith("Новая заявка № 7")
    assert by_language["en"].subject.startswith("New request No. 7")
    assert "Сидоров Олег Игоревич" in by_language["ru"].body_text
    assert "03.03.2025 – 14.03.2025" in by_language["en"].body_text
    for message in messages:
        assert "https://hr.example.com/requests/7/" in message.body_text
        assert 'href="https://hr.example.com/requests/7/"' in message.body_html
        assert message.status == OutboxMessage.Status.QUEUED
        assert message.object_key == f"staff.employee:{ru.pk}"
        assert message.obj == ru


def test_text_parts_are_not_html_escaped() -> None:
    person = make_person()
    [message] = notify(
        event="request_rejected",
        obj=person,
        recipients=[person],
        context={"request": fake_request(person), "actor": person, "comment": "Dates & <b>overlap</b>"},
    )
    assert "Dates & <b>overlap</b>" in message.body_text
    assert "Dates &amp; &lt;b&gt;overlap&lt;/b&gt;" in message.body_html


def test_an_unknown_language_falls_back_to_russian() -> None:
    assert language_for("de") == "ru"
    assert language_for(None) == "ru"
    assert language_for("EN") == "en"


def test_the_same_event_object_and_recipient_is_queued_once() -> None:
    person = make_person()
    first = notify(event="request_approved", obj=person, recipients=[person, person], context={})
    again = notify(event="request_approved", obj=person, recipients=[person], context={})
    assert len(first) == 1
    assert [m.pk for m in again] == [first[0].pk]
    assert OutboxMessage.objects.count() == 1


def test_a_new_object_is_inserted_without_the_read_back_and_a_wrong_claim_is_refused_loudly(
    dispatched: list[list[int]],
) -> None:
    person, other = make_person(), make_person()
    ContentType.objects.get_for_model(person)  # the content type is cached: not a query of notify()'s
    with CaptureQueriesContext(connection) as new:
        messages = notify(event="request_created", obj=person, recipients=[person, other], new_object=True)
    assert [q["sql"].split()[0].upper() for q in new.captured_queries] == ["INSERT", "INSERT"]
    assert [m.pk for m in messages] == list(
        OutboxMessage.objects.filter(object_key__endswith=f":{person.pk}").order_by("pk").values_list("pk", flat=True)
    )
    # The caller was wrong: rows exist. The unique key refuses the insert (the change rolls back), never skips it.
    with pytest.raises(IntegrityError), transaction.atomic():
        notify(event="request_created", obj=person, recipients=[person], new_object=True)
    assert OutboxMessage.objects.count() == 2


def test_recipients_without_email_are_skipped(caplog: pytest.LogCaptureFixture) -> None:
    person, no_mail = make_person(), make_person(email="")
    with caplog.at_level(logging.WARNING, logger="notifications.services"):
        messages = notify(event="request_approved", obj=person, recipients=[person, no_mail])
    assert [m.recipient_id for m in messages] == [person.pk]
    assert "has no email address" in caplog.text
    assert notify(event="request_approved", obj=person, recipients=[no_mail]) == []


def test_one_insert_whatever_the_number_of_recipients() -> None:
    people = [make_person() for _ in range(20)]
    subject = make_person()
    notify(event="request_created", obj=people[0], recipients=[subject])  # warm the content-type cache

    with CaptureQueriesContext(connection) as one:
        notify(event="request_approved", obj=subject, recipients=[people[0]])
    with CaptureQueriesContext(connection) as twenty:
        notify(event="request_rejected", obj=subject, recipients=people)

    def inserts(captured: CaptureQueriesContext) -> list[str]:
        return [q["sql"] for q in captured.captured_queries if q["sql"].upper().startswith("INSERT")]

    assert len(inserts(twenty)) == len(inserts(one)) == 2  # the content once, the rows in one statement
    assert len(twenty.captured_queries) == len(one.captured_queries)
    assert OutboxMessage.objects.filter(event="request_rejected").count() == 20


def test_the_content_is_stored_once_per_language() -> None:
    people = [make_person(language="ru"), make_person(language="en"), make_person(language="ru")]
    messages = notify(event="request_created", obj=people[0], recipients=people)
    assert OutboxContent.objects.count() == 2
    by_language = {m.language: m.content_id for m in messages}
    assert [m.content_id for m in messages] == [by_language[m.language] for m in messages]


def test_a_repeated_call_adds_only_the_new_recipients() -> None:
    first, second = make_person(), make_person()
    [earlier] = notify(event="request_created", obj=first, recipients=[first])
    OutboxMessage.objects.filter(pk=earlier.pk).update(status=OutboxMessage.Status.SENT)
    messages = notify(event="request_created", obj=first, recipients=[first, second])
    assert [(m.recipient_id, m.status) for m in messages] == [
        (first.pk, OutboxMessage.Status.SENT),
        (second.pk, OutboxMessage.Status.QUEUED),
    ]
    assert messages[0].pk == earlier.pk
    assert OutboxContent.objects.count() == 2  # the first call's, and the new recipient's


def test_a_repeated_call_leaves_no_unused_content() -> None:
    person = make_person()
    notify(event="request_approved", obj=person, recipients=[person])
    notify(event="request_approved", obj=person, recipients=[person])
    assert OutboxContent.objects.count() == 1


def test_unknown_event_is_a_programming_error() -> None:
    person = make_person()
    with pytest.raises(ValueError, match="no_such_event"):
        notify(event="no_such_event", obj=person, recipients=[person])


def test_an_unsaved_object_is_refused() -> None:
    person = make_person()
    with pytest.raises(ValueError):
        notify(event="request_approved", obj=type(person)(), recipients=[person])


@pytest.mark.django_db(transaction=True)
def test_notify_outside_a_transaction_is_refused() -> None:
    person = make_person()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        notify(event="request_approved", obj=person, recipients=[person])
    assert not OutboxMessage.objects.exists()


def test_one_dispatch_is_enqueued_after_commit(
    django_capture_on_commit_callbacks: Any, dispatched: list[list[int]]
) -> None:
    people = [make_person() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        messages = notify(event="request_created", obj=people[0], recipients=people)
        assert dispatched == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert dispatched == [[m.pk for m in messages]]


def test_nothing_is_enqueued_for_rows_already_sent(
    django_capture_on_commit_callbacks: Any, dispatched: list[list[int]]
) -> None:
    person = make_person()
    [message] = notify(event="request_approved", obj=person, recipients=[person])
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.SENT)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = notify(event="request_approved", obj=person, recipients=[person])
    assert [m.status for m in again] == [OutboxMessage.Status.SENT]
    assert callbacks == []
    assert dispatched == []


def test_a_dead_broker_at_commit_is_logged_not_raised(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from notifications.tasks import dispatch

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(dispatch, "apply_async", refuse)
    person = make_person()
    with (
        caplog.at_level(logging.ERROR, logger="notifications.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [message] = notify(event="request_approved", obj=person, recipients=[person])
    assert "the sweeper will send them" in caplog.text
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.QUEUED


def test_a_real_refused_broker_connection_does_not_raise(caplog: pytest.LogCaptureFixture) -> None:
    from tests.harness.broker import celery_broker
    from tests.harness.util import free_port

    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"), caplog.at_level(logging.ERROR):
        services.enqueue_dispatch([1, 2, 3])
    assert "could not enqueue messages [1, 2, 3]" in caplog.text


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_a_small_report_is_attached(media: Any, settings: Any) -> None:
    settings.HRPORTAL = {**settings.HRPORTAL, "REPORT_ATTACH_MAX_BYTES": 1000}
    name = default_storage.save("reports/holiday-work.xlsx", ContentFile(b"x" * 100))
    person = make_person()
    [message] = notify(
        event="report_ready",
        obj=person,
        recipients=[person],
        context={"report": None, "download_url": "/api/v1/reports/5/download/"},
        attachments=[name],
    )
    assert message.attachments == [name]
    assert "holiday-work.xlsx приложен" in message.body_text


def test_a_large_report_is_linked_instead(media: Any, settings: Any) -> None:
    settings.HRPORTAL = {**settings.HRPORTAL, "REPORT_ATTACH_MAX_BYTES": 50}
    settings.PORTAL_BASE_URL = "https://hr.example.com"
    name = default_storage.save("reports/big.xlsx", ContentFile(b"x" * 100))
    person = make_person(language="en")
    [message] = notify(
        event="report_ready",
        obj=person,
        recipients=[person],
        context={"download_url": "/api/v1/reports/5/download/"},
        attachments=[name],
    )
    assert message.attachments == []
    assert "too large to attach" in message.body_text
    assert "https://hr.example.com/api/v1/reports/5/download/" in message.body_text
