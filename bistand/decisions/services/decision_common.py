"""What every way of making a decision shares: the rules a decision must meet (checked
before anything is written), the delegation check, the new decision with its lines, and what
follows a final decision (register checks, letter, application, case, audit)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases import services as case_services
from bistand.cases.models import (
    ENDED_WITHOUT_DECISION,
    UNDECIDED_STATUSES,
    Application,
    CaseStatus,
    InvestigationVersion,
)
from bistand.core.codes import support_obstacles_valid_on
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.states import move_to
from bistand.households.models import MemberRole

from .. import calculations as calc
from .. import delegation, legal, register_checks
from ..models import (
    DECISION_STATUS_TRANSITIONS,
    OPEN_DRAFT_STATUSES,
    Calculation,
    Decision,
    DecisionLetter,
    DecisionLine,
    DecisionStatus,
    DecisionSupportObstacle,
    Outcome,
    RefusalGround,
)
from .common import ZERO, _require_case


@dataclass(frozen=True)
class LineDecision:
    """What the decision maker decides on one proposed line."""

    outcome: str
    amount_granted: Decimal | str | None = None  # a string is read as Swedish kronor
    reasons: str = ""
    refusal_ground: str = ""


class OutsideDelegation(PermissionRefused):
    """The decision is outside the user's delegation; `candidates` may make it."""


@dataclass
class _Validated:
    application: Application
    calculation: Calculation
    version: InvestigationVersion
    has_children: bool
    lines: list[dict]
    obstacles: list[dict]
    outcome: str
    total: Decimal
    needs: list[delegation.Need] = field(default_factory=list)


def _money(value: Any, what: str) -> Decimal:
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return Decimal(calc.parse_money(value, what))


