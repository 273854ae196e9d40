"""Every change of state in decisions, named for the act: saved calculations, decisions and
their referral, corrections, letters, appeals, the delegation order and unit settings.

Each service takes the acting user first, checks permission and the rules, writes the audit
record and runs in one transaction: a refused or invalid act leaves nothing half-saved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.calculation import COST_TYPES, INCOME_TYPES, CalculationError, LocalGuidelines
from bistand.cases import services as case_services
from bistand.cases.models import (
    ENDED_WITHOUT_DECISION,
    UNDECIDED_STATUSES,
    Application,
    Case,
    CaseStatus,
    InvestigationVersion,
)
from bistand.cases.rules import can_open_case
from bistand.cases.services import atomic_service
from bistand.core.codes import support_obstacles_valid_on
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.states import move_to
from bistand.households.models import MemberRole
from bistand.organisation.models import Role, Unit, User
from bistand.organisation.permissions import can as organisation_can

from . import calculations as calc
from . import delegation, legal, register_checks
from .models import (
    APPEAL_STATUS_TRANSITIONS,
    DECISION_STATUS_TRANSITIONS,
    OPEN_DRAFT_STATUSES,
    Appeal,
    AppealStatus,
    AutomaticDecisionReview,
    Calculation,
    CourtOutcome,
    Decision,
    DecisionLetter,
    DecisionLine,
    DecisionSettings,
    DecisionStatus,
    DecisionSupportObstacle,
    DelegationKind,
    DelegationRule,
    DispatchChannel,
    LetterDispatch,
    LocalGuideline,
    Outcome,
    ReceiptBasis,
    Reconsideration,
    RefusalGround,
    ReviewResult,
)
from .permissions import can as decision_can
from .permissions import require

ZERO = Decimal("0.00")


def _require_case(actor, case: Case) -> None:
    if not can_open_case(actor, case):
        raise PermissionRefused(
            "case_access_denied",
            "Du har inte behörighet till det här ärendet.",
            case_id=case.pk,
            log_case_id=case.pk,
        )


def _require_own_unit(actor, unit: Unit) -> None:
    if actor.unit_id != unit.pk:
        raise PermissionRefused("other_unit", "Du kan bara ändra inställningar för din egen enhet.")


# --- Unit settings: local guidelines, decision settings, delegation order ----------------


@atomic_service
def set_local_guidelines(
    actor,
    unit: Unit,
    *,
    valid_from: dt.date,
    name: str,
    rent_ceilings: Mapping[Any, Any],
    cost_ceilings: Mapping[str, Any] | None = None,
    note: str = "",
) -> LocalGuideline:
    """A new dated row of the municipality's guidelines (earlier rows stay as history)."""
    require(actor, "manage_decision_settings")
    _require_own_unit(actor, unit)
    if not name.strip():
        raise DomainError(
            "name_required", "Ge riktlinjerna ett namn (t.ex. beslutet de bygger på)."
        )
    if valid_from is None:
        raise DomainError("valid_from_required", "Ange från vilket datum riktlinjerna gäller.")
    rents: dict[str, str] = {}
    for size, amount in (rent_ceilings or {}).items():
        if not str(size).isdigit() or int(size) < 1:
            raise DomainError(
                "bad_household_size", f"Hushållsstorleken måste vara 1, 2, 3 … (fick {size!r})."
            )
        rents[str(int(size))] = calc.parse_money(amount, f"hushåll med {size} personer")
    costs: dict[str, str] = {}
    for cost_type, amount in (cost_ceilings or {}).items():
        if cost_type not in COST_TYPES or cost_type == "rent":
            raise DomainError("bad_cost_type", f"Okänd kostnadstyp för tak: {cost_type!r}.")
        costs[cost_type] = calc.parse_money(amount, COST_TYPES[cost_type].label)
    try:
        LocalGuidelines(
            name=name,
            valid_from=valid_from,
            rent_ceilings={int(k): Decimal(v) for k, v in rents.items()},
            cost_ceilings={k: Decimal(v) for k, v in costs.items()},
        )
    except CalculationError as error:
        raise DomainError(error.code, error.message)
    row = LocalGuideline.objects.create(
        unit=unit,
        valid_from=valid_from,
        name=name.strip(),
        rent_ceilings=rents,
        cost_ceilings=costs,
        note=note.strip(),
        created_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=row,
        detail={
            "after": {
                "valid_from": valid_from.isoformat(),
                "rent_ceilings": rents,
                "cost_ceilings": costs,
                "note": note,
            }
        },
    )
    return row


def may_verify_guidelines(actor, row: LocalGuideline) -> bool:
    """A second person in the unit: a system administrator, the unit head or a named rules
    maintainer, never the person who entered the row."""
    return (
        row.verified_at is None
        and actor.unit_id == row.unit_id
        and actor.pk != row.created_by_id
        and (
            decision_can(actor, "manage_decision_settings")
            or organisation_can(actor, "maintain_rules")
            or actor.role == Role.UNIT_HEAD
        )
    )


@atomic_service
def verify_local_guidelines(actor, row: LocalGuideline) -> LocalGuideline:
    """The second person's check of new guideline ceilings (four-eyes); they apply from
    their date only once verified."""
    row = LocalGuideline.objects.select_for_update().get(pk=row.pk)
    if row.verified_at is not None:
        raise DomainError("already_verified", "Riktlinjerna är redan verifierade.")
    if actor.pk == row.created_by_id:
        raise PermissionRefused(
            "four_eyes",
            "Du har själv lagt in riktlinjerna och kan inte verifiera dem. En annan person "
            "ska granska dem mot nämndens beslut.",
        )
    if not may_verify_guidelines(actor, row):
        raise PermissionRefused(
            "role_not_permitted", "Du får inte verifiera den här enhetens riktlinjer."
        )
    row.verified_by = actor
    row.verified_at = timezone.now()
    row.save()
    record(actor, AuditAction.SIGN, obj=row, detail={"verified": str(row)})
    return row


