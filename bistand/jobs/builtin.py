"""Jobs of the apps below this one: audit anchoring and delivering the outbox."""

from __future__ import annotations

import json

from django.db import transaction
from django.db.models import Max

from .ledger import claim
from .notifications import deliver_pending
from .registry import Job, JobContext, cron


def anchor_audit_chain(ctx: JobContext) -> dict:
    """`bistand audit-anchor` on a schedule; once per chain head and day (an unchanged head
    is anchored again the next day, as a heartbeat)."""
    from bistand.audit.models import AccessLogEntry
    from bistand.audit.services import write_anchor

    last_id = AccessLogEntry.objects.aggregate(last=Max("id"))["last"] or 0
    with transaction.atomic():
        if not claim("audit-anchor", f"head:{last_id}", ctx.today):
            return {"anchored": False, "last_id": last_id}
        line = json.loads(write_anchor())
    return {"anchored": True, "last_id": line["last_id"], "rows": line["rows"]}


def deliver_notifications(ctx: JobContext) -> dict:
    return deliver_pending()


def control_run_placeholder(ctx: JobContext) -> dict:
    """Placeholder for the controls app's register checks (to be replaced by its own job
    registered under the same name in ControlsConfig.ready)."""
    return {"checked": 0, "note": "kontrollkörningar är inte byggda än"}


BUILTIN_JOBS = [
    Job(
        "audit-anchor",
        "Förankra åtkomstloggens kedja",
        anchor_audit_chain,
        schedule=cron("*/10 * * * *"),
        max_retries=5,
        backoff_seconds=30,
        description="bistand audit-anchor: kedjans huvud i ankarfilen och syslog.",
    ),
    Job(
        "notifications",
        "Skicka aviseringar (e-post, SMS)",
        deliver_notifications,
        schedule=cron("*/5 * * * *"),
        max_retries=5,
        backoff_seconds=60,
        description="Skickar köade meddelanden en gång var (e-post via Djangos e-postbackend, "
        "SMS via BISTAND_SMS_BACKEND).",
    ),
    Job(
        "control-run",
        "Kontrollkörning",
        control_run_placeholder,
        schedule=None,
        description="Platshållare: kontrollappen registrerar sin egen.",
    ),
]
