"""Issue 13, 'broken or misleading' on the case pages: each item a regression test."""

import json
import re

import pytest
from django.urls import reverse

from bistand.audit.models import AccessLogEntry
from bistand.cases import services
from bistand.cases.models import Application, ApplicationStatus
from bistand.core.dates import add_months


@pytest.fixture
def case(org, household_factory, this_month):
    household = household_factory(org.reception, children=True)
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    return services.take_case(org.social_worker, case)


def test_repeat_application_registered_from_the_case_page_form(client, org, case, this_month):
    client.force_login(org.social_worker)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    # The form's field names, as the page renders them, are what the view must read.
    names = set(re.findall(r'name="(app-[a-z_]+)"', page))
    assert {"app-kind", "app-month", "app-channel"} <= names
    next_month = add_months(this_month, 1)
    response = client.post(
        reverse("register_repeat_application", args=[case.pk]),
        {
            "app-kind": "repeat",
            "app-month": next_month.strftime("%Y-%m"),
            "app-received_on": "",
            "app-channel": "paper",
            "app-notes": "",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "obligatoriskt" not in body
    assert "Ansökan är registrerad." in body
    assert case.applications.filter(month=next_month, kind="repeat").exists()


@pytest.mark.parametrize(
    ("how", "status", "message"),
    [
        ("withdraw", ApplicationStatus.WITHDRAWN, "Ansökan är återtagen."),
        ("write_off", ApplicationStatus.WRITTEN_OFF, "Ansökan är avskriven."),
    ],
)
def test_wrong_application_is_withdrawn_or_written_off_with_reason_never_deleted(
    client, org, case, how, status, message
):
    application = case.applications.get()
    client.force_login(org.social_worker)
    prefix = f"end{application.pk}"
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert f'name="{prefix}-reason"' in page
    response = client.post(
        reverse("end_application", args=[case.pk, application.pk]),
        {f"{prefix}-how": how, f"{prefix}-reason": "Registrerad på fel hushåll"},
        follow=True,
    )
    assert message in response.content.decode()
    application = Application.objects.get(pk=application.pk)
    assert application.status == status
    assert application.ended_reason == "Registrerad på fel hushåll"
    assert application.ended_by == org.social_worker
    updates = AccessLogEntry.objects.filter(
        object_type="cases.application", object_id=str(application.pk), action="update"
    )
    details = [json.loads(entry.detail) for entry in updates]
    assert {"status": status, "reason": "Registrerad på fel hushåll"} in [
        d.get("after") for d in details
    ]
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Registrerad på fel hushåll" in page


def test_ending_an_application_needs_a_reason_and_an_undecided_application(client, org, case):
    application = case.applications.get()
    client.force_login(org.social_worker)
    prefix = f"end{application.pk}"
    url = reverse("end_application", args=[case.pk, application.pk])
    response = client.post(url, {f"{prefix}-how": "write_off", f"{prefix}-reason": ""}, follow=True)
    assert "obligatoriskt" in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.RECEIVED
    services.write_off_application(org.social_worker, application, "Dubblett")
    response = client.post(url, {f"{prefix}-how": "withdraw", f"{prefix}-reason": "x"}, follow=True)
    assert "kan inte gå från" in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.WRITTEN_OFF


def test_another_sections_worker_cannot_end_the_application(client, org, case):
    application = case.applications.get()
    client.force_login(org.other_social_worker)
    prefix = f"end{application.pk}"
    response = client.post(
        reverse("end_application", args=[case.pk, application.pk]),
        {f"{prefix}-how": "write_off", f"{prefix}-reason": "Fel"},
    )
    assert response.status_code in (403, 404)
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.RECEIVED


def test_inbox_of_a_section_without_access_says_so(client, org, case):
    client.force_login(org.other_social_worker)  # works in Arbetsmarknad
    page = client.get(reverse("inbox"), {"section": org.intake.pk}).content.decode()
    assert 'data-testid="inbox-no-access"' in page
    assert "Du har inte tillgång till inkorgen för Mottagning" in page
    assert "Inga obeslutade ansökningar." not in page
    own = client.get(reverse("inbox")).content.decode()
    assert 'data-testid="inbox-no-access"' not in own
    client.force_login(org.social_worker)
    page = client.get(reverse("inbox"), {"section": org.intake.pk}).content.decode()
    assert 'data-testid="inbox-no-access"' not in page


def test_case_type_select_offers_an_empty_choice_until_a_type_is_set(client, org, case):
    client.force_login(org.social_worker)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    select = re.search(r'<select name="case_type".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="" selected>— välj —</option>', select)
    assert "A – aktiv planering" in select
    response = client.post(reverse("set_case_type", args=[case.pk]), {"case_type": ""}, follow=True)
    assert "Välj en ärendetyp." in response.content.decode()
    case.refresh_from_db()
    assert case.case_type == ""
    client.post(reverse("set_case_type", args=[case.pk]), {"case_type": "B"})
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    select = re.search(r'<select name="case_type".*?</select>', page, re.S).group(0)
    assert "— välj —" not in select
    assert re.search(r'<option value="B" selected>', select)
