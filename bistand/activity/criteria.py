"""An activity's referral criteria checked against a person (docs/activity-requirement.md,
"Referral criteria"). Age is computed from the birth date, work ability from a medical
certificate in force (100 % minus its extent; no certificate = no recorded reduction), the
language level from the person's newest `LanguageLevel` (none recorded: cannot be checked).
At assignment a shortfall never blocks: the handler places with a recorded reason. When the
waiting list fills a place, a person with a shortfall the reason did not cover is passed over
(services_places._offer_freed_places)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import LANGUAGE_RANK, REQUIRED_RANK, Activity, LanguageLevel, MedicalCertificate

MIN_AGE = "min_age"
MAX_AGE = "max_age"
WORK_ABILITY = "work_ability"
LANGUAGE = "language"


@dataclass(frozen=True)
class Shortfall:
    """One criterion the person does not meet (or that cannot be checked): its code and the
    Swedish sentence shown to the handler."""

    code: str
    message: str


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


def language_level_on(person_id: int, day: dt.date) -> LanguageLevel | None:
    """The person's newest language level recorded as of `day` (the latest `level_on`, then
    the latest entry), or None."""
    return (
        LanguageLevel.objects.filter(person_id=person_id, level_on__lte=day)
        .order_by("-level_on", "-id")
        .first()
    )


def _language_shortfall(activity: Activity, person, day: dt.date) -> Shortfall | None:
    if not activity.swedish_level:
        return None
    requirement = activity.get_swedish_level_display()
    level = language_level_on(person.pk, day)
    if level is None:
        return Shortfall(
            LANGUAGE,
            _(
                "Aktiviteten har språkkravet ”%(level)s”. Ingen språknivå är registrerad för "
                "personen: registrera den, eller ange varför personen ändå anvisas."
            )
            % {"level": requirement},
        )
    if LANGUAGE_RANK[level.level] < REQUIRED_RANK[activity.swedish_level]:
        return Shortfall(
            LANGUAGE,
            _(
                "Personens språknivå är ”%(person_level)s” (från %(day)s); aktiviteten har "
                "språkkravet ”%(level)s”."
            )
            % {
                "person_level": level.get_level_display(),
                "day": level.level_on.isoformat(),
                "level": requirement,
            },
        )
    return None


def criteria_shortfalls(activity: Activity, person, day: dt.date) -> list[Shortfall]:
    """The criteria of `activity` that `person` does not meet, or that cannot be checked, on
    `day` (empty: the person meets them all)."""
    shortfalls: list[Shortfall] = []
    age = person.age_on(day)
    if activity.min_age is not None and age < activity.min_age:
        shortfalls.append(
            Shortfall(
                MIN_AGE,
                _("Personen är %(age)s år; aktiviteten är för den som är minst %(limit)s år.")
                % {"age": age, "limit": activity.min_age},
            )
        )
    if activity.max_age is not None and age > activity.max_age:
        shortfalls.append(
            Shortfall(
                MAX_AGE,
                _("Personen är %(age)s år; aktiviteten är för den som är högst %(limit)s år.")
                % {"age": age, "limit": activity.max_age},
            )
        )
    if activity.min_work_ability is not None:
        ability = work_ability_on(person.pk, day)
        if ability is not None and ability < activity.min_work_ability:
            shortfalls.append(
                Shortfall(
                    WORK_ABILITY,
                    _(
                        "Enligt läkarintyget har personen %(ability)s %% arbetsförmåga; "
                        "aktiviteten kräver minst %(limit)s %%."
                    )
                    % {"ability": ability, "limit": activity.min_work_ability},
                )
            )
    language = _language_shortfall(activity, person, day)
    if language is not None:
        shortfalls.append(language)
    return shortfalls


def criteria_warnings(activity: Activity, person, day: dt.date) -> list[str]:
    """The shortfalls as the Swedish sentences shown to the handler."""
    return [s.message for s in criteria_shortfalls(activity, person, day)]
