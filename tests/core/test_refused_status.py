"""Issue 13: every staff form refused and shown again with its errors answers with one status,
400 (core.forms.REFUSED_STATUS, docs/forms.md), whichever app it is in: the walk posts each form
with nothing (or something wrong) in it and expects the page again, its error summary, 400.
Only an htmx fragment (the journal note, the calculation editor) answers 200, as htmx swaps
only 2xx answers."""

from django.urls import reverse

from bistand.core.forms import REFUSED_STATUS
from tests.decisions.conftest import decide
from tests.workplans.conftest import make_case, make_plan


def _walk(org, household_factory):
    case = make_case(org, household_factory, opened_days_ago=3)
    make_plan(org.social_worker, case)
    decision = decide(org.social_worker, case.applications.get())
    sw, head, admin = org.social_worker, org.unit_head, org.sysadmin
    return [
        # cases
        (org.reception, reverse("register_household"), {}),
        (sw, reverse("upload_document", args=[case.pk]), {"doc-received_on": "2026-02-30"}),
        (sw, reverse("register_repeat_application", args=[case.pk]), {"app-month": "x"}),
        (sw, reverse("close_case", args=[case.pk]), {"close-reason": ""}),
        (sw, reverse("set_case_type", args=[case.pk]), {"case_type": "X"}),
        (sw, reverse("add_journal", args=[case.pk]), {"journal-text": ""}),
        # decisions
        (sw, reverse("decisions:mark_sent", args=[decision.pk]), {"sent-sent_on": "x"}),
        (sw, reverse("decisions:register_appeal", args=[decision.pk]), {}),
        (admin, reverse("decisions:settings"), {"what": "rule", "d-point": ""}),
        # workplans
        (sw, reverse("workplans:record_meeting", args=[case.pk]), {}),
        (sw, reverse("workplans:record_follow_up", args=[case.pk]), {}),
        (sw, reverse("workplans:assessment", args=[case.pk]), {}),
        # payments
        (head, reverse("payments:settings"), {}),
        (head, reverse("payments:budget"), {"form": "account"}),
        (org.finance, reverse("payments:reconcile"), {}),
        # norms
        (admin, reverse("norms:import"), {}),
        (admin, reverse("norms:parameter_entry"), {}),
    ]


def test_every_refused_staff_form_answers_400_with_its_summary(client, org, household_factory):
    answers = {}
    for user, url, data in _walk(org, household_factory):
        client.force_login(user)
        response = client.post(url, data)
        html = response.content.decode()
        answers[url] = (response.status_code, 'id="error-summary"' in html)
    assert REFUSED_STATUS == 400
    wrong = {url: answer for url, answer in answers.items() if answer != (400, True)}
    assert not wrong, wrong
