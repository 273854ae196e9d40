"""Shared model helpers."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class FinalRecordError(ValidationError):
    pass


class FinalRecordMixin(models.Model):
    """A record of authority: once final it is never changed or deleted; corrections are new rows.

    Subclasses say when a row is final with `is_final_in_db()`.
    """

    final_field = "signed_at"

    class Meta:
        abstract = True

    def _stored_is_final(self) -> bool:
        if self.pk is None:
            return False
        stored = (
            type(self).objects.filter(pk=self.pk).values_list(self.final_field, flat=True).first()
        )
        return bool(stored)

    def save(self, *args, **kwargs):
        if self._stored_is_final():
            raise FinalRecordError(
                "Posten är slutförd och kan inte ändras; gör en rättelse i stället."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_is_final():
            raise FinalRecordError("Posten är slutförd och kan inte tas bort.")
        return super().delete(*args, **kwargs)


def prefetched(instance: models.Model, name: str) -> list | None:
    """The rows of `instance`'s relation `name` when a page prefetched them
    (`prefetch_related_objects`), else None: read-only helpers then filter the page's rows in
    Python instead of asking the database again for a subset of them."""
    cache = getattr(instance, "_prefetched_objects_cache", None)
    if cache is None or name not in cache:
        return None
    return list(cache[name])


class FormDraft(models.Model):
    """What a staff member has typed into a long form and not yet saved (autosave, issue #13):
    their own working copy, not a record of authority. One per user and form; replaced as they
    type, restored when they come back (after a lost connection or a session time-out), and
    deleted when the form is saved or thrown away. See bistand/core/drafts.py."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_drafts"
    )
    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    data = models.JSONField(default=dict)  # field name -> list of values, as the form posted
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "object_id"], name="core_formdraft_one_per_form"
            )
        ]
