"""Issue #13, work lists: search, filters, sorting and paging from the URL on Mina ärenden, the
inbox, the unassigned and a worker's cases and the person search (bistand.core.worklist).
Filters only narrow what the user may see; bad input gives a Swedish notice, never a 500."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bistand.cases import services
from bistand.cases.models import Case
from bistand.households.services import MemberInput, register_household
from tests.query_budgets import assert_flat, page_queries, person_number

pytestmark = pytest.mark.django_db


def new_case(org, *, handler=None, last_name="Tolvansson", first_name="Tolvan", section=None):
    household = register_household(
        org.reception,
        [MemberInput(person_number(), first_name, last_name, "applicant")],
        address="Storgatan 1",
        postal_code="22100",
        city="Lund",
    )
    application = services.register_application(
        org.reception, household, kind="new", month=timezone.localdate().replace(day=1)
    )
    case = application.case
    if section is not None:
        services.reassign_case(org.unit_head, case, handler=handler, section=section, reason="Test")
    elif handler is not None:
        services.take_case(handler, case)
    return Case.objects.get(pk=case.pk)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def count_line(page: str) -> str:
    match = re.search(r'data-testid="list-count"[^>]*>(.*?)</p>', page, re.S)
    assert match, "no count line"
    return re.sub(r"<[^>]+>", "", match.group(1)).split("·")[0].strip()


def notices(page: str) -> list[str]:
    return re.findall(r'data-testid="list-notice">([^<]*)<', page)


def test_my_cases_are_paged_25_at_a_time_with_counts(client, org):
    for index in range(27):
        new_case(org, handler=org.social_worker, last_name=f"Person{index:02d}")
    client.force_login(org.social_worker)
    first = text(client.get(reverse("home")))
    assert count_line(first) == "Visar 1–25 av 27"
    assert first.count('href="/arende/') == 25
    assert 'href="?page=2"' in first
    second = text(client.get(reverse("home"), {"page": 2}))
    assert count_line(second) == "Visar 26–27 av 27"
    assert second.count('href="/arende/') == 2


@pytest.mark.parametrize(
    ("page", "shown", "notice"),
    [
        ("-1", "Visar 1–25 av 27", "Sidnumret ska vara 1 eller större; sidan 1 visas."),
        ("0", "Visar 1–25 av 27", "Sidnumret ska vara 1 eller större; sidan 1 visas."),
        ("99999", "Visar 26–27 av 27", "Det finns bara 2 sidor; den sista visas."),
        ("tre", "Visar 1–25 av 27", "Sidnumret ”tre” är inte ett tal; sidan 1 visas."),
    ],
)
def test_a_page_number_out_of_range_shows_the_nearest_page_and_says_so(
    client, org, page, shown, notice
):
    for _ in range(27):
        new_case(org, handler=org.social_worker)
    client.force_login(org.social_worker)
    body = text(client.get(reverse("home"), {"page": page}))
    assert count_line(body) == shown
    assert notice in notices(body)


@pytest.mark.parametrize(
    ("url", "params", "notice"),
    [
        ("home", {"status": "hacked"}, "Filtret ”Status” används inte"),
        ("home", {"case_type": "Z"}, "Filtret ”Ärendetyp” används inte"),
        ("home", {"sort": "password"}, "Okänd sortering"),
        ("inbox", {"received_from": "igår"}, "Ange datumet som ÅÅÅÅ-MM-DD"),
        ("inbox", {"received_to": "2026-02-31"}, "Ange datumet som ÅÅÅÅ-MM-DD"),
        ("inbox", {"handler": "x' OR 1=1"}, "Filtret ”Handläggare” används inte"),
        ("inbox", {"section": "abc"}, "Filtret ”Sektion” används inte"),
        ("inbox", {"q": "x" * 101}, "Filtret ”Sök” används inte"),
        ("caseload", {"opened_from": "32/13"}, "Ange datumet som ÅÅÅÅ-MM-DD"),
        ("search", {"q": "a"}, "Skriv minst två tecken."),
    ],
)
def test_bad_filter_input_gives_a_swedish_notice_and_the_list(client, org, url, params, notice):
    case = new_case(org, handler=org.social_worker)
    user = org.intake_head if url == "caseload" else org.social_worker
    client.force_login(user)
    body = text(client.get(reverse(url), params))
    assert any(notice in shown for shown in notices(body)), notices(body)
    if url in ("home", "inbox"):
        assert case.reference in body  # the bad filter is left out, the list still shows


def test_inbox_dates_in_the_wrong_order_are_refused_at_the_field(client, org):
    new_case(org)
    client.force_login(org.social_worker)
    body = text(
        client.get(reverse("inbox"), {"received_from": "2026-03-01", "received_to": "2026-02-01"})
    )
    assert "Slutdatumet ligger före startdatumet." in body
    assert 'value="2026-02-01"' in body  # the value is kept in the field


def test_filters_search_and_sort_narrow_my_cases(client, org):
    anna = new_case(org, handler=org.social_worker, last_name="Andersson", first_name="Anna")
    bo = new_case(org, handler=org.social_worker, last_name="Berg", first_name="Bo")
    services.set_case_type(org.social_worker, bo, "B")
    client.force_login(org.social_worker)
    by_name = text(client.get(reverse("home"), {"q": "andersson"}))
    assert anna.reference in by_name and bo.reference not in by_name
    assert count_line(by_name) == "Visar 1–1 av 1"
    by_number = text(client.get(reverse("home"), {"q": anna.reference}))
    assert anna.reference in by_number and bo.reference not in by_number
    by_type = text(client.get(reverse("home"), {"case_type": "B"}))
    assert bo.reference in by_type and anna.reference not in by_type
    untyped = text(client.get(reverse("home"), {"case_type": "none"}))
    assert anna.reference in untyped and bo.reference not in untyped
    descending = text(client.get(reverse("home"), {"sort": "-applicant"}))
    assert descending.index("Berg") < descending.index("Andersson")
    ascending = text(client.get(reverse("home"), {"sort": "applicant"}))
    assert ascending.index("Andersson") < ascending.index("Berg")
    assert 'aria-sort="ascending"' in ascending


def test_sort_and_page_links_keep_the_filters(client, org):
    for _ in range(27):
        new_case(org, handler=org.social_worker)
    client.force_login(org.social_worker)
    body = text(client.get(reverse("home"), {"status": "intake", "sort": "-case"}))
    assert 'href="?status=intake&amp;sort=-case&amp;page=2"' in body
    # the column's link reverses the order, keeps the filter and goes back to page 1
    assert 'href="?status=intake&amp;sort=case"' in body
    assert 'name="sort" value="-case" form="list-filter"' in body
    assert "Rensa filter" in body


def test_htmx_gets_only_the_results_and_the_answer_varies_on_it(client, org):
    new_case(org, handler=org.social_worker)
    client.force_login(org.social_worker)
    full = client.get(reverse("home"))
    partial = client.get(reverse("home"), {"q": "Tolvan"}, headers={"HX-Request": "true"})
    assert "<html" in full.content.decode() and "<html" not in partial.content.decode()
    assert 'data-testid="my-cases"' in partial.content.decode()
    assert 'id="list-filter"' not in partial.content.decode()  # the form keeps its state
    for response in (full, partial):
        assert "HX-Request" in response.headers["Vary"]
    history = client.get(
        reverse("home"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in history.content.decode()


def test_empty_states_tell_no_cases_from_no_match(client, org):
    client.force_login(org.social_worker)
    assert "Du har inga aktuella ärenden." in text(client.get(reverse("home")))
    new_case(org, handler=org.social_worker)
    body = text(client.get(reverse("home"), {"q": "Nobody"}))
    assert "Inga av dina ärenden matchar filtret." in body
    assert count_line(body) == "Inga träffar"


def test_a_handler_filter_pointing_at_another_section_shows_nothing_more(client, org):
    """The labour section's worker holds a case; an intake worker names that worker and that
    section in the inbox's filters: only what the intake worker may see is listed."""
    theirs = new_case(org, handler=org.other_social_worker, section=org.labour)
    mine = new_case(org, handler=org.social_worker)
    client.force_login(org.social_worker)
    inbox = text(
        client.get(
            reverse("inbox"),
            {"section": org.labour.pk, "handler": org.other_social_worker.pk},
        )
    )
    assert theirs.reference not in inbox
    assert 'data-testid="inbox-no-access"' in inbox
    assert count_line(inbox) == "Inga träffar"
    own = text(client.get(reverse("inbox"), {"handler": org.other_social_worker.pk}))
    assert theirs.reference not in own and mine.reference not in own
    home = text(client.get(reverse("home"), {"role": "handler", "q": theirs.reference}))
    assert f'href="/arende/{theirs.pk}/"' not in home
    assert count_line(home) == "Inga träffar"


