"""Calculations: a draft prefilled from the application, edited, saved (frozen) and copied
to correct a saved one."""

from __future__ import annotations

import contextlib
import copy
import re

from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.calculation import COST_TYPES, INCOME_TYPES
from bistand.cases.models import ENDED_WITHOUT_DECISION, Application
from bistand.cases.rules import can_open_case
from bistand.cases.services import atomic_service
from bistand.core.errors import DomainError, NotFound
from bistand.households.models import MemberRole

from .. import calculations as calc
from ..models import Calculation
from ..permissions import require
from .common import _require_case


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


def may_edit_calculation_draft(user, calculation_id: int) -> None:
    """For the autosaved draft of the calculation editor (bistand/core/drafts.py): may `user`
    change this calculation's lines? The same rules as `update_calculation` (`calculate`, a
    case the user may open, not yet saved), but nothing is logged: typing is not reading the
    case again. A calculation the user may not open answers as a missing one."""
    require(user, "calculate")
    calculation = Calculation.objects.select_related("case").filter(pk=calculation_id).first()
    if calculation is None or not can_open_case(user, calculation.case):
        raise NotFound(
            "calculation_not_found", "Beräkningen finns inte eller så saknar du behörighet."
        )
    if calculation.saved_at is not None:
        raise DomainError(
            "calculation_saved",
            "Beräkningen är sparad och kan inte ändras. Gör en ny beräkning utifrån den.",
        )


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


def preview_calculation(
    calculation: Calculation,
    *,
    costs: list[dict] | None = None,
    incomes: list[dict] | None = None,
    norm_adjustments: list[dict] | None = None,
    meals_outside_home: set[int] | None = None,
) -> Calculation:
    """A draft calculated again as of now, with the given lines (default: the stored ones),
    in memory only: nothing is stored or logged. The draft's page shows this, so that the
    breakdown never lags behind the lines (an autosaved draft, a norm table verified since).
    Lines that cannot be read raise the Swedish DomainError, as `update_calculation` does."""
    preview = copy.copy(calculation)
    preview.members = copy.deepcopy(calculation.members)
    clean_costs, clean_incomes, clean_adjustments = _validate_lines(
        preview,
        calculation.costs if costs is None else costs,
        calculation.incomes if incomes is None else incomes,
        calculation.norm_adjustments if norm_adjustments is None else norm_adjustments,
    )
    preview.costs, preview.incomes = clean_costs, clean_incomes
    preview.norm_adjustments = clean_adjustments
    if meals_outside_home is not None:
        for member in preview.members:
            member["meals_outside_home"] = (
                member["role"] == MemberRole.CHILD and member["person_id"] in meals_outside_home
            )
    _run_quietly(preview)
    return preview


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