def current_decision_settings(unit_id: int) -> DecisionSettings:
    """The unit's settings in force (the latest row), or the defaults (unsaved) if none."""
    row = DecisionSettings.objects.filter(unit_id=unit_id).order_by("-id").first()
    return row or DecisionSettings(unit_id=unit_id)


@atomic_service
def change_decision_settings(
    actor,
    unit: Unit,
    *,
    automatic_repeat_decisions: bool,
    cost_tolerance_percent: Decimal,
    cost_tolerance_amount: Decimal,
    income_tolerance_percent: Decimal,
    income_tolerance_amount: Decimal,
    review_sample_size: int,
    note: str = "",
) -> DecisionSettings:
    """A new row of the unit's decision settings (the previous ones stay as history)."""
    require(actor, "manage_decision_settings")
    _require_own_unit(actor, unit)
    values = {
        "cost_tolerance_percent": cost_tolerance_percent,
        "income_tolerance_percent": income_tolerance_percent,
        "cost_tolerance_amount": cost_tolerance_amount,
        "income_tolerance_amount": income_tolerance_amount,
    }
    for name, value in values.items():
        if value is None or Decimal(value) < 0:
            raise DomainError("bad_tolerance", "Toleranserna måste vara 0 eller större.")
        if name.endswith("percent") and Decimal(value) > 50:
            raise DomainError("bad_tolerance", "En tolerans över 50 % är inte rimlig.")
    if review_sample_size is None or int(review_sample_size) < 0:
        raise DomainError("bad_sample", "Antalet beslut att granska kan inte vara negativt.")
    if automatic_repeat_decisions and int(review_sample_size) < 1:
        raise DomainError(
            "sample_required",
            "Med automatiska beslut måste minst ett beslut per dag granskas av en människa.",
        )
    before = current_decision_settings(unit.pk)
    row = DecisionSettings.objects.create(
        unit=unit,
        automatic_repeat_decisions=bool(automatic_repeat_decisions),
        review_sample_size=int(review_sample_size),
        note=note.strip(),
        created_by=actor,
        **{k: Decimal(v) for k, v in values.items()},
    )
    record(
        actor,
        AuditAction.UPDATE,
        obj=row,
        detail={
            "before": {
                "automatic_repeat_decisions": before.automatic_repeat_decisions,
                "review_sample_size": before.review_sample_size,
            },
            "after": {
                "automatic_repeat_decisions": row.automatic_repeat_decisions,
                "review_sample_size": row.review_sample_size,
                **{k: str(v) for k, v in values.items()},
            },
            "note": note,
        },
    )
    return row


def ensure_default_delegation(unit: Unit, actor=None) -> int:
    """Seed the default delegation order for a unit that has none; returns rows created."""
    with transaction.atomic():
        if DelegationRule.objects.filter(unit=unit).exists():
            return 0
        rules = DelegationRule.objects.bulk_create(
            DelegationRule(
                unit=unit,
                point=point,
                kind=kind,
                role=role,
                max_amount=ceiling,
                label=label,
                created_by=actor,
            )
            for point, kind, role, ceiling, label in delegation.DEFAULT_DELEGATION
        )
        record(
            actor,
            AuditAction.CREATE,
            object_type="decisions.delegationrule",
            object_id=f"unit:{unit.pk}",
            detail={"default_delegation": len(rules)},
        )
        return len(rules)


@atomic_service
def add_delegation_rule(
    actor,
    unit: Unit,
    *,
    point: str,
    kind: str,
    role: str,
    max_amount: Decimal | str | None,
    label: str = "",
) -> DelegationRule:
    require(actor, "manage_decision_settings")
    _require_own_unit(actor, unit)
    if not point.strip():
        raise DomainError("point_required", "Ange delegationspunktens nummer.")
    if kind not in DelegationKind.values:
        raise DomainError("bad_kind", "Okänd beslutstyp.")
    if role not in (
        Role.SOCIAL_WORKER,
        Role.BENEFIT_ADMINISTRATOR,
        Role.SECTION_HEAD,
        Role.UNIT_HEAD,
    ):
        raise DomainError("bad_role", "Bara handläggare och chefer kan ha delegation att besluta.")
    ceiling = None
    if max_amount not in (None, ""):
        ceiling = Decimal(calc.parse_money(max_amount, "högsta belopp"))
    rule = DelegationRule.objects.create(
        unit=unit,
        point=point.strip(),
        kind=kind,
        role=role,
        max_amount=ceiling,
        label=label.strip(),
        created_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=rule,
        detail={
            "after": {
                "point": rule.point,
                "kind": kind,
                "role": role,
                "max_amount": None if ceiling is None else str(ceiling),
            }
        },
    )
    return rule


@atomic_service
def retire_delegation_rule(actor, rule: DelegationRule) -> DelegationRule:
    """End a delegation point; decisions made under it keep pointing at it."""
    require(actor, "manage_decision_settings")
    rule = DelegationRule.objects.select_for_update().get(pk=rule.pk)
    _require_own_unit(actor, rule.unit)
    if rule.retired_at is not None:
        raise DomainError("already_retired", "Delegationspunkten är redan avslutad.")
    rule.retired_at = timezone.now()
    rule.retired_by = actor
    rule.save(update_fields=["retired_at", "retired_by"])
    record(actor, AuditAction.UPDATE, obj=rule, detail={"after": {"retired": True}})
    return rule


