"""The e-service's own records (docs/portal.md)."""

from .models_follow import ApplicantNotification, ContactPreference

__all__ = ["ApplicantNotification", "ContactPreference"]
