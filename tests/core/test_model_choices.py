"""Model choice fields read their options with one plain query (bistand.core.forms): Django's
own iterator opens a server-side cursor on PostgreSQL for every drop-down (issue #15)."""

from __future__ import annotations

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bistand.core.forms import Form, PlainModelChoiceIterator
from bistand.organisation.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class _DeclaredForm(Form):
    user = forms.ModelChoiceField(queryset=User.objects.order_by("username"))


class _AssignedForm(Form):
    user = forms.ModelChoiceField(queryset=User.objects.none())
    users = forms.ModelMultipleChoiceField(queryset=User.objects.none())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.order_by("username")
        self.fields["users"].queryset = User.objects.order_by("username")


@pytest.mark.parametrize("form_class", [_DeclaredForm, _AssignedForm])
def test_options_are_read_with_plain_queries(form_class):
    UserFactory.create_batch(3)
    form = form_class()
    assert all(f.iterator is PlainModelChoiceIterator for f in form.fields.values())
    with CaptureQueriesContext(connection) as queries:
        html = form.as_div()
    statements = [q["sql"] for q in queries.captured_queries]
    assert statements and not any(s.lstrip().upper().startswith("DECLARE") for s in statements)
    assert len(statements) == len(form.fields)  # one per field, not one per option
    for user in User.objects.all():
        assert f'value="{user.pk}"' in html


def test_choice_still_validates_against_the_queryset():
    user = UserFactory()
    assert _DeclaredForm({"user": user.pk}).is_valid()
    refused = _DeclaredForm({"user": 999999})
    assert not refused.is_valid() and "user" in refused.errors
