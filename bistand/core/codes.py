"""Code lists with their sources. Plain Python (no Django), so every layer may use them.

Support obstacles (försörjningshinder) are a dated code list of main category + subcategory
(shared/reference/calculation-rules.md section 8): the list in use in 2026 follows
HSLF-FS 2015:30 and Socialstyrelsen's registration instruction (2017); the pre-2017 main
categories are kept for history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class SupportObstacle:
    code: str
    main_category: str  # unemployment / ill_health / social_reasons / other / none
    label: str  # Swedish, as shown on screen
    valid_from: dt.date
    valid_to: dt.date | None = None


_CURRENT = dt.date(2017, 1, 1)
_OLD_FROM = dt.date(1998, 1, 1)

SUPPORT_OBSTACLES: tuple[SupportObstacle, ...] = (
    SupportObstacle(
        "unemployed_no_benefit", "unemployment", "Arbetslös – ingen ersättning/stöd", _CURRENT
    ),
    SupportObstacle(
        "unemployed_insufficient_benefit",
        "unemployment",
        "Arbetslös – otillräcklig ersättning/stöd",
        _CURRENT,
    ),
    SupportObstacle(
        "unemployed_awaiting_benefit",
        "unemployment",
        "Arbetslös – väntar på ersättning/stöd",
        _CURRENT,
    ),
    SupportObstacle(
        "establishment_missing",
        "unemployment",
        "Etableringsersättning saknas (prestationsförmåga < 25 %)",
        _CURRENT,
    ),
    SupportObstacle(
        "establishment_insufficient", "unemployment", "Etableringsersättning otillräcklig", _CURRENT
    ),
    SupportObstacle(
        "establishment_awaiting", "unemployment", "Väntar på etableringsersättning", _CURRENT
    ),
    SupportObstacle(
        "working_part_time_insufficient",
        "unemployment",
        "Arbetar deltid ofrivilligt – otillräcklig inkomst / väntar på inkomst",
        _CURRENT,
    ),
    SupportObstacle(
        "working_full_time_insufficient",
        "other",
        "Arbetar heltid – otillräcklig inkomst / väntar på inkomst",
        _CURRENT,
    ),
    SupportObstacle(
        "sick_certified_no_benefit",
        "ill_health",
        "Sjukskriven med läkarintyg – ingen sjukpenning",
        _CURRENT,
    ),
    SupportObstacle(
        "sick_certified_insufficient",
        "ill_health",
        "Sjukskriven med läkarintyg – otillräcklig sjukpenning",
        _CURRENT,
    ),
    SupportObstacle(
        "sick_certified_awaiting",
        "ill_health",
        "Sjukskriven med läkarintyg – väntar på sjukpenning",
        _CURRENT,
    ),
    SupportObstacle(
        "activity_compensation_insufficient",
        "ill_health",
        "Sjuk-/aktivitetsersättning otillräcklig / väntar på",
        _CURRENT,
    ),
    SupportObstacle("social_reasons", "social_reasons", "Arbetshinder, sociala skäl", _CURRENT),
    SupportObstacle(
        "unaccompanied_youth_student",
        "social_reasons",
        "Ensamkommande ungdom 18–20 år, gymnasiestuderande",
        _CURRENT,
    ),
    SupportObstacle("no_childcare", "social_reasons", "Saknar barnomsorg", _CURRENT),
    SupportObstacle(
        "parental_benefit_insufficient",
        "other",
        "Föräldrapenning otillräcklig / väntar på",
        _CURRENT,
    ),
    SupportObstacle(
        "pension_insufficient",
        "other",
        "Pension/äldreförsörjningsstöd otillräcklig / väntar på",
        _CURRENT,
    ),
    SupportObstacle("no_obstacle", "none", "Utan försörjningshinder", _CURRENT),
    # Pre-2017 main categories (DOMAIN.md; the Kävlinge report), kept for history.
    SupportObstacle("old_unemployed", "unemployment", "Arbetslös (före 2017)", _OLD_FROM, _CURRENT),
    SupportObstacle("old_sick", "ill_health", "Sjukskriven (före 2017)", _OLD_FROM, _CURRENT),
    SupportObstacle(
        "old_activity_compensation",
        "ill_health",
        "Sjuk- eller aktivitetsersättning (före 2017)",
        _OLD_FROM,
        _CURRENT,
    ),
    SupportObstacle(
        "old_social_reasons",
        "social_reasons",
        "Arbetshinder sociala skäl (före 2017)",
        _OLD_FROM,
        _CURRENT,
    ),
    SupportObstacle(
        "old_parental_leave", "other", "Föräldraledig (före 2017)", _OLD_FROM, _CURRENT
    ),
    SupportObstacle(
        "old_working", "other", "Arbetar (otillräcklig inkomst) (före 2017)", _OLD_FROM, _CURRENT
    ),
    SupportObstacle(
        "old_language", "social_reasons", "Språkhinder (före 2017)", _OLD_FROM, _CURRENT
    ),
    SupportObstacle("old_none", "none", "Utan försörjningshinder (före 2017)", _OLD_FROM, _CURRENT),
    SupportObstacle("old_other", "other", "Annat (före 2017)", _OLD_FROM, _CURRENT),
)

SUPPORT_OBSTACLE_BY_CODE = {item.code: item for item in SUPPORT_OBSTACLES}

MAIN_CATEGORY_LABELS = {
    "unemployment": "Arbetslöshet",
    "ill_health": "Ohälsa",
    "social_reasons": "Sociala skäl",
    "other": "Övrigt",
    "none": "Utan försörjningshinder",
}

UNEMPLOYED_CODES = frozenset(o.code for o in SUPPORT_OBSTACLES if o.main_category == "unemployment")


def support_obstacles_valid_on(day: dt.date) -> list[SupportObstacle]:
    return [
        o
        for o in SUPPORT_OBSTACLES
        if o.valid_from <= day and (o.valid_to is None or day < o.valid_to)
    ]


# Socialstyrelsen's household type codes (register of ekonomiskt bistånd, variable list):
# 1 only children under 18, 3 single man without children, 4 single man with children,
# 5 single woman without children, 6 single woman with children, 7 cohabiting without
# children, 8 cohabiting with children, 9 unknown/other.
HOUSEHOLD_TYPES: dict[str, tuple[int, str]] = {
    "single_man_no_children": (3, "Ensamstående man utan barn"),
    "single_man_with_children": (4, "Ensamstående man med barn"),
    "single_woman_no_children": (5, "Ensamstående kvinna utan barn"),
    "single_woman_with_children": (6, "Ensamstående kvinna med barn"),
    "cohabiting_no_children": (7, "Sammanboende utan barn"),
    "cohabiting_with_children": (8, "Sammanboende med barn"),
    "only_children": (1, "Endast barn under 18 år"),
    "other": (9, "Övriga hushåll"),
}


def derive_household_type(adults: list[tuple[str, bool]], children: int, other_adults: int) -> str:
    """Household type as Socialstyrelsen counts it.

    `adults` are the applicant and any co-applicant as (sex 'M'/'F', is_adult) pairs.
    """
    grown = [sex for sex, is_adult in adults if is_adult]
    if not grown and children:
        return "only_children"
    if other_adults or len(grown) > 2 or not grown:
        return "other"
    if len(grown) == 2:
        return "cohabiting_with_children" if children else "cohabiting_no_children"
    man = grown[0] == "M"
    if children:
        return "single_man_with_children" if man else "single_woman_with_children"
    return "single_man_no_children" if man else "single_woman_no_children"
