"""The documents pages: the employee's documents and signing, HR's desk (certificates due, signatures awaited),
the download of a document and of an archive."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from documents import selectors, services
from documents.api import client_ip, download
from documents.models import Document, DocumentArchive
from hrportal.errors import ApplicationError, NotFound
from hrportal.pages import CountlessPage, attempt, page_view, query_without_page
from hrportal.storage import open_private
from hrportal.ui_errors import error_text
from staff import access

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("PDF file"), required=False)
    on_paper = forms.BooleanField(label=gettext_lazy("Issued on paper"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


def _hr_only(request: HttpRequest) -> None:
    if not access.is_hr(request.user):
        raise PermissionDenied


@page_view
@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.visible(request.user).order_by("-date", "-id")
    kind = request.GET.get("kind", "")
    if kind in Document.Kind.values:
        qs = qs.filter(kind=kind)
    # Never counted: for HR the register is every document of the company (a quarter of a million at 30,000
    # people), and a COUNT would read all of it for "page N of M"; the page itself walks document_date_idx.
    page = CountlessPage(qs, 50, request.GET.get("page"))
    context = {
        "page": page,
        "query": query_without_page(request),
        "to_sign": list(selectors.awaiting_signature(request.user)[:50]),
        "kinds": Document.Kind.choices,
        "kind": kind,
    }
    return render(request, "documents/document_list.html", context)


@page_view
@require_GET
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    document = selectors.fetch(request.user, document_id)
    is_hr = access.is_hr(request.user)
    context = {
        "document": document,
        "signatures": list(document.signatures.select_related("signer")),
        "employees": list(document.employees.all()),
        "can_sign": selectors.signer_role(request.user, document) is not None,
        "method": settings.HRPORTAL["DOCUMENT_SIGN_METHOD"],
        "is_hr": is_hr,
        "paper_possible": is_hr
        and document.needs_signature
        and document.employee is not None
        and document.status == Document.Status.AWAITING,
    }
    return render(request, "documents/document_detail.html", context)


@page_view
@require_GET
def document_file(request: HttpRequest, document_id: int) -> HttpResponse:
    return download(selectors.fetch(request.user, document_id))


def _act(request: HttpRequest, document_id: int, action: Any, done: str) -> HttpResponse:
    selectors.fetch(request.user, document_id)  # 404 first
    attempt(request, action, done)
    return redirect("document-detail", document_id=document_id)


@page_view
@require_POST
def document_code(request: HttpRequest, document_id: int) -> HttpResponse:
    return _act(
        request,
        document_id,
        lambda: services.signature_code_send(document_id=document_id, user=request.user),
        _("The code has been sent to your e-mail."),
    )


@page_view
@require_POST
def document_sign(request: HttpRequest, document_id: int) -> HttpResponse:
    return _act(
        request,
        document_id,
        lambda: services.document_sign(
            document_id=document_id,
            user=request.user,
            code=request.POST.get("code", "")[:20],
            password=request.POST.get("password", "")[:200],
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        ),
        _("The document is signed."),
    )


@page_view
@require_POST
def document_paper(request: HttpRequest, document_id: int) -> HttpResponse:
    _hr_only(request)
    return _act(
        request,
        document_id,
        lambda: services.signature_record_paper(document_id=document_id, actor=request.user),
        _("The paper signature is recorded."),
    )


@page_view
@require_POST
def document_remind(request: HttpRequest, document_id: int) -> HttpResponse:
    _hr_only(request)
    return _act(
        request,
        document_id,
        lambda: services.signature_remind(document_id=document_id, actor=request.user),
        _("A reminder has been sent."),
    )


@page_view
@require_GET
def hr_desk(request: HttpRequest) -> HttpResponse:
    """HR's desk: certificates due (age in working days, the art. 62 deadline) and documents awaiting a
    signature."""
    _hr_only(request)
    unsigned = Paginator(selectors.unsigned(), 100).get_page(request.GET.get("page"))
    context = {"due": selectors.certificates_due(), "unsigned": unsigned, "form": UploadForm()}
    return render(request, "documents/hr_desk.html", context)


@page_view
@require_POST
def certificate_issue(request: HttpRequest, request_id: int) -> HttpResponse:
    _hr_only(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("documents-hr")
    try:
        document = services.certificate_issue(
            request_id=request_id,
            actor=request.user,
            upload=form.cleaned_data.get("file"),
            on_paper=form.cleaned_data.get("on_paper", False),
        )
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        return redirect("documents-hr")
    messages.success(request, _("The certificate No. %(number)s is issued.") % {"number": document.number})
    return redirect("documents-hr")


@page_view
@require_GET
def archive_download(request: HttpRequest, archive_id: int) -> HttpResponse:
    from django.http import FileResponse

    _hr_only(request)
    archive = DocumentArchive.objects.filter(pk=archive_id, status=DocumentArchive.Status.DONE).first()
    if archive is None or not archive.file:
        raise NotFound("Archive not found.")
    return FileResponse(
        open_private(archive.file.name),
        as_attachment=True,
        filename=f"orders_{archive.date_from}_{archive.date_to}.zip",
    )
