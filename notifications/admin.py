"""The outbox in the admin: read-only rows with their attempt log and the reason of the last failure;
"retry now", "send again" and "cancel" go through services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hrportal.admin_mixins import ReadOnlyAdmin
from hrportal.errors import ApplicationError
from notifications.models import DeliveryAttempt, OutboxMessage
from notifications.services import message_cancel, message_resend, message_retry_now


class DeliveryAttemptInline(ReadOnlyAdmin, admin.TabularInline):
    model = DeliveryAttempt
    fields = ("number", "started_at", "finished_at", "outcome", "error", "task_id")
    readonly_fields = fields
    extra = 0
    ordering = ("number",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "event",
        "recipient_email",
        "language_display",
        "status",
        "attempts",
        "last_error_kind",
        "reason",
        "due_at",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "last_error_kind", "event", ("created_at", admin.DateFieldListFilter))
    search_fields = ("recipient_email", "recipient__last_name", "content__subject")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    list_per_page = 100
    show_full_result_count = False  # a count(*) over a big outbox on every page is wasted work
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now", "send_again", "cancel"]
    fieldsets = (
        (None, {"fields": ("event", "object_key", "recipient", "recipient_email", "language", "status")}),
        (
            _("Delivery"),
            {
                "fields": (
                    "attempts",
                    "last_error_kind",
                    "last_error",
                    "lost_attempts",
                    "created_at",
                    "due_at",
                    "claimed_at",
                    "sent_at",
                )
            },
        ),
        (_("Content"), {"fields": ("subject", "body_text", "body_html", "attachments")}),
    )
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]  # all read-only

    # The content's fields, shown on the message (OutboxMessage's properties): labelled like the model's fields.
    @admin.display(description=_("subject"))
    def subject(self, obj: OutboxMessage) -> str:
        return obj.subject

    @admin.display(description=_("text body"))
    def body_text(self, obj: OutboxMessage) -> str:
        return obj.body_text

    @admin.display(description=_("HTML body"))
    def body_html(self, obj: OutboxMessage) -> str:
        return obj.body_html

    @admin.display(description=_("attachments"))
    def attachments(self, obj: OutboxMessage) -> str:
        return ", ".join(obj.attachments) or "—"

    @admin.display(description=_("language"), ordering="language")
    def language_display(self, obj: OutboxMessage) -> str:
        return str(dict(settings.LANGUAGES).get(obj.language, obj.language))

    @admin.display(description=_("reason"))
    def reason(self, obj: OutboxMessage) -> str:
        """The last error as the list shows it: the SMTP code and text first (notifications/retry.py)."""
        text = obj.last_error.partition(": ")[2] or obj.last_error
        return text if len(text) <= 80 else f"{text[:79]}…"

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboxMessage]:
        return super().get_queryset(request).select_related("content", "recipient")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows come from services only

    def has_delete_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False  # the outbox is the record of what was sent

    def _apply(self, request: HttpRequest, queryset: QuerySet[OutboxMessage], service, done_message: str) -> None:  # type: ignore[no-untyped-def]
        done, refused = 0, []
        for message in queryset.order_by("pk"):
            try:
                service(message=message, actor=request.user)
            except ApplicationError as exc:
                refused.append(f"#{message.pk}: {exc}")
                continue
            done += 1
            self.log_change(request, message, done_message)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d message: %(what)s.", "%(count)d messages: %(what)s.", done)
                % {"count": done, "what": done_message},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(request, "; ".join(refused), messages.WARNING)

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        self._apply(request, queryset, message_retry_now, str(_("due now")))

    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        self._apply(request, queryset, message_resend, str(_("queued to be sent again")))

    @admin.action(description=_("Cancel"), permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        self._apply(request, queryset, message_cancel, str(_("cancelled")))
