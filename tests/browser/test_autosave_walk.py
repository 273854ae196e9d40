"""Issue #13, "never lose work", in a real browser: the investigation and a journal note are
saved as drafts while the user types (htmx), come back after a reload, and a timed-out
session says so instead of losing the text silently."""

import pytest
from django.contrib.sessions.models import Session

from bistand.core.models import FormDraft
from tests.cases.test_list_reads import new_case
from tests.conftest import Org

from .support import CHROMIUM, CHROMIUM_ARGS, login, page, shot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_is_kept_through_a_reload_a_saved_note_and_a_time_out(page, live_server):  # noqa: F811
    org = Org()
    case = new_case(org, handler=org.social_worker)
    base = live_server.url
    login(page, base, "socialworker")

    # The investigation: typing is saved after a pause, and a reload brings it back.
    page.goto(f"{base}/arende/{case.pk}/utredning/")
    page.fill("#id_situation", "Hyran är obetald sedan maj.")
    page.get_by_test_id("draft-saved").wait_for()
    page.reload()
    page.get_by_test_id("draft-restored").wait_for()
    assert page.input_value("#id_situation") == "Hyran är obetald sedan maj."
    shot(page, "autosave-01-restored")

    # A journal note: saved with htmx; the draft is gone once the note is the record.
    page.goto(f"{base}/arende/{case.pk}/")
    page.fill("#id_journal-text", "Ringde om elräkningen.")
    page.locator("#journal-form [data-testid=draft-saved]").wait_for()
    assert FormDraft.objects.filter(kind="journal").exists()
    page.get_by_test_id("save-journal").click()
    page.locator("#timeline", has_text="Ringde om elräkningen.").wait_for()
    page.wait_for_timeout(2500)  # a pending autosave of the emptied form removes, never adds
    assert not FormDraft.objects.filter(kind="journal").exists()

    # The session times out while the user types: the page says so, the last draft is kept.
    page.goto(f"{base}/arende/{case.pk}/utredning/")
    Session.objects.all().delete()
    page.fill("#id_housing", "Skrivet efter utloggningen.")
    page.get_by_test_id("draft-logged-out").wait_for()
    shot(page, "autosave-02-logged-out")
    [draft] = FormDraft.objects.filter(kind="grundutredning")
    assert draft.data["situation"] == ["Hyran är obetald sedan maj."]
    assert "Skrivet efter" not in str(draft.data)


def test_the_work_plan_and_the_calculation_editor_keep_what_is_typed(page, live_server):  # noqa: F811
    from bistand.decisions import services as decision_services
    from tests.workplans.conftest import make_case

    org = Org()
    case = make_case(org, None, case_type="A")
    calculation = decision_services.create_calculation(
        org.social_worker, case.applications.order_by("pk").first()
    )
    base = live_server.url
    login(page, base, "socialworker")

    # The work plan: a goal typed into the formset comes back after a reload.
    page.goto(f"{base}/planer/arende/{case.pk}/utkast/")
    page.fill("#id_goal-0-text", "Körkort före sommaren.")
    page.locator("[data-testid=plan-form] [data-testid=draft-saved]").wait_for()
    page.reload()
    page.get_by_test_id("draft-restored").wait_for()
    assert page.input_value("#id_goal-0-text") == "Körkort före sommaren."
    shot(page, "autosave-03-plan-restored")
    page.get_by_test_id("save-plan").click()
    page.wait_for_url(f"**/planer/arende/{case.pk}/**")
    assert not FormDraft.objects.filter(kind="arbetsplan").exists()

    # The calculation editor: a cost row added with htmx and typed into comes back.
    page.goto(f"{base}/beslut/berakning/{calculation.pk}/")
    page.get_by_test_id("add-cost").click()
    amount = page.locator("#cost-rows tr:last-child input[name$='-amount']")
    amount.fill("7100")
    page.locator("[data-testid=calculation-form] [data-testid=draft-saved]").wait_for()
    page.reload()
    page.get_by_test_id("draft-restored").wait_for()
    assert page.locator("#cost-rows input[value='7100']").count() == 1
    shot(page, "autosave-04-calculation-restored")
    page.get_by_test_id("recalculate").click()
    page.get_by_test_id("draft-restored").wait_for(state="detached")
    assert not FormDraft.objects.filter(kind="berakning").exists()
