"""The one-time confirmation code a member shows the beneficiary (as digits or a QR code).

The code is derived from the record (HMAC over its public id with the site's secret), so nothing
secret is stored and the member can show it again; it works once: a confirmed record refuses it, and
after SERVICE_CODE_ATTEMPTS wrong tries it stops working and the record goes to the community.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.urls import reverse


def confirmation_code(record) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"service-record:{record.public_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{int(digest[:12], 16) % 1_000_000:06d}"


def code_matches(record, code: str) -> bool:
    return hmac.compare_digest(confirmation_code(record), (code or "").strip())


def confirmation_url(record, *, absolute_base: str = "") -> str:
    """What the QR code holds: the confirmation page of the record, with its code."""
    path = reverse("service:confirm_by_code", args=[record.public_id])
    return f"{absolute_base}{path}?code={confirmation_code(record)}"
