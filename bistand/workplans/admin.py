"""Read-only admin views for inspection. Changes go through workplans.services (and the
staff pages), never through the admin, so every change is checked and logged."""

from django.contrib import admin

from .models import (
    CaseTypeSetting,
    Deviation,
    FollowUp,
    HandoverRecord,
    Intervention,
    Programme,
    TripartiteMeeting,
    WorkCapacityAssessment,
    WorkPlan,
    WorkPlanVersion,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (
    CaseTypeSetting,
    Programme,
    WorkPlan,
    WorkPlanVersion,
    FollowUp,
    Intervention,
    TripartiteMeeting,
    WorkCapacityAssessment,
    Deviation,
    HandoverRecord,
):
    admin.site.register(model, ReadOnlyAdmin)
