"""The sample review's checklist is the unit's configuration: the default is the issue's six
points as data; the unit head changes it (a new version); each draw keeps the version it was
drawn with, so a change never rewrites past reviews. Through the service, the pages and the
API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from bistand.controls import sample_checklist as checklists
from bistand.controls import sample_services as services
from bistand.controls.sample_models import ChecklistPoint, ChecklistVersion, Finding
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.models import FinalRecordError
from tests.decisions.conftest import clock, decide
from tests.factories import ADULT_NUMBERS, UnitFactory, UserFactory

SEPTEMBER, OCTOBER = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
NEW_POINTS = [
    "Dokumentationen är fullständig",  # a default wording: keeps its key
    "Hembesök är dokumenterat när det behövs",
    "Beräkningen är rätt",
]


@pytest.fixture
def two_months(org, make_application):
    """Two decisions by the labour section's social worker in September and two in October."""
    numbers = iter(ADULT_NUMBERS[:4])
    for month in (SEPTEMBER, OCTOBER):
        with clock(month.replace(day=12)):
            for _ in range(2):
                application = make_application(
                    month, adult=next(numbers), handler=org.other_social_worker
                )
                decide(org.other_social_worker, application)


def _draw(org, month):
    return services.draw_sample(
        org.unit_head, org.unit, month, seed=7, size=2, reviewer=org.social_worker
    )


def _yes_but(points, failing: str) -> tuple[dict, dict]:
    answers = {p["key"]: "yes" for p in points}
    answers[failing] = "no"
    return answers, {failing: "Brist hittad."}


def test_the_default_checklist_is_the_six_points_as_data(org, two_months):
    assert [p["key"] for p in checklists.checklist_in_force(org.unit)] == ChecklistPoint.values
    assert not ChecklistVersion.objects.exists()  # nothing written before it is needed
    draw = _draw(org, SEPTEMBER)
    version = draw.checklist
    assert (version.number, version.created_by) == (1, None)
    assert version.points[0] == {"key": "documentation", "label": "Dokumentationen är fullständig"}
    assert len(version.points) == 6


def test_a_change_is_a_new_version_and_past_draws_keep_theirs(org, two_months, client):
    old_draw = _draw(org, SEPTEMBER)
    old_item = old_draw.items.first()
    answers, comments = _yes_but(checklists.points_of(old_draw), "child_perspective")
    services.record_review(org.social_worker, old_item, answers=answers, comments=comments)

    version = checklists.set_checklist(org.unit_head, org.unit, labels=NEW_POINTS, note="APT")
    assert version.number == 2 and version.created_by == org.unit_head
    keys = [p["key"] for p in version.points]
    assert keys[0] == "documentation" and keys[2] == "calculation"
    assert keys[1].startswith("p") and keys[1] not in ChecklistPoint.values

    # The old draw and its review are as they were.
    old_draw.refresh_from_db()
    assert old_draw.checklist.number == 1 and len(checklists.points_of(old_draw)) == 6
    finding = Finding.objects.get(item=old_item)
    assert finding.label == "Barnperspektivet är beaktat"
    client.force_login(org.unit_head)
    page = client.get(reverse("controls:review", args=[old_item.pk])).content.decode()
    assert "Barnperspektivet är beaktat" in page and NEW_POINTS[1] not in page

    # The next draw is reviewed against the new points only.
    new_draw = _draw(org, OCTOBER)
    assert new_draw.checklist == version
    new_item = new_draw.items.first()
    client.force_login(org.social_worker)
    form = client.get(reverse("controls:review", args=[new_item.pk])).content.decode()
    assert NEW_POINTS[1] in form and "Barnperspektivet är beaktat" not in form
    with pytest.raises(DomainError) as error:
        old_answers, _ = _yes_but(checklists.points_of(old_draw), "plan")
        services.record_review(org.social_worker, new_item, answers=old_answers, comments={})
    assert error.value.code == "unknown_point"
    with pytest.raises(DomainError) as error:
        services.record_review(org.social_worker, new_item, answers={"documentation": "yes"})
    assert error.value.code == "answer_missing" and NEW_POINTS[1] in error.value.message
    data = {f"answer_{key}": "yes" for key in keys} | {"answer_" + keys[1]: "no",
                                                       "comment_" + keys[1]: "Saknas."}  # fmt: skip
    response = client.post(reverse("controls:review", args=[new_item.pk]), data)
    assert response.status_code == 302
    new_item.refresh_from_db()
    assert set(new_item.answers) == set(keys)
    assert Finding.objects.get(item=new_item).label == NEW_POINTS[1]

    # The yearly report counts each point under its own wording.
    client.force_login(org.unit_head)
    report = client.get(reverse("controls:sample_report", args=[2026]))
    assert report.status_code == 200
    rows = {row["label"]: row for row in report.context["report"]["points"]}
    assert rows["Dokumentationen är fullständig"]["yes"] == 2
    assert rows[NEW_POINTS[1]]["no"] == 1 and rows["Barnperspektivet är beaktat"]["no"] == 1


