"""The rules reached by their users: the Regelverk pages, the JSON API and `bistand norm`."""

import json
import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.test import APIClient

from bistand.audit.models import AccessLogEntry
from bistand.norms.compare import cells
from bistand.norms.models import NormTableVersion, VersionState
from tests.cases.test_field_errors import assert_refused_at

from .conftest import sample_year

pytestmark = pytest.mark.django_db


def _form(year: int = 2027, **overrides) -> dict:
    data = sample_year(year)
    form = {cell.key: "" if cell.amount is None else cell.amount for cell in cells(data)}
    form.update(
        year=year,
        valid_from=f"{year}-01-01",
        valid_to=f"{year}-12-31",
        source_status="verified_primary",
        sfs="SFS 2026:9999",
        source_title="Testtabell (inte en verklig riksnorm)",
    )
    form.update(overrides)
    return form


def test_who_sees_the_rules_pages(client, org, maintainers):
    for user, status in (
        (org.social_worker, 403),
        (org.finance, 403),
        (org.fraud, 403),
        (org.labour_head, 200),
        (org.unit_head, 200),
        (org.sysadmin, 200),
    ):
        client.force_login(user)
        assert client.get(reverse("norms:overview")).status_code == status, user.role
    client.force_login(org.unit_head)
    assert client.get(reverse("norms:norm_entry") + "?year=2027").status_code == 403
    assert client.post(reverse("norms:norm_entry") + "?year=2027", _form()).status_code == 403
    assert not NormTableVersion.objects.filter(year=2027).exists()


def test_enter_a_table_in_the_statutes_layout_and_verify_it_as_another_person(
    client, org, maintainers
):
    admin, owner = maintainers
    client.force_login(admin)
    page = client.get(reverse("norms:norm_entry") + "?year=2027").content.decode()
    assert 'data-testid="statute-table"' in page and "Riksnormen 2026" in page
    assert "4–6 år, äter inte lunch hemma 5 dagar i veckan" in page
    response = client.post(reverse("norms:norm_entry") + "?year=2027", _form(child_age_7_10=39900))
    version = NormTableVersion.objects.get(year=2027)
    assert response.status_code == 302 and version.state == VersionState.DRAFT
    detail = client.get(reverse("norms:norm_detail", args=[version.pk])).content.decode()
    assert re.findall(r'data-flagged="(\w+)"', detail) == ["child_age_7_10"]  # the planted typo
    assert 'data-testid="verify"' not in detail and 'data-testid="not-verifier"' in detail
    assert client.post(reverse("norms:verify", args=["riksnorm", version.pk])).status_code == 403

    client.force_login(owner)
    detail = client.get(reverse("norms:norm_detail", args=[version.pk])).content.decode()
    assert 'data-testid="verify"' in detail
    response = client.post(reverse("norms:verify", args=["riksnorm", version.pk]))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == VersionState.VERIFIED and version.verified_by == owner


