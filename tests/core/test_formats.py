"""One date format everywhere (issue #13): a date or time shown without an explicit format
reads the same as the ones with `|date:"Y-m-d"`, in Swedish and in English."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from bistand.cases.forms import DateInput


@pytest.mark.parametrize("language", ["sv", "en"])
def test_dates_and_times_render_iso_in_every_language(language):
    moment = timezone.make_aware(dt.datetime(2026, 3, 5, 14, 7))
    with translation.override(language):
        text = Template("{{ day }}|{{ moment }}|{{ moment|date }}|{{ moment|time }}").render(
            Context({"day": dt.date(2026, 3, 5), "moment": moment})
        )
    assert text == "2026-03-05|2026-03-05 14:07|2026-03-05|14:07"


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_date_field_shows_the_value_as_it_is_typed(language):
    with translation.override(language):
        html = DateInput().render("on", dt.date(2026, 3, 5))
    assert 'value="2026-03-05"' in html
