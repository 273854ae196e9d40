from decimal import Decimal

from django import template

from bistand.payments.services import sek as format_sek

register = template.Library()


@register.filter
def sek(value) -> str:
    """6890.5 -> '6 890,50 kr'; empty for None."""
    if value is None or value == "":
        return ""
    return format_sek(Decimal(value))


@register.filter
def status_class(status: str) -> str:
    return {
        "paid": "ok",
        "attested": "ok",
        "built": "ok",
        "reconciled": "ok",
        "rejected": "red",
        "cancelled": "",
        "awaiting_second": "warn",
        "registered": "warn",
        "building": "warn",
    }.get(status, "")
