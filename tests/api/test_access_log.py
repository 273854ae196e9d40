"""Every successful read of case data through the API leaves an access-log row (channel api)."""

import pytest

from bistand.audit.models import AccessLogEntry
from bistand.audit.services import verify_chain
from bistand.cases import services
from bistand.households.models import Person

READS = [
    "/api/v1/cases/",
    "/api/v1/cases/{case}/",
    "/api/v1/cases/{case}/applications/",
    "/api/v1/cases/{case}/journal/",
    "/api/v1/cases/{case}/investigation/",
    "/api/v1/applications/{application}/",
    "/api/v1/journal-entries/{entry}/",
    "/api/v1/households/{household}/",
    "/api/v1/persons/{person}/",
    "/api/v1/persons/?q=Tolvansson",
]


@pytest.mark.parametrize("url", READS)
def test_every_successful_read_creates_an_access_log_row_with_channel_api(
    org, client_for, intake_case, url
):
    entry = services.add_journal_entry(org.social_worker, intake_case, text="Nybesök.")
    ids = {
        "case": intake_case.pk,
        "application": intake_case.applications.get().pk,
        "entry": entry.pk,
        "household": intake_case.household_id,
        "person": Person.objects.filter(memberships__household=intake_case.household).first().pk,
    }
    before = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first()

    response = client_for(org.social_worker).get(url.format(**ids))

    assert response.status_code == 200
    rows = list(AccessLogEntry.objects.filter(id__gt=before))
    assert rows, "the read was not logged"
    assert all(row.channel == "api" and row.actor_id == org.social_worker.pk for row in rows)
    assert {row.action for row in rows} <= {"view", "search"}
    if "q=" not in url:
        assert any(row.case_id == intake_case.pk for row in rows)


def test_an_empty_case_list_is_logged_too(org, client_for):
    client_for(org.finance).get("/api/v1/cases/")

    row = AccessLogEntry.objects.get(actor_id=org.finance.pk)
    assert (row.action, row.object_type, row.channel) == ("view", "case_list", "api")


def test_the_audit_chain_holds_after_api_traffic(org, client_for, intake_case, labour_case):
    client_for(org.unit_head).get("/api/v1/cases/")
    client_for(org.social_worker).get(f"/api/v1/cases/{labour_case.pk}/")

    assert verify_chain().ok
