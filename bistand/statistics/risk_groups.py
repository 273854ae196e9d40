"""Risk groups as work: the open cases behind the board's goals, as lists a head can act on.

Issue 17. The dashboard counts long-term recipients and young adults; these lists name the
cases (docs/statistics.md, "Risk-group work lists"):

- long-term households with children: an adult recipient of the household is long-term
  (Socialstyrelsen: assistance in 10-12 months of a calendar year, `LONG_TERM_MONTHS`, read from
  `RecipientYear` as the long-term figure is) in the reference month's year or the year before,
  and the household has a child aged 0-17 in the reference month;
- young adults: the household has a member aged 18-24 (`YOUNG_ADULT_AGES`) in the month;
- about to become long-term: the household's spell of consecutive months with assistance is
  7-9 months long in the month (the spell band "7-9");
- no plan or an overdue follow-up: no plan version at all, or a confirmed plan whose follow-up
  is due before today (the plan overview's states "missing" and "overdue").

The first three read the summary tables of the **reference month**, the latest month built
(`MonthRefresh`) up to the current month. Every list holds open cases only, of the unit (a
section head: of their own section), among the cases the user may open. Every condition is an
EXISTS subquery, so a list is one COUNT and one page of rows whatever its length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from bistand.cases.models import Case, CaseStatus
from bistand.cases.selectors import cases_visible_to
from bistand.core.dates import month_start
from bistand.organisation.models import Role
from bistand.workplans.models import WorkPlan, WorkPlanVersion

from .access import require_statistics_access
from .definitions import LONG_TERM_MONTHS, SPELL_BANDS, YOUNG_ADULT_AGES
from .models import HouseholdMonth, MonthRefresh, RecipientMonth, RecipientYear

# The spell band "7-9": months 7, 8 and 9 in a row (10 is long-term in the year's terms).
SOON_LONG_TERM = next((low, high) for key, low, high, _label in SPELL_BANDS if key == "7-9")


@dataclass(frozen=True)
class RiskGroup:
    key: str  # the API's name
    slug: str  # the page's address
    title: str
    description: str
    uses_month: bool = True  # read from the summary tables of the reference month


LONG_TERM_CHILDREN = "long-term-with-children"
YOUNG_ADULTS = "young-adults"
SOON_LONG_TERM_KEY = "soon-long-term"
NO_PLAN = "no-plan-or-overdue"

RISK_GROUPS: list[RiskGroup] = [
    RiskGroup(
        LONG_TERM_CHILDREN,
        "langvariga-barnfamiljer",
        _("Långvarigt bistånd, hushåll med barn"),
        _(
            "Hushåll med barn (0–17 år) där en vuxen biståndsmottagare haft bistånd 10–12 "
            "månader under underlagsmånadens kalenderår eller året före."
        ),
    ),
    RiskGroup(
        YOUNG_ADULTS,
        "unga-vuxna",
        _("Unga vuxna 18–24 år"),
        _("Hushåll med bistånd under underlagsmånaden där någon är 18–24 år."),
    ),
    RiskGroup(
        SOON_LONG_TERM_KEY,
        "snart-langvariga",
        _("På väg att bli långvariga"),
        _("Hushåll som under underlagsmånaden haft bistånd 7–9 månader i följd."),
    ),
    RiskGroup(
        NO_PLAN,
        "utan-plan",
        _("Ingen plan eller försenad uppföljning"),
        _(
            "Öppna ärenden utan planering, eller med en godkänd plan vars uppföljning "
            "skulle ha skett före i dag."
        ),
        uses_month=False,
    ),
]
BY_KEY = {group.key: group for group in RISK_GROUPS}
BY_SLUG = {group.slug: group for group in RISK_GROUPS}


def reference_month(today: dt.date) -> dt.date | None:
    """The latest month whose summary rows are built, up to the current month."""
    return (
        MonthRefresh.objects.filter(month__lte=month_start(today))
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


def risk_cases_base(user) -> QuerySet[Case]:
    """The open cases a head works with: the unit's (a section head: their own section's),
    among those the user may open. Any other role is refused (access.py)."""
    require_statistics_access(user)
    cases = Case.objects.filter(
        pk__in=cases_visible_to(user).values("pk"), unit_id=user.unit_id
    ).exclude(status=CaseStatus.CLOSED)
    if user.role == Role.SECTION_HEAD:
        cases = cases.filter(section_id=user.section_id)
    return cases


def _household_month(month: dt.date | None) -> QuerySet[HouseholdMonth]:
    if month is None:
        return HouseholdMonth.objects.none()
    return HouseholdMonth.objects.filter(month=month, case_id=OuterRef("pk"))


def long_term_adults(first_year: int, last_year: int) -> QuerySet[RecipientYear]:
    """Adult recipients long-term in a year from `first_year` to `last_year` (Socialstyrelsen's
    definition, read as the long-term figure reads it: `RecipientYear.is_adult` and at least
    `LONG_TERM_MONTHS` months with assistance in the calendar year)."""
    return RecipientYear.objects.filter(
        year__gte=first_year, year__lte=last_year, is_adult=True, months__gte=LONG_TERM_MONTHS
    )


def _plan_has_version() -> Exists:
    return Exists(WorkPlanVersion.objects.filter(plan__case_id=OuterRef("pk")))


def _plan_confirmed() -> Exists:
    return Exists(
        WorkPlanVersion.objects.filter(plan__case_id=OuterRef("pk"), confirmed_at__isnull=False)
    )


def _plan_due() -> Subquery:
    return Subquery(WorkPlan.objects.filter(case_id=OuterRef("pk")).values("due_on")[:1])


def missing_plan_q() -> Q:
    return ~Q(_plan_has_version())


def overdue_plan_q(today: dt.date) -> Q:
    return Q(_plan_confirmed()) & Q(
        Exists(WorkPlan.objects.filter(case_id=OuterRef("pk"), due_on__lt=today))
    )


def group_q(group: RiskGroup, month: dt.date | None, today: dt.date) -> Q:
    """The condition that puts an open case in `group` (a Q of EXISTS subqueries)."""
    if group.key == NO_PLAN:
        return missing_plan_q() | overdue_plan_q(today)
    if month is None:  # nothing built yet: the summary lists are empty
        return Q(pk__in=[])
    household_month = _household_month(month)
    if group.key == YOUNG_ADULTS:
        return Q(Exists(household_month.filter(young_adults__gt=0)))
    if group.key == SOON_LONG_TERM_KEY:
        low, high = SOON_LONG_TERM
        return Q(Exists(household_month.filter(spell_months__gte=low, spell_months__lte=high)))
    if group.key == LONG_TERM_CHILDREN:
        adults_long_term = RecipientMonth.objects.filter(
            month=month,
            case_id=OuterRef("pk"),
            is_adult=True,
            person_id__in=long_term_adults(month.year - 1, month.year).values("person_id"),
        )
        return Q(Exists(household_month.filter(minors__gt=0))) & Q(Exists(adults_long_term))
    raise KeyError(group.key)


def risk_group_cases(user, group: RiskGroup, month: dt.date | None, today: dt.date):
    """The group's open cases for `user`, with what a row shows: months in a row with
    assistance in the reference month, the plan's state and its follow-up date."""
    months = (
        Subquery(_household_month(month).values("spell_months")[:1])
        if month is not None
        else Subquery(HouseholdMonth.objects.none().values("spell_months")[:1])
    )
    return (
        risk_cases_base(user)
        .filter(group_q(group, month, today))
        .annotate(
            months_in_row=months,
            plan_exists=_plan_has_version(),
            plan_confirmed=_plan_confirmed(),
            plan_due_on=_plan_due(),
        )
        .select_related("household", "section", "handler")
    )


