"""An activity's referral criteria checked against a person (docs/activity-requirement.md,
"Referral criteria"). Age is computed from the birth date, work ability from a medical
certificate in force (100 % minus its extent; no certificate = no recorded reduction); the
language level is held nowhere in the system, so a language requirement is always a warning
the handler confirms. A warning never blocks: the handler places with a recorded reason."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from .models import Activity, MedicalCertificate


def work_ability_on(person_id: int, day: dt.date) -> int | None:
    """The work ability (%) by the certificate in force on `day`, or None without one."""
    certificate = (
        MedicalCertificate.objects.filter(
            person_id=person_id,
            replaced_by__isnull=True,
            valid_from__lte=day,
            valid_to__gte=day,
        )
        .order_by("-valid_from", "-id")
        .first()
    )
    return None if certificate is None else 100 - certificate.extent


def criteria_warnings(activity: Activity, person, day: dt.date) -> list[str]:
    """The criteria of `activity` that `person` does not meet, or that cannot be checked, on
    `day`, each a Swedish sentence for the handler (empty: the person meets them all)."""
    warnings: list[str] = []
    age = person.age_on(day)
    if activity.min_age is not None and age < activity.min_age:
        warnings.append(
            _("Personen är %(age)s år; aktiviteten är för den som är minst %(limit)s år.")
            % {"age": age, "limit": activity.min_age}
        )
    if activity.max_age is not None and age > activity.max_age:
        warnings.append(
            _("Personen är %(age)s år; aktiviteten är för den som är högst %(limit)s år.")
            % {"age": age, "limit": activity.max_age}
        )
    if activity.min_work_ability is not None:
        ability = work_ability_on(person.pk, day)
        if ability is not None and ability < activity.min_work_ability:
            warnings.append(
                _(
                    "Enligt läkarintyget har personen %(ability)s %% arbetsförmåga; "
                    "aktiviteten kräver minst %(limit)s %%."
                )
                % {"ability": ability, "limit": activity.min_work_ability}
            )
    if activity.swedish_level:
        warnings.append(
            _(
                "Aktiviteten har språkkravet ”%(level)s”. Personens språknivå finns inte i "
                "ärendet: bekräfta att kravet är uppfyllt eller varför personen ändå anvisas."
            )
            % {"level": activity.get_swedish_level_display()}
        )
    return warnings