def test_a_section_of_another_unit_is_refused_and_the_own_section_shown(client, org):
    from tests.factories import SectionFactory, UnitFactory

    other = SectionFactory(unit=UnitFactory(), name="Annan enhet", code="annan")
    mine = new_case(org, handler=org.social_worker)
    client.force_login(org.social_worker)
    body = text(client.get(reverse("inbox"), {"section": other.pk}))
    assert any("Filtret ”Sektion” används inte" in n for n in notices(body))
    assert "Inkorg</h1>" not in body and "Inkorg: Mottagning" in body
    assert mine.reference in body


def test_a_section_head_cannot_list_another_sections_unassigned_cases(client, org):
    theirs = new_case(org, section=org.labour)
    mine = new_case(org)
    client.force_login(org.intake_head)
    body = text(client.get(reverse("caseload"), {"section": org.labour.pk}))
    assert theirs.reference not in body
    assert any("Filtret ”Sektion” används inte" in n for n in notices(body))
    assert mine.reference in body  # the bad filter is left out: own section only


def test_worker_cases_are_filtered_within_what_the_head_may_see(client, org):
    theirs = new_case(org, handler=org.other_social_worker, section=org.labour)
    client.force_login(org.intake_head)
    body = text(
        client.get(reverse("worker_cases", args=[org.other_social_worker.pk]), {"q": "Tolvan"})
    )
    assert theirs.reference not in body  # another section's case stays out of sight


