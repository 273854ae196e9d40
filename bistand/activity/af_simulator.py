"""A local **simulator** of an Arbetsförmedlingen service giving "kan omfattas" notices, in the
shape of `activity.af_adapter` (our own shape: AF's real interface is not published). It lets
the demo and the tests run the fetch end to end; it is not AF and knows nothing AF knows.

Answers are deterministic: the adults (applicant, co-applicant) of the open cases whose
identity number draws below `share` (default one in four) get one notice, dated on a day of
the asked period derived from the number, so the same question gives the same answer. Or the
notices are given outright (`notices=[{"personnummer": ..., "datum": ..., "kommentar": ...}]`,
for tests). Faults for demos of the error handling: `fault="unavailable"` or `"malformed"`.

    BISTAND_AF_NOTICES = {"client": "simulator", "share": 0.25}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from bistand.cases.models import CaseStatus
from bistand.households.models import HouseholdMembership

from .af_adapter import SCHEMA, AFUnavailable, NoticeRequest

SOURCE_LABEL = "Arbetsförmedlingen (simulator)"


def _draw(*parts: object) -> int:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return int(digest[:8], 16) % 10000


class SimulatedAF:
    source_label = SOURCE_LABEL

    def __init__(self, *, share: float = 0.25, notices=None, fault: str = "", **_ignored):
        self.share = float(share)
        self.notices = notices
        self.fault = fault

    def fetch(self, request: NoticeRequest) -> bytes:
        if self.fault == "unavailable":
            raise AFUnavailable(
                "Arbetsförmedlingens tjänst gick inte att nå just nu. Försök igen senare."
            )
        if self.fault == "malformed":
            return b'{"schema": "' + SCHEMA.encode() + b'", "notices": [<html>'
        notices = self.notices if self.notices is not None else self._derived(request)
        reply = {"schema": SCHEMA, "request_id": request.request_id, "notices": notices}
        return json.dumps(reply, ensure_ascii=False).encode()

    def _derived(self, request: NoticeRequest) -> list[dict]:
        """Per person and month a fixed day, so overlapping questions give the same notices."""
        identities = (
            HouseholdMembership.objects.filter(
                household__cases__status__in=[s for s in CaseStatus.values if s != "closed"],
                role__in=("applicant", "co_applicant"),
            )
            .values_list("person__identity_number", flat=True)
            .distinct()
            .order_by("person__identity_number")
        )
        months = []
        month = request.since.replace(day=1)
        while month <= request.until:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        notices = []
        for identity in identities:
            for month in months:
                draw = _draw("af-notice", identity, f"{month:%Y-%m}")
                day = month.replace(day=draw % 28 + 1)
                if draw >= self.share * 10000 or not request.since <= day <= request.until:
                    continue
                notices.append(
                    {
                        "personnummer": identity.replace("-", ""),
                        "datum": day.isoformat(),
                        "kommentar": "Simulerad underrättelse: kan omfattas av aktivitetskravet",
                    }
                )
        return notices