def test_bad_amounts_get_a_swedish_message_and_nothing_is_stored(client, org):
    client.force_login(org.sysadmin)
    response = client.post(
        reverse("norms:norm_entry") + "?year=2027",
        _form(adult_single="3 940", common_2="-5", valid_to="2028-01-31"),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Skriv beloppet i hela kronor" in page and "kan inte vara negativt" in page
    assert "Datumet ska ligga under tabellens år" in page
    # Issue 13: beside the field, and a summary at the top linking to it.
    error = re.search(r'<ul class="errorlist" id="id_valid_to_error">(.*?)</ul>', page, re.S)
    assert error and "Datumet ska ligga under tabellens år" in error.group(1)
    assert 'id="error-summary"' in page and 'href="#id_valid_to"' in page
    assert 'value="2028-01-31"' in page
    assert not NormTableVersion.objects.filter(year=2027).exists()


def test_import_a_file_on_the_page(client, org):
    client.force_login(org.sysadmin)
    document = {"years": {"2027": sample_year(2027)}}
    upload = SimpleUploadedFile("norm.json", json.dumps(document).encode(), "application/json")
    response = client.post(reverse("norms:import"), {"file": upload})
    assert response.status_code == 302
    assert NormTableVersion.objects.get(year=2027).state == VersionState.DRAFT
    nested = SimpleUploadedFile("x.json", b"[" * 50_000 + b"]" * 50_000, "application/json")
    response = client.post(reverse("norms:import"), {"file": nested})
    # Issue 13: refused at the file field of the overview, with the summary; nothing stored.
    assert response.status_code == 400
    assert_refused_at(response.content.decode(), "file", "för djupt nästlad")
    no_year = SimpleUploadedFile("y.json", b'{"years": {}}', "application/json")
    response = client.post(reverse("norms:import"), {"file": no_year})
    assert response.status_code == 400
    assert_refused_at(response.content.decode(), "file", "inget år")
    response = client.post(reverse("norms:import"), {})
    assert response.status_code == 400
    assert_refused_at(response.content.decode(), "file", "obligatoriskt")
    assert NormTableVersion.objects.filter(year=2027).count() == 1


def test_withdrawing_a_table_without_reason_is_refused_at_the_reason(client, org):
    client.force_login(org.sysadmin)
    client.post(reverse("norms:norm_entry") + "?year=2027", _form())
    version = NormTableVersion.objects.get(year=2027)
    response = client.post(
        reverse("norms:withdraw", args=["riksnorm", version.pk]), {"reason": " "}
    )
    assert response.status_code == 400
    assert_refused_at(response.content.decode(), "reason", "obligatoriskt")
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT


def test_withdrawing_a_parameter_without_reason_is_refused_in_its_row(client, org):
    import datetime as dt

    from bistand.norms import services
    from bistand.norms.models import LegalParameter

    sources = [{"kind": "SFS", "sfs": "SFS 2026:9999", "title": "Test"}]
    row = services.enter_parameter(
        org.sysadmin, code="price_base_amount", valid_from=dt.date(2027, 1, 1),
        value="60 000", source_status="verified_primary", sources=sources,
    )  # fmt: skip
    client.force_login(org.sysadmin)
    long_reason = "x" * 2001
    response = client.post(
        reverse("norms:withdraw", args=["parameter", row.pk]), {"reason": long_reason}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "reason", "2000")
    assert f'id="withdraw-parameter-{row.pk}_reason"' in html and long_reason in html
    assert LegalParameter.objects.get(pk=row.pk).state == VersionState.DRAFT


def test_unknown_ids_and_kinds_are_404(client, org):
    client.force_login(org.sysadmin)
    assert client.get(reverse("norms:norm_detail", args=[999999])).status_code == 404
    assert client.post(reverse("norms:verify", args=["nonsense", 1])).status_code == 404
    assert client.post(reverse("norms:verify", args=["parameter", 999999])).status_code == 404


def test_the_api_imports_compares_and_verifies_with_four_eyes(org, maintainers):
    admin, owner = maintainers
    api = APIClient()
    api.force_authenticate(admin)
    data = sample_year(2027)
    data["adults"]["single"]["amount"] += 900  # a planted typing error
    response = api.post("/api/v1/norm-tables/import/", {"years": {"2027": data}}, format="json")
    assert response.status_code == 201, response.content
    version_id = response.json()[0]["id"]
    comparison = api.get(f"/api/v1/norm-tables/{version_id}/comparison/").json()
    assert [row["cell"] for row in comparison if row["flagged"]] == ["adult_single"]
    refused = api.post(f"/api/v1/norm-tables/{version_id}/verify/")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "four_eyes"

    api.force_authenticate(owner)
    assert api.post(f"/api/v1/norm-tables/{version_id}/verify/").json()["state"] == "verified"
    listed = api.get("/api/v1/norm-tables/?year=2027").json()
    assert listed["count"] == 1 and listed["results"][0]["verified_by"]["id"] == owner.pk

    api.force_authenticate(org.social_worker)
    assert api.get("/api/v1/norm-tables/").status_code == 403
    assert api.post("/api/v1/norm-tables/import/", {"years": {}}, format="json").status_code == 403


def test_the_norm_command_imports_shows_and_verifies_as_named_users(tmp_path, org, maintainers):
    admin, owner = maintainers
    path = tmp_path / "riksnorm-2027.json"
    path.write_text(json.dumps({"year": 2027, **sample_year(2027)}), encoding="utf-8")
    out = StringIO()
    call_command("norm", "import", str(path), "--user", admin.username, stdout=out)
    assert "Riksnormen 2027, version 1: utkast sparat" in out.getvalue()

    shown = StringIO()
    call_command("norm", "show", "2027", stdout=shown)
    assert "Utkast" in shown.getvalue() and "Ensamstående" in shown.getvalue()

    with pytest.raises(CommandError, match="four_eyes"):
        call_command("norm", "verify", "2027", "--user", admin.username, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("norm", "verify", "2027", stdout=StringIO())
    call_command("norm", "verify", "2027", "--user", owner.username, stdout=StringIO())
    assert NormTableVersion.objects.get(year=2027).state == VersionState.VERIFIED
    assert AccessLogEntry.objects.filter(
        actor_username=owner.username, object_type="norms.normtableversion", action="sign"
    ).exists()

    as_json = StringIO()
    call_command("norm", "show", "2027", "--json", stdout=as_json)
    assert json.loads(as_json.getvalue())[0]["verified_by"] == owner.username


def test_the_calc_command_uses_the_database_tables(tmp_path, org, maintainers):
    from bistand.norms import services

    admin, owner = maintainers
    data = sample_year(2027)
    services.verify_version(
        owner,
        services.enter_norm_table(
            admin, year=2027, data=data, source_status="verified_primary",
            sources=[{"sfs": "SFS 2026:9999"}],
        ),
    )  # fmt: skip
    path = tmp_path / "in.json"
    path.write_text(
        json.dumps(
            {"month": "2027-02", "members": [{"birth_date": "1980-01-01", "role": "applicant"}]}
        )
    )
    out = StringIO()
    call_command("calc", str(path), stdout=out, stderr=StringIO())
    expected = (
        data["adults"]["single"]["amount"]
        + data["common_household_costs"]["by_household_size"]["1"]
    )
    assert json.loads(out.getvalue())["norm_total"] == f"{expected}.00"


def test_parameter_and_legal_period_forms_make_drafts_a_second_person_verifies(
    client, org, maintainers
):
    from bistand.norms.models import LegalParameter, LegalPeriod

    admin, owner = maintainers
    client.force_login(admin)
    source = {"source_status": "verified_primary", "sfs": "SFS 2026:9999"}
    response = client.post(
        reverse("norms:parameter_entry"),
        {
            **{f"p-{k}": v for k, v in source.items()},
            "p-code": "price_base_amount", "p-valid_from": "2027-01-01",
            "p-valid_to": "2027-12-31", "p-value": "60000",
        },
    )  # fmt: skip
    assert response.status_code == 302
    parameter = LegalParameter.objects.get(valid_from="2027-01-01")
    assert parameter.state == VersionState.DRAFT and parameter.entered_by == admin
    response = client.post(
        reverse("norms:period_entry"),
        {
            **{f"l-{k}": v for k, v in source.items()},
            "l-code": "sol-2027", "l-name": "SoL i lydelse 2027", "l-act": "SoL (2025:400)",
            "l-valid_from": "2027-01-01", "l-norm_reference": "12 kap. 7 §",
            "l-incentive_reference": "Jobbstimulans", "l-basis_income_support": "12 kap. 1 §",
            "l-basis_other_living_costs": "12 kap. 1 §", "l-basis_labour_market": "12 kap. 1 §",
            "l-rules_version": "1",
        },
    )  # fmt: skip
    assert response.status_code == 302
    period = LegalPeriod.objects.get(code="sol-2027")
    assert client.post(reverse("norms:verify", args=["parameter", parameter.pk])).status_code == 403
    client.force_login(owner)
    for kind, row in (("parameter", parameter), ("lagperiod", period)):
        assert client.post(reverse("norms:verify", args=[kind, row.pk])).status_code == 302
        row.refresh_from_db()
        assert row.state == VersionState.VERIFIED and row.verified_by == owner


def test_a_parameter_ending_before_it_starts_is_refused_at_the_end_date(client, org, maintainers):
    """Issue 13: the overview's entry forms refuse at the field, keep the values, store nothing."""
    from bistand.norms.models import LegalParameter

    admin, _owner = maintainers
    before = LegalParameter.objects.count()
    client.force_login(admin)
    response = client.post(
        reverse("norms:parameter_entry"),
        {"p-source_status": "verified_primary", "p-sfs": "SFS 2026:9999",
         "p-code": "price_base_amount", "p-valid_from": "2027-01-01",
         "p-valid_to": "2026-12-31", "p-value": "60000"},
    )  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert_refused_at(html, "p-valid_to", "Slutdatum ligger före startdatum")
    assert 'value="60000"' in html and '<details id="parameter-form" open>' in html
    assert LegalParameter.objects.count() == before


def test_a_legal_period_with_a_bad_code_is_refused_at_the_code(client, org, maintainers):
    from bistand.norms.models import LegalPeriod

    admin, _owner = maintainers
    before = LegalPeriod.objects.count()
    client.force_login(admin)
    response = client.post(
        reverse("norms:period_entry"),
        {"l-source_status": "verified_primary", "l-code": "sol 2027!", "l-name": "SoL 2027",
         "l-act": "SoL (2025:400)", "l-valid_from": "2027-01-01", "l-rules_version": "1"},
    )  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    field = re.search(r'<div class="field has-error" data-field="l-code">.*?</div>', html, re.S)
    assert field and "errorlist" in field.group(0)
    assert 'value="SoL 2027"' in html and '<details id="period-form" open>' in html
    assert LegalPeriod.objects.count() == before
