"""A decision without its required checks is refused through the UI, the API, the batch
command and the automatic path; with the checks on record it goes through, and the decision
and its letter list the sources consulted."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from bistand.controls import services as control_services
from bistand.controls.models import DecisionCheckUse
from bistand.core.errors import DomainError
from bistand.decisions import services
from bistand.decisions.letters import letter_text
from bistand.decisions.models import Decision
from tests.decisions.conftest import decide, obstacles_for, saved_calculation
from tests.decisions.test_repeat import c_case_repeat  # noqa: F401 - fixture

from .conftest import check, require_checks

MONTH = dt.date(2026, 11, 1)
INCOME = [{"type": "unemployment_benefit", "amount": "8000.00"}]


def test_no_requirement_means_no_check_is_needed(org, make_application):
    decision = decide(org.social_worker, make_application(MONTH))
    assert decision.status == "final"
    assert not DecisionCheckUse.objects.exists()


def test_service_refuses_a_decision_without_its_checks_then_allows_it(org, make_application):
    require_checks(org)
    application = make_application(MONTH)
    calculation = saved_calculation(org.social_worker, application)
    with pytest.raises(DomainError) as error:
        decide(org.social_worker, application, calculation)
    assert error.value.code == "register_checks_missing"
    assert "Skatteverket för Tolvan Tolvansson" in error.value.message
    assert not Decision.objects.filter(application=application).exists()

    made = check(org.social_worker, application)
    decision = decide(org.social_worker, application, calculation)
    assert decision.status == "final"
    assert list(DecisionCheckUse.objects.filter(decision_id=decision.pk).values_list(
        "check_record_id", flat=True)) == [made.pk]  # fmt: skip
    text = letter_text(bytes(decision.letter.pdf))
    assert "Inför beslutet har vi kontrollerat uppgifter hos: Skatteverket (2026-11)" in text


def test_a_check_for_another_month_or_source_does_not_count(org, make_application):
    require_checks(org, sources=("skatteverket", "forsakringskassan"))
    application = make_application(MONTH)
    check(org.social_worker, application, period_from=dt.date(2026, 9, 1),
          period_to=dt.date(2026, 10, 1))  # fmt: skip
    check(org.social_worker, application, source="csn")
    with pytest.raises(DomainError) as error:
        decide(org.social_worker, application)
    assert "Skatteverket" in error.value.message and "Försäkringskassan" in error.value.message


def test_requirement_every_three_months_accepts_a_recent_check(org, make_application):
    control_services.set_check_requirements(
        org.unit_head, org.unit, valid_from=dt.date(2020, 1, 1),
        requirements=[{"decision_kind": "new", "source": "csn", "every_months": 3}],
    )  # fmt: skip
    application = make_application(MONTH)
    check(org.social_worker, application, source="csn", period_from=dt.date(2026, 9, 1),
          period_to=dt.date(2026, 9, 1))  # fmt: skip
    assert decide(org.social_worker, application).status == "final"


def test_requirement_applies_from_its_month_and_to_its_case_types(org, make_application):
    require_checks(org, valid_from=dt.date(2026, 12, 1))
    assert decide(org.social_worker, make_application(MONTH)).status == "final"
    require_checks(org, valid_from=dt.date(2026, 11, 1), case_types="C")
    # A (the social worker's type) is not C: nothing required.
    application = make_application(MONTH, adult="199811022384", case_type="A")
    assert decide(org.social_worker, application).status == "final"


def test_a_discrepancy_must_be_assessed_before_the_decision(org, make_application):
    require_checks(org, sources=("akassa",))
    application = make_application(MONTH, stated_incomes=INCOME)
    made = check(org.social_worker, application, source="akassa",
                 client=_client_saying("akassa", "unemployment_benefit", "12000.00"))  # fmt: skip
    assert made.discrepancy
    row = next(r for r in made.comparison if r["differs"])
    assert "8\u00a0000,00" in row["stated"] and "12\u00a0000,00" in row["register"]
    with pytest.raises(DomainError) as error:
        decide(org.social_worker, application)
    assert "måste bedömas" in error.value.message
    with pytest.raises(DomainError):
        control_services.assess_check(org.social_worker, made, assessment="explained", note="")
    control_services.assess_check(
        org.social_worker, made, assessment="explained", note="Retroaktiv utbetalning för oktober."
    )
    assert decide(org.social_worker, application).status == "final"
    with pytest.raises(DomainError):
        control_services.assess_check(org.social_worker, made, assessment="action", note="x")


def _client_saying(source, kind, amount):
    import json

    from bistand.controls.simulator import SimulatedRegister

    from .conftest import ScriptedClient

    def reply(request):
        body = SimulatedRegister().reply(request)
        body["items"] = [{"month": f"{request.period_to:%Y-%m}", "kind": kind,
                          "payer": "Arbetslöshetskassan Alfa", "amount": amount}]  # fmt: skip
        body["status"] = "ok"
        return json.dumps(body).encode()

    return ScriptedClient(reply=reply)


def test_the_ui_refuses_and_shows_what_is_missing_then_decides(org, make_application, logged_in):
    require_checks(org)
    application = make_application(MONTH)
    calculation = saved_calculation(org.social_worker, application)
    client = logged_in(org.social_worker)
    url = f"/beslut/ansokan/{application.pk}/besluta/?calculation={calculation.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert b'data-testid="decision-checks-blocking"' in page.content
    form = {
        "calculation": calculation.pk,
        "action": "decide",
        "confirmed": "1",
        "line-0-outcome": "granted",
        "line-0-amount": "",
        "line-0-reasons": "",
        "line-0-ground": "",
        "reasons": "",
    }
    person = next(iter(obstacles_for(calculation)))
    form[f"obstacle-{person}"] = "unemployed_no_benefit"
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "Kontroller som krävs innan beslut saknas" in refused.content.decode()
    assert not Decision.objects.filter(application=application).exists()

    response = client.post(
        f"/kontroll/arende/{application.case_id}/register/",
        {"person": person, "source": "skatteverket", "period_from": "2026-11",
         "period_to": "2026-11", "application": application.pk},
    )  # fmt: skip
    assert response.status_code == 302
    case_page = client.get(f"/arende/{application.case_id}/")
    assert b'data-testid="checks-panel"' in case_page.content
    done = client.post(url, form)
    assert done.status_code == 302, done.content.decode()[:2000]
    assert Decision.objects.get(application=application).status == "final"


def test_the_api_refuses_and_then_decides(org, make_application):
    from tests.decisions.test_api import _calculate, _decision_body, client_for

    require_checks(org)
    application = make_application(MONTH)
    client = client_for(org.social_worker)
    calculation = _calculate(client, application)
    body = _decision_body(client, application, calculation)
    refused = client.post("/api/v1/decisions/", body, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["error"]["code"] == "register_checks_missing"
    assert not Decision.objects.exists()

    status = client.get(f"/api/v1/register-checks/status/?application={application.pk}").json()
    assert status["ok"] is False and status["missing"]
    person = next(m["person_id"] for m in calculation["members"] if m["role"] == "applicant")
    made = client.post(
        "/api/v1/register-checks/",
        {"case": application.case_id, "person": person, "source": "skatteverket",
         "period_from": "2026-11", "period_to": "2026-11", "application": application.pk},
        format="json",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    assert made.json()["answer"]["source"] == "skatteverket"
    listed = client.get(f"/api/v1/register-checks/?case={application.case_id}").json()
    assert [c["id"] for c in listed] == [made.json()["id"]]
    done = client.post("/api/v1/decisions/", body, format="json")
    assert done.status_code == 201, done.content


def test_the_batch_command_does_not_prepare_without_checks(org, c_case_repeat, this_month):  # noqa: F811
    application = c_case_repeat()
    require_checks(org, valid_from=this_month, kinds=("repeat",))
    out = io.StringIO()
    call_command("decide-batch", "--month", f"{this_month:%Y-%m}", "--dry-run", "-v", "2",
                 stdout=out)  # fmt: skip
    assert "KAN INTE" in out.getvalue() and "Kontroller som krävs" in out.getvalue()
    call_command("decide-batch", "--month", f"{this_month:%Y-%m}", "--user", "labourhead",
                 stdout=io.StringIO())  # fmt: skip
    assert not Decision.objects.filter(application=application).exists()
    with pytest.raises(DomainError):
        services.prepare_repeat_decision(org.benefit_admin, application)

    check(org.benefit_admin, application)
    out = io.StringIO()
    call_command("decide-batch", "--month", f"{this_month:%Y-%m}", "--user", "labourhead",
                 stdout=out)  # fmt: skip
    assert "FÖRBERETT" in out.getvalue()
    prepared = Decision.objects.get(application=application, status="prepared")
    final = services.decide_draft(org.benefit_admin, prepared)
    assert DecisionCheckUse.objects.filter(decision_id=final.pk).count() == 1


def _automatic_unit(org):
    services.change_decision_settings(
        org.sysadmin, org.unit, automatic_repeat_decisions=True,
        cost_tolerance_percent=Decimal("5"), cost_tolerance_amount=Decimal("200"),
        income_tolerance_percent=Decimal("5"), income_tolerance_amount=Decimal("200"),
        review_sample_size=1,
    )  # fmt: skip
    guideline = services.set_local_guidelines(
        org.sysadmin, org.unit, valid_from=dt.date(2020, 1, 1), name="Riktlinjer",
        rent_ceilings={"1": "8000"},
    )  # fmt: skip
    services.verify_local_guidelines(org.unit_head, guideline)


def test_the_automatic_path_needs_checks_and_no_unexplained_discrepancy(org, c_case_repeat):  # noqa: F811
    _automatic_unit(org)
    months = (dt.date(2023, 4, 1), dt.date(2023, 5, 1))  # a verified norm year
    require_checks(org, valid_from=months[1], kinds=("automatic",), sources=("akassa",))
    application = c_case_repeat(months=months)
    report = services.run_decide_batch(org.unit_head, months[1], dry_run=False)
    assert not any(row.decision for row in report.rows)
    assert not Decision.objects.filter(application=application).exists()

    made = check(org.benefit_admin, application, source="akassa",
                 client=_client_saying("akassa", "unemployment_benefit", "3000.00"))  # fmt: skip
    control_services.assess_check(org.benefit_admin, made, assessment="action",
                                  note="Inkomst som inte uppgetts; utreds.")  # fmt: skip
    report = services.run_decide_batch(org.unit_head, months[1], dry_run=False)
    assert not Decision.objects.filter(application=application).exists()  # never automatic
    failed = {c["code"] for c in repeat_assess_failed(application)}
    assert failed == {"register_checks"}

    # A second application with an explained answer goes through automatically.
    other = c_case_repeat(adult="199109202383", months=months)
    made = check(org.benefit_admin, other, source="akassa")
    if made.discrepancy:
        control_services.assess_check(org.benefit_admin, made, assessment="explained", note="OK")
    report = services.run_decide_batch(org.unit_head, months[1], dry_run=False)
    decision = Decision.objects.get(application=other)
    assert decision.automatic and decision.status == "final"
    assert DecisionCheckUse.objects.filter(decision_id=decision.pk).exists()
    assert "a-kassan (2023-05)" in letter_text(bytes(decision.letter.pdf))


def repeat_assess_failed(application):
    from bistand.decisions import repeat

    application.refresh_from_db()
    return [c.as_dict() for c in repeat.assess(application, automatic=True).failed]
