from django import template

from bistand.core.templatetags.bistand_format import format_sek

register = template.Library()


@register.filter
def sek(value) -> str:
    """6890.5 -> '6 890,50 kr' (the project's one amount format); empty for None."""
    return format_sek(value)


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
