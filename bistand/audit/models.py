"""The access and change log: append-only and hash-chained with a secret key.

Every read of case data and every write by staff is one row. Each row carries the hash of the
previous row and its own HMAC-SHA256 under a key kept outside the database, so removing or
altering a row breaks the chain (`bistand verify-audit`), and anchors written outside the
database (`bistand audit-anchor`) reveal a removed tail. The database refuses UPDATE, DELETE
and (PostgreSQL) TRUNCATE on this table through triggers (migration 0004). docs/audit.md.
"""

from django.db import models


class AuditAction(models.TextChoices):
    VIEW = "view", "Läsning"
    SEARCH = "search", "Sökning"
    DOWNLOAD = "download", "Nedladdning"
    CREATE = "create", "Registrering"
    UPDATE = "update", "Ändring"
    SIGN = "sign", "Signering"
    ASSIGN = "assign", "Tilldelning"
    EMERGENCY_ACCESS = "emergency_access", "Nödåtkomst"
    ACCESS_DENIED = "access_denied", "Nekad åtkomst"
    LOGIN = "login", "Inloggning"
    LOGOUT = "logout", "Utloggning"
    LOGIN_FAILED = "login_failed", "Misslyckad inloggning"
    EXPORT = "export", "Export"


class AccessLogEntry(models.Model):
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    channel = models.CharField(max_length=16, blank=True)  # ui / api / command
    detail = models.TextField(blank=True)  # canonical JSON: before/after, reason, query
    prev_hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)  # which key signed `hash` (keys rotate)
    hash = models.CharField(max_length=64, unique=True)  # HMAC-SHA256, hex
    # Which of the independent chains the row continues (docs/audit.md, "Chains"). Not in the
    # HMAC payload: a row is bound to its chain by `prev_hash` (the chain's own genesis for
    # its first row, then the previous row of the chain), which the HMAC covers.
    chain = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["actor_id", "at"]), models.Index(fields=["case_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}"


class ChainHead(models.Model):
    """One row per chain: the hash and id of its last entry. Locked while appending to it."""

    chain = models.PositiveSmallIntegerField(unique=True, default=0)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
