"""Read-only admin views: records of authority are changed only through the services."""

from django.contrib import admin

from .models import (
    Appeal,
    AutomaticDecisionReview,
    Calculation,
    Decision,
    DecisionLetter,
    DecisionSettings,
    DelegationRule,
    LocalGuideline,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "month", "status", "outcome", "total_granted", "decided_on"]
    list_filter = ["status", "outcome", "automatic"]


@admin.register(Calculation)
class CalculationAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "month", "amount_to_pay", "norm_year", "saved_at"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["id", "decision", "received_on", "in_time", "status", "forward_deadline"]
    list_filter = ["status"]


@admin.register(DelegationRule)
class DelegationRuleAdmin(ReadOnlyAdmin):
    list_display = ["unit", "point", "kind", "role", "max_amount", "retired_at"]
    list_filter = ["unit", "kind", "role"]


@admin.register(LocalGuideline)
class LocalGuidelineAdmin(ReadOnlyAdmin):
    list_display = ["unit", "valid_from", "name", "created_by", "created_at"]


@admin.register(DecisionSettings)
class DecisionSettingsAdmin(ReadOnlyAdmin):
    list_display = ["unit", "automatic_repeat_decisions", "review_sample_size", "created_at"]


@admin.register(DecisionLetter)
class DecisionLetterAdmin(ReadOnlyAdmin):
    list_display = ["decision", "sha256", "size_bytes", "created_at"]
    exclude = ["pdf"]


@admin.register(AutomaticDecisionReview)
class AutomaticDecisionReviewAdmin(ReadOnlyAdmin):
    list_display = ["decision", "sampled_on", "result", "reviewed_by"]
