"""Issue 13: *Att besluta* on the heads' decision overview is a work list
(docs/worklists.md): search, outcome and month filters in the URL, sorting, paging, a count,
bad values named, and the same queries for 2 referred decisions as for 6."""

import re

import pytest
from django.urls import reverse

from bistand.decisions import services
from bistand.decisions.models import Decision
from tests.query_budgets import assert_flat, page_queries, person_number

from .conftest import as_proposed, obstacles_for, saved_calculation

pytestmark = pytest.mark.django_db


def _refer(org, make_application, month, rent: str) -> Decision:
    application = make_application(
        month, adult=person_number(), stated_costs=[{"type": "rent", "amount": rent}]
    )
    calculation = saved_calculation(org.social_worker, application)
    return services.refer_decision(
        org.social_worker,
        application,
        calculation=calculation,
        lines=as_proposed(calculation),
        support_obstacles=obstacles_for(calculation),
        referred_to=org.intake_head,
        reasons="",
        note="",
    )


def _cases(html: str) -> list[str]:
    table = re.search(r'<table data-testid="referral-list">.*?</table>', html, re.S).group(0)
    return re.findall(r'href="/beslut/\d+/">([^<]+)</a>', table)


def test_referrals_list_counts_filters_and_sorts(
    client, org, make_application, this_month, previous_month
):
    cheap = _refer(org, make_application, this_month, "5000")
    dear = _refer(org, make_application, this_month, "7000")
    older = _refer(org, make_application, previous_month, "6000")
    client.force_login(org.intake_head)
    url = reverse("decisions:overview")

    html = client.get(url).content.decode()
    assert "Visar 1–3 av 3" in html
    assert set(_cases(html)) == {d.case.reference for d in (cheap, dear, older)}

    html = client.get(url, {"month": f"{previous_month:%Y-%m}"}).content.decode()
    assert _cases(html) == [older.case.reference]
    html = client.get(url, {"q": dear.case.reference}).content.decode()
    assert _cases(html) == [dear.case.reference]
    html = client.get(url, {"sort": "-total", "month": f"{this_month:%Y-%m}"}).content.decode()
    assert _cases(html) == [dear.case.reference, cheap.case.reference]
    # htmx asks for the list only.
    partial = client.get(url, {"sort": "total"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="referral-list"' in partial and "appeal-deadlines" not in partial


def test_referrals_list_bad_values_are_named_and_the_rest_applies(
    client, org, make_application, this_month
):
    referred = _refer(org, make_application, this_month, "5000")
    client.force_login(org.intake_head)
    response = client.get(
        reverse("decisions:overview"), {"month": "maj", "outcome": "kanske", "page": "tre"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "ÅÅÅÅ-MM" in html and "finns inte bland valen" in html
    assert _cases(html) == [referred.case.reference]


def test_referrals_list_shows_only_what_was_sent_to_the_user(
    client, org, make_application, this_month
):
    referred = _refer(org, make_application, this_month, "5000")
    client.force_login(org.labour_head)
    html = client.get(reverse("decisions:overview")).content.decode()
    assert _cases(html) == [] and referred.case.reference not in html


def test_referrals_list_costs_the_same_for_2_and_6_decisions(
    client, org, make_application, this_month
):
    client.force_login(org.intake_head)
    url = reverse("decisions:overview")
    for rent in ("5000", "5100"):
        _refer(org, make_application, this_month, rent)
    small, _ = page_queries(client, url)
    for rent in ("5200", "5300", "5400", "5500"):
        _refer(org, make_application, this_month, rent)
    large, html = page_queries(client, url)
    assert_flat(small, large, budget=40)
    assert "Visar 1–6 av 6" in html
