"""The review queue: payee account changes, manual (cash) payments, requisitions and decisions
above the amount limit, each signed off once by the unit head, never by whoever made it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bistand.audit.models import AccessLogEntry
from bistand.controls import review_queue
from bistand.controls import sample_services as services
from bistand.controls.review_queue import QueueItem, QueueSource
from bistand.controls.sample_models import QueueSignoff
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.payments import services as payment_services
from bistand.payments.models import PaymentMethod
from tests.payments.conftest import HANDELSBANKEN, world  # noqa: F401 - shared fixture

KINDS = {"payee_account", "manual_payment", "requisition", "decision_above_limit"}


@pytest.fixture
def changes(world, org):  # noqa: F811
    account = payment_services.change_payee_account(
        org.finance, world.applicant_payee, account_kind="bank_account",
        clearing=HANDELSBANKEN[0], number=HANDELSBANKEN[1], reason="Ny bank",
    )  # fmt: skip
    cash = world.order(PaymentMethod.CASH, "500")
    requisition = world.order(PaymentMethod.REQUISITION, "300")
    return {
        "payee_account": account.pk,
        "manual_payment": cash.pk,
        "requisition": requisition.pk,
        "decision_above_limit": world.decision.pk,
    }


def _queue(client):
    return client.get("/api/v1/review-queue/?from=2026-01-01").json()


def test_the_queue_lists_the_four_kinds(client, org, changes):
    client.force_login(org.unit_head)
    rows = _queue(client)
    assert {(r["kind"], r["object_id"]) for r in rows} == set(changes.items())
    page = client.get(reverse("controls:review_queue") + "?from=2026-01-01")
    assert page.status_code == 200
    assert {kind for kind in KINDS if f'data-kind="{kind}"' in page.content.decode()} == KINDS
    # the listed cases' reads are logged
    assert AccessLogEntry.objects.filter(
        actor_id=org.unit_head.pk, object_type="controls.queue.decision_above_limit"
    ).exists()


def test_each_change_is_signed_off_once(client, org, changes):
    client.force_login(org.unit_head)
    for kind, object_id in changes.items():
        response = client.post("/api/v1/review-queue/sign-off/",
                               {"kind": kind, "object_id": object_id, "note": "Granskad"},
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 201, response.content
        again = client.post("/api/v1/review-queue/sign-off/", {"kind": kind, "object_id": object_id},
                            content_type="application/json")  # fmt: skip
        assert again.status_code == 400 and again.json()["error"]["code"] == "already_signed"
    assert QueueSignoff.objects.count() == 4
    assert all(r["signed_by"] == "unithead" for r in _queue(client))


def test_nobody_signs_off_their_own_change(org, changes, monkeypatch):
    # a change the unit head made (through a source of the test's own: the unit head makes
    # none of payments' changes in this world)
    def get(unit_id, object_id):
        return QueueItem("own_kind", object_id, unit_id, None, "Egen ändring",
                         made_by_ids=(org.unit_head.pk,))  # fmt: skip

    monkeypatch.setitem(review_queue.SOURCES, "own_kind",
                        QueueSource("own_kind", "Test", lambda u, s: [], get))  # fmt: skip
    with pytest.raises(PermissionRefused) as error:
        services.sign_off_queue_item(org.unit_head, "own_kind", 1)
    assert error.value.code == "own_change"
    assert not QueueSignoff.objects.exists()


def test_the_cash_order_is_not_signed_off_by_its_registrar(org, world, changes):  # noqa: F811
    # the registrar is no unit head: refused by role before anything else
    with pytest.raises(PermissionRefused):
        services.sign_off_queue_item(world.registrar, "manual_payment", changes["manual_payment"])
    item = review_queue.SOURCES["manual_payment"].get(org.unit.pk, changes["manual_payment"])
    assert world.registrar.pk in item.made_by_ids


def test_other_roles_and_other_ids_are_refused(client, org, changes):
    for user in (org.social_worker, org.finance, org.reception, org.sysadmin, org.fraud):
        with pytest.raises(PermissionRefused):
            services.sign_off_queue_item(user, "requisition", changes["requisition"])
        client.force_login(user)
        assert client.get("/api/v1/review-queue/").status_code == 403
    with pytest.raises(NotFound):
        services.sign_off_queue_item(org.unit_head, "requisition", changes["manual_payment"])
    with pytest.raises(NotFound):
        services.sign_off_queue_item(org.unit_head, "no_such_kind", 1)
    with pytest.raises(DomainError):
        services.sign_off_queue_item(org.unit_head, "requisition", 987654)
    assert not QueueSignoff.objects.exists()


def test_signing_off_through_the_page(client, org, changes):
    client.force_login(org.unit_head)
    response = client.post(reverse("controls:review_queue"), {
        "kind": "payee_account", "object_id": changes["payee_account"], "note": "Kontrollerat",
    })  # fmt: skip
    assert response.status_code == 302
    signoff = QueueSignoff.objects.get()
    assert signoff.signed_by == org.unit_head and signoff.note == "Kontrollerat"
    page = client.get(reverse("controls:review_queue") + "?from=2026-01-01").content.decode()
    assert "Signerad" in page
    client.post(reverse("controls:review_queue"), {
        "kind": "payee_account", "object_id": changes["payee_account"],
    })  # fmt: skip
    assert QueueSignoff.objects.count() == 1


def test_another_units_head_cannot_sign_off(org, changes):
    from tests.factories import UnitFactory, UserFactory

    other_head = UserFactory(username="otherhead", role="unit_head", unit=UnitFactory())
    for kind, object_id in changes.items():
        with pytest.raises(NotFound):
            services.sign_off_queue_item(other_head, kind, object_id)
