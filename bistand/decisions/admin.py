"""Decision configuration, shown read-only for reference (it changes through the services).

Decisions, calculations, appeals, letters and reviews are case content: they are read only
through the decision pages and API, which apply the access rules and log the read.
"""

from django.contrib import admin

from bistand.organisation.admin_site import ReadOnlyConfigAdmin

from .models import DecisionSettings, DelegationRule, LocalGuideline


@admin.register(DelegationRule)
class DelegationRuleAdmin(ReadOnlyConfigAdmin):
    list_display = ["unit", "point", "kind", "role", "max_amount", "retired_at"]
    list_filter = ["unit", "kind", "role"]


@admin.register(LocalGuideline)
class LocalGuidelineAdmin(ReadOnlyConfigAdmin):
    list_display = ["unit", "valid_from", "name", "created_by", "created_at"]


@admin.register(DecisionSettings)
class DecisionSettingsAdmin(ReadOnlyConfigAdmin):
    list_display = ["unit", "automatic_repeat_decisions", "review_sample_size", "created_at"]
