"""The individual-level statistics municipalities send to Socialstyrelsen every month
(HSLF-FS 2015:30): ekonomiskt bistånd, försörjningshinder and municipal labour-market
programmes per person and month (bilaga 1), and reasons for closing (bilaga 2).

The record layout below is OURS: the variables and categories are those the reference
documents (docs/national-reporting.md), but Socialstyrelsen's exact bilaga 1 code list and
file layout could not be read, so a mapping step may be needed before submission. Every file
is validated first; an export with errors is refused and the errors listed (in Swedish).
Making the file is logged (action "export"): it holds every recipient's identity number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.models import Case, CaseReopening, CaseStatus, ClosingReason
from bistand.core.codes import SUPPORT_OBSTACLE_BY_CODE
from bistand.core.dates import add_months, month_start
from bistand.core.errors import DomainError
from bistand.core.identity import is_valid_identity_number
from bistand.organisation.models import Unit

from .access import require_export_access
from .definitions import ADULT_AGE, HOUSEHOLD_TYPE_CODES
from .models import MonthRefresh, StaleMonth
from .periods import month_key, month_label
from .refresh import refresh_months

LAYOUT_VERSION = "bistand-individ/1"
ROLE_CODES = {"applicant": "S", "co_applicant": "M", "child": "B", "other_adult": "O"}
ROLE_LABELS = {"S": "sökande", "M": "medsökande", "B": "barn", "O": "annan vuxen i hushållet"}
RECORD_TYPES = {"B": "bistånd per person och månad (bilaga 1)", "A": "avslut (bilaga 2)"}
COLUMNS = [
    "posttyp",
    "layout",
    "kommunkod",
    "period",
    "personnummer",
    "hushall",
    "roll",
    "kon",
    "alder",
    "hushallstyp",
    "belopp",
    "forsorjningshinder",
    "forsorjningshinder_huvudgrupp",
    "arbetsmarknadsinsats",
    "avslutsorsak",
    "avslutsdatum",
]


@dataclass
class NationalRecord:
    posttyp: str  # B = bistånd per person/månad, A = avslut
    kommunkod: str
    period: str  # YYYYMM: the month the assistance is for
    personnummer: str
    hushall: str  # the household's case reference, the same on every member's row
    roll: str = ""
    kon: str = ""
    alder: int | None = None
    hushallstyp: int | None = None
    belopp: str = ""  # on the applicant's row: the household's assistance for the month
    forsorjningshinder: str = ""
    forsorjningshinder_huvudgrupp: str = ""
    arbetsmarknadsinsats: str = ""  # J/N
    avslutsorsak: str = ""
    avslutsdatum: str = ""
    layout: str = LAYOUT_VERSION

    def row(self) -> list[str]:
        values = asdict(self)
        return ["" if values[c] is None else str(values[c]) for c in COLUMNS]


@dataclass
class ValidationProblem:
    row: int | None  # 1-based data row, None for the file as a whole
    household: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"Rad {self.row}" if self.row else "Filen"
        if self.household:
            where += f" (ärende {self.household})"
        return f"{where}: {self.message}"


@dataclass
class NationalReport:
    unit: Unit
    month: dt.date
    records: list[NationalRecord]
    problems: list[ValidationProblem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def filename(self) -> str:
        return f"ekb-individ-{self.unit.municipality_code}-{self.month:%Y%m}.csv"

    def counts(self) -> dict:
        monthly = [r for r in self.records if r.posttyp == "B"]
        return {
            "records": len(self.records),
            "persons": len(monthly),
            "households": len({r.hushall for r in monthly}),
            "closings": len(self.records) - len(monthly),
        }


class NationalReportInvalid(DomainError):
    def __init__(self, report: NationalReport) -> None:
        super().__init__(
            "national_report_invalid",
            f"Filen har {len(report.problems)} fel och kan inte tas ut; rätta dem först.",
        )
        self.report = report


def _case_reference(case_id: int, opened_on) -> str:
    opened = opened_on if isinstance(opened_on, dt.date) else dt.date.fromisoformat(str(opened_on))
    return f"{opened.year}-{case_id:05d}"


def build_records(unit: Unit, month: dt.date) -> list[NationalRecord]:
    """The month's records from the summary tables (one B row per recipient) and the case
    tables (one A row per closing in the month, on the applicant)."""
    month = month_start(month)
    period = f"{month:%Y%m}"
    sql = """
SELECT rm.person_id, p.identity_number, rm.case_id, c.opened_on, rm.role, rm.sex, rm.age,
       rm.household_type, rm.is_adult, rm.support_obstacle, rm.in_programme, hm.amount
FROM statistics_recipientmonth rm
JOIN households_person p ON p.id = rm.person_id
JOIN cases_case c ON c.id = rm.case_id
JOIN statistics_householdmonth hm ON hm.case_id = rm.case_id AND hm.month = rm.month
WHERE rm.unit_id = %(unit)s AND rm.month = %(month)s
ORDER BY rm.case_id, CASE rm.role WHEN 'applicant' THEN 0 WHEN 'co_applicant' THEN 1
         WHEN 'child' THEN 2 ELSE 3 END, rm.age DESC, rm.person_id
