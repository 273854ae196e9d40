"""Decision support for simple repeat applications (fortsatt ansökan in a C case).

A repeat application qualifies for a prepared decision when it matches last month: same
household, costs and incomes within the unit's tolerances, the plan followed, nothing new to
assess. Every check made is listed with its result, and stored with the decision.
Bump RULES_VERSION when a check changes, so stored decisions say which rules made them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import QuerySet

from bistand.calculation import COST_TYPES, INCOME_TYPES
from bistand.calculation.catalogue import REASONABLE
from bistand.cases.models import (
    UNDECIDED_STATUSES,
    Application,
    ApplicationKind,
    Case,
    CaseType,
)
from bistand.cases.selectors import cases_visible_to
from bistand.core.codes import support_obstacles_valid_on
from bistand.core.dates import add_months
from bistand.households.models import MemberRole

from . import calculations as calc
from . import register_checks
from .models import (
    OPEN_APPEAL_STATUSES,
    OPEN_DRAFT_STATUSES,
    Appeal,
    Calculation,
    Decision,
    DecisionStatus,
    Outcome,
)

RULES_VERSION = "2"


@dataclass(frozen=True)
class Check:
    code: str
    label: str  # Swedish: what was checked
    ok: bool
    note: str = ""
    failure: str = ""  # Swedish: what is wrong when the check fails (shown in "Varför inte")

    @property
    def why_not(self) -> str:
        return self.failure or self.label

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "ok": self.ok, "note": self.note}


@dataclass
class Assessment:
    application: Application
    checks: list[Check] = field(default_factory=list)
    calculation: Calculation | None = None  # unsaved, ready to save when qualifying
    previous: Decision | None = None
    support_obstacles: dict[int, str] = field(default_factory=dict)

    @property
    def qualifies(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]


def plan_followed(case: Case, month: dt.date) -> tuple[bool, str]:
    """Whether the client follows their work plan. Pluggable without an import (the workplans
    app sits beside decisions): its AppConfig may define `plan_followed(case, month)`.

    TODO(workplans): until it does, this returns True with a note saying it was not checked.
    """
    try:
        config = apps.get_app_config("workplans")
    except LookupError:
        config = None
    check = getattr(config, "plan_followed", None)
    if callable(check):
        return check(case, month)
    return True, "Arbetsplanen kontrolleras inte ännu (planmodulen saknar gränssnitt)."


def plans_followed(cases: list[Case], month: dt.date) -> dict[int, tuple[bool, str]]:
    """`plan_followed` for many cases, set-wise where the workplans app offers
    `plans_followed(cases, month)`, by case id."""
    try:
        config = apps.get_app_config("workplans")
    except LookupError:
        config = None
    check = getattr(config, "plans_followed", None)
    if callable(check):
        return check(cases, month)
    return {case.pk: plan_followed(case, month) for case in cases}


@dataclass
class _Reads:
    """What assessing a set of applications reads, each kind once for the whole set (so the
    batch page costs the same few queries for 3 applications as for 300)."""

    settings: dict[int, Any]  # unit id -> decision settings in force
    undecided_drafts: set[int]  # application ids with an open draft decision
    previous: dict[tuple[int, dt.date], Decision]  # (case id, month) -> final decision in force
    open_appeals: set[int]  # case ids
    memberships: dict[int, list]  # household id -> memberships (with persons)
    signed: dict[int, Any]  # case id -> latest signed investigation version
    plans: dict[tuple[int, dt.date], tuple[bool, str]]  # (case id, month) -> plan followed
    granted_months: dict[int, set[dt.date]]  # case id -> months with income support granted
    guidelines: dict[tuple[int, dt.date], Any] = field(default_factory=dict)
    register_checks: dict[int, dict] = field(default_factory=dict)  # application id -> status

    def guideline(self, unit_id: int, month: dt.date):
        if (unit_id, month) not in self.guidelines:
            self.guidelines[unit_id, month] = calc.guideline_in_force(unit_id, month)
        return self.guidelines[unit_id, month]


def _read_for(applications: list[Application]) -> _Reads:
    from bistand.cases.models import InvestigationVersion

    from .services import current_decision_settings

    cases = {app.case_id: app.case for app in applications}
    case_ids = list(cases)
    months = {app.month for app in applications}
    previous: dict[tuple[int, dt.date], Decision] = {}
    for decision in (
        Decision.objects.filter(
            case_id__in=case_ids,
            month__in={add_months(month, -1) for month in months},
            status=DecisionStatus.FINAL,
        )
        .select_related("calculation", "review")
        .prefetch_related("support_obstacles")
        .order_by("-decided_at", "-id")
    ):
        previous.setdefault((decision.case_id, decision.month), decision)
    signed = {}
    for version in (
        InvestigationVersion.objects.filter(
            investigation__case_id__in=case_ids, signed_at__isnull=False
        )
        .select_related("investigation")
        .order_by("investigation__case_id", "number")
    ):
        signed[version.investigation.case_id] = version
    plans = {}
    for month in months:
        month_cases = list(
            {app.case_id: app.case for app in applications if app.month == month}.values()
        )
        for case_id, answer in plans_followed(month_cases, month).items():
            plans[case_id, month] = answer
    return _Reads(
        settings={
            unit_id: current_decision_settings(unit_id)
            for unit_id in {case.unit_id for case in cases.values()}
        },
        undecided_drafts=set(
            Decision.objects.filter(
                application__in=[app.pk for app in applications],
                status__in=OPEN_DRAFT_STATUSES,
            ).values_list("application_id", flat=True)
        ),
        previous=previous,
        open_appeals=set(
            Appeal.objects.filter(
                case_id__in=case_ids, status__in=OPEN_APPEAL_STATUSES
            ).values_list("case_id", flat=True)
        ),
        memberships=calc.memberships_of({case.household_id for case in cases.values()}),
        signed=signed,
        plans=plans,
        granted_months=calc.granted_months_of(case_ids, max(months)) if months else {},
    )


def within(new: Decimal, old: Decimal, percent: Decimal, amount: Decimal) -> bool:
    """Equal within the larger of a fixed amount and a share of the old amount."""
    return abs(new - old) <= max(amount, abs(old) * percent / 100)


def _amounts(lines: list[dict], key) -> dict[Any, Decimal]:
    totals: dict[Any, Decimal] = {}
    for line in lines:
        try:
            amount = Decimal(str(line.get("amount")))
        except Exception:  # noqa: BLE001 - an unreadable amount fails the comparison below
            amount = Decimal("-1")
        totals[key(line)] = totals.get(key(line), Decimal("0")) + amount
    return totals


def _sek(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", "\u00a0").replace(".", ",") + "\u00a0kr"


def _income_label(code: str) -> str:
    return INCOME_TYPES[code].label if code in INCOME_TYPES else str(code)


def _outcome_label(code: str) -> str:
    return str(Outcome(code).label) if code in Outcome.values else str(code)


def _compare(new: dict, old: dict, percent: Decimal, amount: Decimal, names) -> tuple[bool, str]:
    differences = []
    for key in sorted(set(new) | set(old), key=str):
        if key not in old:
            differences.append(f"ny: {names(key)} {_sek(new[key])}")
        elif key not in new:
            differences.append(f"saknas: {names(key)}")
        elif not within(new[key], old[key], percent, amount):
            differences.append(f"{names(key)} {_sek(old[key])} → {_sek(new[key])}")
    return not differences, "; ".join(differences)


def assess(application: Application, *, automatic: bool = False) -> Assessment:
    """Every check for a prepared (or, with `automatic`, a fully automatic) decision."""
    return assess_many([application], automatic=automatic)[0]


def assess_many(applications, *, automatic: bool = False) -> list[Assessment]:
    """`assess` for each application, with the rows every check needs read once for all."""
    applications = list(applications)
    if not applications:
        return []
    reads = _read_for(applications)
    reads.register_checks = register_checks.status_many(applications, automatic=automatic)
    return [_assess(application, reads, automatic=automatic) for application in applications]


def _assess(application: Application, reads: _Reads, *, automatic: bool) -> Assessment:
    case = application.case
    settings = reads.settings[case.unit_id]
    result = Assessment(application)
    add = result.checks.append

    add(Check("case_type_c", "Ärendet är ett C-ärende (förenklad handläggning)",
              case.case_type == CaseType.C, "",
              f"Ärendet är ett {case.case_type}-ärende, inte ett C-ärende" if case.case_type
              else "Ärendetyp saknas (bara C-ärenden kan förberedas)"))  # fmt: skip
    add(Check("repeat_application", "Ansökan är en fortsatt ansökan",
              application.kind == ApplicationKind.REPEAT, "",
              "Ansökan är en nyansökan"))  # fmt: skip
    add(Check("undecided", "Ansökan är inte beslutad och inget beslut väntar",
              application.status in UNDECIDED_STATUSES
              and application.pk not in reads.undecided_drafts,
              "", "Ett beslut om ansökan väntar redan"
              if application.status in UNDECIDED_STATUSES
              else f"Ansökan är {application.get_status_display().lower()}"))  # fmt: skip

    previous_month = add_months(application.month, -1)
    previous = reads.previous.get((case.pk, previous_month))
    result.previous = previous
    add(Check("previous_granted", f"Förra månadens ansökan ({previous_month:%Y-%m}) beviljades helt",
              previous is not None and previous.outcome == Outcome.GRANTED, "",
              f"Inget beslut för förra månaden ({previous_month:%Y-%m})" if previous is None
              else f"Förra månadens beslut ({previous_month:%Y-%m}) var "
              f"{previous.get_outcome_display().lower()}, inte bifall"))  # fmt: skip
    if previous is not None and hasattr(previous, "review"):
        review = previous.review
        add(Check("previous_review", "Förra månadens automatiska beslut har inte underkänts",
                  review.result != "needs_correction", "",
                  "Förra månadens automatiska beslut har underkänts vid granskningen"))  # fmt: skip

    add(Check("no_open_appeal", "Inget överklagande pågår i ärendet",
              case.pk not in reads.open_appeals, "", "Ett överklagande pågår i ärendet"))  # fmt: skip

    members, shared = calc.household_members(
        case.household, application.month, reads.memberships[case.household_id]
    )
    old_calculation = previous.calculation if previous is not None else None
    same_household = old_calculation is not None and [
        (m["person_id"], m["role"]) for m in members
    ] == [(m["person_id"], m["role"]) for m in old_calculation.members]
    add(Check("same_household", "Hushållet är detsamma som förra månaden", same_household, "",
              "Hushållet har ändrats sedan förra månaden" if old_calculation is not None
              else "Ingen beräkning från förra månaden att jämföra med"))  # fmt: skip

    version = reads.signed.get(case.pk)
    has_children = any(m["role"] == MemberRole.CHILD for m in members)
    add(Check("signed_investigation", "Det finns en signerad utredning", version is not None,
              "", "Det finns ingen signerad utredning"))  # fmt: skip
    if has_children:
        add(Check("child_perspective", "Barnperspektivet är bedömt i den signerade utredningen",
                  bool(version and str(version.content.get("child_perspective", "")).strip()),
                  "", "Barnperspektivet är inte bedömt i den signerade utredningen"))  # fmt: skip
    valid = {o.code for o in support_obstacles_valid_on(application.month)}
    given = {}
    if previous is not None:
        given = {o.person_id: o.code for o in previous.support_obstacles.all()}
    if version is not None:
        for adult in version.content.get("adults", []):
            if adult.get("support_obstacle"):
                given[int(adult["person_id"])] = adult["support_obstacle"]
    adults = [m for m in members if m["role"] in (MemberRole.APPLICANT, MemberRole.CO_APPLICANT)]
    result.support_obstacles = {a["person_id"]: given.get(a["person_id"], "") for a in adults}
    add(Check("support_obstacles", "Försörjningshinder finns för varje vuxen",
              all(code in valid for code in result.support_obstacles.values()), "",
              "Försörjningshinder saknas för någon vuxen"))  # fmt: skip

    ok, note = reads.plans[case.pk, application.month]
    add(Check("plan_followed", "Arbetsplanen följs", ok, note, "Arbetsplanen följs inte"))
    checks = reads.register_checks[application.pk]
    add(Check("register_checks", "Kontrollerna som krävs finns och avvikelser är bedömda",
              checks["ok"], "" if checks["ok"] else checks["message"],
              "Kontroller saknas eller avvikelser är inte bedömda"))  # fmt: skip

    if old_calculation is None or not same_household:
        return result

    filled = calc.prefill(application, members, previous=old_calculation)
    stated_other = [
        c for c in filled["costs"] if COST_TYPES.get(c["type"]) is None
        or COST_TYPES[c["type"]].category != REASONABLE
    ]  # fmt: skip
    add(Check("no_other_living_costs", "Ansökan gäller inga nya kostnader för livsföring i övrigt",
              not stated_other, ", ".join(COST_TYPES.get(c["type"], COST_TYPES["other"]).label
                                          for c in stated_other),
              "Ansökan gäller nya kostnader för livsföring i övrigt"))  # fmt: skip
    surplus = [i for i in filled["incomes"] if i["type"] == "previous_month_surplus"]
    add(Check("no_surplus", "Inget normöverskott från förra månaden att ta ställning till",
              not surplus, "", "Ett normöverskott från förra månaden ska tas ställning till"))  # fmt: skip
    labels = {m["person_id"]: m["name"] for m in members}
    ok, note = _compare(
        _amounts(filled["costs"], lambda c: c["type"]),
        _amounts(old_calculation.costs, lambda c: c["type"]),
        settings.cost_tolerance_percent,
        settings.cost_tolerance_amount,
        lambda key: COST_TYPES[key].label if key in COST_TYPES else str(key),
    )
    add(Check("costs_within_tolerance",
              f"Kostnaderna är desamma inom {settings.cost_tolerance_percent} % "
              f"eller {_sek(settings.cost_tolerance_amount)}", ok, note,
              f"Kostnaderna har ändrats mer än {settings.cost_tolerance_percent} % "
              f"eller {_sek(settings.cost_tolerance_amount)}"))  # fmt: skip
    ok, note = _compare(
        _amounts(filled["incomes"], lambda i: (i["type"], i.get("person_id"))),
        _amounts(old_calculation.incomes, lambda i: (i["type"], i.get("person_id"))),
        settings.income_tolerance_percent,
        settings.income_tolerance_amount,
        lambda key: f"{_income_label(key[0])} ({labels.get(key[1], 'sökande')})",
    )
    add(Check("incomes_within_tolerance",
              f"Inkomsterna är desamma inom {settings.income_tolerance_percent} % "
              f"eller {_sek(settings.income_tolerance_amount)}", ok, note,
              f"Inkomsterna har ändrats mer än {settings.income_tolerance_percent} % "
              f"eller {_sek(settings.income_tolerance_amount)}"))  # fmt: skip

    calculation = Calculation(
        application=application,
        case=case,
        month=application.month,
        members=members,
        shared_household_size=shared,
        costs=filled["costs"],
        incomes=filled["incomes"],
        norm_adjustments=filled["norm_adjustments"],
        months_on_assistance=calc.months_on_assistance(
            case, application.month, reads.granted_months[case.pk]
        ),
        local_guideline=reads.guideline(case.unit_id, application.month),
        prefilled_from=old_calculation,
    )
    try:
        calc.run(calculation)
    except Exception as error:  # noqa: BLE001 - any failure disqualifies, with its message
        calculation.result = None
        calculation.error = {"message": getattr(error, "message", str(error))}
    computed = calculation.result is not None
    add(Check("calculated", "Beräkningen kan göras",
              computed, (calculation.error or {}).get("message", ""),
              "Beräkningen kan inte göras"))  # fmt: skip
    if not computed:
        return result
    result.calculation = calculation
    add(Check("proposal_granted", "Beräkningen ger bifall utan avdrag",
              calculation.proposed_outcome == Outcome.GRANTED
              and Decimal(calculation.amount_to_pay) > 0,
              f"förslag: {_outcome_label(calculation.proposed_outcome).lower()}",
              "Beräkningen ger inte bifall utan avdrag"))  # fmt: skip
    old_amount = previous.total_granted
    new_amount = Decimal(calculation.amount_to_pay)
    add(Check("amount_within_tolerance",
              "Beloppet är detsamma som förra månaden inom kostnadstoleransen",
              within(new_amount, old_amount, settings.cost_tolerance_percent,
                     settings.cost_tolerance_amount),
              f"{_sek(old_amount)} → {_sek(new_amount)}",
              "Beloppet skiljer sig från förra månaden mer än kostnadstoleransen"))  # fmt: skip
    warnings = calculation.warnings
    norm_note = "; ".join(w["message"] for w in warnings) if warnings else ""
    if automatic:
        add(Check("no_warnings", "Beräkningen har inga varningar (riksnormen verifierad m.m.)",
                  not warnings, norm_note, "Beräkningen har varningar"))  # fmt: skip
    elif warnings:
        add(Check("warnings_shown", "Beräkningens varningar visas för handläggaren", True,
                  norm_note))  # fmt: skip
    return result


def repeat_applications(month: dt.date, *, unit=None, user=None) -> QuerySet[Application]:
    """The month's undecided repeat applications (within what `user` may open, if given)."""
    applications = Application.objects.filter(
        month=month, kind=ApplicationKind.REPEAT, status__in=UNDECIDED_STATUSES
    ).select_related("case__household", "case__section", "case__unit")
    if unit is not None:
        applications = applications.filter(case__unit=unit)
    if user is not None:
        applications = applications.filter(case__in=cases_visible_to(user))
    return applications.order_by("case__section__name", "case_id", "id")