# --- Saved calculations --------------------------------------------------------------------


@atomic_service
def create_calculation(actor, application: Application) -> Calculation:
    """A draft calculation for the application's month: the household on the month, costs and
    incomes stated in the application, prefilled from last month's saved calculation."""
    require(actor, "calculate")
    application = Application.objects.select_related("case__household").get(pk=application.pk)
    case = application.case
    _require_case(actor, case)
    if application.status in ENDED_WITHOUT_DECISION:
        raise DomainError(
            "application_withdrawn",
            f"Ansökan är {application.get_status_display().lower()}.",
        )
    members, shared = calc.household_members(case.household, application.month)
    if not any(m["role"] == MemberRole.APPLICANT for m in members):
        raise DomainError(
            "no_applicant",
            f"Hushållet har ingen sökande registrerad för {application.month:%Y-%m}.",
        )
    filled = calc.prefill(application, members)
    calculation = Calculation(
        application=application,
        case=case,
        month=application.month,
        members=members,
        shared_household_size=shared,
        costs=filled["costs"],
        incomes=filled["incomes"],
        norm_adjustments=filled["norm_adjustments"],
        months_on_assistance=calc.months_on_assistance(case, application.month),
        local_guideline=calc.guideline_in_force(case.unit_id, application.month),
        prefilled_from=filled["prefilled_from"],
        created_by=actor,
    )
    # Stated figures that do not parse stay as given, visible for the handler to correct.
    with contextlib.suppress(DomainError):
        calculation.costs, calculation.incomes, calculation.norm_adjustments = _validate_lines(
            calculation, calculation.costs, calculation.incomes, calculation.norm_adjustments
        )
    _run_quietly(calculation)
    calculation.save()
    record(
        actor,
        AuditAction.CREATE,
        obj=calculation,
        case_id=case.pk,
        detail={
            "application": application.pk,
            "month": application.month.isoformat(),
            "prefilled_from": calculation.prefilled_from_id,
        },
    )
    return calculation


def _run_quietly(calculation: Calculation) -> None:
    """Run the engine; lines that cannot be read become the calculation's visible error."""
    try:
        calc.run(calculation)
    except DomainError as error:
        calculation.result = None
        calculation.error = {"code": error.code, "message": error.message}
        calculation.amount_to_pay = None


_MONTH_RE = re.compile(r"\A\d{4}-(0[1-9]|1[0-2])\Z")


def _validate_lines(
    calculation: Calculation, costs: list, incomes: list, adjustments: list
) -> tuple[list[dict], list[dict], list[dict]]:
    """Clean the editable lines; a line that cannot be read is a Swedish error."""
    persons = {m["person_id"] for m in calculation.members}
    clean_costs = []
    for number, line in enumerate(costs, start=1):
        cost_type = str(line.get("type") or "")
        if cost_type not in COST_TYPES:
            raise DomainError("bad_cost_type", f"Kostnadsrad {number}: välj en kostnadstyp.")
        label = f"kostnadsrad {number} ({COST_TYPES[cost_type].label.lower()})"
        until = str(line.get("accepted_until") or "").strip()
        if until and not _MONTH_RE.match(until):
            raise DomainError("bad_month", f"Godtas till och med i {label} ska skrivas ÅÅÅÅ-MM.")
        clean_costs.append(
            {
                "type": cost_type,
                "amount": calc.parse_money(line.get("amount"), label),
                "description": str(line.get("description") or "").strip()[:300],
                "accepted_until": until,
                "source": line.get("source") or "manual",
            }
        )
    clean_incomes = []
    for number, line in enumerate(incomes, start=1):
        income_type = str(line.get("type") or "")
        if income_type not in INCOME_TYPES:
            raise DomainError("bad_income_type", f"Inkomstrad {number}: välj en inkomsttyp.")
        person_id = line.get("person_id")
        person_id = int(person_id) if person_id not in (None, "") else None
        if person_id is not None and person_id not in persons:
            raise DomainError(
                "member_not_in_household",
                f"Inkomstrad {number} hör till en person som inte finns i hushållet.",
            )
        clean_incomes.append(
            {
                "type": income_type,
                "amount": calc.parse_money(
                    line.get("amount"),
                    f"inkomstrad {number} ({INCOME_TYPES[income_type].label.lower()})",
                ),
                "person_id": person_id,
                "description": str(line.get("description") or "").strip()[:300],
                "source": line.get("source") or "manual",
            }
        )
    clean_adjustments = []
    for number, line in enumerate(adjustments, start=1):
        if line.get("type") not in ("increase", "decrease"):
            raise DomainError(
                "bad_adjustment", f"Normjustering {number}: välj höjning eller sänkning."
            )
        reason = str(line.get("reason") or "").strip()
        if not reason:
            raise DomainError(
                "adjustment_reason_required",
                f"Normjustering {number}: ange det särskilda skälet till att normen ändras.",
            )
        person_id = line.get("person_id")
        person_id = int(person_id) if person_id not in (None, "") else None
        if person_id is not None and person_id not in persons:
            raise DomainError(
                "member_not_in_household",
                f"Normjustering {number} hör till en person som inte finns i hushållet.",
            )
        clean_adjustments.append(
            {
                "type": line["type"],
                "amount": calc.parse_money(line.get("amount"), f"normjustering {number}"),
                "reason": reason[:300],
                "person_id": person_id,
                "source": line.get("source") or "manual",
            }
        )
    return clean_costs, clean_incomes, clean_adjustments


