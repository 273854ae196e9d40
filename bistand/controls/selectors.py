"""Reads of register checks, through the case access rules."""

from __future__ import annotations

from django.db.models import QuerySet

from bistand.cases.selectors import cases_visible_to

from .models import SOURCE_SHORT, DecisionCheckUse, RegisterCheck, Source


def checks_of_case(case) -> QuerySet[RegisterCheck]:
    """The case's checks (the caller has opened the case through cases.selectors.open_case)."""
    return RegisterCheck.objects.filter(case=case).select_related(
        "person", "checked_by", "assessed_by", "application"
    )


def checks_visible_to(user) -> QuerySet[RegisterCheck]:
    return RegisterCheck.objects.filter(case__in=cases_visible_to(user)).select_related(
        "person", "checked_by", "assessed_by"
    )


def consulted_sources(decision_id: int) -> list[str]:
    """ "Skatteverket (2026-10–2026-11)", ... in source order, for the decision letter."""
    uses = DecisionCheckUse.objects.filter(decision_id=decision_id).select_related("check_record")
    periods: dict[str, list[str]] = {}
    for use in uses:
        check = use.check_record
        periods.setdefault(check.source, [])
        if check.period_label not in periods[check.source]:
            periods[check.source].append(check.period_label)
    order = list(Source.values)
    return [
        f"{SOURCE_SHORT[source]} ({', '.join(sorted(labels))})"
        for source, labels in sorted(periods.items(), key=lambda item: order.index(item[0]))
    ]


def checks_of_decision(decision_id: int) -> list[RegisterCheck]:
    return [
        use.check_record
        for use in DecisionCheckUse.objects.filter(decision_id=decision_id).select_related(
            "check_record__person"
        )
    ]
