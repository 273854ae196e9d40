"""The rules the calculation applies: their ids, numbers and Swedish references.

Every figure and condition here comes from shared/reference/calculation-rules.md; the section
is named beside it. A result line carries a rule id (stable, for programs) and the reference
text (for the decision letter). Bump RULES_VERSION whenever a rule's arithmetic changes, so a
stored result says which rules made it.
"""

from __future__ import annotations

from decimal import Decimal

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
_NORM_NEW = "12 kap. 7 § SoL (2025:400) och 2 kap. 1 § socialtjänstförordningen (2001:937)"
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

_OLD = {
    rule: text.format(norm=_NORM_OLD, incentive=_INCENTIVE_OLD)
    for rule, text in _REFERENCES.items()
}
_NEW = {
    rule: text.format(norm=_NORM_NEW, incentive=_INCENTIVE_NEW)
    for rule, text in _REFERENCES.items()
}


def rule_references(month: Month) -> dict[str, str]:
    """The Swedish reference text of every rule id, for the law in force in `month`."""
    return _NEW if month >= NEW_SOCIAL_SERVICES_ACT_FROM else _OLD