def _draft(actor, calculation: Calculation) -> Calculation:
    calculation = (
        Calculation.objects.select_for_update().select_related("case").get(pk=calculation.pk)
    )
    _require_case(actor, calculation.case)
    if calculation.saved_at is not None:
        raise DomainError(
            "calculation_saved",
            "Beräkningen är sparad och kan inte ändras. Gör en ny beräkning utifrån den.",
        )
    return calculation


@atomic_service
def update_calculation(
    actor,
    calculation: Calculation,
    *,
    costs: list[dict] | None = None,
    incomes: list[dict] | None = None,
    norm_adjustments: list[dict] | None = None,
    meals_outside_home: set[int] | None = None,
) -> Calculation:
    """Change the draft's lines and calculate again. Invalid lines change nothing."""
    require(actor, "calculate")
    calculation = _draft(actor, calculation)
    clean_costs, clean_incomes, clean_adjustments = _validate_lines(
        calculation,
        calculation.costs if costs is None else costs,
        calculation.incomes if incomes is None else incomes,
        calculation.norm_adjustments if norm_adjustments is None else norm_adjustments,
    )
    before = {
        "costs": calculation.costs,
        "incomes": calculation.incomes,
        "norm_adjustments": calculation.norm_adjustments,
    }
    calculation.costs, calculation.incomes = clean_costs, clean_incomes
    calculation.norm_adjustments = clean_adjustments
    if meals_outside_home is not None:
        for member in calculation.members:
            member["meals_outside_home"] = (
                member["role"] == MemberRole.CHILD and member["person_id"] in meals_outside_home
            )
    _run_quietly(calculation)
    calculation.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=calculation,
        case_id=calculation.case_id,
        detail={
            "before": before,
            "after": {
                "costs": clean_costs,
                "incomes": clean_incomes,
                "norm_adjustments": clean_adjustments,
                "amount_to_pay": None
                if calculation.amount_to_pay is None
                else str(calculation.amount_to_pay),
            },
        },
    )
    return calculation


@atomic_service
def save_calculation(actor, calculation: Calculation) -> Calculation:
    """Freeze the calculation: from now on it can be decided on, never changed."""
    require(actor, "calculate")
    calculation = _draft(actor, calculation)
    _run_quietly(calculation)
    if calculation.result is None:
        message = (calculation.error or {}).get("message", "Beräkningen kunde inte göras.")
        raise DomainError("calculation_failed", f"Beräkningen kan inte sparas: {message}")
    table = calculation.result.get("norm_table") or {}
    if table.get("draft"):
        # Four-eyes on the rules: a table nobody else has checked pays nobody.
        raise DomainError(
            "norm_table_draft",
            f"Beräkningen kan inte sparas för beslut: riksnormen {table.get('year')} är ett "
            "utkast som ännu inte har verifierats av en andra person (Regelverk).",
        )
    calculation.saved_by = actor
    calculation.saved_at = timezone.now()
    calculation.save()
    record(
        actor,
        AuditAction.SIGN,
        obj=calculation,
        case_id=calculation.case_id,
        detail={
            "amount_to_pay": str(calculation.amount_to_pay),
            "norm_year": calculation.norm_year,
            "norm_sha256": calculation.norm_sha256,
            "local_guideline": calculation.local_guideline_id,
        },
    )
    return calculation


@atomic_service
def copy_calculation(actor, calculation: Calculation) -> Calculation:
    """A new draft with the same lines, to correct a saved calculation."""
    require(actor, "calculate")
    original = Calculation.objects.select_related("case").get(pk=calculation.pk)
    _require_case(actor, original.case)
    copy = Calculation(
        application_id=original.application_id,
        case=original.case,
        month=original.month,
        members=original.members,
        shared_household_size=original.shared_household_size,
        costs=original.costs,
        incomes=original.incomes,
        norm_adjustments=original.norm_adjustments,
        months_on_assistance=original.months_on_assistance,
        local_guideline=calc.guideline_in_force(original.case.unit_id, original.month),
        prefilled_from=original.prefilled_from,
        based_on=original,
        created_by=actor,
    )
    _run_quietly(copy)
    copy.save()
    record(
        actor,
        AuditAction.CREATE,
        obj=copy,
        case_id=copy.case_id,
        detail={"based_on": original.pk},
    )
    return copy


# --- Decisions ---------------------------------------------------------------------------


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


def _after_final(actor, decision: Decision) -> None:
    """What follows a final decision: the checks it rests on, the letter, the application,
    drafts, the case. Without its required register checks the decision is refused here, in
    its own transaction, whichever path made it (page, API, batch, automatic)."""
    from .letters import render_letter

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


@atomic_service
def decide_application(
    actor,
    application: Application,
    *,
    calculation: Calculation,
    lines: Mapping[str, LineDecision],
    support_obstacles: Mapping[int, str],
    reasons: str = "",
) -> Decision:
    """Decide the application from its signed investigation and saved calculation.

    Refused, with nothing written, when a rule is not met or the decision is outside the
    actor's delegation (OutsideDelegation names who may make it: see refer_decision).
    """
    require(actor, "decide")
    application = _lock_application(actor, application)
    calculation = Calculation.objects.get(pk=calculation.pk)
    today = timezone.localdate()
    validated = _validate_decision(
        application, calculation, lines, support_obstacles, decided_on=today
    )
    checked = _check_delegation(actor, validated)
    return _finalise_new(actor, validated, checked, reasons=reasons.strip())


@dataclass
class DecisionPreview:
    """What a decision would say, shown for confirmation before it is made (nothing written)."""

    lines: list[dict]
    outcome: str
    total: Decimal
    obstacles: list[dict]


