"""Born in Sweden or abroad: read from a population-register extract, counted in the figures.

Issue 17: Socialstyrelsen's register of ekonomiskt bistånd records whether the applicant and
co-applicant were born abroad (docs/national-reporting.md); persons in Bistånd carried no such
value. It is taken only from the population register (a file from Skatteverket's Navet or the
municipality's own register copy, one line per person), never derived from names or identity
numbers. A person without a registered value counts as *not known*.

File: UTF-8, semicolon, a header `personnummer;fodd_i_sverige`, the value `J` (born in Sweden)
or `N` (born abroad). The whole file is refused, with every error by line, when any line is
wrong; identity numbers of persons not in Bistånd are counted and skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bistand.core.errors import DomainError
from bistand.core.identity import IdentityNumberError, parse_identity_number
from bistand.households.models import Person

from .models import BirthCountryRegistration, BirthCountrySource

HEADER = ["personnummer", "fodd_i_sverige"]
VALUES = {"J": True, "N": False}


@dataclass
class ImportResult:
    recorded: int = 0
    unknown_persons: int = 0
    errors: list[str] = field(default_factory=list)


def import_register_extract(actor, text: str, registered_on: dt.date) -> ImportResult:
    """Store each known person's value from the extract (all or nothing)."""
    if registered_on > dt.date.today():
        raise DomainError("bad_date", "Registerutdragets datum ligger i framtiden.")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    result = ImportResult()
    if not rows or [cell.strip().lower() for cell in rows[0]] != HEADER:
        raise DomainError("bad_header", "Filen ska börja med raden personnummer;fodd_i_sverige.")
    values: dict[str, bool] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            result.errors.append(f"rad {line}: två fält väntas, personnummer och J/N")
            continue
        try:
            number = parse_identity_number(row[0]).canonical
        except IdentityNumberError as error:
            result.errors.append(f"rad {line}: {error.message}")
            continue
        value = row[1].strip().upper()
        if value not in VALUES:
            result.errors.append(f"rad {line}: fodd_i_sverige ska vara J eller N")
            continue
        if number in values:
            result.errors.append(f"rad {line}: personen finns redan på en tidigare rad")
            continue
        values[number] = VALUES[value]
    if result.errors:
        return result
    persons = dict(
        Person.objects.filter(identity_number__in=values).values_list("identity_number", "pk")
    )
    result.unknown_persons = len(values) - len(persons)
    with transaction.atomic():
        for number, person_id in persons.items():
            BirthCountryRegistration.objects.update_or_create(
                person_id=person_id,
                defaults={
                    "born_in_sweden": values[number],
                    "source": BirthCountrySource.POPULATION_REGISTER,
                    "registered_on": registered_on,
                    "recorded_by": actor,
                },
            )
            result.recorded += 1
    return result


def adults_by_birth_country(unit, period, filters) -> dict:
    """Adult recipients (each in their latest month of the period, as the persons figures) by
    born in Sweden, born abroad, or not known (no registered value)."""
    from .figures import _latest_recipients, _rows

    latest, params = _latest_recipients(unit, period, filters)
    counts = {True: 0, False: 0, None: 0}
    for born_in_sweden, count in _rows(
        "SELECT b.born_in_sweden, COUNT(*) "
        f"FROM {latest} r LEFT JOIN statistics_birthcountryregistration b "
        "ON b.person_id = r.person_id WHERE r.is_adult GROUP BY b.born_in_sweden",
        params,
    ):
        counts[None if born_in_sweden is None else bool(born_in_sweden)] += count
    return {
        "born_in_sweden": counts[True],
        "born_abroad": counts[False],
        "birth_country_unknown": counts[None],
    }


BIRTH_COUNTRY_TEXTS = {
    0: _("Ingen född utomlands"),
    1: _("En född utomlands"),
    2: _("Båda födda utomlands"),
    None: _("Uppgift saknas i folkbokföringsutdraget"),
}


def household_birth_country(cases, today: dt.date) -> dict[int, int | None]:
    """Per case: how many of today's applicant and co-applicant were born abroad (0, 1, 2 — the
    coding of Socialstyrelsen's register variable *födelseland*), or None when any of them has
    no registered value or there is no applicant today (the case is then absent). One query,
    whatever the number of cases."""
    from django.db.models import Q

    from bistand.households.models import ADULT_ROLES, HouseholdMembership

    by_household = {case.household_id: case.pk for case in cases if case.household_id}
    codes: dict[int, int | None] = {}
    members = HouseholdMembership.objects.filter(
        household_id__in=by_household, role__in=ADULT_ROLES, valid_from__lte=today
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
    for household_id, born_in_sweden in members.values_list(
        "household_id", "person__birth_country__born_in_sweden"
    ):
        case_id = by_household[household_id]
        codes.setdefault(case_id, 0)
        if born_in_sweden is None or codes[case_id] is None:
            codes[case_id] = None
        elif not born_in_sweden:
            codes[case_id] += 1
    return codes
