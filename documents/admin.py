"""Documents in the admin for HR: the registers by year, search by number and employee, filters; documents are
read-only (a signed one can never change; an unsigned one is regenerated or corrected through the actions);
archives of a period's orders are built in the background."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from documents import services, tasks
from documents.models import Document, DocumentArchive, DocumentRegister, Signature
from hrportal.admin_mixins import ReadOnlyAdmin
from hrportal.errors import ApplicationError
from staff.admin import HRAdminMixin


class SignatureInline(ReadOnlyAdmin, admin.TabularInline):
    model = Signature
    extra = 0
    fields = ("signer", "signed_at", "method", "document_sha256", "ip", "user_agent", "recorded_by")
    readonly_fields = fields


@admin.register(Document)
class DocumentAdmin(HRAdminMixin, admin.ModelAdmin):
    list_display = ("number", "kind", "date", "employee", "status", "request")
    list_filter = ("kind", "year", "status", "date")
    search_fields = ("number", "employee__last_name", "employee__first_name", "employee__personnel_number")
    date_hierarchy = "date"
    list_select_related = ("employee", "request")
    fields = (
        "kind",
        "number",
        "date",
        "employee",
        "request",
        "title",
        "status",
        "sha256",
        "on_paper",
        "cancelled_by",
        "file_link",
        "created_by",
        "created_at",
    )
    readonly_fields = fields
    inlines = [SignatureInline]
    actions = ["regenerate", "correct", "combine_t6a"]

    @admin.display(description=_("file"))
    def file_link(self, obj: Document) -> str:
        if not obj.file:
            return "—"
        return format_html('<a href="{}">PDF</a>', reverse("document-file", kwargs={"document_id": obj.pk}))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # documents are made by approvals and HR's actions, never typed in

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the register keeps every number

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Every field is read-only; a signed document is not even offered the change form's save.
        if obj is not None and obj.signatures.exists():
            return False
        return super().has_change_permission(request, obj)

    def _each(self, request: HttpRequest, queryset: QuerySet[Document], service: Any, done: str) -> None:
        count = 0
        for document in queryset:
            try:
                service(document_id=document.pk, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{document.number}: {exc}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Re-render the PDF (unsigned documents only)"))
    def regenerate(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        self._each(request, queryset, services.document_regenerate, str(_("Re-rendered: %(count)s.")))

    @admin.action(description=_("Correct: a new document that cancels the selected one"))
    def correct(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        self._each(request, queryset, services.document_correct, str(_("Corrections issued: %(count)s.")))

    @admin.action(description=_("Make one T-6a order of the selected leave orders"))
    def combine_t6a(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        ids = list(
            queryset.filter(kind=Document.Kind.LEAVE_ORDER).exclude(request=None).values_list("request", flat=True)
        )
        try:
            document = services.leave_order_group(request_ids=ids, actor=request.user)
        except ApplicationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, _("T-6a order No. %(number)s is made.") % {"number": document.number})


@admin.register(DocumentRegister)
class DocumentRegisterAdmin(ReadOnlyAdmin, HRAdminMixin, admin.ModelAdmin):
    list_display = ("year", "kind", "last_number")
    list_filter = ("year", "kind")


@admin.register(DocumentArchive)
class DocumentArchiveAdmin(HRAdminMixin, admin.ModelAdmin):
    """HR adds an archive (a period, optionally a kind); a Celery task zips the orders into private storage."""

    list_display = ("__str__", "kind", "status", "count", "created_at", "download")
    fields = ("date_from", "date_to", "kind")

    @admin.display(description=_("zip"))
    def download(self, obj: DocumentArchive) -> str:
        if obj.status != DocumentArchive.Status.DONE:
            return "—"
        return format_html('<a href="{}">zip</a>', reverse("document-archive-download", kwargs={"archive_id": obj.pk}))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: DocumentArchive, form: Any, change: bool) -> None:
        if change:
            return
        made = tasks.archive_request(actor=request.user, date_from=obj.date_from, date_to=obj.date_to, kind=obj.kind)
        obj.pk = made.pk