def _validate_decision(
    application: Application,
    calculation: Calculation,
    lines: Mapping[str, LineDecision],
    support_obstacles: Mapping[int, str],
    *,
    decided_on: dt.date,
    replacing: Decision | None = None,
) -> _Validated:
    """Every rule a decision must meet, checked before anything is written."""
    case = application.case
    if calculation.application_id != application.pk:
        raise DomainError("wrong_calculation", "Beräkningen hör inte till den här ansökan.")
    if calculation.saved_at is None or not calculation.result:
        raise DomainError(
            "calculation_not_saved",
            "Beslutet måste grundas på en sparad beräkning. Spara den först.",
        )
    if application.status in ENDED_WITHOUT_DECISION:
        raise DomainError(
            "application_withdrawn",
            f"Ansökan är {application.get_status_display().lower()} och kan inte beslutas.",
        )
    if replacing is None and application.status not in UNDECIDED_STATUSES:
        raise DomainError(
            "already_decided",
            "Ansökan är redan beslutad. En ändring görs som ett nytt beslut som ersätter det gamla.",
        )
    investigation = getattr(case, "investigation", None)
    version = investigation.latest_signed() if investigation is not None else None
    if version is None:
        raise DomainError(
            "no_signed_investigation",
            "Ärendet saknar signerad utredning. Ett beslut grundas på en signerad utredning.",
        )
    has_children = any(m["role"] == MemberRole.CHILD for m in calculation.members) or any(
        m.role == MemberRole.CHILD
        for m in calc.memberships_during(case.household, application.month)
    )
    if has_children and not str(version.content.get("child_perspective", "")).strip():
        # SoL (2025:400): the child's best interest; DOMAIN.md: assessed before any decision.
        raise DomainError(
            "child_perspective_missing",
            "Det bor barn i hushållet. Barnperspektivet måste vara bedömt i en signerad utredning "
            f"innan beslut fattas (senast signerade version {version.number} saknar bedömningen).",
        )

    # The support obstacle of each adult (Socialstyrelsen's statistics: per person, per decision).
    valid_codes = {o.code for o in support_obstacles_valid_on(decided_on)}
    adults = [
        m
        for m in calculation.members
        if m["role"] in (MemberRole.APPLICANT, MemberRole.CO_APPLICANT)
    ]
    obstacles, missing = [], []
    for adult in adults:
        code = (
            support_obstacles.get(adult["person_id"])
            or support_obstacles.get(str(adult["person_id"]))
            or ""
        )
        if code not in valid_codes:
            missing.append(adult["name"])
            continue
        obstacles.append(
            {"person_id": adult["person_id"], "household_role": adult["role"], "code": code}
        )
    if missing:
        raise DomainError(
            "support_obstacle_required",
            "Ange försörjningshinder för varje vuxen: " + ", ".join(missing) + ".",
        )

    proposals = calc.proposals(calculation)
    unknown = set(lines) - {p.key for p in proposals}
    if unknown:
        raise DomainError("unknown_line", "Beslutet innehåller rader som inte finns i beräkningen.")
    decided_lines: list[dict] = []
    needs: list[delegation.Need] = []
    for position, proposal in enumerate(proposals):
        decided = lines.get(proposal.key)
        if decided is None:
            raise DomainError("line_not_decided", f"Ta ställning till {proposal.label.lower()}.")
        outcome = decided.outcome
        if outcome not in Outcome.values:
            raise DomainError(
                "bad_outcome", f"Välj bifall, delvis bifall eller avslag för {proposal.label}."
            )
        applied = proposal.amount_applied
        if decided.amount_granted is None:
            if outcome == Outcome.PARTLY_GRANTED:
                raise DomainError(
                    "amount_required", f"Ange beviljat belopp för {proposal.label} (delvis bifall)."
                )
            granted = applied if outcome == Outcome.GRANTED else ZERO
        else:
            granted = _money(decided.amount_granted, proposal.label)
        if outcome == Outcome.GRANTED and granted != applied:
            raise DomainError(
                "granted_amount",
                f"{proposal.label}: vid bifall beviljas det sökta beloppet ({applied} kr). "
                "Välj delvis bifall om mindre beviljas.",
            )
        if outcome == Outcome.GRANTED and applied <= 0:
            raise DomainError(
                "nothing_to_grant",
                f"{proposal.label}: det finns inget belopp att bevilja enligt beräkningen.",
            )
        if outcome == Outcome.PARTLY_GRANTED and not (ZERO < granted < applied):
            raise DomainError(
                "partly_amount",
                f"{proposal.label}: vid delvis bifall ska beviljat belopp vara mer än 0 och "
                f"mindre än det sökta ({applied} kr).",
            )
        if outcome == Outcome.REFUSED and granted != 0:
            raise DomainError("refused_amount", f"{proposal.label}: vid avslag beviljas 0 kr.")
        if granted > proposal.max_grant:
            raise DomainError(
                "above_calculation",
                f"{proposal.label}: beviljat belopp ({granted} kr) är högre än beräkningen "
                f"medger ({proposal.max_grant} kr). Ändra beräkningen om behovet är större.",
            )
        reasons = (decided.reasons or "").strip()
        ground = decided.refusal_ground or ""
        if outcome != Outcome.GRANTED:
            # FL (2017:900) 32 §: a decision that may be appealed must give its reasons.
            if not reasons:
                raise DomainError(
                    "reasons_required",
                    f"Skäl måste anges för avslag och delvis bifall ({proposal.label}).",
                )
            if ground and ground not in RefusalGround.values:
                raise DomainError("bad_ground", "Okänd grund för avslag.")
        else:
            ground = ""
        decided_lines.append(
            {
                "position": position,
                "key": proposal.key,
                "kind": proposal.kind,
                "cost_type": proposal.cost_type,
                "description": proposal.label[:300],
                "outcome": outcome,
                "amount_applied": applied,
                "amount_granted": granted,
                "refusal_ground": ground,
                "legal_basis": legal.legal_basis(proposal.kind, decided_on, ground),
                "reasons": reasons,
            }
        )
        needs.extend(
            delegation.needs_for_line(
                proposal.key, proposal.label, proposal.kind, outcome, applied, granted, ground
            )
        )
    total = sum((line["amount_granted"] for line in decided_lines), ZERO)
    if calculation.amount_to_pay is not None and total > calculation.amount_to_pay:
        raise DomainError(
            "above_amount_to_pay",
            f"Summan av det beviljade ({total} kr) är högre än vad beräkningen ger "
            f"({calculation.amount_to_pay} kr): hushållets inkomster täcker en del av behovet.",
        )
    outcomes = {line["outcome"] for line in decided_lines}
    if outcomes == {Outcome.GRANTED}:
        outcome = Outcome.GRANTED
    elif outcomes == {Outcome.REFUSED}:
        outcome = Outcome.REFUSED
    else:
        outcome = Outcome.PARTLY_GRANTED
    return _Validated(
        application,
        calculation,
        version,
        has_children,
        decided_lines,
        obstacles,
        outcome,
        total,
        needs,
    )


def _check_delegation(actor, validated: _Validated) -> delegation.DelegationCheck:
    case = validated.application.case
    checked = delegation.check(case.unit_id, actor.role, validated.needs)
    if checked.ok:
        return checked
    candidates = delegation.users_with_delegation(case.unit_id, validated.needs, case)
    what = "; ".join(need.describe() for need in checked.missing)
    if candidates:
        names = ", ".join(
            f"{u.get_full_name() or u.username} ({u.get_role_display()})" for u in candidates
        )
        offer = f" Du kan skicka beslutet till någon som har delegation: {names}."
    else:
        offer = " Ingen i enheten har delegation för hela beslutet; kontakta enhetschefen."
    raise OutsideDelegation(
        "outside_delegation",
        f"Beslutet ligger utanför din delegation ({actor.get_role_display()}): {what}.{offer}",
        missing=[need.describe() for need in checked.missing],
        candidates=[u.pk for u in candidates],
    )


def _line_decisions_of(decision: Decision) -> tuple[dict[str, LineDecision], dict[int, str]]:
    lines = {
        line.key: LineDecision(line.outcome, line.amount_granted, line.reasons, line.refusal_ground)
        for line in decision.lines.all()
    }
    obstacles = {o.person_id: o.code for o in decision.support_obstacles.all()}
    return lines, obstacles


