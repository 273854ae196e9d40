"""System checks: the test e-ID never without debug; the e-ID login over HTTPS and fully
configured (docs/portal.md)."""

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


@register(Tags.security)
def check_oidc_eid(app_configs, **kwargs):
    """The applicant's e-ID login (portal.oidc): over HTTPS in production, and either fully
    configured or not at all."""
    issuer = getattr(settings, "BISTAND_PORTAL_OIDC_ISSUER", "")
    client_id = getattr(settings, "BISTAND_PORTAL_OIDC_CLIENT_ID", "")
    errors = []
    if issuer and not settings.DEBUG and not issuer.startswith("https://"):
        errors.append(
            Error(
                "The portal's e-ID issuer is not an https:// URL with debug off.",
                hint="Set BISTAND_PORTAL_OIDC_ISSUER to the provider's https issuer.",
                id="portal.E002",
            )
        )
    if (issuer or client_id) and not (
        issuer and client_id and getattr(settings, "BISTAND_PORTAL_OIDC_IDENTITY_CLAIM", "")
    ):
        errors.append(
            Error(
                "The portal's e-ID login is half configured.",
                hint=(
                    "Set BISTAND_PORTAL_OIDC_ISSUER, BISTAND_PORTAL_OIDC_CLIENT_ID and "
                    "BISTAND_PORTAL_OIDC_IDENTITY_CLAIM together, or none (README)."
                ),
                id="portal.E003",
            )
        )
    return errors
