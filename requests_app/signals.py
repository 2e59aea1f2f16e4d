"""What requests_app tells the apps above it, without importing them (the layers, docs/architecture.md).

`request_approved` is sent inside the transaction of the final approval, after its effects: a receiver that
writes (documents makes the order or the certificate) commits or rolls back with the approval, and one that
raises refuses the approval.
"""

from django.dispatch import Signal

request_approved = Signal()  # kwargs: request, actor
