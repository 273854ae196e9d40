"""The Jämförelser page: unit and section heads upload a CSV and see the fit; others are refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .test_benchmark import CODES, synthetic_csv

URL = reverse("statistics:benchmark")


def upload(client, text, municipality=CODES[2], name="kommuner.csv"):
    data = {"file": SimpleUploadedFile(name, text.encode("utf-8"), "text/csv")}
    if municipality:
        data["kommun"] = municipality
    return client.post(URL, data)


def test_unit_head_uploads_a_file_and_sees_the_fit(client, org):
    client.force_login(org.unit_head)
    response = upload(client, synthetic_csv())
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="r-squared">0,' in page
    assert "R²" in page
    assert "Koefficienter" in page and "Standardfel" in page
    assert page.count("<svg") == 2
    assert 'data-testid="benchmark-table"' in page
    assert "av 40" in page  # rank of our municipality among all


def test_page_defaults_to_the_units_municipality(client, org):
    org.unit.municipality_code = CODES[4]
    org.unit.save()
    client.force_login(org.intake_head)
    response = upload(client, synthetic_csv(), municipality=None)
    assert response["Location"].endswith(f"?kommun={CODES[4]}")
    response = client.get(URL)
    assert f'<option value="{CODES[4]}" selected>' in response.content.decode()


def test_section_head_may_open_the_page_and_finds_it_in_the_menu(client, org):
    client.force_login(org.labour_head)
    response = client.get(URL)
    assert response.status_code == 200
    assert f'href="{URL}"' in response.content.decode()
    assert "Jämförelser" in response.content.decode()


@pytest.mark.parametrize(
    "role", ["social_worker", "reception", "benefit_admin", "finance", "fraud"]
)
def test_other_roles_are_refused(client, org, role):
    client.force_login(getattr(org, role))
    assert client.get(URL).status_code == 403
    assert upload(client, synthetic_csv()).status_code == 403
    assert client.get(reverse("statistics:benchmark_csv")).status_code == 403
    assert client.get(reverse("statistics:benchmark_template")).status_code == 403


def test_social_worker_has_no_menu_item(client, org):
    client.force_login(org.social_worker)
    assert f'href="{URL}"' not in client.get(reverse("home")).content.decode()


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_missing_variables_are_named_on_the_page(client, org):
    client.force_login(org.unit_head)
    columns = ["kommunkod", "cost_per_inhabitant_18_64", "unemployed_without_benefit_share"]
    response = client.get(upload(client, synthetic_csv(columns=columns))["Location"])
    page = response.content.decode()
    assert "Följande förklaringsvariabler saknades och ingår inte i modellen:" in page
    assert "andel med låg inkomst" in page
    assert "Medföljande SCB-data" in page  # low education came from the shipped data


def test_bad_file_shows_a_swedish_error_and_keeps_nothing(client, org):
    client.force_login(org.unit_head)
    response = upload(client, "kommunkod;cost_per_inhabitant_18_64\n9999;100\n")
    assert response.status_code == 400
    assert "kommunkoden 9999 finns inte bland Sveriges 290 kommuner" in response.content.decode()
    assert "statistics.benchmark_csv" not in client.session


def test_upload_without_file_is_refused_in_swedish(client, org):
    client.force_login(org.unit_head)
    response = client.post(URL, {"kommun": CODES[0]})
    assert response.status_code == 400
    assert "Välj en CSV-fil" in response.content.decode()


def test_choosing_another_municipality_reuses_the_uploaded_file(client, org):
    client.force_login(org.unit_head)
    upload(client, synthetic_csv())
    page = client.get(URL, {"kommun": CODES[7]}).content.decode()
    assert f"({CODES[7]})</h2>" in page


def test_csv_download_has_the_numbers_behind_the_chart(client, org):
    client.force_login(org.unit_head)
    upload(client, synthetic_csv())
    response = client.get(reverse("statistics:benchmark_csv"), {"kommun": CODES[2]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:4] == [
        "kommunkod",
        "kommun",
        "faktisk_kostnad",
        "forvantad_kostnad",
    ]
    assert len(lines) == 41
    assert sum(line.endswith(";ja") for line in lines) == 1


def test_csv_download_without_upload_returns_to_the_page(client, org):
    client.force_login(org.unit_head)
    response = client.get(reverse("statistics:benchmark_csv"))
    assert response.status_code == 302


def test_template_download_lists_every_municipality(client, org):
    client.force_login(org.intake_head)
    response = client.get(reverse("statistics:benchmark_template"))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("kommunkod;kommun;cost_per_inhabitant_18_64")
    assert len(lines) == 291


def test_clearing_removes_the_uploaded_file(client, org):
    client.force_login(org.unit_head)
    upload(client, synthetic_csv())
    client.post(URL, {"action": "clear"})
    assert "statistics.benchmark_csv" not in client.session
    assert 'data-testid="benchmark-result"' not in client.get(URL).content.decode()


def test_too_large_file_is_refused(client, org):
    client.force_login(org.unit_head)
    response = upload(client, synthetic_csv() + "\n" * (1024 * 1024))
    assert response.status_code == 400
    assert "Filen är för stor" in response.content.decode()
