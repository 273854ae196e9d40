"""Repeat applications: a prepared decision for a handler to confirm, and the monthly batch
that prepares or, where the unit allows, decides automatically."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import UNDECIDED_STATUSES, Application
from bistand.cases.services import atomic_service
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.organisation.models import Unit

from .. import calculations as calc
from ..models import AutomaticDecisionReview, Decision, DecisionStatus, Outcome
from ..permissions import require
from .decision_common import (
    LineDecision,
    _after_final,
    _audit_final,
    _lock_application,
    _new_decision,
    _validate_decision,
)
from .reviews import draw_review_sample
from .unit_settings import current_decision_settings


@atomic_service
def prepare_repeat_decision(actor, application: Application) -> Decision:
    """For a simple repeat application that matches last month: save the calculation and
    prepare the decision with every check listed, for a handler to confirm in one action."""
    from .. import repeat

    require(actor, "run_decision_batch")
    application = _lock_application(actor, application)
    assessment = repeat.assess(application)
    if not assessment.qualifies:
        raise DomainError(
            "does_not_qualify",
            "Ansökan uppfyller inte villkoren för ett förberett beslut: "
            + "; ".join(c.why_not + (f" ({c.note})" if c.note else "") for c in assessment.failed),
        )
    return _prepared_from(actor, application, assessment, automatic=False)


def _prepared_from(actor, application: Application, assessment, *, automatic: bool) -> Decision:
    from .. import repeat

    calculation = assessment.calculation
    calculation.created_by = actor
    calculation.saved_by = actor
    calculation.saved_at = timezone.now()
    calculation.save()
    record(
        actor,
        AuditAction.SIGN,
        obj=calculation,
        case_id=application.case_id,
        detail={"prepared": True, "amount_to_pay": str(calculation.amount_to_pay)},
    )
    lines = {p.key: LineDecision(Outcome.GRANTED) for p in calc.proposals(calculation)}
    validated = _validate_decision(
        application,
        calculation,
        lines,
        assessment.support_obstacles,
        decided_on=timezone.localdate(),
    )
    checks = [c.as_dict() for c in assessment.checks]
    version = f"upprepad-{repeat.RULES_VERSION}/berakning-{calculation.rules_version}"
    if not automatic:
        decision = _new_decision(
            actor, validated, status=DecisionStatus.PREPARED, checks=checks, rule_version=version
        )
        record(
            actor,
            AuditAction.CREATE,
            obj=decision,
            case_id=decision.case_id,
            detail={"prepared": True, "checks": [c["code"] for c in checks]},
        )
        return decision
    settings = current_decision_settings(application.case.unit_id)
    now = timezone.now()
    decision = _new_decision(
        actor,
        validated,
        status=DecisionStatus.FINAL,
        decided_by=None,
        decided_at=now,
        decided_on=timezone.localdate(now),
        automatic=True,
        settings_used=settings,
        checks=checks,
        rule_version=version,
        delegation_points=f"Automatiskt beslut (enhetens inställning {settings.pk})",
    )
    _after_final(actor, decision)
    _audit_final(actor, decision, automatic=True)
    return decision


@dataclass
class BatchRow:
    application: Application
    assessment: Any
    decision: Decision | None = None
    error: str = ""


@dataclass
class BatchReport:
    month: dt.date
    dry_run: bool
    automatic: bool
    rows: list[BatchRow]
    sampled: list[AutomaticDecisionReview] = field(default_factory=list)

    @property
    def qualifying(self) -> list[BatchRow]:
        return [row for row in self.rows if row.assessment.qualifies]


def run_decide_batch(
    actor, month: dt.date, *, unit: Unit | None = None, dry_run: bool = True
) -> BatchReport:
    """Assess every undecided repeat application of the month; unless a dry run, prepare the
    decision for each that qualifies, or decide it automatically where the unit allows it.

    A dry run needs no actor (the operator's command line); it writes only an access-log row.
    """
    from .. import repeat

    if not dry_run:
        if actor is None:
            raise PermissionRefused("actor_required", "Ange vem som kör (en användare).")
        require(actor, "run_decision_batch")
    applications = list(repeat.repeat_applications(month, unit=unit, user=actor))
    rows = [
        BatchRow(app, assessment)
        for app, assessment in zip(applications, repeat.assess_many(applications), strict=True)
    ]
    record(
        actor,
        AuditAction.EXPORT if dry_run else AuditAction.CREATE,
        object_type="decisions.batch",
        object_id=f"{month:%Y-%m}",
        detail={
            "dry_run": dry_run,
            "unit": unit.pk if unit else None,
            "assessed": [row.application.pk for row in rows],
            "qualifying": [row.application.pk for row in rows if row.assessment.qualifies],
        },
    )
    automatic_units: set[int] = set()
    report = BatchReport(month, dry_run, False, rows)
    if dry_run:
        return report
    settings_of = {
        unit_id: current_decision_settings(unit_id)
        for unit_id in {row.application.case.unit_id for row in rows}
    }
    automatic_of = {
        unit_id: bool(settings.pk and settings.automatic_repeat_decisions)
        for unit_id, settings in settings_of.items()
    }
    to_reassess = [
        row
        for row in rows
        if row.assessment.qualifies and automatic_of[row.application.case.unit_id]
    ]
    reassessed = repeat.assess_many([row.application for row in to_reassess], automatic=True)
    for row, assessment in zip(to_reassess, reassessed, strict=True):
        row.assessment = assessment
    for row in rows:
        if not row.assessment.qualifies:
            continue
        automatic = automatic_of[row.application.case.unit_id]
        try:
            with transaction.atomic():
                application = _lock_application(actor, row.application)
                if application.status not in UNDECIDED_STATUSES:
                    continue
                row.decision = _prepared_from(
                    actor, application, row.assessment, automatic=automatic
                )
        except (DomainError, NotFound) as error:
            row.error = getattr(error, "message", str(error))
            continue
        if automatic:
            automatic_units.add(row.application.case.unit_id)
            report.automatic = True
    today = timezone.localdate()
    for unit_id in sorted(automatic_units):
        report.sampled.extend(draw_review_sample(actor, Unit.objects.get(pk=unit_id), today))
    return report
