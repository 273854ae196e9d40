"""The world the role × URL matrix runs in, built once per module through the services.

One unit with two sections: A (Arbetsmarknad, `org.labour`) holds staff of every case role and
case A; B (Mottagning, `org.intake`) holds case B. Each case is decided, so every kind of
object a URL names exists once per section; the section-B objects are "the other section's
ids". The two clients have names and identity numbers found nowhere else in the world, so a
page that leaks one is caught by a plain substring search.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bistand.activity import services as activity_services
from bistand.activity import services_attendance as activity_attendance
from bistand.activity import services_followup as activity_followup
from bistand.activity import services_places as activity_places
from bistand.activity.models import Placement
from bistand.cases import protection
from bistand.cases import services as case_services
from bistand.cases.models import JournalKind
from bistand.controls import fut, recovery, sample_services
from bistand.controls import services as control_services
from bistand.controls.models import Assessment, ControlFlag, ControlRule
from bistand.controls.sample_models import MAX_SAMPLE_SIZE, Answer, ChecklistPoint
from bistand.core.dates import add_months
from bistand.decisions import services as decision_services
from bistand.decisions.models import AutomaticDecisionReview
from bistand.households.services import MemberInput, register_household
from bistand.norms.models import LegalParameter, LegalPeriod, NormTableVersion
from bistand.organisation.models import Role
from bistand.payments import services as payment_services
from bistand.payments.models import PaymentMethod
from bistand.workplans import services as plan_services
from bistand.workplans.models import Deviation, DeviationKind, InterventionTarget
from tests.conftest import Org
from tests.decisions.conftest import clock
from tests.factories import ADULT_NUMBERS, UserFactory
from tests.files import pdf_bytes
from tests.payments.conftest import World, decide_as_proposed, sign_investigation
from tests.workplans.conftest import make_plan


@dataclass(frozen=True)
class KnownClient:
    """A client whose name and identity number must not reach a page they do not belong on."""

    first_name: str
    last_name: str
    identity_number: str  # 12 digits

    @property
    def leaks(self) -> list[str]:
        """Every form the client could be shown in: the name, and the number with and without
        century and hyphen."""
        number = self.identity_number
        return [
            f"{self.first_name} {self.last_name}",
            self.last_name,
            number,
            f"{number[:8]}-{number[8:]}",
            number[2:],
            f"{number[2:8]}-{number[8:]}",
        ]


CLIENT_A = KnownClient("Aurora", "Alfadottir", ADULT_NUMBERS[2])
CLIENT_B = KnownClient("Bertil", "Betasson", ADULT_NUMBERS[3])


@dataclass
class SectionObjects:
    """Every object of one section a URL can name."""

    client: KnownClient
    case: object = None
    household: object = None
    person: object = None
    application: object = None
    entry: object = None
    document: object = None
    calculation: object = None
    decision: object = None
    appeal: object = None
    review: object = None
    plan_version: object = None
    follow_up: object = None
    intervention: object = None
    deviation: object = None
    check: object = None
    order: object = None
    payee: object = None
    handler: object = None
    extra: dict = field(default_factory=dict)


# An object of the unit, not of a section: the URL is tried with section A's only.
NO_SECTION = object()


class MatrixWorld(World):
    """The payments tests' world (settings, accounts, payees, the broken chain) with the
    matrix's two sections."""

    def __init__(self, org: Org, files: Path):
        self.files = files
        self.org = org
        # Section A's reception (the `org` fixture's reception works in the intake section).
        self.reception_a = UserFactory(
            username="reception_a", role=Role.RECEPTION, unit=org.unit, section=org.labour
        )
        super().__init__(org, adult=CLIENT_A.identity_number, with_payees=True)
        self.a = self.section_a()
        self.b = self.section_b()
        self.staff = {
            Role.RECEPTION.value: self.reception_a,
            Role.SOCIAL_WORKER.value: org.other_social_worker,  # holds case A
            Role.BENEFIT_ADMINISTRATOR.value: org.benefit_admin,
            Role.SECTION_HEAD.value: org.labour_head,
            Role.UNIT_HEAD.value: org.unit_head,
            Role.FRAUD_INVESTIGATOR.value: org.fraud,
            Role.FINANCE.value: org.finance,
            Role.SYSTEM_ADMIN.value: org.sysadmin,  # not a superuser
            Role.CONTROLLER.value: org.controller,  # internal control, no section
            # coordinates section A's activity (not B's): attendance only, no case
            Role.ACTIVITY_COORDINATOR.value: self.coordinator("a"),
        }
        assert not any(user.is_superuser or user.is_staff for user in self.staff.values())
        self.norm_table = NormTableVersion.objects.order_by("pk").first()
        self.parameter = LegalParameter.objects.order_by("pk").first()
        # Emergency access taken by someone outside the matrix's roles, for the review page.
        outsider = UserFactory(
            username="reception_b", role=Role.RECEPTION, unit=org.unit, section=org.intake
        )
        self.emergency = case_services.take_emergency_access(
            outsider, self.a.case, "Klienten ringde, handläggaren sjuk."
        )
        self.review_month = timezone.localdate().strftime("%Y-%m")
        self.legal_period = LegalPeriod.objects.order_by("pk").first()
        self._controls()

    # --- controls: sample review, recovery, FUT ------------------------------------------

    def _controls(self) -> None:
        """A sample draw of this month (drawn once the month is over) with a reviewed item,
        a finding and a corrective action per section; an incorrect payment with a recovery
        claim per section; a control run, a flag and a fraud investigation per section."""
        org = self.org
        self.sample_year = self.month.year
        with clock(add_months(self.month, 1) + dt.timedelta(days=1)):
            draw = sample_services.draw_sample(
                org.unit_head, org.unit, self.month, seed=1, size=MAX_SAMPLE_SIZE
            )
        self.a.extra["draw"] = draw
        self.b.extra["draw"] = NO_SECTION
        reviewers = {
            "a": (org.benefit_admin, org.labour_head),
            "b": (org.intake_head, org.intake_head),
        }
        for key, objects in (("a", self.a), ("b", self.b)):
            reviewer, owner = reviewers[key]
            item = draw.items.get(decision_id=objects.decision.pk)
            sample_services.assign_reviewer(org.unit_head, item, reviewer)
            answers = {point.value: Answer.YES for point in ChecklistPoint}
            answers[ChecklistPoint.DOCUMENTATION.value] = Answer.NO
            item = sample_services.record_review(
                reviewer,
                item,
                answers=answers,
                comments={ChecklistPoint.DOCUMENTATION.value: "Journalen saknar samtalet."},
            )
            finding = item.findings.get()
            objects.extra["item"] = item
            objects.extra["finding"] = finding
            objects.extra["action"] = sample_services.add_corrective_action(
                org.unit_head,
                finding,
                description="Genomgång av journalföring på APT.",
                owner=owner,
                due_on=timezone.localdate() + dt.timedelta(days=30),
            )
        # Incorrect payments and recovery claims (docs/recovery.md).
        for objects, decider in ((self.a, org.labour_head), (self.b, org.intake_head)):
            payment = recovery.register_incorrect_payment(
                objects.handler,
                objects.case,
                cause="wrong_information",
                amount="3000.00",
                period_from=self.month,
                period_to=self.month,
                description="Lön från Lagerhuset AB redovisades inte.",
            )
            objects.extra["incorrect_payment"] = payment
            objects.extra["claim"] = recovery.decide_recovery(
                decider,
                payment,
                amount=payment.amount,
                ground="incorrect_statement",
                reasoning="Inkomsten skulle ha redovisats i ansökan.",
                plan="deduction",
                monthly_amount="1000.00",
                # From next month: this month's orders are registered already, and a deduction
                # plan is refused while orders it would reduce wait (docs/recovery.md).
                first_month=add_months(self.month, 1),
                minimum_left="5000.00",
                consent_on=timezone.localdate(),
            )
            objects.extra["write_off"] = recovery.write_off(
                decider, objects.extra["claim"], amount="500.00", reason="Saknar betalningsförmåga."
            )
        # The FUT queue: a run, a flag per section's case (a run finds flags from data shapes
        # the services refuse to make, so the flags are written as a run would write them),
        # and an investigation per section opened on a tip.
        run = fut.start_run(org.fraud, timezone.localdate())
        self.a.extra["control_run"] = run
        self.b.extra["control_run"] = NO_SECTION
        for objects in (self.a, self.b):
            objects.extra["flag"] = ControlFlag.objects.create(
                rule=ControlRule.values[0],
                key=f"matrix-{objects.case.pk}",
                unit=org.unit,
                case=objects.case,
                person=objects.person,
                month=self.month,
                amount="3000.00",
                summary="Inkomst som inte räknats i beräkningen.",
                first_run=run,
                found_on=timezone.localdate(),
            )
            investigation = fut.start_investigation(
                org.fraud,
                suspicion="Misstänkt oredovisad lön.",
                case=objects.case,
                person=objects.person,
            )
            fut.add_note(org.fraud, investigation, text="Begärt kontoutdrag.")
            objects.extra["investigation"] = investigation

    # --- World hooks -------------------------------------------------------------------

    def decided_case(self, adult: str, *, decider=None):
        """Case A: registered by reception, investigated in intake, moved to section A and
        decided there by its social worker (as the payments tests' case)."""
        org = self.org
        household = _household(org.reception, CLIENT_A)
        application = case_services.register_application(
            org.reception,
            household,
            kind="new",
            month=self.month,
            stated_costs=[
                {"type": "rent", "amount": "6500.00"},
                {"type": "glasses", "amount": "1800.00"},
            ],
        )
        case = application.case
        case_services.take_case(org.social_worker, case)
        sign_investigation(org.social_worker, case)
        case_services.reassign_case(
            org.unit_head,
            case,
            handler=org.other_social_worker,
            section=org.labour,
            case_type="A",
            reason="Arbetsmarknadsinriktat",
        )
        application.refresh_from_db()
        decision = decide_as_proposed(org.other_social_worker, application)
        case.refresh_from_db()
        return case, decision

    # --- the two sections ----------------------------------------------------------------

    def section_a(self) -> SectionObjects:
        org = self.org
        handler = org.other_social_worker
        objects = SectionObjects(CLIENT_A, case=self.case, decision=self.decision, handler=handler)
        self._case_objects(objects, handler)
        objects.payee = self.applicant_payee
        objects.order = self.attested()
        run = payment_services.build_run(
            org.finance, self.pay_day, out_path=str(self.files / "run-a.xml")
        )
        objects.extra["run"] = run.run
        objects.extra["unattested_order"] = self.order()
        objects.extra["requisition"] = self.order(PaymentMethod.REQUISITION, "500.00")
        # Protected identity marked and removed again (the case stays ordinary), and a named
        # colleague: the ids the protection pages take.
        marking = protection.mark_protected_identity(
            org.unit_head,
            self.case,
            objects.person,
            kind="confidentiality_marking",
            registered_on=timezone.localdate(),
        )
        protection.remove_protected_identity(
            org.unit_head, self.case, marking, reason="Skyddet har upphört."
        )
        objects.extra["marking"] = marking
        objects.extra["authorisation"] = protection.authorise_staff(
            org.unit_head, self.case, org.social_worker
        )
        return objects

    def coordinator(self, section: str):
        """The activity coordinator of each section's activity (made once)."""
        made = self.__dict__.setdefault("_coordinators", {})
        if section not in made:
            made[section] = UserFactory(
                username=f"coordinator_{section}",
                role=Role.ACTIVITY_COORDINATOR,
                unit=self.org.unit,
            )
        return made[section]

    def _activity_objects(self, objects: SectionObjects, handler) -> None:
        """An activity per section, coordinated by that section's coordinator, the client
        placed in it and an unexcused absence last week (the activity pages' ids)."""
        section = "a" if objects.client is CLIENT_A else "b"
        today = timezone.localdate()
        activity = activity_places.create_activity(
            self.org.unit_head,
            name=f"Jobbtorg {section.upper()}",
            provider="Arbetsmarknadsenheten",
            places=5,
            hours_per_week=Decimal("20"),
            starts_on=today - dt.timedelta(days=60),
            coordinator_ids=[self.coordinator(section).pk],
        )
        placement = activity_places.assign_to_activity(
            handler, objects.case, person_id=objects.person.pk, activity=activity, today=today
        )
        monday = activity_attendance.week_monday(today) - dt.timedelta(days=7)
        Placement.objects.filter(pk=placement.pk).update(placed_on=monday - dt.timedelta(days=7))
        placement.refresh_from_db()
        objects.extra["activity"] = activity
        objects.extra["placement"] = placement
        objects.extra["attendance"] = activity_attendance.record_attendance(
            self.coordinator(section), placement, week=monday, status="unexcused", today=today
        )
        objects.extra["activity_plan"] = activity_followup.record_activity_plan(
            handler,
            objects.case,
            person_id=objects.person.pk,
            goals="Arbete inom handeln",
            follow_up_on=today + dt.timedelta(days=30),
            placement_ids=[placement.pk],
            today=today,
        )

    def section_b(self) -> SectionObjects:
        org = self.org
        household = _household(org.reception, CLIENT_B)
        application = case_services.register_application(
            org.reception,
            household,
            kind="new",
            month=self.month,
            stated_costs=[{"type": "rent", "amount": "5900.00"}],
        )
        case = application.case
        case_services.take_case(org.social_worker, case)
        sign_investigation(org.social_worker, case)
        case_services.set_case_type(org.social_worker, case, "A")
        application.refresh_from_db()
        decision = decide_as_proposed(org.social_worker, application)
        case.refresh_from_db()
        objects = SectionObjects(CLIENT_B, case=case, decision=decision, handler=org.social_worker)
        self._case_objects(objects, org.social_worker)
        objects.payee = payment_services.register_person_payee(
            org.finance,
            identity_number=CLIENT_B.identity_number,
            clearing="6114",
            account_number="5171 82351",
        )
        return objects

    def _case_objects(self, objects: SectionObjects, handler) -> None:
        case = objects.case
        objects.household = case.household
        objects.person = case.household.applicant_on(timezone.localdate())
        objects.application = case.applications.order_by("pk").first()
        objects.calculation = objects.decision.calculation
        objects.entry = case_services.add_journal_entry(
            handler, case, text="Telefonsamtal med klienten.", kind=JournalKind.NOTE, sign=False
        )
        objects.document = case_services.upload_document(
            handler,
            case,
            SimpleUploadedFile("kontoutdrag.pdf", pdf_bytes(), content_type="application/pdf"),
            kind=_first_document_kind(),
            title="Kontoutdrag",
        )
        objects.appeal = decision_services.register_appeal(
            handler, objects.decision, received_on=timezone.localdate()
        )
        objects.review = AutomaticDecisionReview.objects.create(
            decision=objects.decision, unit=case.unit, sampled_on=timezone.localdate()
        )
        objects.plan_version = make_plan(handler, case)
        objects.follow_up = plan_services.record_follow_up(
            handler,
            case,
            held_on=timezone.localdate(),
            method="visit",
            outcome="Söker arbete enligt planen.",
            next_on=timezone.localdate() + dt.timedelta(days=30),
            next_method="visit",
        )
        objects.intervention = plan_services.refer(
            handler,
            case,
            person=objects.person,
            target=InterventionTarget.ARBETSFORMEDLINGEN,
            purpose="Kartläggning",
        )
        objects.extra["exemption"] = activity_services.record_exemption(
            handler,
            case,
            person_id=objects.person.pk,
            reason="full_time_work",
            evidence="Anställningsavtal",
            valid_from=timezone.localdate(),
            today=timezone.localdate(),
        )
        self._activity_objects(objects, handler)
        objects.deviation = Deviation.objects.create(
            case=case,
            plan=case.work_plan,
            kind=DeviationKind.MISSED_FOLLOW_UP,
            detected_on=timezone.localdate(),
        )
        objects.check = control_services.record_manual_check(
            handler,
            case,
            person=objects.person,
            source="bank_statement",
            period_from=objects.application.month,
            period_to=objects.application.month,
            found="Inga insättningar utöver lön.",
            discrepancy=False,
            assessment=Assessment.NO_DISCREPANCY,
        )


def _household(actor, client: KnownClient):
    return register_household(
        actor,
        [MemberInput(client.identity_number, client.first_name, client.last_name, "applicant")],
        address="Storgatan 1",
        postal_code="22100",
        city="Lund",
    )


def _first_document_kind() -> str:
    from bistand.cases.models import DocumentKind

    return DocumentKind.values[0]


def build(files: Path) -> MatrixWorld:
    return MatrixWorld(Org(), files)
