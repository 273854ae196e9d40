"""Builders for the controls tests: the decisions tests' fixed clock and cases, a unit that
requires checks, and a register client that misbehaves on demand."""

import datetime as dt

from bistand.controls import services
from tests.decisions.conftest import (  # noqa: F401 - fixtures shared with the decisions tests
    clock,
    fixed_today,
    logged_in,
    make_application,
    previous_month,
)


def require_checks(org, *, valid_from=dt.date(2020, 1, 1), kinds=("new", "repeat"),
                   sources=("skatteverket",), case_types=""):  # fmt: skip
    return services.set_check_requirements(
        org.unit_head,
        org.unit,
        valid_from=valid_from,
        requirements=[
            {"decision_kind": kind, "source": source, "case_types": case_types}
            for kind in kinds
            for source in sources
        ],
        note="Test",
    )


def applicant_of(application):
    return application.case.household.memberships.get(role="applicant").person


def check(actor, application, source="skatteverket", **kwargs):
    return services.request_check(
        actor,
        application.case,
        person=kwargs.pop("person", None) or applicant_of(application),
        source=source,
        period_from=kwargs.pop("period_from", application.month),
        period_to=kwargs.pop("period_to", application.month),
        application=application,
        **kwargs,
    )


class ScriptedClient:
    """A register client answering with the given bytes (or raising the given error)."""

    def __init__(self, reply=None, error=None):
        self.reply, self.error = reply, error
        self.requests = []

    def fetch(self, request):
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        return self.reply(request) if callable(self.reply) else self.reply
