"""Loggkontroll names every object in Swedish, also a model whose verbose_name is still
Django's English default (found when the grouped menu led the raw-code walk to the FUT pages
before Loggkontroll)."""

from bistand.cases.access_log_display import _verbose_name


def test_a_fut_investigation_is_named_in_swedish():
    assert _verbose_name("controls.fraudinvestigation") == "FUT-utredning"
    assert _verbose_name("controls.FraudInvestigation") == "FUT-utredning"


def test_other_objects_keep_their_model_name_and_unknown_ones_their_type():
    assert _verbose_name("no_such_thing") == "No such thing"
    assert _verbose_name("") == ""


def test_every_model_has_a_swedish_name_in_the_log():
    """A model without its own verbose_name shows Django's English default ("Budget account");
    every such model must be named in OBJECT_NAMES."""
    from django.apps import apps

    from bistand.cases.access_log_display import OBJECT_NAMES

    unnamed = [
        model._meta.label_lower
        for model in apps.get_models()
        if model.__module__.startswith("bistand.")
        and "verbose_name" not in model._meta.original_attrs
        and model._meta.label_lower not in OBJECT_NAMES
    ]
    assert not unnamed, unnamed
