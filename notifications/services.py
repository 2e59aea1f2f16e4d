"""Writes to the outbox: queue the mail of an event, retry or send a message again, cancel it.

`notify` is what other apps call, inside the transaction of the change that causes the mail: the rows commit or
roll back with that change, and one dispatch task is enqueued only after the commit.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hrportal.errors import Conflict
from hrportal.storage import private_size
from notifications.models import OutboxContent, OutboxMessage
from notifications.rendering import language_for, render

if TYPE_CHECKING:
    from staff.models import Employee

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Address:
    """A recipient outside the staff list: a mailbox such as payroll's (settings.HRPORTAL), in a language."""

    email: str
    language: str = "ru"
    full_name: str = ""


# A web request must not hang on a dead broker: one quick retry, then the sweeper's turn.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.1, "interval_step": 0.2, "interval_max": 0.2}


def notify(
    *,
    event: str,
    obj: models.Model,
    recipients: Iterable[Employee | Address],
    context: dict[str, Any] | None = None,
    attachments: Sequence[str] = (),
    occasion: str = "",
    new_object: bool = False,
) -> list[OutboxMessage]:
    """Queue the mail of `event` about `obj` to each recipient; return their outbox rows.

    Must run inside the caller's transaction. One row per recipient (deduplicated by email) in the recipient's
    language; the mail is rendered once per language and stored once (`OutboxContent`), the rows written in one
    insert that skips rows already queued for the same event, object and recipient — so a retried service never
    queues twice. After the commit one dispatch task fans the messages out; if the broker is down then, the
    sweeper sends them later.

    `attachments` are names in Django's default storage; above HRPORTAL["REPORT_ATTACH_MAX_BYTES"] in total
    they are not attached and the templates get `attached=False` (and show `download_url` instead).

    `occasion` joins the object key, for an event that recurs about one object (a daily reminder: the date):
    the outbox then holds one message per recipient and occasion instead of one per recipient.

    `new_object` says that `obj` was saved in this same transaction (a request being filed): then no row can
    exist for it yet, and the rows are inserted without looking for earlier ones.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify() must run inside the transaction of the change that causes the mail")
    if obj.pk is None:
        raise ValueError("notify() needs a saved object")

    targets: dict[str, tuple[Employee | Address, str, str]] = {}
    for employee in recipients:
        email = (getattr(employee, "email", "") or "").strip()
        if not email:
            logger.warning("outbox: %s has no email address; %s not queued for them", employee, event)
            continue
        targets.setdefault(email.casefold(), (employee, email, language_for(getattr(employee, "language", None))))
    if not targets:
        return []

    content_type = ContentType.objects.get_for_model(obj)
    object_key = f"{content_type.app_label}.{content_type.model}:{obj.pk}"
    if occasion:
        object_key = f"{object_key}@{occasion}"
    attached, files = _attachments(attachments)
    base_context = _base_context(event=event, obj=obj, context=context or {}, attached=attached, files=attachments)
    languages = sorted({language for _, _, language in targets.values()})
    now = timezone.now()
    contents = {}
    for language in languages:
        rendered = render(event=event, language=language, context=base_context)
        contents[language] = OutboxContent(
            event=event,
            content_type=content_type,
            object_id=str(obj.pk),
            language=language,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            attachments=list(files),
            created_at=now,
        )
    OutboxContent.objects.bulk_create(contents.values())  # returns ids (PostgreSQL, SQLite ≥ 3.35)

    rows = [
        OutboxMessage(
            event=event,
            object_key=object_key,
            recipient=employee if isinstance(employee, models.Model) else None,
            recipient_email=email,
            language=language,
            content=contents[language],
            status=OutboxMessage.Status.QUEUED,
            due_at=now,
            created_at=now,
            updated_at=now,
        )
        for employee, email, language in targets.values()
    ]
    if new_object:
        # Nothing can name `obj` in the outbox yet: it was saved in this transaction, so no other transaction
        # sees its id before the commit, and ids are never reused. A plain insert returns the ids; were the
        # caller wrong, the unique constraint would refuse it and roll the change back, never skip a mail.
        OutboxMessage.objects.bulk_create(rows)
        messages = rows
    else:
        messages = _insert_new(rows, contents=list(contents.values()))
    queued = [m.pk for m in messages if m.status == OutboxMessage.Status.QUEUED]
    if queued:
        transaction.on_commit(partial(enqueue_dispatch, queued))
    return messages


def _insert_new(rows: list[OutboxMessage], *, contents: list[OutboxContent]) -> list[OutboxMessage]:
    """Insert the rows in one statement, skipping any already in the outbox (same event, object and recipient);
    return the outbox's rows for these recipients by id: ours, and those a retried service queued before.

    With `ignore_conflicts` the ORM returns no ids, so ours are read back: the rows that point at our new content,
    which no other transaction can see. (A hand-written `INSERT … ON CONFLICT DO NOTHING RETURNING` saved that
    query, but `bench/notify_fanout.py` shows less than the 2× that STYLE.md asks of raw SQL: decision 0007.)
    """
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    ids = dict(OutboxMessage.objects.filter(content__in=contents).values_list("recipient_email", "pk"))
    for row in rows:
        if row.recipient_email in ids:
            row.pk = ids[row.recipient_email]
            row._state.adding = False
            row._state.db = OutboxMessage.objects.db
    messages = [row for row in rows if row.pk is not None]
    if len(messages) < len(rows):
        messages += OutboxMessage.objects.select_related("content").filter(
            event=rows[0].event,
            object_key=rows[0].object_key,
            recipient_email__in=[row.recipient_email for row in rows if row.pk is None],
        )
        unused = {content.pk for content in contents} - {message.content_id for message in messages}
        if unused:
            OutboxContent.objects.filter(pk__in=unused).delete()
    return sorted(messages, key=lambda message: message.pk)


def _attachments(names: Sequence[str]) -> tuple[bool, list[str]]:
    """(attached?, the names to attach): nothing is attached when the total is above the size limit."""
    if not names:
        return False, []
    total = sum(private_size(name) for name in names)
    if total > settings.HRPORTAL["REPORT_ATTACH_MAX_BYTES"]:
        return False, []
    return True, list(names)


def _display_name(person: Any) -> str:
    if person is None:
        return ""
    full_name = getattr(person, "full_name", None)
    if full_name:
        return str(full_name)
    get_full_name = getattr(person, "get_full_name", None)
    if callable(get_full_name) and get_full_name():
        return str(get_full_name())
    return str(getattr(person, "username", None) or person)


def _portal_url() -> str:
    return settings.PORTAL_BASE_URL.rstrip("/")


def _absolute(url: str) -> str:
    return f"{_portal_url()}{url}" if url.startswith("/") else url


def _base_context(
    *, event: str, obj: models.Model, context: dict[str, Any], attached: bool, files: Sequence[str]
) -> dict[str, Any]:
    """The caller's context plus the names every template may use (the caller's keys win)."""
    path = context.get("url") or context.get("path")
    if not path:
        get_absolute_url = getattr(obj, "get_absolute_url", None)
        path = get_absolute_url() if callable(get_absolute_url) else "/"
    base: dict[str, Any] = {
        "event": event,
        "obj": obj,
        "portal_url": _portal_url(),
        "object_url": _absolute(str(path)),
        "attached": attached,
        "attachment_names": [posixpath.basename(name) for name in files],
    }
    if "actor" in context:
        base["actor_name"] = _display_name(context["actor"])
    request = context.get("request")
    if request is not None:
        base["employee_name"] = _display_name(getattr(request, "employee", None))
    merged = {**base, **context}
    if merged.get("download_url"):
        merged["download_url"] = _absolute(str(merged["download_url"]))
    return merged


def enqueue_dispatch(message_ids: list[int]) -> None:
    """The on-commit callback: publish one dispatch task. Never raises — the change is already committed."""
    from notifications.tasks import dispatch

    try:
        dispatch.apply_async(args=[message_ids], retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:
        # A lost publish is silent unless we say so. The rows stay queued; the sweeper
        # re-enqueues them once they are overdue.
        logger.exception("outbox: could not enqueue messages %s; the sweeper will send them", message_ids)


@transaction.atomic
def message_resend(*, message: OutboxMessage, actor: Any) -> OutboxMessage:
    """Queue a failed or cancelled message again with a fresh retry budget ("send again")."""
    row = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if row.status == OutboxMessage.Status.QUEUED:
        return row
    if row.status not in (OutboxMessage.Status.FAILED, OutboxMessage.Status.CANCELLED):
        raise Conflict(_("Only a failed or cancelled message can be sent again."))
    return _queue_now(row, actor=actor, new_round=True)


@transaction.atomic
def message_retry_now(*, message: OutboxMessage, actor: Any) -> OutboxMessage:
    """Try a message now: one waiting for its next try on the retry schedule (e.g. after HR hears that the
    mail server is back) is due at once; a failed or cancelled one is sent again."""
    row = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if row.status not in (OutboxMessage.Status.QUEUED, OutboxMessage.Status.FAILED, OutboxMessage.Status.CANCELLED):
        raise Conflict(_("Only a message that is not sent yet, and not being sent, can be retried."))
    return _queue_now(row, actor=actor, new_round=row.status != OutboxMessage.Status.QUEUED)


def _queue_now(row: OutboxMessage, *, actor: Any, new_round: bool) -> OutboxMessage:
    """Make a locked row queued and due now, and enqueue it after the commit; a new round (`attempt_base`)
    restarts the retry schedule and the lost-claims cap, and keeps the attempt numbers unique."""
    now = timezone.now()
    old_status = row.status
    row.status = OutboxMessage.Status.QUEUED
    row.due_at = now
    row.updated_at = now
    fields = ["status", "due_at", "updated_at"]
    if new_round:
        row.attempt_base = row.attempts
        row.lost_attempts = 0
        fields += ["attempt_base", "lost_attempts"]
    row.save(update_fields=fields)
    logger.info(
        "outbox message %s: %s → queued, due now, by %s",
        row.pk,
        old_status,
        _display_name(actor),
        extra={"outbox_message_id": row.pk},
    )
    transaction.on_commit(partial(enqueue_dispatch, [row.pk]))
    return row


@transaction.atomic
def message_cancel(*, message: OutboxMessage, actor: Any) -> OutboxMessage:
    """Cancel a message that is not sent yet (queued, or failed)."""
    row = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if row.status == OutboxMessage.Status.CANCELLED:
        return row
    if row.status not in (OutboxMessage.Status.QUEUED, OutboxMessage.Status.FAILED):
        # A message being sent cannot be stopped halfway, and a sent one cannot be unsent.
        raise Conflict(_("Only a queued or failed message can be cancelled."))
    old_status = row.status
    row.status = OutboxMessage.Status.CANCELLED
    row.updated_at = timezone.now()
    row.save(update_fields=["status", "updated_at"])
    logger.info(
        "outbox message %s: %s → cancelled by %s",
        row.pk,
        old_status,
        _display_name(actor),
        extra={"outbox_message_id": row.pk},
    )
    return row