"""
    records: list[NationalRecord] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, {"unit": unit.pk, "month": connection.ops.adapt_datefield_value(month)})
        for (
            _person_id,
            identity,
            case_id,
            opened_on,
            role,
            sex,
            age,
            household_type,
            is_adult,
            obstacle,
            in_programme,
            amount,
        ) in cursor.fetchall():
            item = SUPPORT_OBSTACLE_BY_CODE.get(obstacle)
            records.append(
                NationalRecord(
                    posttyp="B",
                    kommunkod=unit.municipality_code,
                    period=period,
                    personnummer=identity,
                    hushall=_case_reference(case_id, opened_on),
                    roll=ROLE_CODES.get(role, "O"),
                    kon=sex,
                    alder=age,
                    hushallstyp=household_type,
                    belopp=f"{float(amount):.2f}" if role == "applicant" else "",
                    forsorjningshinder=obstacle if is_adult else "",
                    forsorjningshinder_huvudgrupp=(item.main_category if item else "")
                    if is_adult
                    else "",
                    arbetsmarknadsinsats=("J" if in_programme else "N") if is_adult else "",
                )
            )
    records.extend(_closing_records(unit, month, period))
    return records


def _closing_records(unit: Unit, month: dt.date, period: str) -> list[NationalRecord]:
    following = add_months(month, 1)
    closings: list[tuple[int, dt.date, dt.date, str]] = list(
        Case.objects.filter(
            unit=unit, status=CaseStatus.CLOSED, closed_on__gte=month, closed_on__lt=following
        ).values_list("id", "opened_on", "closed_on", "closing_reason")
    )
    closings += list(
        CaseReopening.objects.filter(
            case__unit=unit, previous_closed_on__gte=month, previous_closed_on__lt=following
        ).values_list("case_id", "case__opened_on", "previous_closed_on", "previous_closing_reason")
    )
    if not closings:
        return []
    applicants = _applicants_on([(case_id, closed_on) for case_id, _, closed_on, _ in closings])
    return [
        NationalRecord(
            posttyp="A",
            kommunkod=unit.municipality_code,
            period=period,
            personnummer=applicants.get((case_id, closed_on), ""),
            hushall=_case_reference(case_id, opened_on),
            roll="S",
            avslutsorsak=reason,
            avslutsdatum=closed_on.isoformat(),
        )
        for case_id, opened_on, closed_on, reason in sorted(closings)
    ]


def _applicants_on(cases: list[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], str]:
    """The applicant's identity number of each case's household on a day (set-wise: one
    query for all closings of the month)."""
    from bistand.households.models import HouseholdMembership, MemberRole

    case_households = dict(
        Case.objects.filter(pk__in=[c for c, _ in cases]).values_list("id", "household_id")
    )
    memberships = HouseholdMembership.objects.filter(
        household_id__in=set(case_households.values()), role=MemberRole.APPLICANT
    ).values_list("household_id", "valid_from", "valid_to", "person__identity_number")
    by_household: dict[int, list] = {}
    for household_id, valid_from, valid_to, identity in memberships:
        by_household.setdefault(household_id, []).append((valid_from, valid_to, identity))
    found = {}
    for case_id, day in cases:
        rows = by_household.get(case_households.get(case_id), [])
        # The applicant on the closing day; else the latest applicant before it.
        current = [r for r in rows if r[0] <= day and (r[1] is None or r[1] > day)]
        earlier = sorted((r for r in rows if r[0] <= day), key=lambda r: r[0])
        chosen = current[-1] if current else (earlier[-1] if earlier else None)
        found[(case_id, day)] = chosen[2] if chosen else ""
    return found


def validate(
    records: list[NationalRecord], unit: Unit, month: dt.date, *, today: dt.date | None = None
) -> list[ValidationProblem]:
    """Everything that would make the file wrong, in Swedish. An empty list = valid."""
    today = today or timezone.localdate()
    month = month_start(month)
    problems: list[ValidationProblem] = []

    def problem(row, household, field_name, message):
        problems.append(ValidationProblem(row, household, field_name, message))

    if not (unit.municipality_code.isdigit() and len(unit.municipality_code) == 4):
        problem(None, "", "kommunkod", "Enhetens kommunkod ska vara fyra siffror.")
    if add_months(month, 1) > today:
        problem(
            None,
            "",
            "period",
            f"{month_label(month).capitalize()} är inte slut än; uppgifterna lämnas för hela "
            "kalendermånader.",
        )
    monthly = [(n, r) for n, r in enumerate(records, start=1) if r.posttyp == "B"]
    if not monthly:
        problem(None, "", "posttyp", "Det finns inga mottagare av ekonomiskt bistånd för månaden.")
    seen: dict[str, int] = {}
    applicants: dict[str, int] = {}
    households: set[str] = set()
    for number, item in enumerate(records, start=1):
        household = item.hushall
        if item.posttyp not in RECORD_TYPES:
            problem(number, household, "posttyp", f"Okänd posttyp {item.posttyp!r}.")
            continue
        if item.period != f"{month:%Y%m}":
            problem(number, household, "period", "Perioden stämmer inte med månaden.")
        if not is_valid_identity_number(item.personnummer, today):
            problem(
                number,
                household,
                "personnummer",
                "Person- eller samordningsnumret saknas eller är ogiltigt.",
            )
        if item.posttyp == "A":
            if item.avslutsorsak not in ClosingReason.values:
                problem(number, household, "avslutsorsak", "Avslutsorsak saknas eller är okänd.")
            continue
        households.add(household)
        if item.personnummer in seen:
            problem(
                number,
                household,
                "personnummer",
                f"Personen finns redan på rad {seen[item.personnummer]}; en person räknas i "
                "ett hushåll per månad.",
            )
        else:
            seen[item.personnummer] = number
        if item.roll not in ROLE_LABELS:
            problem(number, household, "roll", "Okänd roll i hushållet.")
        if item.hushallstyp not in HOUSEHOLD_TYPE_CODES:
            problem(number, household, "hushallstyp", "Hushållstypen saknas eller är okänd.")
        if item.roll == "S":
            applicants[household] = applicants.get(household, 0) + 1
            try:
                amount_ok = float(item.belopp) > 0
            except ValueError:
                amount_ok = False
            if not amount_ok:
                problem(
                    number, household, "belopp", "Utbetalt belopp saknas eller är inte större än 0."
                )
        adult = item.roll in ("S", "M") and (item.alder or 0) >= ADULT_AGE
        if adult:
            obstacle = SUPPORT_OBSTACLE_BY_CODE.get(item.forsorjningshinder)
            if not item.forsorjningshinder:
                problem(
                    number,
                    household,
                    "forsorjningshinder",
                    f"Försörjningshinder saknas för {ROLE_LABELS[item.roll]} (registreras för "
                    "varje vuxen vid varje beslut).",
                )
            elif obstacle is None:
                problem(
                    number, household, "forsorjningshinder", "Okänd kod för försörjningshinder."
                )
            elif not (
                obstacle.valid_from <= month
                and (obstacle.valid_to is None or month < obstacle.valid_to)
            ):
                problem(
                    number,
                    household,
                    "forsorjningshinder",
                    f"Försörjningshindret {obstacle.label!r} gäller inte för "
                    f"{month_label(month)} (gammal eller ny kodlista).",
                )
            if item.arbetsmarknadsinsats not in ("J", "N"):
                problem(number, household, "arbetsmarknadsinsats", "Ska vara J eller N.")
        elif item.forsorjningshinder:
            problem(
                number,
                household,
                "forsorjningshinder",
                "Försörjningshinder registreras bara för sökande och medsökande 18 år och äldre.",
            )
    for household in sorted(households):
        if applicants.get(household, 0) != 1:
            problem(
                None,
                household,
                "roll",
                "Hushållet ska ha exakt en sökande under månaden "
                f"(har {applicants.get(household, 0)}).",
            )
    return problems


def render_csv(records: list[NationalRecord]) -> str:
    """Semicolon-separated, UTF-8, header row, one record a line (docs/national-reporting.md)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in records:
        writer.writerow(item.row())
    return buffer.getvalue()


