"""The law a decision rests on, the appeal instructions and the statutory deadlines.

Sources and what could not be verified: docs/decisions.md, "Legal basis".
"""

from __future__ import annotations

import datetime as dt

from bistand.core.dates import deadline_from
from bistand.core.errors import DomainError
from bistand.norms.selectors import legal_period_on

# The legal basis of each line kind comes from the legal period in force on the decision day
# (norms.LegalPeriod, verified like the norm tables; seeded from norms/data/rules.json):
# 12 kap. 1 § and 7 § SoL (2025:400) from 2025-07-01, before that 4 kap. 1 § and 3 § SoL
# (2001:453). Sources and what could not be verified: docs/decisions.md, "Legal basis".


def legal_basis(kind: str, decided_on: dt.date, refusal_ground: str = "") -> str:
    """The legal basis (lagrum) of a decision line, for the law in force on the decision day."""
    period = legal_period_on(decided_on)
    if period is None:
        raise DomainError(
            "no_legal_period",
            f"Det finns ingen verifierad lagperiod för {decided_on.isoformat()} (Regelverk).",
        )
    basis = period.decision_basis or {}
    if refusal_ground == "labour_market":
        return basis["labour_market"]
    return basis[kind]


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
