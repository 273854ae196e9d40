"""The secret keys of the access-log chain, kept outside the database (docs/audit.md).

The current key signs new rows and anchors; retired keys (after a rotation) only verify. Each
row stores the id of the key that signed it, so verification picks the right one.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The clearly-marked development key `settings.py` falls back to with BISTAND_DEBUG=1 only;
# the system check refuses it with debug off, and rows it signed then fail verification.
DEV_KEY_ID = "dev-insecure"
DEV_KEY = "dev-insecure-audit-key-known-to-everyone-never-use-in-production"
MIN_KEY_BYTES = 32
MAX_KEY_ID_LENGTH = 16


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: dict[str, bytes]

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]

    def signer(self, key_id: str | None = None):
        """A fresh HMAC-SHA256 state for the key; `.copy()` it per message (cheaper than new)."""
        return hmac.new(self.keys[key_id or self.current_id], digestmod=hashlib.sha256)


def _read_retired(path: str) -> dict[str, bytes]:
    retired: dict[str, bytes] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key_id, separator, secret = line.partition(":")
        if not separator or not key_id.strip() or not secret.strip():
            raise ImproperlyConfigured(
                f"BISTAND_AUDIT_RETIRED_KEYS_FILE line {number}: expected 'key-id:secret'"
            )
        retired[key_id.strip()] = secret.strip().encode("utf-8")
    return retired


@functools.lru_cache(maxsize=8)
def _load(key: str, key_file: str, key_id: str, retired_file: str) -> KeyRing:
    if not key and key_file:
        try:
            key = Path(key_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(f"BISTAND_AUDIT_KEY_FILE cannot be read: {error}")
    if not key:
        raise ImproperlyConfigured(
            "No access-log key: set BISTAND_AUDIT_KEY or BISTAND_AUDIT_KEY_FILE (docs/audit.md)."
        )
    if not key_id or len(key_id) > MAX_KEY_ID_LENGTH:
        raise ImproperlyConfigured(
            f"BISTAND_AUDIT_KEY_ID must be 1 to {MAX_KEY_ID_LENGTH} characters."
        )
    keys = _read_retired(retired_file) if retired_file else {}
    current = key.encode("utf-8")
    if keys.get(key_id, current) != current:
        raise ImproperlyConfigured(
            f"Key id {key_id!r} is both the current key and a different retired key."
        )
    keys[key_id] = current
    return KeyRing(key_id, keys)


def key_ring() -> KeyRing:
    """The configured keys (read once per configuration; settings overrides reload)."""
    return _load(
        settings.BISTAND_AUDIT_KEY or "",
        str(settings.BISTAND_AUDIT_KEY_FILE or ""),
        settings.BISTAND_AUDIT_KEY_ID or "",
        str(getattr(settings, "BISTAND_AUDIT_RETIRED_KEYS_FILE", "") or ""),
    )
