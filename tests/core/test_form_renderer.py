"""The form renderer (bistand.core.renderers): Django's Jinja2 form templates give the same
markup as its Django-template ones (up to whitespace between tags), and widgets that exist only as Django templates (the
admin's) still render."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.forms.renderers import DjangoTemplates, get_default_renderer

from bistand.cases.forms import CloseForm, DocumentForm, EndApplicationForm, JournalForm
from bistand.core.renderers import FormRenderer


def test_the_project_renders_forms_with_it():
    assert settings.FORM_RENDERER == "bistand.core.renderers.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)


def _same(html) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize(
    "make",
    [
        lambda: JournalForm(prefix="journal", initial={"occurred_on": dt.date(2026, 12, 1)}),
        lambda: JournalForm({"journal-text": ""}, prefix="journal"),  # with errors
        lambda: DocumentForm(prefix="doc"),
        lambda: CloseForm(prefix="close", initial={"closed_on": dt.date(2026, 12, 1)}),
        lambda: EndApplicationForm(prefix="end1"),
    ],
)
def test_same_markup_as_django_templates(make):
    fast, reference = make(), make()
    fast.renderer, reference.renderer = FormRenderer(), DjangoTemplates()
    for name in fast.fields:
        assert _same(fast[name]) == _same(reference[name]), name
        assert _same(fast[name].label_tag()) == _same(reference[name].label_tag()), name
    assert _same(fast.errors) == _same(reference.errors)


def test_an_admin_widget_falls_back_to_django_templates(db):
    from django.contrib import admin

    from bistand.organisation.models import Unit, User

    field = User._meta.get_field("unit")
    wrapper = RelatedFieldWidgetWrapper(
        field.formfield().widget, field.remote_field, admin.site, can_add_related=False
    )
    html = wrapper.render("unit", None, renderer=FormRenderer())
    assert "related-widget-wrapper" in html
    assert Unit.objects.count() == 0
