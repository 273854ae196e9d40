"""System check: the test e-ID login must never be on without debug (docs/portal.md)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def check_test_eid(app_configs, **kwargs):
    if getattr(settings, "BISTAND_PORTAL_TEST_EID", False) and not settings.DEBUG:
        return [
            Error(
                "The portal's test e-ID login is enabled with debug off.",
                hint="Unset BISTAND_PORTAL_TEST_EID in production (docs/portal.md).",
                id="portal.E001",
            )
        ]
    return []
