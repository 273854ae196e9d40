"""System checks: without debug, the access log must be signed with a real secret key."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from .keys import DEV_KEY, DEV_KEY_ID, MIN_KEY_BYTES, key_ring

HINT = "Set BISTAND_AUDIT_KEY or BISTAND_AUDIT_KEY_FILE (docs/audit.md)."


@register(Tags.security)
def check_audit_key(app_configs, **kwargs):
    try:
        ring = key_ring()
    except ImproperlyConfigured as error:
        return [Error(str(error), hint=HINT, id="audit.E001")]
    if settings.DEBUG:
        return []
    errors = []
    if ring.current_id == DEV_KEY_ID or DEV_KEY.encode() in ring.keys.values():
        errors.append(
            Error(
                "The access log uses the development key with debug off.",
                hint=HINT,
                id="audit.E002",
            )
        )
    if len(ring.current) < MIN_KEY_BYTES:
        errors.append(
            Error(
                f"The access-log key is shorter than {MIN_KEY_BYTES} bytes.",
                hint="Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'",
                id="audit.E003",
            )
        )
    return errors
