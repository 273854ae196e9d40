"""Follow-up reminders as a background job (`bistand followups-due`): each handler gets one
e-mail a day listing their due and overdue follow-ups (case references and dates only, no
names: the message leaves the system)."""

from __future__ import annotations

from django.db import transaction

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.jobs.ledger import claim, queue_notification
from bistand.jobs.models import Channel
from bistand.jobs.registry import Job, JobContext, cron

from .selectors import follow_ups_due

JOB = "followups-due"


def remind_follow_ups(ctx: JobContext) -> dict:
    """One reminder per plan and day (the ledger), one e-mail per handler and day (the
    outbox); a second run the same day adds neither. Delivery is the `notifications` job."""
    within = int(ctx.params.get("within", 0))
    grouped = follow_ups_due(ctx.today, within_days=within)
    reminders = queued = 0
    with transaction.atomic():
        for worker, rows in grouped.items():
            new_rows = [
                row
                for row in rows
                if claim(JOB, f"plan:{row.plan.pk}", ctx.today, {"due_on": row.due_on.isoformat()})
            ]
            reminders += len(new_rows)
            if worker is None or not new_rows or not worker.email:
                continue
            lines = [
                f"{row.case.reference}  {row.due_on:%Y-%m-%d}"
                + (f"  försenad {row.days_overdue} d" if row.days_overdue > 0 else "")
                for row in rows
            ]
            body = (
                f"Uppföljningar att göra per {ctx.today:%Y-%m-%d}: {len(rows)}\n\n"
                + "\n".join(lines)
                + "\n\nÖppna Bistånd för att se ärendena."
            )
            if queue_notification(
                JOB,
                f"user:{worker.pk}",
                ctx.today,
                recipient=worker,
                channel=Channel.EMAIL,
                address=worker.email,
                title="Bistånd: uppföljningar att göra",
                body=body,
            ):
                queued += 1
        if reminders:
            record(
                None,
                AuditAction.VIEW,
                object_type="followups_due",
                detail={
                    "date": ctx.today.isoformat(),
                    "job": JOB,
                    "cases": sorted(row.case.pk for rows in grouped.values() for row in rows),
                },
            )
    if queued:
        from bistand.jobs.broker import enqueue

        transaction.on_commit(lambda: enqueue("notifications", trigger=JOB))
    return {"due": sum(len(r) for r in grouped.values()), "reminders": reminders, "queued": queued}


FOLLOWUPS_DUE_JOB = Job(
    JOB,
    "Påminnelser om uppföljningar",
    remind_follow_ups,
    schedule=cron("0 6 * * 1-5"),
    max_retries=3,
    backoff_seconds=300,
    description="bistand followups-due: en påminnelse per plan och dag, ett e-postmeddelande "
    "per handläggare och dag.",
)
