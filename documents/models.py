"""HR documents: orders, agreements, certificates; their number registers, signatures and one-time codes.

A document is written by documents.services only. Its facts (`content`) are frozen when it is made, its PDF is
rendered from them once and its SHA-256 kept; once anyone has signed it, nothing of it changes (`save` refuses,
the admin is read-only, the API has no write) — a correction is a new document that cancels the old one
(`cancelled_by`). Signing adds a Signature row and a stamped copy (`signed_file`); the original stays as it was.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hrportal.storage import private_storage
from staff.models import Employee

IMMUTABLE_FIELDS = ("kind", "number", "seq", "year", "date", "employee_id", "request_id", "content", "file", "sha256")


class SignedDocumentChanged(Exception):
    """Raised by `Document.save` when a signed document's own facts would change."""


class Document(models.Model):
    class Kind(models.TextChoices):
        LEAVE_ORDER = "leave_order", _("leave order (T-6)")
        TRIP_ORDER = "trip_order", _("business trip order (T-9)")
        RATE_ORDER = "rate_order", _("pay-rate change order")
        RATE_AGREEMENT = "rate_agreement", _("supplementary agreement")
        EMPLOYMENT_CERTIFICATE = "employment_certificate", _("employment certificate")
        LEAVE_NOTICE = "leave_notice", _("leave notice (art. 123)")
        UPLOADED = "uploaded", _("uploaded document")

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("awaiting signature")
        SIGNED = "signed", _("signed")
        ISSUED = "issued", _("issued")
        CANCELLED = "cancelled", _("cancelled")

    # Kinds the employee signs (acquaints themself with an order, agrees to a change); the others are issued.
    SIGNED_KINDS = (Kind.LEAVE_ORDER, Kind.TRIP_ORDER, Kind.RATE_ORDER, Kind.RATE_AGREEMENT, Kind.LEAVE_NOTICE)
    ORDER_KINDS = (Kind.LEAVE_ORDER, Kind.TRIP_ORDER, Kind.RATE_ORDER)

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    seq = models.PositiveIntegerField(_("sequence number"))
    year = models.PositiveSmallIntegerField(_("register year"))
    number = models.CharField(_("number"), max_length=30)
    date = models.DateField(_("date"))
    # The employee the document is about; a T-6a order for several has none and lists them in `employees`.
    employee = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="documents", verbose_name=_("employee")
    )
    employees = models.ManyToManyField(Employee, related_name="+", verbose_name=_("employees"))
    request = models.ForeignKey(
        "requests_app.Request",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("request"),
    )
    title = models.CharField(_("title"), max_length=300)
    content = models.JSONField(_("facts"), default=dict)
    file = models.FileField(_("file"), storage=private_storage, max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    on_paper = models.BooleanField(_("issued on paper"), default=False)
    signed_file = models.FileField(_("signed copy"), storage=private_storage, max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    cancelled_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("cancelled by")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "seq"], name="document_number_once_per_register"),
        ]
        indexes = [
            models.Index(fields=["kind", "date"], name="document_kind_date_idx"),
            # The register's order (`ordering`): its first page reads 50 entries of this index, not the table.
            models.Index(fields=["-date", "-id"], name="document_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} № {self.number} от {self.date:%d.%m.%Y}"

    def save(self, *args: object, **kwargs: object) -> None:
        """Refuse to change a signed document's facts, whoever calls (a service, the admin, a shell)."""
        if self.pk is not None and Signature.objects.filter(document_id=self.pk).exists():
            stored = type(self).objects.filter(pk=self.pk).values(*[f.removesuffix("_id") for f in IMMUTABLE_FIELDS])
            row = stored.first() or {}
            for name in IMMUTABLE_FIELDS:
                key = name.removesuffix("_id")
                mine = getattr(self, name)
                mine = mine.name if hasattr(mine, "name") and name == "file" else mine
                if row.get(key) != mine:
                    raise SignedDocumentChanged(f"document {self.pk} is signed: {key} cannot change")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("document-detail", kwargs={"document_id": self.pk})

    @property
    def needs_signature(self) -> bool:
        return self.kind in self.SIGNED_KINDS and not self.on_paper


class DocumentRegister(models.Model):
    """The number register of one kind of document for one year: the last number given out. A number is taken
    under this row's lock in the transaction that creates the document, so numbers have no gaps and no repeats."""

    kind = models.CharField(_("kind"), max_length=30, choices=Document.Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        ordering = ["-year", "kind"]
        verbose_name = _("document register")
        verbose_name_plural = _("document registers")
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="document_register_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {self.last_number}"


class Signature(models.Model):
    """A simple electronic signature (art. 22.2 part 1; Law 63-FZ art. 5 part 2): who confirmed, when, with
    what, from where, and the hash of the file they signed. Or HR's record of a signature made on paper."""

    class Method(models.TextChoices):
        CODE = "code", _("one-time code by mail")
        PASSWORD = "password", _("password")
        PAPER = "paper", _("on paper (recorded by HR)")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+", verbose_name=_("signer"))
    signed_at = models.DateTimeField(_("signed at"))
    document_sha256 = models.CharField(_("SHA-256 of the signed file"), max_length=64)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [models.UniqueConstraint(fields=["document", "signer"], name="signature_once_per_signer")]

    def __str__(self) -> str:
        return f"{self.signer} {self.signed_at:%d.%m.%Y %H:%M}"


class SignatureCode(models.Model):
    """A one-time code mailed to a signer: only its hash is kept; it expires, and dies after too many attempts."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    signer = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["document", "signer"], condition=Q(used_at__isnull=True), name="signaturecode_live_idx"
            )
        ]

    def __str__(self) -> str:
        return f"code for document {self.document_id}"


class DocumentArchive(models.Model):
    """A zip of a period's orders, built by a Celery task into the private storage for HR to download."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    kind = models.CharField(_("kind"), max_length=30, choices=Document.Kind.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(_("file"), storage=private_storage, max_length=300, blank=True)
    count = models.PositiveIntegerField(_("documents"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("document archive")
        verbose_name_plural = _("document archives")

    def __str__(self) -> str:
        return f"{self.date_from:%d.%m.%Y}–{self.date_to:%d.%m.%Y}"