def preview_decision(
    actor,
    application: Application,
    *,
    calculation: Calculation,
    lines: Mapping[str, LineDecision],
    support_obstacles: Mapping[int, str],
    replacing: Decision | None = None,
    replacement_reason: str = "",
) -> DecisionPreview:
    """Every check `decide_application` (or `replace_decision`) makes before writing, without
    writing: the rules of the decision, the delegation and the required register checks.
    Raises the same errors, so the confirmation page is shown only for a decision that can be
    made as it stands."""
    require(actor, "decide")
    application = Application.objects.select_related("case__household").get(pk=application.pk)
    _require_case(actor, application.case)
    calculation = Calculation.objects.get(pk=calculation.pk)
    if replacing is not None and not replacement_reason.strip():
        raise DomainError("replacement_reason_required", "Ange skälet till att beslutet ändras.")
    validated = _validate_decision(
        application,
        calculation,
        lines,
        support_obstacles,
        decided_on=timezone.localdate(),
        replacing=replacing,
    )
    _check_delegation(actor, validated)
    checks = register_checks.status(application)
    if not checks.get("ok", True):
        raise DomainError("register_checks_missing", checks.get("message", ""))
    return DecisionPreview(validated.lines, validated.outcome, validated.total, validated.obstacles)


@atomic_service
def refer_decision(
    actor,
    application: Application,
    *,
    calculation: Calculation,
    lines: Mapping[str, LineDecision],
    support_obstacles: Mapping[int, str],
    referred_to: User,
    reasons: str = "",
    note: str = "",
    replaces: Decision | None = None,
    replacement_reason: str = "",
) -> Decision:
    """Send a prepared decision to someone whose delegation covers it; it waits in their queue."""
    require(actor, "decide")
    application = _lock_application(actor, application)
    calculation = Calculation.objects.get(pk=calculation.pk)
    if replaces is not None:
        replaces = _decision_in_force(replaces)
        if not replacement_reason.strip():
            raise DomainError(
                "replacement_reason_required", "Ange skälet till att beslutet ändras."
            )
    validated = _validate_decision(
        application,
        calculation,
        lines,
        support_obstacles,
        decided_on=timezone.localdate(),
        replacing=replaces,
    )
    candidates = delegation.users_with_delegation(
        application.case.unit_id, validated.needs, application.case
    )
    if referred_to is None or referred_to.pk not in {u.pk for u in candidates}:
        raise DomainError(
            "referral_target_lacks_delegation",
            "Den du valt har inte delegation för hela beslutet eller kan inte öppna ärendet.",
        )
    decision = _new_decision(
        actor,
        validated,
        status=DecisionStatus.REFERRED,
        reasons=reasons.strip(),
        referred_by=actor,
        referred_to=referred_to,
        referred_at=timezone.now(),
        referral_note=note.strip(),
        replaces=replaces,
        replacement_reason=replacement_reason.strip(),
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=decision,
        case_id=decision.case_id,
        detail={
            "referred_to": referred_to.pk,
            "outcome": decision.outcome,
            "total": str(decision.total_granted),
            "replaces": decision.replaces_id,
        },
    )
    return decision


@atomic_service
def refer_prepared_decision(
    actor, decision: Decision, *, referred_to: User, note: str = ""
) -> Decision:
    """A prepared (system) decision the confirming handler may not make goes to a head."""
    require(actor, "decide")
    decision = Decision.objects.select_for_update().select_related("case").get(pk=decision.pk)
    _require_case(actor, decision.case)
    if decision.status != DecisionStatus.PREPARED:
        raise DomainError("not_prepared", "Bara ett förberett beslut kan skickas vidare så här.")
    lines, obstacles = _line_decisions_of(decision)
    validated = _validate_decision(
        decision.application,
        decision.calculation,
        lines,
        obstacles,
        decided_on=timezone.localdate(),
    )
    candidates = delegation.users_with_delegation(
        decision.case.unit_id, validated.needs, decision.case
    )
    if referred_to.pk not in {u.pk for u in candidates}:
        raise DomainError(
            "referral_target_lacks_delegation",
            "Den du valt har inte delegation för hela beslutet eller kan inte öppna ärendet.",
        )
    _transition(decision, DecisionStatus.REFERRED)
    decision.referred_by, decision.referred_to = actor, referred_to
    decision.referred_at, decision.referral_note = timezone.now(), note.strip()
    decision.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=decision,
        case_id=decision.case_id,
        detail={"referred_to": referred_to.pk},
    )
    return decision


@atomic_service
def decide_draft(actor, decision: Decision) -> Decision:
    """Make a referred or system-prepared decision final, as the actor (with delegation).

    Everything is checked again as of now: the application, the signed investigation, the
    child perspective and the actor's delegation.
    """
    require(actor, "decide")
    decision = Decision.objects.select_for_update().select_related("case").get(pk=decision.pk)
    _require_case(actor, decision.case)
    if decision.status not in OPEN_DRAFT_STATUSES:
        raise DomainError(
            "not_open", f"Beslutet är {decision.get_status_display().lower()} och kan inte fattas."
        )
    if (
        decision.status == DecisionStatus.REFERRED
        and decision.referred_to_id not in (None, actor.pk)
        and actor.role != Role.UNIT_HEAD
    ):
        raise PermissionRefused(
            "referred_to_someone_else",
            f"Beslutet är skickat till {decision.referred_to} för beslut.",
        )
    application = _lock_application(actor, decision.application)
    replacing = _decision_in_force(decision.replaces) if decision.replaces_id else None
    lines, obstacles = _line_decisions_of(decision)
    today = timezone.localdate()
    validated = _validate_decision(
        application, decision.calculation, lines, obstacles, decided_on=today, replacing=replacing
    )
    checked = _check_delegation(actor, validated)
    _set_line_delegation(decision, checked)
    for line in validated.lines:
        DecisionLine.objects.filter(decision=decision, key=line["key"]).update(
            legal_basis=line["legal_basis"]
        )
    _transition(decision, DecisionStatus.FINAL)
    now = timezone.now()
    decision.decided_by = actor
    decision.decided_at = now
    decision.decided_on = timezone.localdate(now)
    decision.delegation_points = checked.points
    decision.investigation_version = validated.version
    decision.child_perspective_version = validated.version if validated.has_children else None
    decision.save()
    _after_final(actor, decision)
    _audit_final(actor, decision)
    return decision