def _new_decision(
    actor, validated: _Validated, checked: delegation.DelegationCheck | None = None, **fields
) -> Decision:
    decision = Decision.objects.create(
        case=validated.application.case,
        application=validated.application,
        calculation=validated.calculation,
        month=validated.application.month,
        outcome=validated.outcome,
        total_granted=validated.total,
        investigation_version=validated.version,
        has_children=validated.has_children,
        child_perspective_version=validated.version if validated.has_children else None,
        created_by=actor,
        **fields,
    )
    rules = checked.rules if checked is not None else {}
    DecisionLine.objects.bulk_create(
        DecisionLine(
            decision=decision,
            grant_delegation=rules.get((line["key"], "grant")),
            refusal_delegation=rules.get((line["key"], "refusal")),
            **line,
        )
        for line in validated.lines
    )
    DecisionSupportObstacle.objects.bulk_create(
        DecisionSupportObstacle(decision=decision, **obstacle) for obstacle in validated.obstacles
    )
    return decision


def _transition(decision: Decision, status: str) -> None:
    move_to(
        decision,
        status,
        DECISION_STATUS_TRANSITIONS,
        "Beslutet kan inte gå från {current} till {new}.",
    )


# Other apps act when a decision becomes final, in its transaction, on every path (page, API,
# batch, automatic, a referral decided): callables (actor, decision) registered from their
# AppConfig.ready() (e.g. the e-service queues "news on Mina sidor").
FINAL_DECISION_HOOKS: list = []


def _after_final(actor, decision: Decision) -> None:
    """What follows a final decision: the checks it rests on, the letter, the application,
    drafts, the case. Without its required register checks the decision is refused here, in
    its own transaction, whichever path made it (page, API, batch, automatic)."""
    from ..letters import render_letter

    register_checks.bind(actor, decision)
    pdf = render_letter(decision)
    DecisionLetter.objects.create(
        decision=decision,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size_bytes=len(pdf),
        includes_appeal_instructions=decision.appealable,
    )
    application = Application.objects.select_related("case").get(pk=decision.application_id)
    if decision.replaces_id is None:
        if application.status in UNDECIDED_STATUSES:
            case_services.mark_application_decided(actor, application)
        Decision.objects.filter(
            application=application, status__in=OPEN_DRAFT_STATUSES, replaces__isnull=True
        ).exclude(pk=decision.pk).update(status=DecisionStatus.SUPERSEDED)
    else:
        Decision.objects.filter(
            replaces_id=decision.replaces_id, status__in=OPEN_DRAFT_STATUSES
        ).exclude(pk=decision.pk).update(status=DecisionStatus.SUPERSEDED)
    case = application.case
    if case.status == CaseStatus.INTAKE and decision.total_granted > 0:
        case_services.activate_case(actor, case)
    for hook in FINAL_DECISION_HOOKS:
        hook(actor, decision)


def _audit_final(actor, decision: Decision, *, automatic: bool = False) -> None:
    record(
        actor,
        AuditAction.SIGN,
        obj=decision,
        case_id=decision.case_id,
        detail={
            "application": decision.application_id,
            "calculation": decision.calculation_id,
            "outcome": decision.outcome,
            "total_granted": str(decision.total_granted),
            "lines": [
                {
                    "kind": line.kind,
                    "outcome": line.outcome,
                    "granted": str(line.amount_granted),
                    "applied": str(line.amount_applied),
                }
                for line in decision.lines.all()
            ],
            "delegation": decision.delegation_points,
            "replaces": decision.replaces_id,
            "automatic": automatic,
            "letter_sha256": decision.letter.sha256,
        },
    )


def _finalise_new(actor, validated: _Validated, checked, **fields) -> Decision:
    now = timezone.now()
    decision = _new_decision(
        actor,
        validated,
        checked,
        status=DecisionStatus.FINAL,
        decided_by=actor,
        decided_at=now,
        decided_on=timezone.localdate(now),
        delegation_points=checked.points,
        **fields,
    )
    _after_final(actor, decision)
    _audit_final(actor, decision)
    return decision


def _set_line_delegation(decision: Decision, checked: delegation.DelegationCheck) -> None:
    for line in DecisionLine.objects.filter(decision=decision):
        DecisionLine.objects.filter(pk=line.pk).update(
            grant_delegation=checked.rules.get((line.key, "grant")),
            refusal_delegation=checked.rules.get((line.key, "refusal")),
        )


def _lock_application(actor, application: Application) -> Application:
    application = (
        Application.objects.select_for_update()
        .select_related("case__household")
        .get(pk=application.pk)
    )
    _require_case(actor, application.case)
    return application


def _decision_in_force(decision: Decision) -> Decision:
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if not decision.is_final:
        raise DomainError("not_final", "Bara ett fattat beslut kan ändras.")
    if decision.replacements.filter(status=DecisionStatus.FINAL).exists():
        raise DomainError(
            "already_replaced",
            "Beslutet är redan ersatt av ett nyare beslut; ändra det gällande beslutet.",
        )
    return decision
