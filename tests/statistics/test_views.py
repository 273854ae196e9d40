"""The statistics pages: who may see them, what they show, the CSV and Excel downloads."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bistand.statistics.models import HouseholdMonth

DASHBOARD = reverse("statistics:dashboard")
YEAR = reverse("statistics:year")
NATIONAL = reverse("statistics:national_report")
REFRESH = reverse("statistics:refresh")


def download(key, fmt):
    return reverse("statistics:dashboard_download", args=[key, fmt])


def test_unit_head_sees_the_dashboard_with_charts_and_tables(client, lund):
    client.force_login(lund.org.unit_head)
    response = client.get(DASHBOARD, {"month": "2025-06"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Uppföljning av ekonomiskt bistånd" in page
    assert page.count("<svg") >= 12
    assert 'data-testid="table-hushallstyp"' in page
    assert "Ensamstående man utan barn" in page
    assert response.context["figures"]["households"]["count"] == 4
    assert 'data-testid="csv-hushallstyp"' in page
    assert "Långvarigt ekonomiskt bistånd" in page


def test_the_menu_has_statistik_for_heads_only(client, lund):
    client.force_login(lund.org.intake_head)
    assert f'href="{DASHBOARD}">Statistik</a>' in client.get(reverse("home")).content.decode()
    client.force_login(lund.org.social_worker)
    assert f'href="{DASHBOARD}"' not in client.get(reverse("home")).content.decode()


def test_section_head_sees_only_their_section(client, lund):
    client.force_login(lund.org.intake_head)
    response = client.get(DASHBOARD, {"month": "2025-06"})
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["filters"]["section"] == lund.org.intake.pk
    # H3 only: one household, so the count and its amount are suppressed in this view
    assert [row["name"] for row in figures["households"]["by_section"]] == [lund.org.intake.name]
    assert str(figures["households"]["count"]) == ".."
    assert str(figures["households"]["amount"]) == ".."


def test_section_head_may_not_ask_for_another_section_or_its_handlers(client, lund):
    client.force_login(lund.org.intake_head)
    assert client.get(DASHBOARD, {"section": lund.org.labour.pk}).status_code == 403
    response = client.get(DASHBOARD, {"handler": lund.org.other_social_worker.pk})
    assert response.status_code == 403
    assert client.get(DASHBOARD, {"handler": lund.org.social_worker.pk}).status_code == 200


@pytest.mark.parametrize(
    "role", ["social_worker", "reception", "benefit_admin", "finance", "fraud", "sysadmin"]
)
def test_other_roles_are_refused(client, lund, role):
    client.force_login(getattr(lund.org, role))
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(download("hushallstyp", "csv")).status_code == 403
    assert client.get(download("alla", "xlsx")).status_code == 403
    assert client.get(YEAR).status_code == 403
    assert client.get(NATIONAL).status_code == 403
    assert client.post(NATIONAL, {"month": "2025-06"}).status_code == 403
    assert client.post(REFRESH, {"month": "2025-06"}).status_code == 403


def test_anonymous_users_are_sent_to_login(client, lund):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_htmx_filter_change_returns_only_the_dashboard_body(client, lund):
    client.force_login(lund.org.unit_head)
    response = client.get(DASHBOARD, {"month": "2025-06", "case_type": "C"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="dashboard-body"')
    assert "<html" not in page
    assert response.context["figures"]["households"]["count"] == 1


def test_csv_download_is_the_table_behind_the_chart(client, lund):
    client.force_login(lund.org.unit_head)
    response = client.get(download("hushallstyp", "csv"), {"month": "2025-06"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="statistik-2025-06-hushallstyp.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith(
        "\ufeffKod (Socialstyrelsen);Hushållstyp;Hushåll;Andel (%);Utbetalt (kr)"
    )
    lines = text.strip().splitlines()
    assert "3;Ensamstående man utan barn;2;50,0;17000,00" in lines
    assert "8;Sammanboende med barn;1;25,0;15000,00" in lines


def test_csv_download_honours_the_filters(client, lund):
    client.force_login(lund.org.unit_head)
    response = client.get(download("hushallstyp", "csv"), {"month": "2025-06", "case_type": "C"})
    lines = response.content.decode().strip().splitlines()
    assert "3;Ensamstående man utan barn;1;100,0;10000,00" in lines


def test_xlsx_download_of_one_table_and_of_all(client, lund):
    client.force_login(lund.org.unit_head)
    response = client.get(download("langvarigt", "xlsx"), {"month": "2025-06"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "Grupp"
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert rows["Samtliga"][1:4] == (7, 4, round(4 / 7, 4))
    response = client.get(download("alla", "xlsx"), {"month": "2025-06"})
    workbook = load_workbook(io.BytesIO(response.content))
    assert {"utbetalningar", "hushallstyp", "langvarigt", "budget", "prognos"} <= set(
        workbook.sheetnames
    )
    assert workbook["hushallstyp"]["C3"].value == 2  # single men without children: households


def test_unknown_table_or_format_is_not_found(client, lund):
    client.force_login(lund.org.unit_head)
    assert client.get(download("nothing", "csv")).status_code == 404
    assert client.get(download("hushallstyp", "pdf")).status_code == 404
    assert client.get(download("alla", "csv")).status_code == 404


def test_a_period_can_be_chosen(client, lund):
    client.force_login(lund.org.unit_head)
    response = client.get(DASHBOARD, {"from": "2025-06", "to": "2025-07"})
    assert response.context["figures"]["households"]["count"] == 5
    assert "juni–juli 2025" in response.content.decode()


def test_a_bad_month_is_refused_with_a_message(client, lund):
    client.force_login(lund.org.unit_head)
    response = client.get(DASHBOARD, {"month": "juni"}, follow=True)
    assert "Ange månader som ÅÅÅÅ-MM" in response.content.decode()


def test_yearly_analysis_page_and_pdf(client, lund):
    client.force_login(lund.org.unit_head)
    response = client.get(YEAR, {"year": "2025"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Årsanalys ekonomiskt bistånd 2025" in page
    assert "2025 jämfört med 2024" in page
    assert page.count("<svg") >= 7
    pdf = client.get(YEAR, {"year": "2025", "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    csv = client.get(
        reverse("statistics:year_download", args=["jamforelse", "csv"]), {"year": "2025"}
    )
    assert "Hushåll med bistånd;6;1;500,0" in csv.content.decode()


def test_unit_head_can_rebuild_a_month_and_section_head_cannot(client, lund):
    HouseholdMonth.objects.filter(month="2025-06-01").delete()
    client.force_login(lund.org.intake_head)
    assert client.post(REFRESH, {"month": "2025-06"}).status_code == 403
    client.force_login(lund.org.unit_head)
    response = client.post(REFRESH, {"from": "2025-06", "to": "2025-06"})
    assert response.status_code == 302 and "from=2025-06" in response["Location"]
    assert HouseholdMonth.objects.filter(month="2025-06-01").count() == 4


def test_the_page_warns_when_months_are_not_built(client, lund):
    client.force_login(lund.org.unit_head)
    page = client.get(DASHBOARD, {"month": "2026-01"}).content.decode()
    assert 'data-testid="stale-notice"' in page
    assert "Beräkna om perioden nu" in page