confirm_prepared_decision = decide_draft


@atomic_service
def return_referral(actor, decision: Decision, note: str) -> Decision:
    """The head sends a referred decision back without deciding it, saying why."""
    require(actor, "decide")
    decision = Decision.objects.select_for_update().select_related("case").get(pk=decision.pk)
    _require_case(actor, decision.case)
    if decision.status != DecisionStatus.REFERRED:
        raise DomainError("not_referred", "Bara ett beslut som skickats för beslut kan återsändas.")
    if decision.referred_to_id not in (None, actor.pk) and actor.role != Role.UNIT_HEAD:
        raise PermissionRefused("referred_to_someone_else", "Beslutet är skickat till någon annan.")
    if not note.strip():
        raise DomainError("note_required", "Skriv varför beslutet återsänds.")
    _transition(decision, DecisionStatus.RETURNED)
    decision.returned_note = note.strip()
    decision.returned_at = timezone.now()
    decision.save()
    record(
        actor, AuditAction.UPDATE, obj=decision, case_id=decision.case_id, detail={"returned": note}
    )
    return decision


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


@atomic_service
def replace_decision(
    actor,
    decision: Decision,
    *,
    reason: str,
    lines: Mapping[str, LineDecision],
    support_obstacles: Mapping[int, str],
    reasons: str = "",
    calculation: Calculation | None = None,
    appeal: Appeal | None = None,
) -> Decision:
    """Correct a decision with a new one that replaces it; the old one stays as it was."""
    require(actor, "decide")
    old = _decision_in_force(decision)
    _require_case(actor, old.case)
    if not reason.strip():
        raise DomainError("replacement_reason_required", "Ange skälet till att beslutet ändras.")
    application = _lock_application(actor, old.application)
    calculation = Calculation.objects.get(pk=(calculation or old.calculation).pk)
    validated = _validate_decision(
        application,
        calculation,
        lines,
        support_obstacles,
        decided_on=timezone.localdate(),
        replacing=old,
    )
    checked = _check_delegation(actor, validated)
    new = _finalise_new(
        actor,
        validated,
        checked,
        reasons=reasons.strip(),
        replaces=old,
        replacement_reason=reason.strip(),
    )
    if appeal is not None:
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.decision_id != old.pk or appeal.status != AppealStatus.REGISTERED:
            raise DomainError(
                "appeal_mismatch",
                "Överklagandet gäller inte det här beslutet eller är redan handlagt.",
            )
        appeal.new_decision = new
        appeal.save(update_fields=["new_decision"])
    return new


@atomic_service
def mark_letter_sent(
    actor,
    decision: Decision,
    *,
    sent_on: dt.date,
    channel: str,
    received_on: dt.date | None = None,
) -> LetterDispatch:
    """Record that the letter went to the applicant (and when they received it, if known)."""
    require(actor, "send_letter")
    decision = Decision.objects.select_related("case").get(pk=decision.pk)
    _require_case(actor, decision.case)
    letter = DecisionLetter.objects.filter(decision=decision).first()
    if letter is None:
        raise DomainError("no_letter", "Beslutet har inget beslutsbrev ännu.")
    today = timezone.localdate()
    if channel not in DispatchChannel.values:
        raise DomainError("bad_channel", "Välj hur brevet skickades.")
    if sent_on is None or sent_on > today:
        raise DomainError("bad_date", "Datum då brevet skickades kan inte ligga i framtiden.")
    if sent_on < decision.decided_on:
        raise DomainError("before_decision", "Brevet kan inte ha skickats före beslutsdagen.")
    if received_on is not None and (received_on < sent_on or received_on > today):
        raise DomainError(
            "bad_received", "Mottagningsdagen ska ligga mellan avsändningsdagen och i dag."
        )
    dispatch = LetterDispatch.objects.create(
        letter=letter, sent_on=sent_on, channel=channel, received_on=received_on, recorded_by=actor
    )
    record(
        actor,
        AuditAction.UPDATE,
        obj=dispatch,
        case_id=decision.case_id,
        detail={
            "decision": decision.pk,
            "sent_on": sent_on.isoformat(),
            "channel": channel,
            "received_on": received_on.isoformat() if received_on else None,
        },
    )
    return dispatch


# --- Appeals -----------------------------------------------------------------------------


def _appeal_transition(appeal: Appeal, status: str) -> None:
    move_to(
        appeal,
        status,
        APPEAL_STATUS_TRANSITIONS,
        "Överklagandet är {current}; det kan inte gå till {new}.",
    )


def _lock_appeal(actor, appeal: Appeal) -> Appeal:
    appeal = Appeal.objects.select_for_update().select_related("case", "decision").get(pk=appeal.pk)
    _require_case(actor, appeal.case)
    return appeal