def risk_group_counts(user, month: dt.date | None, today: dt.date) -> dict[str, int]:
    """How many open cases each list holds (one COUNT per list, whatever the rows)."""
    base = risk_cases_base(user)
    return {group.key: base.filter(group_q(group, month, today)).count() for group in RISK_GROUPS}


def young_adult_ages(case_ids: list[int], month: dt.date | None) -> dict[int, list[int]]:
    """The ages of each case's 18-24-year-olds in the month, in one query."""
    if not case_ids or month is None:
        return {}
    low, high = YOUNG_ADULT_AGES
    ages: dict[int, list[int]] = {}
    for case_id, age in (
        RecipientMonth.objects.filter(
            month=month, case_id__in=case_ids, age__gte=low, age__lte=high
        )
        .order_by("case_id", "age")
        .values_list("case_id", "age")
    ):
        ages.setdefault(case_id, []).append(age)
    return ages


def next_step(case: Case, today: dt.date) -> tuple[str, str]:
    """What the plan asks next, and its state: ("missing" | "unconfirmed" | "overdue" |
    "on_track" | "none", Swedish text)."""
    if not case.plan_exists:
        return "missing", str(_("Ingen plan"))
    if not case.plan_confirmed:
        return "unconfirmed", str(_("Planen är inte godkänd av den enskilde"))
    due = case.plan_due_on
    if due is None:
        return "none", str(_("Ingen uppföljning planerad"))
    if due < today:
        return "overdue", str(_("Uppföljningen är försenad (senast %(date)s)") % {"date": due})
    return "on_track", str(_("Uppföljning senast %(date)s") % {"date": due})