def test_person_search_is_paged_and_each_page_logged(client, org):
    from bistand.audit.models import AccessLogEntry

    for index in range(27):
        new_case(org, last_name="Sökbar", first_name=f"Nr{index:02d}")
    client.force_login(org.social_worker)
    first = text(client.get(reverse("search"), {"q": "Sökbar"}))
    assert count_line(first) == "Visar 1–25 av 27"
    assert first.count("Registrera ansökan") == 25
    second = text(client.get(reverse("search"), {"q": "Sökbar", "page": 2}))
    assert second.count("Registrera ansökan") == 2
    searches = AccessLogEntry.objects.filter(
        actor_id=org.social_worker.pk, object_type="person_search"
    )
    assert searches.count() == 2


@pytest.mark.parametrize(
    ("user", "url", "params"),
    [
        ("social_worker", "home", {"sort": "-applicant", "status": "intake"}),
        ("social_worker", "inbox", {"sort": "applicant", "q": "Tolv", "waiting": ""}),
        ("intake_head", "inbox", {"handler": "none", "received_from": "2020-01-01"}),
        ("intake_head", "caseload", {"sort": "applicant", "q": "Tolvansson"}),
        ("social_worker", "search", {"q": "Tolvansson", "sort": "born"}),
    ],
)
def test_filtered_sorted_lists_cost_the_same_for_3_and_30_rows(client, org, user, url, params):
    """Past one page (30 rows) the page reads as many queries as with 3: count plus one page."""
    client.force_login(getattr(org, user))
    take = user == "social_worker" and url != "search"
    for _ in range(3):
        new_case(org, handler=org.social_worker if take else None)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    address = f"{reverse(url)}?{query}"
    small, _ = page_queries(client, address)
    for _ in range(27):
        new_case(org, handler=org.social_worker if take else None)
    large, page = page_queries(client, address)
    assert_flat(small, large)
    assert "Visar 1–25 av 30" in page


def test_htmx_inbox_results_update_the_heading_out_of_band(client, org):
    new_case(org)
    client.force_login(org.other_social_worker)
    partial = client.get(
        reverse("inbox"), {"section": org.intake.pk}, headers={"HX-Request": "true"}
    ).content.decode()
    assert '<h1 id="list-title" hx-swap-oob="true">Inkorg: Mottagning</h1>' in partial
    full = client.get(reverse("inbox"), {"section": org.intake.pk}).content.decode()
    assert "hx-swap-oob" not in full  # on the whole page the heading is in place


def test_inbox_form_shows_the_section_listed(client, org):
    client.force_login(org.social_worker)  # Mottagning; Arbetsmarknad comes first by name
    body = text(client.get(reverse("inbox")))
    assert f'<option value="{org.intake.pk}" selected>Mottagning</option>' in body
    assert "Inkorg: Mottagning" in body
    other = text(client.get(reverse("inbox"), {"section": org.labour.pk}))
    assert f'<option value="{org.labour.pk}" selected>Arbetsmarknad</option>' in other


def test_a_case_number_with_another_year_finds_nothing(client, org):
    case = new_case(org, handler=org.social_worker)
    client.force_login(org.social_worker)
    wrong_year = f"{case.opened_on.year - 1}-{case.pk:05d}"
    assert count_line(text(client.get(reverse("home"), {"q": wrong_year}))) == "Inga träffar"
    assert count_line(text(client.get(reverse("home"), {"q": case.reference}))) == "Visar 1–1 av 1"
