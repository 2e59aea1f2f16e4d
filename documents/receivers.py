"""documents' answer to requests_app's signals: an approval makes its documents in the same transaction."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from requests_app.signals import request_approved


@receiver(request_approved, dispatch_uid="documents.on_request_approved")
def _make_documents(sender: Any, *, request: Any, actor: Any, **kwargs: Any) -> None:
    from documents.services import on_request_approved

    on_request_approved(request=request, actor=actor)
