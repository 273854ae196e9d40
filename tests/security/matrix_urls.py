"""Real URLs for the matrix: each URL keyword argument resolved to an object of the world."""

from __future__ import annotations

from django.urls import reverse

from tests.urlconf import NamedPattern

from .matrix_world import NO_SECTION, MatrixWorld, SectionObjects

# API routes: the router's basename prefix -> the section object its `pk` names.
API_OBJECTS = {
    "household-": "household",
    "person-": "person",
    "case-": "case",
    "application-": "application",
    "journal-entry-": "entry",
    "workplan-": "plan",
    "follow-up-": "follow_up",
    "intervention-": "intervention",
    "calculation-": "calculation",
    "decision-": "decision",
    "appeal-": "appeal",
    "register-check-": "check",
    "payee-": "payee",
    "payment-order-": "order",
    "payment-run-": "run",
    "sample-draw-": "draw",
    "sample-review-": "item",
    "corrective-action-": "action",
    "incorrect-payment-": "incorrect_payment",
    "recovery-claim-": "claim",
    "control-run-": "control_run",
    "control-flag-": "flag",
    "fraud-investigation-": "investigation",
}


class NoObject(LookupError):
    """The section has no object for this argument (the URL is tried with section A's only)."""


def _object(objects: SectionObjects, what: str):
    if what == "plan":
        return objects.case.work_plan
    value = getattr(objects, what, None)
    if value is None:
        value = objects.extra.get(what)
    if value is None or value is NO_SECTION:
        raise NoObject(what)
    return value


def _pk(world: MatrixWorld, objects: SectionObjects, pattern: NamedPattern) -> int:
    name = pattern.name
    if name == "staff_second_factor":
        return objects.handler.pk
    if name.startswith("norms:"):
        if objects is not world.a:
            raise NoObject("norm tables belong to no section")
        return world.norm_table.pk
    if name.startswith("norm-table-"):
        if objects is not world.a:
            raise NoObject("norm tables belong to no section")
        return world.norm_table.pk
    if name.startswith("legal-period-"):
        if objects is not world.a:
            raise NoObject("legal periods belong to no section")
        return world.legal_period.pk
    if name.startswith("legal-parameter-"):
        if objects is not world.a:
            raise NoObject("legal parameters belong to no section")
        return world.parameter.pk
    for prefix, what in API_OBJECTS.items():
        if name.startswith(prefix):
            return _object(objects, what).pk
    raise KeyError(f"{name}: no object for pk")


def _value(world: MatrixWorld, objects: SectionObjects, pattern: NamedPattern, argument: str):
    name = pattern.name
    simple = {
        "case_id": "case",
        "household_id": "household",
        "application_id": "application",
        "entry_id": "entry",
        "document_id": "document",
        "calculation_id": "calculation",
        "decision_id": "decision",
        "appeal_id": "appeal",
        "review_id": "review",
        "order_id": "order",
        "payee_id": "payee",
        "run_id": "run",
        "intervention_id": "intervention",
        "deviation_id": "deviation",
        "check_id": "check",
        "marking_id": "marking",
        "authorisation_id": "authorisation",
        "draw_id": "draw",
        "item_id": "item",
        "finding_id": "finding",
        "action_id": "action",
        "payment_id": "incorrect_payment",
        "claim_id": "claim",
        "write_off_id": "write_off",
        "flag_id": "flag",
        "investigation_id": "investigation",
        "exemption_id": "exemption",
        "activity_id": "activity",
        "placement_id": "placement",
        "attendance_id": "attendance",
        "plan_id": "activity_plan",
    }
    if name == "payments:requisition":
        return _object(objects, "requisition").pk  # the order paid by requisition
    if argument in simple:
        return _object(objects, simple[argument]).pk
    if argument == "user_id":
        return objects.handler.pk
    if argument == "version_id" and name.startswith("portal:"):
        return objects.plan_version.pk
    if argument == "number":
        if name.startswith("workplans:"):
            return objects.plan_version.number
        return objects.case.investigation.versions.order_by("number").first().number
    if argument == "pk":
        return _pk(world, objects, pattern)
    if argument == "kind":
        return "grundutredning" if name in ("save_draft", "discard_draft") else "riksnorm"
    if argument == "object_id" and name in ("save_draft", "discard_draft"):
        return _object(objects, "case").pk
    if argument == "month":
        return world.review_month
    if argument == "access_id":
        if objects is not world.a:
            raise NoObject("emergency access")
        return world.emergency.pk
    if argument == "year":
        if objects is not world.a:
            raise NoObject("the yearly report belongs to no section")
        return world.sample_year
    if argument == "key":
        return "alla"
    if argument == "group":
        if objects is not world.a:
            raise NoObject("a risk group belongs to no section")
        return "no-plan-or-overdue" if name.startswith("statistics-") else "utan-plan"
    if argument == "fmt":
        return "xlsx"
    if argument in ("e_application_id", "draft_id", "attachment_id", "request_id"):
        # The applicant's records (portal): every staff role is refused before any lookup.
        return _object(objects, "case").pk
    raise KeyError(f"{name}: no object for the argument {argument!r}")


def url_for(world: MatrixWorld, pattern: NamedPattern, section: str) -> str:
    """The URL of `pattern` naming section `section`'s objects ("a" or "b"); NoObject when
    the section has none (or the URL names no object and there is nothing to vary)."""
    objects = world.a if section == "a" else world.b
    if section == "b" and not pattern.arguments:
        raise NoObject("the URL names no object")
    kwargs = {arg: _value(world, objects, pattern, arg) for arg in pattern.arguments}
    return reverse(pattern.name, kwargs=kwargs)
