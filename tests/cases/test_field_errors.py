"""Field-level errors (issue #13): a refused form comes back with each Swedish error beside its
field (aria-invalid, aria-describedby pointing at the error text), every typed value kept, a
short summary at the top linking to the fields, and nothing stored."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bistand.cases import services
from bistand.cases.models import Application, Case, Document
from bistand.core.dates import add_months
from bistand.households.models import Household, Person

HTML_BEHIND_PDF_HEADER = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n"


def field_container(html: str, name: str) -> str:
    """The forms/_field.html container of the field named `name` (its html name)."""
    # The container holds no other <div>: its first </div> closes it.
    match = re.search(
        rf'<div class="field[^"]*" data-field="{re.escape(name)}">(.*?)</div>', html, re.S
    )
    assert match, f"no container for {name}"
    return match.group(1)


def widget(container: str) -> str:
    match = re.search(r"<(input|select|textarea)\b[^>]*>", container)
    assert match, container
    return match.group(0)


def assert_refused_at(html: str, name: str, message: str) -> None:
    container = field_container(html, name)
    tag = widget(container)
    field_id = re.search(r'\sid="([^"]+)"', tag).group(1)
    assert 'aria-invalid="true"' in tag
    assert f'aria-describedby="{field_id}_error"' in tag
    error = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', container, re.S)
    assert error, container
    assert message in error.group(1)
    # The summary at the top links to the field.
    summary = re.search(
        r'<div class="error-box" role="alert" id="error-summary".*?</div>', html, re.S
    )
    assert summary, "no error summary"
    assert f'href="#{field_id}"' in summary.group(0)


def household_data(month: str, **overrides) -> dict:
    data = {
        "m-TOTAL_FORMS": "2",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "1",
        "m-MAX_NUM_FORMS": "12",
        "m-0-identity_number": "19830919-2395",  # wrong check digit
        "m-0-first_name": "Tolvan",
        "m-0-last_name": "Tolvansson",
        "m-0-role": "applicant",
        "m-1-identity_number": "20150110-2386",
        "m-1-first_name": "",  # missing name
        "m-1-last_name": "Lillasson",
        "m-1-role": "child",
        "address": "Kvarngatan 7",
        "postal_code": "22100",
        "city": "Lund",
        "month": month,
        "received_on": "",
        "channel": "visit",
        "notes": "Kom med sin bror",
    }
    data.update(overrides)
    return data


def test_register_household_errors_beside_fields_with_values_kept(client, org, this_month):
    client.force_login(org.reception)
    response = client.post(reverse("register_household"), household_data("2026-13"))
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "m-0-identity_number", "Kontrollsiffran i personnumret stämmer inte")
    assert_refused_at(html, "m-1-first_name", "Ange förnamnet.")
    assert_refused_at(html, "month", "Ange månaden som ÅÅÅÅ-MM.")
    # Fields without errors are not marked.
    assert "aria-invalid" not in widget(field_container(html, "m-0-first_name"))
    # Every typed value is kept.
    for value in ("19830919-2395", "Tolvan", "Tolvansson", "20150110-2386", "Lillasson"):
        assert f'value="{value}"' in html
    for value in ("Kvarngatan 7", "22100", "Lund", "2026-13"):
        assert f'value="{value}"' in html
    assert "Kom med sin bror</textarea>" in html
    assert re.search(r'<option value="visit" selected>', html)
    assert re.search(r'<option value="child" selected>', html)
    # The summary names the row.
    assert "Rad 2: Förnamn: Ange förnamnet." in html
    # Nothing stored.
    assert Person.objects.count() == 0
    assert Household.objects.count() == 0
    assert Case.objects.count() == 0


def test_register_household_missing_names_and_empty_identity_number(client, org, this_month):
    client.force_login(org.reception)
    data = household_data(
        f"{this_month:%Y-%m}",
        **{"m-0-identity_number": "", "m-0-last_name": "", "m-TOTAL_FORMS": "1"},
    )
    html = client.post(reverse("register_household"), data).content.decode()
    assert_refused_at(html, "m-0-identity_number", "Ange ett personnummer eller samordningsnummer.")
    assert_refused_at(html, "m-0-last_name", "Ange efternamnet.")
    assert Person.objects.count() == 0 and Household.objects.count() == 0


def test_register_household_rule_across_rows_shows_in_summary(client, org, this_month):
    """A rule the service checks (a child registered as applicant) is refused in the summary,
    the values kept and nothing stored."""
    client.force_login(org.reception)
    data = household_data(
        f"{this_month:%Y-%m}",
        **{"m-TOTAL_FORMS": "1", "m-0-identity_number": "20150110-2386", "m-0-first_name": "Lilla"},
    )
    response = client.post(reverse("register_household"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "minst 18 år" in html
    assert 'value="20150110-2386"' in html
    assert Person.objects.count() == 0 and Application.objects.count() == 0


def test_register_household_blank_extra_row_is_ignored(client, org, this_month):
    client.force_login(org.reception)
    data = household_data(
        f"{this_month:%Y-%m}",
        **{
            "m-0-identity_number": "19830919-2394",
            "m-1-identity_number": "",
            "m-1-last_name": "",
        },
    )
    response = client.post(reverse("register_household"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Person.objects.count() == 1


@pytest.mark.parametrize("path", ["register_household"])
def test_unrefused_form_has_no_summary(client, org, path):
    client.force_login(org.reception)
    html = client.get(reverse(path)).content.decode()
    assert 'id="error-summary"' not in html and "aria-invalid" not in html


@pytest.fixture
def taken_case(org, household_factory, this_month):
    household = household_factory(org.reception, children=True)
    case = services.register_application(
        org.reception, household, kind="new", month=this_month
    ).case
    return services.take_case(org.social_worker, case)


def test_repeat_application_bad_month_beside_field_on_case_page(client, org, taken_case):
    client.force_login(org.social_worker)
    response = client.post(
        reverse("register_repeat_application", args=[taken_case.pk]),
        {
            "app-kind": "repeat",
            "app-month": "2026-13",
            "app-received_on": "",
            "app-channel": "visit",
            "app-notes": "Lämnade in kopior",
        },
    )
    assert response.status_code == 400  # the case page again, not a redirect
    html = response.content.decode()
    assert_refused_at(html, "app-month", "Ange månaden som ÅÅÅÅ-MM.")
    assert "Ansökan är inte registrerad." in html
    assert '<details open id="repeat-application">' in html
    assert 'value="2026-13"' in html
    assert "Lämnade in kopior</textarea>" in html
    assert re.search(r'<option value="visit" selected>', html)
    assert taken_case.applications.count() == 1


def test_repeat_application_refused_by_service_is_shown_at_the_field(
    client, org, taken_case, this_month
):
    """A month too far ahead passes the form but not the service: shown at the month."""
    client.force_login(org.social_worker)
    far = add_months(this_month, 24).strftime("%Y-%m")
    html = client.post(
        reverse("register_repeat_application", args=[taken_case.pk]),
        {"app-kind": "repeat", "app-month": far, "app-channel": "paper"},
    ).content.decode()
    container = field_container(html, "app-month")
    assert 'aria-invalid="true"' in widget(container)
    assert 'class="errorlist"' in container
    assert f'value="{far}"' in html
    assert taken_case.applications.count() == 1


def test_document_upload_refused_file_beside_field_values_kept(client, org, taken_case):
    client.force_login(org.social_worker)
    response = client.post(
        reverse("upload_document", args=[taken_case.pk]),
        {
            "doc-kind": "other",
            "doc-title": "Hyresavi december",
            "doc-received_on": "",
            "doc-file": SimpleUploadedFile("x.pdf", HTML_BEHIND_PDF_HEADER, "application/pdf"),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "doc-file", "ingen riktig PDF")
    assert "Handlingen är inte inlagd." in html
    assert 'value="Hyresavi december"' in html
    assert not Document.objects.exists()


def test_document_upload_missing_file_beside_field(client, org, taken_case):
    client.force_login(org.social_worker)
    html = client.post(
        reverse("upload_document", args=[taken_case.pk]),
        {"doc-kind": "other", "doc-title": "Lönebesked", "doc-received_on": "2020-02-31"},
    ).content.decode()
    assert_refused_at(html, "doc-file", "obligatoriskt")
    assert_refused_at(html, "doc-received_on", "giltigt datum")
    assert 'value="Lönebesked"' in html
    assert not Document.objects.exists()


def test_household_application_page_posts_its_own_field_names_and_keeps_them(
    client, org, household_factory, this_month
):
    """The page for a known household: the names it renders are the ones its view reads, and
    a month the service refuses comes back at the field with the values kept."""
    household = household_factory(org.reception)
    client.force_login(org.reception)
    url = reverse("household_application", args=[household.pk])
    page = client.get(url).content.decode()
    assert {"app-kind", "app-month", "app-channel"} <= set(
        re.findall(r'name="(app-[a-z_]+)"', page)
    )
    far = add_months(this_month, 24).strftime("%Y-%m")
    response = client.post(
        url, {"app-kind": "new", "app-month": far, "app-channel": "visit", "app-notes": "Akut"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in widget(field_container(html, "app-month"))
    assert "längre fram än nästa månad" in field_container(html, "app-month")
    assert 'id="error-summary"' in html and 'href="#id_app-month"' in html
    assert f'value="{far}"' in html and "Akut</textarea>" in html
    assert not Application.objects.exists()
    # A good month registers the application.
    response = client.post(
        url, {"app-kind": "new", "app-month": f"{this_month:%Y-%m}", "app-channel": "visit"}
    )
    assert response.status_code == 302
    assert Application.objects.count() == 1


def test_ending_an_application_without_reason_beside_field(client, org, taken_case):
    application = taken_case.applications.get()
    prefix = f"end{application.pk}"
    client.force_login(org.social_worker)
    response = client.post(
        reverse("end_application", args=[taken_case.pk, application.pk]),
        {f"{prefix}-how": "write_off", f"{prefix}-reason": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, f"{prefix}-reason", "obligatoriskt")
    assert f'<details data-testid="end-application-{application.pk}" open>' in html
    assert re.search(r'<option value="write_off" selected>', html)
    application.refresh_from_db()
    assert application.status == "received" and application.ended_reason == ""


def test_closing_without_reason_beside_field_date_kept(client, org, taken_case):
    client.force_login(org.social_worker)
    response = client.post(
        reverse("close_case", args=[taken_case.pk]),
        {"close-reason": "", "close-closed_on": "2026-02-30"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "close-reason", "obligatoriskt")
    assert_refused_at(html, "close-closed_on", "giltigt datum")
    assert '<details id="close-case" open>' in html
    assert 'value="2026-02-30"' in html
    taken_case.refresh_from_db()
    assert taken_case.status != "closed"
