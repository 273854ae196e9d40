"""Certificate reminders as a background job (`certificates-ending`), the same mechanism as
the plan follow-up reminders (workplans.jobs): each handler gets one e-mail a day listing the
medical certificates in their open cases that end within 14 days (case references and dates
only, no names: the message leaves the system)."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.jobs.ledger import claim, queue_notification
from bistand.jobs.models import Channel
from bistand.jobs.registry import Job, JobContext, cron

from .selectors import CERTIFICATE_ENDING_DAYS, certificates_ending_for_all

JOB = "certificates-ending"


def remind_certificates(ctx: JobContext) -> dict:
    """One reminder per certificate and day (the ledger), one e-mail per handler and day (the
    outbox); a second run the same day adds neither."""
    within = int(ctx.params.get("within", CERTIFICATE_ENDING_DAYS))
    grouped = defaultdict(list)
    for certificate in certificates_ending_for_all(ctx.today, within):
        grouped[certificate.case.handler].append(certificate)
    reminders = queued = 0
    with transaction.atomic():
        for worker, rows in grouped.items():
            new_rows = [
                c
                for c in rows
                if claim(JOB, f"certificate:{c.pk}", ctx.today, {"ends": c.valid_to.isoformat()})
            ]
            reminders += len(new_rows)
            if worker is None or not new_rows or not worker.email:
                continue
            lines = [
                f"{c.case.reference}  läkarintyget gäller t.o.m. {c.valid_to:%Y-%m-%d}"
                for c in rows
            ]
            if queue_notification(
                JOB,
                f"user:{worker.pk}",
                ctx.today,
                recipient=worker,
                channel=Channel.EMAIL,
                address=worker.email,
                title="Bistånd: läkarintyg som upphör",
                body=(
                    f"Läkarintyg som upphör inom {within} dagar per {ctx.today:%Y-%m-%d}: "
                    f"{len(rows)}\n\n" + "\n".join(lines) + "\n\nÖppna Bistånd för att se ärendena."
                ),
            ):
                queued += 1
        if reminders:
            record(
                None,
                AuditAction.VIEW,
                object_type="certificates_ending",
                detail={
                    "date": ctx.today.isoformat(),
                    "job": JOB,
                    "cases": sorted({c.case_id for rows in grouped.values() for c in rows}),
                },
            )
    if queued:
        from bistand.jobs.broker import enqueue

        transaction.on_commit(lambda: enqueue("notifications", trigger=JOB))
    return {
        "ending": sum(len(r) for r in grouped.values()),
        "reminders": reminders,
        "queued": queued,
    }


CERTIFICATES_ENDING_JOB = Job(
    JOB,
    "Påminnelser om läkarintyg som upphör",
    remind_certificates,
    schedule=cron("5 6 * * 1-5"),
    max_retries=3,
    backoff_seconds=300,
    description="certificates-ending: en påminnelse per läkarintyg och dag, ett e-postmeddelande "
    "per handläggare och dag, för intyg som upphör inom 14 dagar.",
)