@atomic_service
def register_appeal(
    actor,
    decision: Decision,
    *,
    received_on: dt.date,
    decision_received_on: dt.date | None = None,
    basis: str = ReceiptBasis.UNKNOWN,
    text: str = "",
) -> Appeal:
    """Register an appeal with its arrival date and check whether it came in time."""
    require(actor, "register_appeal")
    decision = Decision.objects.select_related("case").get(pk=decision.pk)
    _require_case(actor, decision.case)
    today = timezone.localdate()
    if not decision.is_final:
        raise DomainError("not_final", "Bara ett fattat beslut kan överklagas.")
    if received_on is None or received_on > today:
        raise DomainError("bad_date", "Ange när överklagandet kom in (inte ett framtida datum).")
    if received_on < decision.decided_on:
        raise DomainError("before_decision", "Överklagandet kan inte ha kommit in före beslutet.")
    if basis not in ReceiptBasis.values:
        raise DomainError("bad_basis", "Välj varifrån uppgiften om mottagandet kommer.")
    if decision_received_on is None:
        dispatch = (
            LetterDispatch.objects.filter(letter__decision=decision, received_on__isnull=False)
            .order_by("received_on")
            .first()
        )
        if dispatch is not None:
            decision_received_on, basis = dispatch.received_on, ReceiptBasis.RECEIPT
        else:
            basis = ReceiptBasis.UNKNOWN
    elif basis == ReceiptBasis.UNKNOWN:
        raise DomainError(
            "basis_required", "Ange varifrån uppgiften om när sökande fick beslutet kommer."
        )
    if decision_received_on is not None and not (
        decision.decided_on <= decision_received_on <= received_on
    ):
        raise DomainError(
            "bad_receipt_date",
            "Dagen då sökande fick del av beslutet ska ligga mellan beslutsdagen och dagen "
            "överklagandet kom in.",
        )
    appeal = Appeal.objects.create(
        decision=decision,
        case=decision.case,
        received_on=received_on,
        decision_received_on=decision_received_on,
        decision_received_basis=basis,
        appeal_deadline=legal.appeal_deadline(decision_received_on)
        if decision_received_on
        else None,
        in_time=legal.appeal_in_time(decision_received_on, received_on),
        forward_deadline=legal.forward_deadline(received_on),
        text=text.strip(),
        registered_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        obj=appeal,
        case_id=appeal.case_id,
        detail={
            "decision": decision.pk,
            "received_on": received_on.isoformat(),
            "decision_received_on": decision_received_on.isoformat()
            if decision_received_on
            else None,
            "deadline": appeal.appeal_deadline.isoformat() if appeal.appeal_deadline else None,
            "in_time": appeal.in_time,
        },
    )
    return appeal


@atomic_service
def dismiss_late_appeal(actor, appeal: Appeal, *, reason: str = "") -> Appeal:
    """Dismiss (avvisa) an appeal that came in too late; only when that is known."""
    require(actor, "handle_appeal")
    appeal = _lock_appeal(actor, appeal)
    if appeal.in_time is not False:
        raise DomainError(
            "not_late",
            "Överklagandet kan bara avvisas om det är känt att det kom in för sent. När det inte "
            "är känt när sökande fick beslutet ska det behandlas som inkommet i rätt tid.",
        )
    _appeal_transition(appeal, AppealStatus.DISMISSED_LATE)
    appeal.dismissal_reason = reason.strip() or (
        f"Överklagandet kom in {appeal.received_on:%Y-%m-%d}; sista dag var "
        f"{appeal.appeal_deadline:%Y-%m-%d}."
    )
    appeal.reconsidered_by, appeal.reconsidered_at = actor, timezone.now()
    appeal.closed_at = timezone.now()
    appeal.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=appeal,
        case_id=appeal.case_id,
        detail={"status": appeal.status},
    )
    return appeal


@atomic_service
def record_reconsideration(actor, appeal: Appeal, *, result: str, note: str = "") -> Appeal:
    """The decision maker has reconsidered (omprövat) the decision.

    Changed as the applicant asked: the appeal lapses. Unchanged or changed in part: the appeal
    must be forwarded to the court (forward_appeal), with the new decision if there is one.
    """
    require(actor, "handle_appeal")
    appeal = _lock_appeal(actor, appeal)
    if appeal.status != AppealStatus.REGISTERED:
        raise DomainError("not_registered", "Överklagandet är redan handlagt.")
    if result not in Reconsideration.values:
        raise DomainError("bad_result", "Välj resultatet av omprövningen.")
    if result != Reconsideration.UNCHANGED and appeal.new_decision_id is None:
        raise DomainError(
            "new_decision_required",
            "Fatta först det nya beslutet som ändrar det överklagade (Ändra beslutet).",
        )
    if result == Reconsideration.UNCHANGED and appeal.new_decision_id is not None:
        raise DomainError(
            "decision_changed", "Beslutet har ändrats; välj delvis eller helt ändrat."
        )
    appeal.reconsideration = result
    appeal.reconsideration_note = note.strip()
    appeal.reconsidered_by, appeal.reconsidered_at = actor, timezone.now()
    if result == Reconsideration.CHANGED_FULLY:
        _appeal_transition(appeal, AppealStatus.SATISFIED)
        appeal.closed_at = timezone.now()
    appeal.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=appeal,
        case_id=appeal.case_id,
        detail={"reconsideration": result, "new_decision": appeal.new_decision_id},
    )
    return appeal


