"""The legal basis of a recovery claim (återkrav) and whether it may be appealed.

Sources and what could not be verified: docs/recovery.md, "Legal basis". In short:
- SoL (2025:400) 33 kap. 1-6 §§ (återkrav; talan i förvaltningsrätten; avstå från krav) and
  35 kap. 1 § (the decisions that may be appealed: 33 kap. is not among them) were read in the
  law's text (SFS 2025:400 as consolidated by se-lex/sfs-processor, amendments to 2025:1501).
- Its transitional provision 5 a: the repealed SoL (2001:453) still applies to recovery of
  assistance granted before 2025-07-01. Its 9 kap. 1-2 §§ are known here only from
  Socialstyrelsen's page and RÅ 2003:81, not from the act's text, and whether its recovery
  decisions could be appealed was not verified: such claims carry status "unverified".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bistand.core.errors import DomainError

NEW_LAW_FROM = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class Ground:
    code: str
    label: str
    basis: str
    law_status: str  # "verified" | "unverified"
    appealable: bool | None  # None: not verified
    appeal_status: str


NEW_LAW_GROUNDS = {
    g.code: g
    for g in (
        Ground(
            "incorrect_statement",
            "Oriktiga uppgifter, uppgiftsskyldighet inte fullgjord eller orsakat på annat sätt",
            "33 kap. 1 § första stycket socialtjänstlagen (2025:400)",
            "verified",
            False,
            "verified",
        ),
        Ground(
            "should_have_realised",
            "Tagit emot bistånd felaktigt och borde skäligen ha insett det",
            "33 kap. 1 § andra stycket socialtjänstlagen (2025:400)",
            "verified",
            False,
            "verified",
        ),
        Ground(
            "advance",
            "Förskott på förmån, arbetskonflikt eller hindrad att förfoga över inkomster",
            "33 kap. 2 § socialtjänstlagen (2025:400)",
            "verified",
            False,
            "verified",
        ),
        Ground(
            "conditional",
            "Bistånd enligt 12 kap. 2 § med villkor om återbetalning",
            "33 kap. 3 § socialtjänstlagen (2025:400)",
            "verified",
            False,
            "verified",
        ),
    )
}

OLD_LAW_GROUNDS = {
    g.code: g
    for g in (
        Ground(
            "incorrect_statement",
            "Oriktiga uppgifter, underlåtenhet att lämna uppgifter eller på annat sätt",
            "9 kap. 1 § socialtjänstlagen (2001:453), övergångsbestämmelse 5 a till (2025:400)",
            "unverified",
            None,
            "unverified",
        ),
        Ground(
            "advance",
            "Förskott på förmån, arbetskonflikt eller hindrad att förfoga över inkomster",
            "9 kap. 2 § socialtjänstlagen (2001:453), övergångsbestämmelse 5 a till (2025:400)",
            "unverified",
            None,
            "unverified",
        ),
        Ground(
            "conditional",
            "Bistånd med villkor om återbetalning",
            "9 kap. 2 § andra stycket socialtjänstlagen (2001:453), övergångsbestämmelse 5 a "
            "till (2025:400)",
            "unverified",
            None,
            "unverified",
        ),
    )
}

GROUND_CHOICES = [(code, ground.label) for code, ground in NEW_LAW_GROUNDS.items()]


def ground_for(code: str, period_start: dt.date, period_end: dt.date) -> Ground:
    """The ground and its legal basis for an incorrect payment's months: the new law for
    assistance from July 2025, the repealed one (transitional provision 5 a) before."""
    if period_start < NEW_LAW_FROM <= period_end:
        raise DomainError(
            "period_spans_laws",
            "Perioden omfattar månader både före och efter den 1 juli 2025. Återkrav av bistånd "
            "som beviljats före dess prövas enligt den upphävda socialtjänstlagen (2001:453) "
            "(övergångsbestämmelse 5 a till socialtjänstlagen (2025:400)). Registrera de "
            "felaktiga utbetalningarna före och efter juli 2025 var för sig.",
        )
    grounds = NEW_LAW_GROUNDS if period_start >= NEW_LAW_FROM else OLD_LAW_GROUNDS
    if code not in grounds:
        raise DomainError("bad_ground", "Välj grund för återkravet.")
    return grounds[code]


APPEAL_NOT_POSSIBLE = [
    "Beslutet om återkrav kan inte överklagas till förvaltningsrätten. Socialtjänstlagen "
    "(2025:400) räknar i 35 kap. 1 § upp de beslut som får överklagas, och beslut om återkrav "
    "finns inte med där.",
    "Om du inte betalar tillbaka frivilligt får socialnämnden ansöka hos förvaltningsrätten om "
    "att du ska betala (33 kap. 4 och 5 §§). Då prövar domstolen kravet och du får lämna dina "
    "synpunkter. Domstolen får inte bifalla kravet om du därigenom kan antas sakna pengar till "
    "din försörjning.",
    "Socialnämnden kan helt eller delvis avstå från kravet (33 kap. 6 §). Kontakta din "
    "handläggare om du vill att vi prövar det, eller om du vill ändra planen.",
]

APPEAL_UNVERIFIED = [
    "Återkravet gäller bistånd som beviljades före den 1 juli 2025 och prövas därför enligt den "
    "upphävda socialtjänstlagen (2001:453). Kontakta din handläggare om du inte håller med om "
    "beslutet, så får du besked om hur det kan prövas.",
]

APPEAL_POSSIBLE = [
    "Om du inte är nöjd med beslutet kan du överklaga det till förvaltningsrätten. Skriv vilket "
    "beslut du överklagar, hur du vill att det ska ändras och varför, och skicka brevet till "
    "socialnämnden, inte direkt till domstolen.",
    "Överklagandet måste ha kommit in till oss inom tre veckor från den dag du fick del av "
    "beslutet (förvaltningslagen (2017:900) 44 §).",
]


def appeal_text(appealable: bool | None) -> list[str]:
    if appealable is True:
        return APPEAL_POSSIBLE
    if appealable is False:
        return APPEAL_NOT_POSSIBLE
    return APPEAL_UNVERIFIED
