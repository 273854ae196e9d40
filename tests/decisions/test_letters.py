"""The decision letter, read back from the PDF: the decision, the calculation line by line,
the reasons, and the appeal instructions exactly when the decision goes against the applicant."""

import hashlib
from decimal import Decimal

from django.urls import reverse

from bistand.audit.models import AccessLogEntry
from bistand.decisions import services
from bistand.decisions.letters import letter_text

from .conftest import as_proposed, decide, obstacles_for, saved_calculation

APPEAL_MARKERS = ("Hur du överklagar", "förvaltningsrätten", "tre veckor")


def _text(decision) -> str:
    return " ".join(letter_text(bytes(decision.letter.pdf)).split())


def test_full_grant_letter_has_calculation_and_no_appeal_instructions(
    org, make_application, this_month
):
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "6500"}])
    decision = decide(org.social_worker, application)
    text = _text(decision)
    assert "Beslut om ekonomiskt bistånd" in text
    assert "Du får försörjningsstöd för november 2026 med 11 720,00 kr" in text
    assert "Personliga kostnader, ensamstående vuxen" in text
    assert "Gemensamma hushållskostnader, 1 person" in text
    assert "Boendekostnad (hyra eller avgift) 6 500,00 kr" in text
    assert "Ekonomiskt bistånd enligt beräkningen 11 720,00 kr" in text
    assert "12 kap. 1 § och 12 kap. 7 § socialtjänstlagen (2025:400)" in text
    assert "delegationsordning punkt 1.1" in text
    for marker in APPEAL_MARKERS:
        assert marker not in text
    assert not decision.letter.includes_appeal_instructions


def test_refusal_letter_has_reasons_and_appeal_instructions(org, make_application, this_month):
    application = make_application(this_month, stated_incomes=[{"type": "wages", "amount": "9000"}])
    calculation = saved_calculation(org.social_worker, application)
    decision = decide(org.social_worker, application, calculation)
    assert decision.outcome == "refused"
    text = _text(decision)
    assert "Vi avslår din ansökan om försörjningsstöd" in text
    assert "Hushållets inkomster (9 000,00 kr)" in text
    for marker in APPEAL_MARKERS:
        assert marker in text
    assert "Skicka eller lämna brevet till Socialnämnden i Lund" in text
    assert decision.letter.includes_appeal_instructions


def test_partial_grant_letter_has_appeal_instructions(org, make_application, this_month):
    application = make_application(this_month, stated_costs=[{"type": "glasses", "amount": "2500"}])
    calculation = saved_calculation(org.social_worker, application)
    decision = services.decide_application(
        org.social_worker,
        application,
        calculation=calculation,
        lines=as_proposed(
            calculation,
            **{
                "other_living:1": services.LineDecision(
                    "partly_granted",
                    Decimal("1500"),
                    "Glasögon beviljas upp till 1 500 kr.",
                    "above_guideline",
                )
            },
        ),  # fmt: skip
        support_obstacles=obstacles_for(calculation),
    )
    text = _text(decision)
    assert "Du får delvis bistånd till glasögon: 1 500,00 kr av sökta 2 500,00 kr" in text
    assert "Glasögon beviljas upp till 1 500 kr." in text
    for marker in APPEAL_MARKERS:
        assert marker in text


def test_letter_is_stored_once_with_its_hash_and_download_is_logged(
    client, org, make_application, this_month
):
    decision = decide(org.social_worker, make_application(this_month))
    pdf = bytes(decision.letter.pdf)
    assert pdf.startswith(b"%PDF")
    assert decision.letter.sha256 == hashlib.sha256(pdf).hexdigest()
    client.force_login(org.social_worker)
    response = client.get(reverse("decisions:letter", args=[decision.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == pdf
    assert AccessLogEntry.objects.filter(
        action="download", case_id=decision.case_id, actor_id=org.social_worker.pk
    ).exists()
    client.force_login(org.other_social_worker)
    assert client.get(reverse("decisions:letter", args=[decision.pk])).status_code == 404


def test_letter_marked_as_sent(org, make_application, this_month, today):
    decision = decide(org.social_worker, make_application(this_month))
    dispatch = services.mark_letter_sent(org.social_worker, decision, sent_on=today, channel="post")
    assert dispatch.letter == decision.letter and dispatch.received_on is None


def test_the_till_line_never_breaks_an_identity_number_at_its_hyphen(
    org, make_application, this_month
):
    """Issue 13: a long name and a narrow column must not leave "19830919-" on one line and
    "2394" on the next (reportlab would split a long word at its hyphen)."""
    from bistand.decisions.letters import fact_paragraph

    value = "Anna-Karin Svensson-Johansson, 19830919-2394"
    for width in range(60, 400, 5):
        paragraph = fact_paragraph(value)
        paragraph.wrap(width, 1000)
        lines = [" ".join(map(str, line[1])) for line in paragraph.blPara.lines]
        assert "19830919-2394" in lines[-1], (width, lines)
    # And the letter itself carries the number whole after the name.
    application = make_application(this_month, stated_costs=[{"type": "rent", "amount": "6500"}])
    text = _text(decide(org.social_worker, application))
    applicant = application.case.household.applicant_on(application.month)
    assert f"{applicant.full_name}, {applicant.formatted_identity_number}" in text
