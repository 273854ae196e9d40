"""Every GET URL, given garbage, answers 4xx and never 5xx.

The patterns are read from the URL configuration, so a new page is covered without being
listed here. Each is tried with ids that do not exist (small and larger than any database
integer) and with bad query strings, as a logged-in unit head (enhetschef), who may open the
most pages.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.urls.exceptions import NoReverseMatch

from bistand.cases import services
from tests.urlconf import named_patterns

MISSING_ID = 987654
HUGE_ID = 99999999999999999999
BAD_QUERIES = [
    "",
    "?month=abc&year=-1&page=x",
    "?month=9999-12&year=0&page=-1",
    "?month=0000-00&year=99999999999999999999&page=99999999999999999999",
    "?year=abc&from=2024-13-45&to=x&section=abc&handler=-1&case=abc&index=abc",
    "?q=%00&status=x&kind=x&format=x&calculation=abc&appeal=abc&staff=x&kommun=x",
    "?year=0",
    "?year=abc",
    "?month=9999-12",
    "?month=0001-01",
    "?from=0001-01-01&to=9999-12-31",
    "?page=99999999999999999999",
]
# Not pages: the API schema is a document of its own; logout ends the session.
SKIPPED_NAMES = {"logout", "api-schema", "api-docs"}


def _urls() -> list[str]:
    urls = set()
    for pattern in named_patterns():
        name, arguments = pattern.name, pattern.arguments
        if name.split(":")[-1] in SKIPPED_NAMES or "format" in arguments:
            continue
        for bad_id in (MISSING_ID, HUGE_ID):
            kwargs = {
                arg: bad_id if kind == "int" else ("x" if arg != "pk" else str(bad_id))
                for arg, kind in arguments.items()
            }
            try:
                urls.add(reverse(name, kwargs=kwargs))
            except NoReverseMatch:
                continue
    return sorted(urls)


URLS = _urls()


def test_the_url_list_covers_pages_and_the_api():
    assert "/hushall/987654/ansokan/" in URLS
    assert "/arbetsbelastning/99999999999999999999/" in URLS
    assert any(url.startswith("/api/v1/cases/") for url in URLS)
    assert any(url.startswith("/statistik/") for url in URLS)
    assert len(URLS) > 60


@pytest.fixture
def unit_head_client(client, org, household_factory, this_month):
    """The unit head, logged in, in a unit with one open case (so lists have rows)."""
    household = household_factory(org.reception, children=True)
    services.register_application(org.reception, household, kind="new", month=this_month)
    client.force_login(org.unit_head)
    return client


@pytest.mark.parametrize("url", URLS)
def test_garbage_ids_and_query_strings_never_give_a_server_error(unit_head_client, url):
    client = unit_head_client
    client.raise_request_exception = False
    failures = []
    for query in BAD_QUERIES:
        response = client.get(url + query)
        if response.status_code >= 500:
            failures.append(f"{url}{query} -> {response.status_code}")
    assert not failures, failures
