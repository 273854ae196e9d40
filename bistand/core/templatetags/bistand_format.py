"""The one way amounts are shown on pages: `{{ amount|sek }}` -> "1 220,00 kr".

Registered as a template builtin (settings.TEMPLATES), so every template has it without
`{% load %}`. Spaces are non-breaking, so an amount never wraps between its digits and "kr".
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext

register = template.Library()

NBSP = "\u00a0"


def format_sek(value) -> str:
    """1220 -> '1 220,00 kr' (non-breaking spaces); '' for None or ''; text that is not a
    number is returned unchanged."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{amount:,.2f}".replace(",", NBSP).replace(".", ",")
    return f"{text}{NBSP}kr"


@register.filter(name="sek")
def sek(value) -> str:
    return format_sek(value)


@register.filter(name="amount")
def amount(value) -> str:
    """The number alone, for tables whose column head says kr: '1 220,00'."""
    text = format_sek(value)
    return text.removesuffix(f"{NBSP}kr")


@register.filter(name="cost_type")
def cost_type(code) -> str:
    """A cost type code ('household_electricity') as its Swedish label ('Hushållsel')."""
    from bistand.calculation import COST_TYPES

    return COST_TYPES[code].label if code in COST_TYPES else code


@register.filter(name="income_type")
def income_type(code) -> str:
    """An income type code ('wages') as its Swedish label ('Lön')."""
    from bistand.calculation import INCOME_TYPES

    return INCOME_TYPES[code].label if code in INCOME_TYPES else code


@register.filter(name="join_names")
def join_names(people) -> str:
    """Full names as Swedish prose: 'Walter Testsson och Wilma Testsson', 'A, B och C'."""
    names = [getattr(person, "full_name", str(person)) for person in people]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {gettext('och')} " + names[-1]


@register.filter(name="household_name")
def household_name(household) -> str:
    """A household as staff name it in lists: its applicant's name, not 'Hushåll 1651 (…)'."""
    if household is None:
        return ""
    applicant = household.applicant_on(dt.date.today())  # as str(household) and selectors
    return applicant.full_name if applicant else gettext("Hushåll utan sökande")
