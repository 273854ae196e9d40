"""Born in Sweden or abroad (issue 17): read only from a population-register extract, counted
among the adult recipients, suppressed like every other count outside the unit head's view."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from bistand.core.errors import DomainError
from bistand.households.models import Person
from bistand.statistics.access import Filters
from bistand.statistics.birth_country import import_register_extract
from bistand.statistics.figures import month_figures
from bistand.statistics.models import BirthCountryRegistration, BirthCountrySource
from bistand.statistics.periods import Period
from bistand.statistics.suppression import SUPPRESSED, suppress_figures

JUNE = Period.month(dt.date(2025, 6, 1))
EXTRACT_DAY = dt.date(2025, 5, 31)


def _adults_of_june(lund):
    from bistand.statistics.models import RecipientMonth

    ids = RecipientMonth.objects.filter(month=JUNE.start, is_adult=True).values_list(
        "person_id", flat=True
    )
    return list(Person.objects.filter(pk__in=ids).order_by("pk"))


def _extract(rows):
    return "personnummer;fodd_i_sverige\n" + "\n".join(f"{p};{v}" for p, v in rows) + "\n"


def test_adult_recipients_are_counted_by_the_registered_value_and_unknown_is_never_guessed(lund):
    adults = _adults_of_june(lund)
    assert len(adults) == 5
    text = _extract(
        [(adults[0].identity_number, "J"), (adults[1].identity_number, "N"),
         (adults[2].identity_number, "N")]
    )  # fmt: skip
    result = import_register_extract(lund.org.unit_head, text, EXTRACT_DAY)
    assert (result.recorded, result.unknown_persons, result.errors) == (3, 0, [])
    row = BirthCountryRegistration.objects.get(person=adults[1])
    assert row.source == BirthCountrySource.POPULATION_REGISTER
    assert row.registered_on == EXTRACT_DAY and row.born_in_sweden is False
    figures = month_figures(lund.unit, JUNE, Filters(), today=dt.date.today())
    assert figures["persons"]["adults_by_birth_country"] == {
        "born_in_sweden": 1,
        "born_abroad": 2,
        "birth_country_unknown": 2,
    }
    protected = suppress_figures(figures)["persons"]["adults_by_birth_country"]
    assert set(protected.values()) == {SUPPRESSED}


def test_a_later_extract_replaces_the_value(lund):
    adult = _adults_of_june(lund)[0]
    import_register_extract(None, _extract([(adult.identity_number, "J")]), EXTRACT_DAY)
    import_register_extract(None, _extract([(adult.identity_number, "N")]), dt.date(2025, 9, 30))
    row = BirthCountryRegistration.objects.get(person=adult)
    assert (row.born_in_sweden, row.registered_on) == (False, dt.date(2025, 9, 30))


def test_a_wrong_line_refuses_the_whole_file_and_stores_nothing(lund):
    adults = _adults_of_june(lund)
    text = _extract(
        [(adults[0].identity_number, "J"), ("19121212-1213", "ja"), ("nonsense", "N"),
         (adults[0].identity_number, "N")]
    )  # fmt: skip
    result = import_register_extract(None, text, EXTRACT_DAY)
    assert [e.split(":")[0] for e in result.errors] == ["rad 3", "rad 4", "rad 5"]
    assert not BirthCountryRegistration.objects.exists()
    with pytest.raises(DomainError):
        import_register_extract(None, "pnr;land\n", EXTRACT_DAY)


def test_unknown_persons_are_skipped_and_counted(lund):
    result = import_register_extract(None, _extract([("19121212-1212", "J")]), EXTRACT_DAY)
    assert (result.recorded, result.unknown_persons) == (0, 1)


def test_the_command(lund, tmp_path, capsys):
    adult = _adults_of_june(lund)[0]
    path = tmp_path / "utdrag.csv"
    path.write_text(_extract([(adult.identity_number, "N")]), encoding="utf-8")
    call_command("birth-country-import", str(path), "--registered-on", "2025-05-31")
    assert "Inläst för 1 personer" in capsys.readouterr().out
    path.write_text(_extract([(adult.identity_number, "X")]), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("birth-country-import", str(path), "--registered-on", "2025-05-31")
    assert exit_info.value.code == 2


def test_the_dashboard_shows_the_table_and_the_csv(client, lund):
    client.force_login(lund.org.unit_head)
    page = client.get(reverse("statistics:dashboard"), {"month": "2025-06"})
    assert "fodelseland" in [section.key for section in page.context["page_sections"]]
    url = reverse("statistics:dashboard_download", args=["fodelseland", "csv"])
    lines = client.get(url, {"month": "2025-06"}).content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Född;Vuxna" and "Uppgift saknas;5" in lines


def test_risk_group_rows_show_how_many_adults_were_born_abroad(client, lund):
    from bistand.cases.models import Case
    from bistand.households.models import ADULT_ROLES, HouseholdMembership
    from bistand.statistics.birth_country import household_birth_country

    today = dt.date.today()
    cases = list(Case.objects.filter(unit=lund.unit).exclude(household=None).order_by("pk"))
    assert {household_birth_country(cases, today).get(c.pk) for c in cases} == {None}
    adults = {
        m.household_id: m.person
        for m in HouseholdMembership.objects.filter(
            household__in=[c.household_id for c in cases], role__in=ADULT_ROLES, valid_to=None
        )
    }
    case = next(c for c in cases if c.household_id in adults)
    members = HouseholdMembership.objects.filter(
        household_id=case.household_id, role__in=ADULT_ROLES, valid_to=None
    )
    text = _extract([(m.person.identity_number, "N") for m in members])
    import_register_extract(None, text, EXTRACT_DAY)
    assert household_birth_country([case], today)[case.pk] == members.count()
