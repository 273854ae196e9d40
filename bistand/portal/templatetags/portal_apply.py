"""Mina sidor's links to applying online, kept out of the home and case views."""

from django import template

from .. import selectors_apply, services_apply

register = template.Library()


@register.inclusion_tag("portal/apply/_home_links.html")
def apply_links(applicant, case=None):
    """Apply (new or repeat) and the open completion requests; on a case page only its own."""
    requests = selectors_apply.open_requests_of(applicant)
    if case is not None:
        requests = [row for row in requests if row.request.case_id == case.pk]
    to_sign = selectors_apply.awaiting_my_signature(applicant)
    waiting = selectors_apply.awaiting_the_other(applicant)
    if case is not None:
        to_sign = [e for e in to_sign if e.household_id == case.household_id]
        waiting = [e for e in waiting if e.household_id == case.household_id]
    return {
        "to_sign": to_sign,
        "waiting": waiting,
        "options": services_apply.apply_options(applicant) if case is None else [],
        "requests": requests,
        "case": case,
    }
