"""The rules the calculation applies: their ids, numbers and Swedish references.

Every figure and condition here comes from shared/reference/calculation-rules.md; the section
is named beside it. A result line carries a rule id (stable, for programs) and the reference
text (for the decision letter). Bump RULES_VERSION whenever a rule's arithmetic changes, so a
stored result says which rules made it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from .months import Month

RULES_VERSION = "2"  # 2: a local ceiling caps the total of its cost type, not each row

# Jobbstimulans (rules section 5; prop. 2012/13:94, 4 kap. 1 b § SoL (2001:453)):
# after six months in a row with försörjningsstöd, 25 % of a person's income from
# employment is not counted, for two years; it applies again after six new months in a row.
WORK_INCENTIVE_SHARE = Decimal("0.25")
WORK_INCENTIVE_QUALIFYING_MONTHS = 6
WORK_INCENTIVE_PERIOD_MONTHS = 24

# Household members: children and youths under 21 whom the parents must support (SOSFS 2013:1).
MAX_CHILD_AGE = 20
# Ages 0-6 have a lower amount when the child does not eat lunch at home 5 days a week.
MAX_AGE_WITH_LUNCH_SPLIT = 6
# Common household costs are tabled for 1-7 members; above 7 the 7-6 difference is added per member.
MAX_TABLED_HOUSEHOLD_SIZE = 7

# SoL (2025:400) replaced SoL (2001:453) on 2025-07-01 (rules section 7).
NEW_SOCIAL_SERVICES_ACT_FROM = Month(2025, 7)

_NORM_OLD = "4 kap. 3 § SoL (2001:453) och 2 kap. 1 § socialtjänstförordningen (2001:937)"
_NORM_NEW = "12 kap. 7 § SoL (2025:400) och 12 kap. 2 § socialtjänstförordningen (2025:468)"
_INCENTIVE_OLD = "Jobbstimulans, 4 kap. 1 b § SoL (2001:453), prop. 2012/13:94"
_INCENTIVE_NEW = "Jobbstimulans, prop. 2012/13:94 (tidigare 4 kap. 1 b § SoL (2001:453))"

# Rule id -> Swedish reference. {norm} and {incentive} depend on the law in force in the month.
_REFERENCES = {
    "norm.adult_single": "Riksnormen, personliga kostnader; {norm}",
    "norm.adult_cohabiting": "Riksnormen, personliga kostnader för sambor/makar; {norm}",
    "norm.child": "Riksnormen, personliga kostnader för barn; {norm}",
    "norm.child_no_lunch": (
        "Riksnormen, barn 0–6 år som inte äter lunch hemma 5 dagar i veckan; {norm}"
    ),
    "norm.child_part_month": (
        "Riksnormen, barn som bor i hushållet del av månaden (SOSFS 2013:1); "
        "fördelning efter dagar; {norm}"
    ),
    "norm.common": "Riksnormen, gemensamma hushållskostnader; {norm}",
    "norm.common_above_7": (
        "Riksnormen, hushåll större än 7 personer: skillnaden mellan 7 och 6 personer "
        "läggs till per person (SFS 2020:1013); {norm}"
    ),
    "norm.common_shared_household": (
        "Riksnormen, hushållsgemenskap utan att vara sambo: de gemensamma kostnaderna "
        "delas med antalet i hushållet (SFS 2020:1013); {norm}"
    ),
    "norm.adjustment": "Normen satt högre eller lägre av särskilda skäl (SOSFS 2013:1)",
    "cost.reasonable": "Skäliga kostnader utanför riksnormen (Socialstyrelsen, försörjningsstöd)",
    "cost.other_living": "Bistånd till livsföringen i övrigt (Socialstyrelsen)",
    "cost.local_ceiling": "Kommunens riktlinjer: högsta godtagbara kostnad",
    "income.counted": "Hushållets samtliga inkomster räknas av (Socialstyrelsen)",
    "income.work_incentive": "{incentive}",
    "income.child_earnings": (
        "Barns och skolungdoms arbetsinkomst räknas bara över ett prisbasbelopp "
        "per kalenderår (prop. 2012/13:94)"
    ),
    "income.previous_surplus": (
        "Normöverskott behandlas i vissa fall som inkomst nästa månad (HFD 2017 ref. 51)"
    ),
}

RULE_IDS = tuple(_REFERENCES)

# Rule sets this engine implements: a legal period names the one its months use. A rule
# change in the law (e.g. the proposed 2027 benefit cap) is a new rule set added beside the
# old, so a calculation made before it is never changed. (RULES_VERSION is the engine's own
# revision within a rule set, recorded on every result.)
NORM_RULE_SET = "1"
IMPLEMENTED_RULE_VERSIONS = frozenset({NORM_RULE_SET})


@dataclass(frozen=True)
class LegalPeriod:
    """The law in force for a span of months: the act cited and the rule version applied.

    Chosen by date (a month belongs to the period its first day falls in); kept as data
    (legal periods in the database, seeded from data/rules.json) so that a change announced
    for a coming date is a new dated period, not a new release.
    """

    code: str
    name: str
    valid_from: date
    valid_to: date | None
    act: str
    norm_reference: str
    incentive_reference: str
    rules_version: str = NORM_RULE_SET
    references: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        texts = {
            rule: text.format(norm=self.norm_reference, incentive=self.incentive_reference)
            for rule, text in _REFERENCES.items()
        }
        object.__setattr__(self, "references", texts)

    def covers(self, month: Month) -> bool:
        first = month.first_day
        return self.valid_from <= first and (self.valid_to is None or first <= self.valid_to)

    def describe(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "act": self.act,
            "valid_from": self.valid_from.isoformat(),
            "rules_version": self.rules_version,
        }


# The two periods known today (rules section 7): the same arithmetic, other references.
DEFAULT_LEGAL_PERIODS = (
    LegalPeriod(
        code="sol-2001-453",
        name="Socialtjänstlagen (2001:453)",
        valid_from=date(2002, 1, 1),
        valid_to=date(2025, 6, 30),
        act="SoL (2001:453)",
        norm_reference=_NORM_OLD,
        incentive_reference=_INCENTIVE_OLD,
    ),
    LegalPeriod(
        code="sol-2025-400",
        name="Socialtjänstlagen (2025:400)",
        valid_from=date(2025, 7, 1),
        valid_to=None,
        act="SoL (2025:400)",
        norm_reference=_NORM_NEW,
        incentive_reference=_INCENTIVE_NEW,
    ),
)


class IncentiveRule(NamedTuple):
    """The jobbstimulans parameters in force for a month."""

    share: Decimal
    qualifying_months: int
    period_months: int


DEFAULT_INCENTIVE = IncentiveRule(
    WORK_INCENTIVE_SHARE, WORK_INCENTIVE_QUALIFYING_MONTHS, WORK_INCENTIVE_PERIOD_MONTHS
)

# Parameter codes kept with validity dates (legal parameters in the database).
PARAMETER_PRICE_BASE_AMOUNT = "price_base_amount"
PARAMETER_INCENTIVE_SHARE = "work_incentive_share"
PARAMETER_INCENTIVE_QUALIFYING = "work_incentive_qualifying_months"
PARAMETER_INCENTIVE_PERIOD = "work_incentive_period_months"


def rule_references(month: Month) -> Mapping[str, str]:
    """The Swedish reference text of every rule id, for the law in force in `month`."""
    for period in DEFAULT_LEGAL_PERIODS:
        if period.covers(month):
            return period.references
    return DEFAULT_LEGAL_PERIODS[0].references
