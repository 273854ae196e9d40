"""The cost and income types the calculation knows, with their Swedish labels.

The codes are a public interface (JSON input, stored lines): add codes, never rename one.
Sources for the lists: shared/reference/calculation-rules.md sections 3 and 4.
"""

from __future__ import annotations

from typing import NamedTuple

# Cost categories: the two parts of ekonomiskt bistånd (calculation-rules.md section 1).
REASONABLE = "reasonable"  # skäliga kostnader utanför riksnormen, part of försörjningsstöd
OTHER_LIVING = "other_living"  # bistånd till livsföringen i övrigt

COST_CATEGORY_LABELS = {
    REASONABLE: "Skäliga kostnader utanför riksnormen",
    OTHER_LIVING: "Livsföring i övrigt",
}


class CostType(NamedTuple):
    code: str
    label: str
    category: str


class IncomeType(NamedTuple):
    code: str
    label: str
    employment: (
        bool  # income from employment: jobbstimulans for adults, the child rule for children
    )


COST_TYPES: dict[str, CostType] = {
    cost.code: cost
    for cost in (
        # Socialstyrelsen's list of reasonable costs outside the norm.
        CostType("rent", "Boendekostnad (hyra eller avgift)", REASONABLE),
        CostType("household_electricity", "Hushållsel", REASONABLE),
        CostType("work_travel", "Arbetsresor", REASONABLE),
        CostType("home_insurance", "Hemförsäkring", REASONABLE),
        CostType("union_fee", "Avgift till fackförening", REASONABLE),
        CostType("unemployment_fund_fee", "Avgift till arbetslöshetskassa", REASONABLE),
        # Costs municipal pages list; legally livsföring i övrigt (rules section 3).
        CostType("childcare_fee", "Barnomsorgsavgift", OTHER_LIVING),
        CostType("medical_care", "Läkarvård", OTHER_LIVING),
        CostType("medicine", "Medicin", OTHER_LIVING),
        CostType("medical_travel", "Sjukresor", OTHER_LIVING),
        CostType("emergency_dental_care", "Akut tandvård", OTHER_LIVING),
        CostType("glasses", "Glasögon", OTHER_LIVING),
        CostType("school_lunch", "Skollunch", OTHER_LIVING),
        CostType("moving_costs", "Flyttkostnader", OTHER_LIVING),
        CostType("infant_equipment", "Spädbarnsutrustning", OTHER_LIVING),
        CostType("furniture", "Möbler och hemutrustning", OTHER_LIVING),
        CostType("broadband", "Bredband", OTHER_LIVING),
        CostType("access_child_costs", "Kostnader för umgängesbarn", OTHER_LIVING),
        CostType("other", "Övrig kostnad", OTHER_LIVING),
    )
}

INCOME_TYPES: dict[str, IncomeType] = {
    income.code: income
    for income in (
        IncomeType("wages", "Lön (efter skatt)", True),
        IncomeType("unemployment_benefit", "Arbetslöshetsersättning (a-kassa)", False),
        IncomeType("sickness_benefit", "Sjukpenning", False),
        IncomeType("sickness_compensation", "Sjukersättning", False),
        IncomeType("activity_compensation", "Aktivitetsersättning", False),
        IncomeType("activity_support", "Aktivitetsstöd", False),
        IncomeType("establishment_allowance", "Etableringsersättning", False),
        IncomeType("parental_benefit", "Föräldrapenning", False),
        IncomeType("child_allowance", "Barnbidrag", False),
        IncomeType("housing_allowance", "Bostadsbidrag eller bostadstillägg", False),
        IncomeType("maintenance_support", "Underhållsstöd eller underhållsbidrag", False),
        IncomeType("student_aid", "Studiemedel", False),
        IncomeType("pension", "Pension (även barnpension)", False),
        IncomeType("annuity", "Livränta", False),
        IncomeType(
            "care_allowance", "Vårdbidrag eller omvårdnadsbidrag (utom merkostnadsdel)", False
        ),
        IncomeType("family_allowance", "Familjebidrag", False),
        IncomeType("tax_refund", "Skatteåterbetalning", False),
        IncomeType("insurance_compensation", "Försäkringsersättning (t.ex. AFA)", False),
        IncomeType("job_premium", "Jobbpremie från Försäkringskassan", False),
        IncomeType("previous_month_surplus", "Normöverskott från föregående månad", False),
        IncomeType("other", "Övrig inkomst", False),
    )
}

ROLE_APPLICANT = "applicant"
ROLE_CO_APPLICANT = "co_applicant"
ROLE_CHILD = "child"
ROLES = (ROLE_APPLICANT, ROLE_CO_APPLICANT, ROLE_CHILD)
ROLE_LABELS = {
    ROLE_APPLICANT: "Sökande",
    ROLE_CO_APPLICANT: "Medsökande",
    ROLE_CHILD: "Barn",
}

ADJUSTMENT_INCREASE = "increase"
ADJUSTMENT_DECREASE = "decrease"
ADJUSTMENT_TYPES = (ADJUSTMENT_INCREASE, ADJUSTMENT_DECREASE)

OUTCOME_LABELS = {
    "granted": "Bifall",
    "partly_granted": "Delvis bifall",
    "refused": "Avslag",
}