def _ensure_fresh(month: dt.date) -> None:
    """The summary rows of the month are rebuilt first if missing or marked stale."""
    built = MonthRefresh.objects.filter(month=month).exists()
    stale = StaleMonth.objects.filter(month=month).exists()
    if not built or stale:
        refresh_months([month])


def prepare(unit: Unit, month: dt.date, *, today: dt.date | None = None) -> NationalReport:
    """Build and validate (no logging: nothing leaves the system)."""
    month = month_start(month)
    _ensure_fresh(month)
    records = build_records(unit, month)
    return NationalReport(unit, month, records, validate(records, unit, month, today=today))


def export_national_report(
    actor, month: dt.date, *, today: dt.date | None = None, channel_format: str = "csv"
) -> tuple[NationalReport, str]:
    """The file for Socialstyrelsen, for the actor's unit: validated, then logged.

    Raises NationalReportInvalid (with the problems) when the file would be wrong."""
    require_export_access(actor)
    report = prepare(actor.unit, month, today=today)
    if not report.valid:
        raise NationalReportInvalid(report)
    content = render_csv(report.records)
    with transaction.atomic():
        record(
            actor,
            AuditAction.EXPORT,
            object_type="statistics.national_report",
            object_id=month_key(report.month),
            detail={
                "what": "national_report",
                "month": month_key(report.month),
                "layout": LAYOUT_VERSION,
                "format": channel_format,
                **report.counts(),
            },
        )
    return report, content
