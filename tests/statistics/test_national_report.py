"""The individual-level file for Socialstyrelsen (HSLF-FS 2015:30): its records, its
validation (errors in Swedish, an export with errors refused) and the export log."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from bistand.audit.models import AccessLogEntry
from bistand.core.errors import PermissionRefused
from bistand.statistics import national_report as national
from bistand.statistics.national_report import NationalRecord, validate

D = dt.date
TODAY = D(2026, 2, 15)


def record(**fields):
    base = dict(
        posttyp="B",
        kommunkod="1281",
        period="202511",
        personnummer="198005011013",
        hushall="2025-00001",
        roll="S",
        kon="M",
        alder=45,
        hushallstyp=3,
        belopp="10000.00",
        forsorjningshinder="unemployed_no_benefit",
        forsorjningshinder_huvudgrupp="unemployment",
        arbetsmarknadsinsats="N",
    )
    base.update(fields)
    return NationalRecord(**base)


def messages(problems):
    return [str(p) for p in problems]


def test_records_of_a_month(lund):
    report = national.prepare(lund.unit, D(2025, 11, 1), today=TODAY)
    assert report.valid, messages(report.problems)
    rows = {r.personnummer: r for r in report.records}
    p = lund.persons
    a = rows[p.A.identity_number]
    assert (a.posttyp, a.kommunkod, a.period, a.roll, a.hushallstyp) == (
        "B",
        "1281",
        "202511",
        "S",
        3,
    )
    assert a.belopp == "10000.00"
    assert (a.forsorjningshinder, a.forsorjningshinder_huvudgrupp) == (
        "unemployed_no_benefit",
        "unemployment",
    )
    d, e, f = rows[p.D.identity_number], rows[p.E.identity_number], rows[p.F.identity_number]
    assert (d.roll, e.roll, f.roll) == ("S", "M", "B")
    assert e.belopp == "" and f.forsorjningshinder == "" and f.arbetsmarknadsinsats == ""
    assert d.hushall == e.hushall == f.hushall == lund.cases.c3.reference
    assert report.counts() == {"records": 6, "persons": 6, "households": 3, "closings": 0}


def test_closing_records_carry_the_reason(lund):
    report = national.prepare(lund.unit, D(2025, 9, 1), today=TODAY)
    closings = [r for r in report.records if r.posttyp == "A"]
    # Case 2 closed 30 September (work) and was reopened in December: still reported.
    assert len(closings) == 1
    assert closings[0].avslutsorsak == "work"
    assert closings[0].avslutsdatum == "2025-09-30"
    assert closings[0].personnummer == lund.persons.B.identity_number


def test_a_programme_participant_is_marked(lund):
    report = national.prepare(lund.unit, D(2025, 3, 1), today=TODAY)
    p = next(r for r in report.records if r.personnummer == lund.persons.P.identity_number)
    assert p.arbetsmarknadsinsats == "J"


def test_missing_support_obstacle_is_an_error_in_swedish(lund):
    report = national.prepare(lund.unit, D(2025, 6, 1), today=TODAY)
    assert not report.valid
    texts = messages(report.problems)
    assert any(
        "Försörjningshinder saknas för sökande" in t and lund.cases.c2.reference in t for t in texts
    ), texts


def test_export_with_errors_is_refused_and_not_logged(lund):
    with pytest.raises(national.NationalReportInvalid) as refused:
        national.export_national_report(lund.org.unit_head, D(2025, 6, 1), today=TODAY)
    assert refused.value.message.startswith("Filen har 1 fel")
    assert not AccessLogEntry.objects.filter(action="export").exists()


def test_export_is_logged_as_an_export(lund):
    report, content = national.export_national_report(
        lund.org.unit_head, D(2025, 11, 1), today=TODAY
    )
    lines = content.strip().split("\r\n")
    assert lines[0].split(";") == national.COLUMNS
    assert len(lines) == 1 + 6
    entry = AccessLogEntry.objects.get(action="export")
    assert entry.actor_id == lund.org.unit_head.pk
    assert entry.object_type == "statistics.national_report"
    assert entry.object_id == "2025-11"
    assert json.loads(entry.detail)["persons"] == 6
    assert report.filename == "ekb-individ-1281-202511.csv"


def test_only_the_unit_head_may_export(lund):
    for user in (lund.org.intake_head, lund.org.social_worker, lund.org.finance):
        with pytest.raises(PermissionRefused):
            national.export_national_report(user, D(2025, 11, 1), today=TODAY)


def test_a_running_month_cannot_be_reported():
    problems = validate([record()], _unit(), D(2025, 11, 1), today=D(2025, 11, 30))
    assert messages(problems) == [
        "Filen: November 2025 är inte slut än; uppgifterna lämnas för hela kalendermånader."
    ]


def test_validation_finds_each_kind_of_error():
    records = [
        record(personnummer="198005011014"),  # wrong check digit
        record(hushall="2025-00002", personnummer="198505011026", roll="S", belopp="0"),
        record(hushall="2025-00002", personnummer="198505011026", roll="M", forsorjningshinder=""),
        record(
            hushall="2025-00003", personnummer="199001011007", forsorjningshinder="old_unemployed"
        ),
        record(hushall="2025-00003", personnummer="201501011041", roll="B", alder=10),
        record(hushall="2025-00004", personnummer="199202021003", roll="M", hushallstyp=2),
        record(posttyp="A", personnummer="199001011007", avslutsorsak="vanished"),
    ]
    problems = validate(records, _unit(), D(2025, 11, 1), today=TODAY)
    by_field = {}
    for problem in problems:
        by_field.setdefault(problem.field, []).append(str(problem))
    assert (
        "Rad 1 (ärende 2025-00001): Person- eller samordningsnumret saknas eller är ogiltigt."
        in (by_field["personnummer"])
    )
    assert any("Personen finns redan på rad 2" in t for t in by_field["personnummer"])
    assert by_field["belopp"] == [
        "Rad 2 (ärende 2025-00002): Utbetalt belopp saknas eller är inte större än 0."
    ]
    assert any(
        "Försörjningshinder saknas för medsökande" in t for t in by_field["forsorjningshinder"]
    )
    assert any("gäller inte för november 2025" in t for t in by_field["forsorjningshinder"])
    assert any(
        "registreras bara för sökande och medsökande" in t for t in by_field["forsorjningshinder"]
    )
    assert by_field["hushallstyp"] == [
        "Rad 6 (ärende 2025-00004): Hushållstypen saknas eller är okänd."
    ]
    assert by_field["avslutsorsak"] == [
        "Rad 7 (ärende 2025-00001): Avslutsorsak saknas eller är okänd."
    ]
    assert (
        "Filen (ärende 2025-00004): Hushållet ska ha exakt en sökande under månaden (har 0)."
        in (by_field["roll"])
    )


def test_a_bad_municipality_code_is_an_error():
    unit = _unit(code="12")
    problems = validate([record()], unit, D(2025, 11, 1), today=TODAY)
    assert messages(problems) == ["Filen: Enhetens kommunkod ska vara fyra siffror."]


def test_page_shows_the_errors_and_refuses_the_download(client, lund):
    client.force_login(lund.org.unit_head)
    url = reverse("statistics:national_report")
    page = client.get(url, {"month": "2025-06"}).content.decode()
    assert 'data-testid="national-problems"' in page
    assert "Försörjningshinder saknas" in page
    response = client.post(url, {"month": "2025-06"})
    assert response.status_code == 400
    assert "kan inte tas ut" in response.content.decode()
    ok = client.post(url, {"month": "2025-11"})
    assert ok.status_code == 200
    assert ok["Content-Disposition"] == 'attachment; filename="ekb-individ-1281-202511.csv"'
    assert AccessLogEntry.objects.filter(action="export").count() == 1


def _unit(code="1281"):
    from types import SimpleNamespace

    return SimpleNamespace(municipality_code=code)
