"""The controller (internkontrollant, issue #12): internal control without case work. Draws and
follows the sample, reviews drawn decisions, signs off the review queue, reads the yearly report
and the control runs' flag list; never handles a case, decides, attests, pays or sees a FUT
investigation; and the same person in two roles never signs off or reviews their own change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.controls import fut, runs
from bistand.controls import sample_services as services
from bistand.controls.models import ControlFlag, FlagStatus, FraudInvestigation
from bistand.controls.sample_models import (
    ActionStatus,
    ChecklistPoint,
    CorrectiveAction,
    QueueSignoff,
    SampleDraw,
)
from bistand.core.errors import DomainError, PermissionRefused
from bistand.organisation.models import Role
from bistand.payments import services as payment_services
from bistand.payments.models import PaymentMethod
from tests.factories import UnitFactory, UserFactory
from tests.payments.conftest import HANDELSBANKEN, world  # noqa: F401 - shared fixture

from .fut_world import ControlWorld
from .test_sample_review import OCTOBER, october  # noqa: F401 - shared fixture

ANSWERS = {point.value: "yes" for point in ChecklistPoint}


def _to_controller(user):
    """The same person, now holding the unit's controller role."""
    user.role, user.section = Role.CONTROLLER, None
    user.save()
    return user


# --- what the controller does ------------------------------------------------------------------


