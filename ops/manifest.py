"""What a backup says about itself (manifest.json), and the rule that a restore needs the keys the
backup's ciphertexts were made with."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

FORMAT = 1
FINGERPRINT_LENGTH = 16  # hex digits of sha256: enough to tell keys apart, never enough to matter


def fingerprint(key: str) -> str:
    """A key's fingerprint: the start of its sha256. The manifest carries these, never a key."""
    return hashlib.sha256(key.encode()).hexdigest()[:FINGERPRINT_LENGTH]


def running_fingerprints() -> dict[str, Any]:
    return {
        "encryption": [fingerprint(key) for key in settings.FIELD_ENCRYPTION_KEYS],
        "hash": fingerprint(settings.FIELD_HASH_KEY),
    }


def key_problems(backup: dict[str, Any]) -> list[str]:
    """Why this process cannot read the backup's numbers, if it cannot: every encryption key of the
    backup must be among the running ones (rows may be encrypted under any of them, old ones
    included, until re-encrypted), and the hash key must be the same (every exact lookup of an ID or
    phone number goes through it). A running key the backup did not know is fine: it is the newest
    after a rotation, and it encrypts only what is written from now on."""
    running = running_fingerprints()
    problems = []
    missing = [fp for fp in backup.get("encryption", []) if fp not in running["encryption"]]
    if missing:
        problems.append(
            _(
                "FIELD_ENCRYPTION_KEYS lacks %(count)s key(s) of the backup (fingerprints %(missing)s; "
                "running: %(running)s): every ID and phone number encrypted under them would be unreadable."
            )
            % {
                "count": len(missing),
                "missing": ", ".join(missing) or "-",
                "running": ", ".join(running["encryption"]),
            }
        )
    if backup.get("hash") != running["hash"]:
        problems.append(
            _(
                "FIELD_HASH_KEY differs from the backup's (fingerprint %(backup)s, running %(running)s): "
                "no ID or phone number could be looked up or checked for duplicates."
            )
            % {"backup": backup.get("hash", "-"), "running": running["hash"]}
        )
    return problems