@atomic_service
def forward_appeal(
    actor,
    appeal: Appeal,
    *,
    opinion: str,
    court: str = "",
    forwarded_on: dt.date | None = None,
) -> Appeal:
    """Pass the appeal with the board's opinion (yttrande) to the administrative court."""
    require(actor, "handle_appeal")
    appeal = _lock_appeal(actor, appeal)
    if appeal.status != AppealStatus.REGISTERED:
        raise DomainError("not_registered", "Överklagandet är redan handlagt.")
    if appeal.in_time is False:
        raise DomainError(
            "late_appeal",
            "Överklagandet kom in för sent och ska avvisas, inte överlämnas.",
        )
    if not appeal.reconsideration:
        appeal.reconsideration = Reconsideration.UNCHANGED
        appeal.reconsidered_by, appeal.reconsidered_at = actor, timezone.now()
    if appeal.reconsideration == Reconsideration.CHANGED_FULLY:
        raise DomainError(
            "satisfied", "Beslutet är ändrat som sökande begärt; inget att överlämna."
        )
    if not opinion.strip():
        raise DomainError("opinion_required", "Skriv nämndens yttrande till förvaltningsrätten.")
    today = timezone.localdate()
    forwarded_on = forwarded_on or today
    if forwarded_on > today or forwarded_on < appeal.received_on:
        raise DomainError(
            "bad_date", "Överlämnandedagen ska ligga mellan dagen överklagandet kom in och i dag."
        )
    _appeal_transition(appeal, AppealStatus.FORWARDED)
    appeal.opinion = opinion.strip()
    appeal.court = court.strip() or "Förvaltningsrätten"
    appeal.forwarded_on, appeal.forwarded_by = forwarded_on, actor
    appeal.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=appeal,
        case_id=appeal.case_id,
        detail={
            "status": "forwarded",
            "forwarded_on": forwarded_on.isoformat(),
            "deadline": appeal.forward_deadline.isoformat(),
            "late": forwarded_on > appeal.forward_deadline,
        },
    )
    return appeal


@atomic_service
def record_court_outcome(
    actor,
    appeal: Appeal,
    *,
    outcome: str,
    decided_on: dt.date,
    case_number: str = "",
    note: str = "",
) -> Appeal:
    """The court's judgment on a forwarded appeal."""
    require(actor, "handle_appeal")
    appeal = _lock_appeal(actor, appeal)
    if outcome not in CourtOutcome.values:
        raise DomainError("bad_outcome", "Välj domstolens avgörande.")
    if decided_on is None or decided_on > timezone.localdate():
        raise DomainError("bad_date", "Ange domstolens avgörandedag (inte ett framtida datum).")
    if appeal.forwarded_on and decided_on < appeal.forwarded_on:
        raise DomainError("bad_date", "Domstolen kan inte ha avgjort målet före överlämnandet.")
    _appeal_transition(appeal, AppealStatus.COURT_DECIDED)
    appeal.court_outcome = outcome
    appeal.court_decided_on = decided_on
    appeal.court_case_number = case_number.strip()
    appeal.court_note = note.strip()
    appeal.court_recorded_by = actor
    appeal.closed_at = timezone.now()
    appeal.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=appeal,
        case_id=appeal.case_id,
        detail={"court_outcome": outcome, "decided_on": decided_on.isoformat()},
    )
    return appeal


@atomic_service
def withdraw_appeal(actor, appeal: Appeal, *, note: str = "") -> Appeal:
    require(actor, "handle_appeal")
    appeal = _lock_appeal(actor, appeal)
    _appeal_transition(appeal, AppealStatus.WITHDRAWN)
    appeal.court_note = note.strip()
    appeal.closed_at = timezone.now()
    appeal.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=appeal,
        case_id=appeal.case_id,
        detail={"status": "withdrawn"},
    )
    return appeal


# --- Repeat applications: prepared and automatic decisions ----------------------------------


@atomic_service
def prepare_repeat_decision(actor, application: Application) -> Decision:
    """For a simple repeat application that matches last month: save the calculation and
    prepare the decision with every check listed, for a handler to confirm in one action."""
    from . import repeat

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
    from . import repeat

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
    from . import repeat

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


@atomic_service
def draw_review_sample(actor, unit: Unit, day: dt.date) -> list[AutomaticDecisionReview]:
    """Put a random sample of the day's automatic decisions in the human review queue."""
    settings = current_decision_settings(unit.pk)
    size = settings.review_sample_size
    already = AutomaticDecisionReview.objects.filter(unit=unit, sampled_on=day).count()
    candidates = list(
        Decision.objects.filter(
            case__unit=unit, automatic=True, decided_on=day, review__isnull=True
        ).values_list("pk", flat=True)
    )
    wanted = max(0, size - already)
    chosen = secrets.SystemRandom().sample(candidates, min(wanted, len(candidates)))
    reviews = [
        AutomaticDecisionReview.objects.create(decision_id=pk, unit=unit, sampled_on=day)
        for pk in sorted(chosen)
    ]
    if reviews:
        record(
            actor,
            AuditAction.CREATE,
            object_type="decisions.automaticdecisionreview",
            object_id=f"unit:{unit.pk}:{day.isoformat()}",
            detail={"sampled": [r.decision_id for r in reviews], "of": len(candidates)},
        )
    return reviews


@atomic_service
def review_automatic_decision(
    actor, review: AutomaticDecisionReview, *, result: str, note: str = ""
) -> AutomaticDecisionReview:
    require(actor, "review_automatic")
    review = (
        AutomaticDecisionReview.objects.select_for_update()
        .select_related("decision__case")
        .get(pk=review.pk)
    )
    _require_case(actor, review.decision.case)
    if review.reviewed_at is not None:
        raise DomainError("already_reviewed", "Beslutet är redan granskat.")
    if result not in ReviewResult.values:
        raise DomainError("bad_result", "Välj resultatet av granskningen.")
    if result == ReviewResult.NEEDS_CORRECTION and not note.strip():
        raise DomainError("note_required", "Beskriv vad som behöver rättas.")
    review.result, review.note = result, note.strip()
    review.reviewed_by, review.reviewed_at = actor, timezone.now()
    review.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=review,
        case_id=review.decision.case_id,
        detail={"result": result, "decision": review.decision_id},
    )
    return review
