"""Monthly sample review (stickprov): the draw is a function of its seed and candidates, never
draws the reviewer's own decisions, is never edited; review → finding → action → closed."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from bistand.audit.models import AccessLogEntry
from bistand.controls import sample_services as services
from bistand.controls import sampling
from bistand.controls.sample_jobs import draw_monthly_samples
from bistand.controls.sample_models import (
    ActionStatus,
    ChecklistPoint,
    CorrectiveAction,
    Finding,
    SampleDraw,
)
from bistand.core.errors import DomainError, NotFound, PermissionRefused
from bistand.core.models import FinalRecordError
from bistand.jobs.registry import JOBS, JobContext
from tests.decisions.conftest import clock, decide
from tests.factories import ADULT_NUMBERS

OCTOBER = dt.date(2026, 10, 1)

# --- the draw itself: a pure function ---------------------------------------------------------


def test_draw_is_the_documented_sha256_ranking():
    candidates = [11, 5, 42, 7, 19, 3]
    by_hand = sorted(
        candidates,
        key=lambda i: hashlib.sha256(f"bistand-sample/1:{123456}:{i}".encode()).hexdigest(),
    )[:3]
    assert sampling.draw(123456, candidates, 3) == by_hand


def test_draw_depends_on_seed_and_candidates_not_their_order():
    candidates = list(range(100, 160))
    first = sampling.draw(987, candidates, 5)
    assert sampling.draw(987, list(reversed(candidates)), 5) == first
    assert len(set(first)) == 5 and set(first) <= set(candidates)
    others = {tuple(sampling.draw(seed, candidates, 5)) for seed in range(20)}
    assert len(others) > 15  # different seeds give different samples
    assert sampling.draw(1, [4, 2], 5) == sorted([4, 2], key=lambda i: sampling.rank_key(1, i))


@given(
    seed=st.integers(min_value=0, max_value=10**12 - 1),
    candidates=st.sets(st.integers(min_value=1, max_value=10**9), max_size=40),
    size=st.integers(min_value=1, max_value=10),
)
def test_draw_properties(seed, candidates, size):
    drawn = sampling.draw(seed, candidates, size)
    assert len(drawn) == min(size, len(candidates)) and set(drawn) <= candidates
    assert sampling.draw(seed, sorted(candidates, reverse=True), size) == drawn
    # leaving out a candidate that was not drawn changes nothing (so excluding a reviewer's
    # decisions only replaces the ones of theirs that would have been drawn)
    for left_out in sorted(candidates - set(drawn))[:3]:
        assert sampling.draw(seed, candidates - {left_out}, size) == drawn


def test_new_seeds_come_from_secrets_and_fit_twelve_digits():
    seeds = {sampling.new_seed() for _ in range(50)}
    assert len(seeds) > 45 and all(0 <= s < 10**12 for s in seeds)


# --- a unit with decisions in October ----------------------------------------------------------


@pytest.fixture
def october(org, make_application):
    """Five final decisions made in October: three by the social worker, two by the other."""
    made = []
    with clock(dt.date(2026, 10, 12)):
        for number, handler in zip(
            ADULT_NUMBERS[:5],
            [org.social_worker] * 3 + [org.other_social_worker] * 2,
            strict=True,
        ):
            application = make_application(OCTOBER, adult=number, handler=handler)
            made.append(decide(handler, application))
    return made


def test_draw_is_reproducible_and_never_draws_the_reviewers_own_decisions(org, october):
    own = {d.pk for d in october if d.decided_by_id == org.social_worker.pk}
    draw = services.draw_sample(
        org.unit_head, org.unit, OCTOBER, seed=424242, size=5, reviewer=org.social_worker
    )
    assert set(draw.drawn_ids).isdisjoint(own)
    assert set(draw.excluded_ids) == own
    assert len(draw.drawn_ids) == 2  # only the other social worker's decisions remain
    assert all(item.reviewer == org.social_worker for item in draw.items.all())
    assert all(item.decided_by_id != org.social_worker.pk for item in draw.items.all())
    # anyone can recompute it from the seed and the month
    again = services.plan_draw(org.unit, OCTOBER, seed=424242, size=5, reviewer=org.social_worker)
    assert again.drawn == draw.drawn_ids
    assert services.verify_draw(draw)
    # without a reviewer, the whole month is the pool; the same seed gives the same sample
    plain = [services.plan_draw(org.unit, OCTOBER, seed=99, size=3).drawn for _ in range(2)]
    assert plain[0] == plain[1] == sampling.draw(99, [d.pk for d in october], 3)
    # a stored draw that does not follow from its seed is detected
    tampered = SampleDraw(seed=draw.seed + 1, candidate_ids=[d.pk for d in october], size=5,
                          drawn_ids=draw.drawn_ids)  # fmt: skip
    assert not services.verify_draw(tampered)


def test_the_command_prints_the_same_sample_for_the_same_seed(org, october):
    outputs = []
    for _ in range(2):
        out = io.StringIO()
        call_command("sample", "--month", "2026-10", "--seed", "31337", "--unit", str(org.unit.pk),
                     stdout=out)  # fmt: skip
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1]
    expected = sampling.draw(31337, [d.pk for d in october], 5)
    for position, decision_id in enumerate(expected, start=1):
        assert f"{position:>3}. beslut {decision_id}" in outputs[0]
    assert not SampleDraw.objects.exists()  # a preview stores nothing
    out = io.StringIO()
    call_command("sample", "--month", "2026-10", "--seed", "31337", "--user", "unithead",
                 stdout=out)  # fmt: skip
    draw = SampleDraw.objects.get()
    assert draw.drawn_ids == expected and draw.seed == 31337 and draw.drawn_by == org.unit_head


def test_a_draw_is_never_edited_and_a_redraw_is_a_new_record_with_a_reason(org, october):
    draw = services.draw_sample(org.unit_head, org.unit, OCTOBER, seed=1, size=2)
    with pytest.raises(DomainError) as error:
        services.draw_sample(org.unit_head, org.unit, OCTOBER)
    assert error.value.code == "already_drawn"
    draw.seed = 2
    with pytest.raises(FinalRecordError):
        draw.save()
    with pytest.raises(DomainError) as error:
        services.redraw_sample(org.unit_head, draw, reason=" ")
    assert error.value.code == "skäl_required"
    new = services.redraw_sample(org.unit_head, draw, reason="Fel månad vald", seed=5, size=2)
    assert new.replaces == draw and new.reason == "Fel månad vald"
    draw.refresh_from_db()
    assert draw.seed == 1 and draw.drawn_ids == sampling.draw(1, draw.candidate_ids, 2)
    with pytest.raises(DomainError):
        services.redraw_sample(org.unit_head, draw, reason="Igen")  # already replaced
    # once a decision is reviewed, the draw stays
    item = new.items.first()
    reviewer = org.labour_head if item.decided_by_id != org.labour_head.pk else org.intake_head
    services.assign_reviewer(org.unit_head, item, reviewer)
    services.record_review(reviewer, item, answers={p.value: "yes" for p in ChecklistPoint})
    with pytest.raises(DomainError) as error:
        services.redraw_sample(org.unit_head, new, reason="Vill ha andra")
    assert error.value.code == "already_reviewed"


def test_the_decider_can_never_be_the_reviewer(org, october):
    draw = services.draw_sample(org.unit_head, org.unit, OCTOBER, seed=7, size=5)
    item = draw.items.get(decided_by_id=org.social_worker.pk, position=min(
        draw.items.filter(decided_by_id=org.social_worker.pk).values_list("position", flat=True)))  # fmt: skip
    with pytest.raises(DomainError) as error:
        services.assign_reviewer(org.unit_head, item, org.social_worker)
    assert error.value.code == "reviewer_is_decider"
    services.assign_reviewer(org.unit_head, item, org.other_social_worker)
    # only the assigned reviewer records the review, once
    answers = {p.value: "yes" for p in ChecklistPoint}
    with pytest.raises(NotFound):
        services.record_review(org.social_worker, item, answers=answers)
    services.record_review(org.other_social_worker, item, answers=answers)
    with pytest.raises(DomainError) as error:
        services.record_review(org.other_social_worker, item, answers=answers)
    assert error.value.code == "already_reviewed"


def test_only_the_unit_head_draws(org, october):
    for user in (org.social_worker, org.intake_head, org.reception, org.finance, org.fraud,
                 org.sysadmin):  # fmt: skip
        with pytest.raises(PermissionRefused):
            services.draw_sample(user, org.unit, OCTOBER)
    with pytest.raises(DomainError) as error:
        services.draw_sample(org.unit_head, org.unit, dt.date(2026, 11, 1))
    assert error.value.code == "month_not_over"
    assert not SampleDraw.objects.exists()


def test_the_monthly_job_draws_once_per_unit_and_month(org, october):
    assert "sample-draw" in JOBS and JOBS["sample-draw"].schedule is not None
    context = JobContext(today=dt.date(2026, 11, 1), trigger="schedule")
    first = draw_monthly_samples(context)
    assert first["month"] == "2026-10" and first["drawn"] == 1
    second = draw_monthly_samples(JobContext(today=dt.date(2026, 11, 2), trigger="schedule"))
    assert second["drawn"] == 0 and second["skipped"] == 1
    draw = SampleDraw.objects.get()
    assert draw.scheduled and draw.drawn_by is None and len(draw.drawn_ids) == 5
    assert services.verify_draw(draw)
    # through the job runner as the scheduler and `bistand run-job` start it
    out = io.StringIO()
    call_command("run-job", "sample-draw", "--param", "month=2026-10", stdout=out)
    assert SampleDraw.objects.count() == 1


# --- the walk through the pages --------------------------------------------------------------


def test_draw_review_finding_action_closed_through_the_pages(client, org, october):
    client.force_login(org.unit_head)
    response = client.post(reverse("controls:samples"), {"month": "2026-10", "seed": "2024",
                                                         "size": "3"})  # fmt: skip
    draw = SampleDraw.objects.get()
    assert response.status_code == 302 and response.url == reverse("controls:sample",
                                                                   args=[draw.pk])  # fmt: skip
    page = client.get(response.url)
    assert page.status_code == 200 and "2024" in page.content.decode()
    item = draw.items.exclude(decided_by_id=org.labour_head.pk).first()
    response = client.post(reverse("controls:sample_assign", args=[item.pk]),
                           {"reviewer": org.labour_head.pk})  # fmt: skip
    assert response.status_code == 302

    client.force_login(org.labour_head)
    mine = client.get(reverse("controls:my_reviews"))
    assert reverse("controls:review", args=[item.pk]) in mine.content.decode()
    page = client.get(reverse("controls:review", args=[item.pk]))
    assert page.status_code == 200 and 'data-testid="review-form"' in page.content.decode()
    assert AccessLogEntry.objects.filter(object_type="controls.sampleitem",
                                         case_id=item.case_id, actor_id=org.labour_head.pk).exists()  # fmt: skip
    answers = {f"answer_{p.value}": "yes" for p in ChecklistPoint}
    answers["answer_documentation"] = "no"
    missing_comment = client.post(reverse("controls:review", args=[item.pk]), answers)
    assert missing_comment.status_code == 302
    item.refresh_from_db()
    assert not item.reviewed  # "no" without a description is refused, nothing stored
    answers["comment_documentation"] = "Hyreskontraktet saknas i akten."
    answers["conclusion"] = "I övrigt korrekt."
    client.post(reverse("controls:review", args=[item.pk]), answers)
    item.refresh_from_db()
    assert item.reviewed and item.answers["documentation"] == "no"
    finding = Finding.objects.get(item=item)
    assert finding.description == "Hyreskontraktet saknas i akten."

    client.force_login(org.unit_head)
    client.post(reverse("controls:add_action", args=[finding.pk]), {
        "description": "Komplettera akten och gå igenom rutinen på APT.",
        "owner": org.social_worker.pk, "due_on": "2026-12-15",
    })  # fmt: skip
    action = CorrectiveAction.objects.get()
    assert action.owner == org.social_worker and action.status == ActionStatus.OPEN

    client.force_login(org.social_worker)
    assert reverse("controls:action", args=[action.pk]) in client.get(
        reverse("controls:my_reviews")).content.decode()  # fmt: skip
    client.post(reverse("controls:action", args=[action.pk]), {"note": "Kontraktet inlagt."})
    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED and action.closed_by == org.social_worker

    client.force_login(org.unit_head)
    report = client.get(reverse("controls:sample_report", args=[2026]))
    assert (
        report.status_code == 200 and "Hyreskontraktet saknas i akten." in report.content.decode()
    )
    pdf = client.get(reverse("controls:sample_report_pdf", args=[2026]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_pages_refuse_other_roles_and_show_reviewers_only_their_own(client, org, october):
    draw = services.draw_sample(org.unit_head, org.unit, OCTOBER, seed=3, size=5)
    item = draw.items.exclude(decided_by_id=org.labour_head.pk).first()
    services.assign_reviewer(org.unit_head, item, org.labour_head)
    for user in (org.reception, org.finance, org.fraud, org.sysadmin, org.social_worker,
                 org.intake_head):  # fmt: skip
        client.force_login(user)
        assert client.get(reverse("controls:samples")).status_code == 403, user
        assert client.get(reverse("controls:sample", args=[draw.pk])).status_code == 403
        assert client.get(reverse("controls:review_queue")).status_code == 403
        assert client.get(reverse("controls:review", args=[item.pk])).status_code == 404
        assert client.get(reverse("controls:sample_report", args=[2026])).status_code == 403
    client.force_login(org.intake_head)
    assert client.get(reverse("controls:my_reviews")).content.decode().count("my-review") == 0
    response = client.post(reverse("controls:samples"), {"month": "2026-09"})
    assert response.status_code == 403 and SampleDraw.objects.count() == 1


def test_the_api_draws_reviews_and_refuses_others(client, org, october):
    client.force_login(org.reception)
    refused = client.post("/api/v1/sample-draws/", {"month": "2026-10"},
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 403
    client.force_login(org.unit_head)
    made = client.post("/api/v1/sample-draws/", {"month": "2026-10", "seed": 77, "size": 2,
                       "reviewer": "labourhead"}, content_type="application/json")  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["drawn_ids"] == sampling.draw(77, body["candidate_ids"], 2)
    item_id = body["items"][0]["id"]
    client.force_login(org.labour_head)
    listed = client.get("/api/v1/sample-reviews/").json()
    assert {row["id"] for row in listed} == {i["id"] for i in body["items"]}
    one = client.get(f"/api/v1/sample-reviews/{item_id}/").json()
    assert one["decision"]["id"] == one["decision_id"]
    done = client.post(f"/api/v1/sample-reviews/{item_id}/review/",
                       {"answers": {p.value: "yes" for p in ChecklistPoint}},
                       content_type="application/json")  # fmt: skip
    assert done.status_code == 200 and done.json()["reviewed_by"] == "labourhead"
    client.force_login(org.social_worker)
    assert client.get("/api/v1/sample-reviews/").json() == []
    assert client.get(f"/api/v1/sample-reviews/{item_id}/").status_code == 404


def test_another_units_head_sees_nothing_of_the_sample(client, org, october):
    from tests.factories import UnitFactory, UserFactory

    draw = services.draw_sample(org.unit_head, org.unit, OCTOBER, seed=11, size=2)
    item = draw.items.first()
    other_head = UserFactory(username="otherhead", role="unit_head", unit=UnitFactory())
    client.force_login(other_head)
    assert client.get(reverse("controls:sample", args=[draw.pk])).status_code == 404
    assert client.get(reverse("controls:review", args=[item.pk])).status_code == 404
    assert client.get("/api/v1/sample-draws/").json() == []
    assert client.get(f"/api/v1/sample-draws/{draw.pk}/").status_code == 404
    with pytest.raises(PermissionRefused):
        services.assign_reviewer(other_head, item, org.labour_head)
    with pytest.raises(PermissionRefused):
        services.redraw_sample(other_head, draw, reason="Försök")
    with pytest.raises(PermissionRefused):
        services.draw_sample(other_head, org.unit, dt.date(2026, 9, 1))


def test_listing_a_draw_logs_a_read_per_drawn_case(client, org, october):
    draw = services.draw_sample(org.unit_head, org.unit, OCTOBER, seed=12, size=3)
    client.force_login(org.unit_head)
    assert client.get("/api/v1/sample-draws/").status_code == 200
    before = AccessLogEntry.objects.filter(object_type="controls.sampleitem").count()
    assert client.get(reverse("controls:sample", args=[draw.pk])).status_code == 200
    logged = AccessLogEntry.objects.filter(object_type="controls.sampleitem").order_by("-id")
    assert logged.count() - before == 3
    assert {e.case_id for e in logged[:3]} == set(draw.items.values_list("case_id", flat=True))
    response = client.get(f"/api/v1/sample-draws/{draw.pk}/")
    assert response.status_code == 200 and len(response.json()["items"]) == 3
    assert AccessLogEntry.objects.filter(object_type="controls.sampleitem").count() - before == 6


def test_the_units_sample_size_is_the_default_and_changes_are_kept(org, october):
    assert services.sample_size_for(org.unit) == 5
    with pytest.raises(DomainError):
        services.set_sample_size(org.unit_head, org.unit, size=0)
    with pytest.raises(PermissionRefused):
        services.set_sample_size(org.intake_head, org.unit, size=3)
    services.set_sample_size(org.unit_head, org.unit, size=3, note="Färre beslut i år")
    assert services.sample_size_for(org.unit) == 3
    draw = services.draw_sample(org.unit_head, org.unit, OCTOBER)
    assert draw.size == 3 and len(draw.drawn_ids) == 3 and not draw.seed_given


def test_corrective_actions_through_the_api(client, org, october):
    draw = services.draw_sample(org.unit_head, org.unit, OCTOBER, seed=8, size=1,
                                reviewer=org.labour_head)  # fmt: skip
    item = draw.items.get()
    answers = {p.value: "yes" for p in ChecklistPoint} | {"calculation": "no"}
    services.record_review(org.labour_head, item, answers=answers,
                           comments={"calculation": "Fel hyra i beräkningen."})  # fmt: skip
    finding = Finding.objects.get()
    client.force_login(org.labour_head)
    refused = client.post("/api/v1/corrective-actions/", {"finding": finding.pk,
                          "description": "x", "owner": "labourhead", "due_on": "2026-12-01"},
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 403
    client.force_login(org.unit_head)
    past = client.post("/api/v1/corrective-actions/", {"finding": finding.pk,
                       "description": "Rätta", "owner": "socialworker", "due_on": "2026-01-01"},
                       content_type="application/json")  # fmt: skip
    assert past.status_code == 400 and past.json()["error"]["code"] == "bad_due_date"
    made = client.post("/api/v1/corrective-actions/", {"finding": finding.pk,
                       "description": "Rätta beslutet", "owner": "socialworker",
                       "due_on": "2026-12-01"}, content_type="application/json")  # fmt: skip
    assert made.status_code == 201
    action_id = made.json()["id"]
    # only the owner closes it
    assert client.post(f"/api/v1/corrective-actions/{action_id}/close/", {"note": "Klart"},
                       content_type="application/json").status_code == 404  # fmt: skip
    client.force_login(org.social_worker)
    assert [a["id"] for a in client.get("/api/v1/corrective-actions/").json()] == [action_id]
    closed = client.post(f"/api/v1/corrective-actions/{action_id}/close/",
                         {"note": "Nytt beslut fattat"}, content_type="application/json")  # fmt: skip
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = client.post(f"/api/v1/corrective-actions/{action_id}/close/", {"note": "Igen"},
                        content_type="application/json")  # fmt: skip
    assert again.status_code == 400