def test_versions_are_never_edited(org, two_months):
    version = checklists.set_checklist(org.unit_head, org.unit, labels=NEW_POINTS)
    with pytest.raises(FinalRecordError):
        version.save()
    with pytest.raises(FinalRecordError):
        version.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistVersion.objects.filter(pk=version.pk).update(points=[])


def test_only_the_unit_head_of_the_unit_changes_it_with_swedish_errors(org, client):
    for user in (org.social_worker, org.labour_head, org.fraud):
        with pytest.raises(PermissionRefused):
            checklists.set_checklist(user, org.unit, labels=NEW_POINTS)
    other_head = UserFactory(username="otherhead", role="unit_head", unit=UnitFactory())
    with pytest.raises(PermissionRefused):
        checklists.set_checklist(other_head, org.unit, labels=NEW_POINTS)
    for labels, message in (
        ([], "1–20 punkter"),
        ([f"Punkt {n}" for n in range(21)], "1–20 punkter"),
        (["Samma", "samma"], "samma lydelse"),
        (["x" * 201], "högst 200 tecken"),
        ([p.label for p in ChecklistPoint], "oförändrad"),
    ):
        with pytest.raises(DomainError) as error:
            checklists.set_checklist(org.unit_head, org.unit, labels=labels)
        assert message in error.value.message
    assert not ChecklistVersion.objects.exists()

    client.force_login(org.social_worker)
    url = reverse("controls:sample_checklist")
    assert client.post(url, {"points": "\n".join(NEW_POINTS)}).status_code == 403
    client.force_login(org.unit_head)
    page = client.get(reverse("controls:samples")).content.decode()
    assert 'data-testid="checklist-form"' in page and "Barnperspektivet är beaktat" in page
    bad = client.post(url, {"points": "Samma\nsamma"}, follow=True)
    assert "Två punkter i checklistan har samma lydelse." in bad.content.decode()
    assert not ChecklistVersion.objects.exists()
    response = client.post(url, {"points": "\n".join(NEW_POINTS), "note": "APT"})
    assert response.status_code == 302
    assert [p["label"] for p in ChecklistVersion.objects.get(number=2).points] == NEW_POINTS
    page = client.get(reverse("controls:samples")).content.decode()
    assert NEW_POINTS[1] in page and "Version 2." in page


def test_the_api_gives_the_items_checklist_and_takes_answers_by_its_keys(org, two_months, client):
    checklists.set_checklist(org.unit_head, org.unit, labels=NEW_POINTS)
    item = _draw(org, SEPTEMBER).items.first()
    client.force_login(org.social_worker)
    body = client.get(f"/api/v1/sample-reviews/{item.pk}/").json()
    assert [p["label"] for p in body["checklist"]] == NEW_POINTS
    keys = [p["key"] for p in body["checklist"]]
    refused = client.post(f"/api/v1/sample-reviews/{item.pk}/review/",
                          {"answers": {k: "yes" for k in ChecklistPoint.values}},
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "unknown_point"
    done = client.post(f"/api/v1/sample-reviews/{item.pk}/review/",
                       {"answers": dict.fromkeys(keys, "yes")},
                       content_type="application/json")  # fmt: skip
    assert done.status_code == 200 and set(done.json()["answers"]) == set(keys)
