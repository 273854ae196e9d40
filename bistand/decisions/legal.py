"""The law a decision rests on, the appeal instructions and the statutory deadlines.

Plain Python. Sources and what could not be verified: docs/decisions.md, "Legal basis".
"""

from __future__ import annotations

import datetime as dt

from bistand.core.dates import deadline_from

# SoL (2025:400) replaced SoL (2001:453) on 2025-07-01 (calculation-rules.md section 7).
NEW_SOCIAL_SERVICES_ACT_FROM = dt.date(2025, 7, 1)

# The right to assistance (försörjningsstöd and livsföring i övrigt): 12 kap. 1 § SoL
# (2025:400); the riksnorm items: 12 kap. 7 §. Source: calculation-rules.md sections 2 and 7
# (the government's 2025-11 riksnorm article; Lifecare's decision types "12 kap 1, 7 §§ SoL").
# Before 2025-07-01: 4 kap. 1 § and 4 kap. 3 § SoL (2001:453) (SFS 2016:654, SFS 2021:159).
_BASIS = {
    "new": {
        "income_support": "12 kap. 1 § och 12 kap. 7 § socialtjänstlagen (2025:400)",
        "other_living_costs": "12 kap. 1 § socialtjänstlagen (2025:400)",
        # Must be available to the labour market: a paragraph of 12 kap. 1 § in the new law;
        # the stycke was not verified (in 2001:453 it is 4 kap. 1 § andra stycket).
        "labour_market": "12 kap. 1 § socialtjänstlagen (2025:400)",
    },
    "old": {
        "income_support": "4 kap. 1 § och 4 kap. 3 § socialtjänstlagen (2001:453)",
        "other_living_costs": "4 kap. 1 § socialtjänstlagen (2001:453)",
        "labour_market": "4 kap. 1 § andra stycket socialtjänstlagen (2001:453)",
    },
}


def legal_basis(kind: str, decided_on: dt.date, refusal_ground: str = "") -> str:
    """The legal basis (lagrum) of a decision line, for the law in force on the decision day."""
    law = "new" if decided_on >= NEW_SOCIAL_SERVICES_ACT_FROM else "old"
    if refusal_ground == "labour_market":
        return _BASIS[law]["labour_market"]
    return _BASIS[law][kind]


# Förvaltningslagen (2017:900): an appeal is made in writing, handed in to the authority that
# made the decision, within three weeks from the day the party was notified of it (43-44 §§);
# that authority checks it came in time and dismisses it if late (45 §) and otherwise passes
# it on to the court without delay (46 §: "skyndsamt"). The exact split between 43-46 §§ was
# read from secondary sources only (docs/decisions.md).
APPEAL_WEEKS = 3
APPEAL_DAYS = 7 * APPEAL_WEEKS
# "Skyndsamt" has no number of days in the law; JO has criticised boards for slow forwarding
# (JO 4975-2015, JK 591-07-22). One week is this system's internal target, not statutory.
FORWARD_DAYS = 7


def appeal_deadline(decision_received_on: dt.date) -> dt.date:
    """Last day an appeal may arrive: three weeks from the day the applicant received the
    decision, moved to the next working day if it falls on a weekend or public holiday
    (lag (1930:173) om beräkning av lagstadgad tid, via core.dates.deadline_from)."""
    return deadline_from(decision_received_on, APPEAL_DAYS)


def forward_deadline(appeal_received_on: dt.date) -> dt.date:
    """Target for passing a (not dismissed, not satisfied) appeal on to the court."""
    return deadline_from(appeal_received_on, FORWARD_DAYS)


def appeal_in_time(
    decision_received_on: dt.date | None, appeal_received_on: dt.date
) -> bool | None:
    """True/False; None when it is not known when the applicant received the decision.

    JO 3372-2017: an appeal may be dismissed as late only if the board knows when the
    applicant received the decision; without that it must be treated as in time.
    """
    if decision_received_on is None:
        return None
    return appeal_received_on <= appeal_deadline(decision_received_on)


COURT = "förvaltningsrätten"
BOARD = "socialnämnden"

APPEAL_HEADING = "Hur du överklagar"


def appeal_instructions(board_name: str, board_address: str) -> list[str]:
    """The appeal instructions in plain Swedish, one paragraph per item (for the letter)."""
    where = f"{board_name}, {board_address}" if board_address else board_name
    return [
        "Om du inte är nöjd med beslutet kan du överklaga det. Det är förvaltningsrätten "
        "som prövar ditt överklagande.",
        "Skriv ett brev till förvaltningsrätten. Skriv vilket beslut du överklagar (beslutets "
        "datum och nummer), hur du vill att beslutet ska ändras och varför. Skriv ditt namn, "
        "personnummer, adress och telefonnummer och skriv under brevet.",
        f"Skicka eller lämna brevet till {where}. Skicka det inte direkt till förvaltningsrätten.",
        "Ditt överklagande måste ha kommit in till oss inom tre veckor från den dag du fick "
        "del av beslutet. Kommer det in senare kan det inte prövas.",
        "Vi går först igenom beslutet igen. Om vi inte ändrar beslutet så som du vill, "
        "skickar vi ditt överklagande och alla handlingar vidare till förvaltningsrätten.",
        "Vill du ha hjälp att överklaga kan du kontakta din handläggare.",
    ]
