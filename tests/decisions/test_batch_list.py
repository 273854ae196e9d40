"""*Fortsatta ansökningar* as a paged work list (issues #13 and #15): only the page's
applications are assessed (a calculation each), the page costs the same statements for 1 or
4 applications, filters stay in the URL, a bad month is named, and running the batch still
assesses the whole month, not the page."""

import pytest
from django.urls import reverse

from bistand.decisions import repeat
from bistand.decisions.models import Decision, DecisionStatus

from .test_repeat import c_case_repeat  # noqa: F401 - the fixture

NUMBERS = ["198309192394", "199811022384", "199109202383", "197910142392"]


def test_only_the_page_is_assessed_and_the_batch_takes_the_month(
    logged_in,
    org,
    c_case_repeat,  # noqa: F811
    this_month,
    monkeypatch,
    django_assert_max_num_queries,
):
    from bistand.core import worklist

    c_case_repeat(adult=NUMBERS[0])
    client = logged_in(org.benefit_admin)
    url = reverse("decisions:batch") + f"?month={this_month:%Y-%m}"
    client.get(url)
    with django_assert_max_num_queries(80) as one:
        assert client.get(url).status_code == 200
    for number in NUMBERS[1:]:
        c_case_repeat(adult=number)
    assessed = []
    original = repeat.assess_many

    def counting(applications, **kwargs):
        applications = list(applications)
        assessed.append(len(applications))
        return original(applications, **kwargs)

    monkeypatch.setattr(repeat, "assess_many", counting)
    monkeypatch.setitem(worklist.work_list.__kwdefaults__, "per_page", 2)
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(url).content.decode()
    assert assessed == [2]
    assert body.count('class="badge ok"') == 2 and "Visar 1–2 av 4" in body
    # The batch is the whole month's, whatever the page showed.
    monkeypatch.undo()
    response = client.post(url)
    assert response.status_code == 302
    assert Decision.objects.filter(status=DecisionStatus.PREPARED).count() == 4


def test_filters_and_a_bad_month(logged_in, org, c_case_repeat, this_month):  # noqa: F811
    application = c_case_repeat(adult=NUMBERS[0])
    client = logged_in(org.unit_head)
    url = reverse("decisions:batch")
    body = client.get(url + f"?month={this_month:%Y-%m}").content.decode()
    assert application.case.reference in body
    body = client.get(url + "?month=2026-13").content.decode()
    assert "Ange månaden som ÅÅÅÅ-MM." in body
    body = client.get(url + f"?month={this_month:%Y-%m}&handler=none").content.decode()
    assert application.case.reference not in body and "matchar filtret" in body
    body = client.get(
        url + f"?month={this_month:%Y-%m}&section={application.case.section_id}"
    ).content.decode()
    assert application.case.reference in body
    # The C case's section is not the intake section's: not on its head's list.
    body = logged_in(org.intake_head).get(url + f"?month={this_month:%Y-%m}")
    assert body.status_code == 200 and application.case.reference not in body.content.decode()


@pytest.mark.parametrize("who", ["reception", "finance", "fraud"])
def test_refused_roles(logged_in, org, who):
    assert logged_in(getattr(org, who)).get(reverse("decisions:batch")).status_code == 403
