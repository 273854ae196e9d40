"""One small municipality with something for every job to do, and the counts that show
whether a job did its act twice."""

from __future__ import annotations

from django.core import mail

from bistand.decisions.models import Decision
from bistand.jobs.models import JobMark, Notification
from bistand.statistics.models import MonthRefresh
from tests.workplans.conftest import days, make_case, make_plan


def build(org, household_factory, c_case_repeat) -> None:
    """A repeat application that qualifies for a prepared decision, a follow-up overdue for a
    handler with an e-mail address, and a payment-free month for the statistics."""
    c_case_repeat()
    org.social_worker.email = "handlaggare@kommun.example"
    org.social_worker.save(update_fields=["email"])
    case = make_case(org, household_factory, adult="199811022384")
    make_plan(
        org.social_worker,
        case,
        consent_on=days(-30),
        valid_from=days(-30),
        first_follow_up=days(-2),
    )


def counts() -> dict:
    return {
        "decisions": Decision.objects.count(),
        "reminders": JobMark.objects.filter(job="followups-due").count(),
        "notifications": Notification.objects.count(),
        "sent": Notification.objects.filter(sent_at__isnull=False).count(),
        "emails": len(mail.outbox),
        "anchors": JobMark.objects.filter(job="audit-anchor").count(),
        "months": MonthRefresh.objects.count(),
    }
