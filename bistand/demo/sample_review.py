"""The demo's internal control: last month's sample drawn by the unit head with a section
head as reviewer, two decisions reviewed (one with a finding and a corrective action)."""

from __future__ import annotations

import datetime as dt
import random

from bistand.controls import sample_services
from bistand.controls.sample_checklist import points_of
from bistand.core.dates import add_months, month_start
from bistand.organisation.models import Role, User

from .staff import Organisation


def draw_and_review_last_month(rng: random.Random, org: Organisation, today: dt.date) -> None:
    head = org.first(None, Role.UNIT_HEAD)
    reviewers = [u for u in org.users if u.role == Role.SECTION_HEAD and u.is_active]
    if not reviewers:
        return
    reviewer = reviewers[0]
    month = add_months(month_start(today), -1)
    draw = sample_services.draw_sample(
        head, org.unit, month, seed=rng.randrange(10**12), reviewer=reviewer
    )
    items = list(draw.items.all()[:2])
    for number, item in enumerate(items):
        answers = {point["key"]: "yes" for point in points_of(draw)}
        comments = {}
        if number == 1:
            answers["documentation"] = "no"
            comments["documentation"] = "Hyresavin för månaden saknas i akten."
        sample_services.record_review(
            reviewer, item, answers=answers, comments=comments,
            conclusion="Granskat mot checklistan.",
        )  # fmt: skip
        finding = item.findings.first()
        owner = User.objects.filter(pk=item.decided_by_id, is_active=True).first() or head
        if finding is not None:
            sample_services.add_corrective_action(
                head, finding, description="Komplettera akten med hyresavin.", owner=owner,
                due_on=today + dt.timedelta(days=30),
            )  # fmt: skip