def test_the_controller_draws_reviews_follows_up_and_reads_the_report(client, org, october):  # noqa: F811
    client.force_login(org.controller)
    response = client.post(reverse("controls:samples"), {
        "month": "2026-10", "seed": "777", "size": "4", "reviewer": org.controller.pk,
    })  # fmt: skip
    draw = SampleDraw.objects.get()
    assert response.status_code == 302 and draw.drawn_by == org.controller
    assert draw.excluded_ids == []  # a controller decides nothing: nothing of theirs to leave out
    assert all(item.reviewer == org.controller for item in draw.items.all())
    assert client.get(reverse("controls:sample", args=[draw.pk])).status_code == 200

    item = draw.items.first()
    answers = {f"answer_{point}": "yes" for point in ANSWERS}
    answers |= {"answer_calculation": "no", "comment_calculation": "Fel boendekostnad."}
    assert client.get(reverse("controls:review", args=[item.pk])).status_code == 200
    client.post(reverse("controls:review", args=[item.pk]), answers)
    item.refresh_from_db()
    assert item.reviewed and item.answers["calculation"] == "no"
    assert AccessLogEntry.objects.filter(
        actor_id=org.controller.pk, object_type="controls.sampleitem", case_id=item.case_id
    ).exists()

    finding = item.findings.get()
    client.post(reverse("controls:add_action", args=[finding.pk]), {
        "description": "Gå igenom boendekostnaderna på APT.",
        "owner": org.labour_head.pk, "due_on": "2026-12-20",
    })  # fmt: skip
    action = CorrectiveAction.objects.get()
    assert action.owner == org.labour_head and action.status == ActionStatus.OPEN
    assert "Gå igenom boendekostnaderna" in client.get(reverse("controls:samples")).content.decode()

    report = client.get(reverse("controls:sample_report", args=[2026]))
    assert report.status_code == 200 and "Fel boendekostnad." in report.content.decode()
    pdf = client.get(reverse("controls:sample_report_pdf", args=[2026]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/api/v1/sample-draws/").status_code == 200


def test_the_controller_signs_off_the_review_queue(client, org, world):  # noqa: F811
    payment_services.change_payee_account(
        org.finance, world.applicant_payee, account_kind="bank_account",
        clearing=HANDELSBANKEN[0], number=HANDELSBANKEN[1], reason="Ny bank",
    )  # fmt: skip
    cash = world.order(PaymentMethod.CASH, "500")
    client.force_login(org.controller)
    rows = client.get("/api/v1/review-queue/?from=2026-01-01").json()
    assert {"payee_account", "manual_payment", "decision_above_limit"} <= {r["kind"] for r in rows}
    response = client.post("/api/v1/review-queue/sign-off/",
                           {"kind": "manual_payment", "object_id": cash.pk, "note": "Kvitto finns"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert QueueSignoff.objects.get().signed_by == org.controller
    page = client.get(reverse("controls:review_queue") + "?from=2026-01-01")
    assert page.status_code == 200 and "Signerad" in page.content.decode()


def test_the_controller_reads_the_flag_list_but_nothing_behind_it(client, org):
    control_world = ControlWorld(org, clean=0)
    runs.run_controls(None, control_world.today, unit_id=org.unit.pk)
    flag = ControlFlag.objects.get(rule="income_not_counted")
    secret = "Misstänkt oredovisad lön"
    investigation = fut.start_investigation(
        org.fraud, flag=ControlFlag.objects.get(rule="duplicate_invoice"), suspicion=secret
    )
    client.force_login(org.controller)
    page = client.get(reverse("controls:fut_queue"))
    body = page.content.decode()
    assert page.status_code == 200 and flag.reference in body
    assert 'data-testid="fut-read-only"' in body
    assert reverse("controls:fut_flag", args=[flag.pk]) not in body  # no way to the evidence
    assert reverse("controls:fut_run") not in body
    assert AccessLogEntry.objects.filter(
        actor_id=org.controller.pk, action=AuditAction.SEARCH, object_type="controls.controlflag"
    ).exists()
    refused = [
        ("get", reverse("controls:fut_flag", args=[flag.pk]), {}),
        ("post", reverse("controls:fut_dismiss", args=[flag.pk]), {"reason": "Inget fel"}),
        ("post", reverse("controls:fut_investigate", args=[flag.pk]), {"suspicion": "x"}),
        ("post", reverse("controls:fut_run"), {"run_on": "2026-11-01"}),
        ("get", reverse("controls:fut_investigations"), {}),
        ("get", reverse("controls:fut_investigation", args=[investigation.pk]), {}),
        ("get", "/api/v1/control-runs/", {}),
        ("get", "/api/v1/control-flags/", {}),
        ("get", f"/api/v1/control-flags/{flag.pk}/", {}),
        ("get", f"/api/v1/fraud-investigations/{investigation.pk}/", {}),
    ]
    for method, url, data in refused:
        response = getattr(client, method)(url, data)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert secret not in response.content.decode()
    with pytest.raises(PermissionRefused):
        fut.open_investigation(org.controller, investigation.pk)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN and FraudInvestigation.objects.count() == 1


def test_the_controller_handles_no_case_decides_attests_or_pays(client, org, world):  # noqa: F811
    controller = org.controller
    client.force_login(controller)
    case = world.case
    # the case page answers as a missing case (no emergency access offered: 404, as finance)
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get("/api/v1/cases/").json() in ([], {"count": 0, "next": None,
                                                       "previous": None, "results": []})  # fmt: skip
    assert client.get(reverse("search") + "?q=Tolvan").status_code == 403
    assert client.get(reverse("inbox")).status_code == 403
    order = world.order(amount="700")
    with pytest.raises(PermissionRefused):
        payment_services.attest_order(controller, order)
    with pytest.raises(PermissionRefused):
        world.order(PaymentMethod.CASH, "100", by=controller)
    with pytest.raises(PermissionRefused):
        payment_services.record_manual_payment(controller, order, note="Kvitto")
    response = client.post(f"/api/v1/payment-orders/{order.pk}/attest/", {},
                           content_type="application/json")  # fmt: skip
    assert response.status_code in (403, 404)
    order.refresh_from_db()
    assert order.status == "registered"


# --- the same person in two roles ------------------------------------------------------------


def test_the_same_person_in_two_roles_never_signs_off_their_own_change(org, world):  # noqa: F811
    """Finance changed a payee's account; the same person, now the controller, may not sign
    it off. Nor may the decider of a decision above the amount limit."""
    account = payment_services.change_payee_account(
        org.finance, world.applicant_payee, account_kind="bank_account",
        clearing=HANDELSBANKEN[0], number=HANDELSBANKEN[1], reason="Ny bank",
    )  # fmt: skip
    decider = world.decision.decided_by
    for person, kind, object_id in (
        (org.finance, "payee_account", account.pk),
        (decider, "decision_above_limit", world.decision.pk),
    ):
        _to_controller(person)
        with pytest.raises(PermissionRefused) as error:
            services.sign_off_queue_item(person, kind, object_id)
        assert error.value.code == "own_change"
    assert not QueueSignoff.objects.exists()
    services.sign_off_queue_item(org.controller, "payee_account", account.pk)
    assert QueueSignoff.objects.get().signed_by == org.controller


def test_the_same_person_in_two_roles_never_reviews_their_own_decision(org, october):  # noqa: F811
    """A social worker who decided in October and is the unit's controller now: the draw leaves
    their decisions out when they are named, and they are never assigned one of them."""
    former_decider = _to_controller(org.social_worker)
    own = {d.pk for d in october if d.decided_by_id == former_decider.pk}
    draw = services.draw_sample(
        org.controller, org.unit, OCTOBER, seed=11, size=4, reviewer=former_decider
    )
    assert set(draw.excluded_ids) == own and set(draw.drawn_ids).isdisjoint(own)
    assert all(item.reviewer == former_decider for item in draw.items.all())
    # a draw without a named reviewer holds their decisions; they cannot take one of them
    other = services.redraw_sample(org.controller, draw, reason="Ny granskare", seed=11, size=4)
    theirs = other.items.filter(decided_by_id=former_decider.pk).first()
    assert theirs is not None
    with pytest.raises(DomainError) as error:
        services.assign_reviewer(org.controller, theirs, former_decider)
    assert error.value.code == "reviewer_is_decider"
    services.assign_reviewer(org.controller, theirs, org.labour_head)
    with pytest.raises(DomainError):
        services.record_review(former_decider, theirs, answers=ANSWERS)
    assert not theirs.__class__.objects.filter(pk=theirs.pk, reviewed_at__isnull=False).exists()


def test_another_units_controller_sees_nothing(client, org, october):  # noqa: F811
    draw = services.draw_sample(org.controller, org.unit, OCTOBER, seed=5, size=2)
    other = UserFactory(username="controller2", role=Role.CONTROLLER, unit=UnitFactory())
    client.force_login(other)
    assert client.get(reverse("controls:sample", args=[draw.pk])).status_code == 404
    assert client.get(reverse("controls:review", args=[draw.items.first().pk])).status_code == 404
    assert client.get("/api/v1/review-queue/?from=2026-01-01").json() == []
