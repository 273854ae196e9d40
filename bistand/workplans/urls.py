from django.urls import path

from . import views

app_name = "workplans"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("installningar/", views.settings_view, name="settings"),
    path("arende/<int:case_id>/", views.case_plan, name="case_plan"),
    path("arende/<int:case_id>/utkast/", views.edit_plan, name="edit_plan"),
    path("arende/<int:case_id>/samtycke/", views.confirm_plan, name="confirm_plan"),
    path("arende/<int:case_id>/version/<int:number>/", views.plan_version, name="version"),
    path(
        "arende/<int:case_id>/version/<int:number>/pdf/",
        views.plan_version_pdf,
        name="version_pdf",
    ),
    path("arende/<int:case_id>/uppfoljning/", views.record_follow_up, name="record_follow_up"),
    path("arende/<int:case_id>/anvisning/", views.refer, name="refer"),
    path(
        "arende/<int:case_id>/insats/<int:intervention_id>/start/",
        views.start_intervention,
        name="start_intervention",
    ),
    path(
        "arende/<int:case_id>/insats/<int:intervention_id>/avsluta/",
        views.end_intervention,
        name="end_intervention",
    ),
    path("arende/<int:case_id>/trepartsmote/", views.record_meeting, name="record_meeting"),
    path("arende/<int:case_id>/bedomning/", views.assessment, name="assessment"),
    path(
        "arende/<int:case_id>/avvikelse/<int:deviation_id>/",
        views.resolve_deviation,
        name="resolve_deviation",
    ),
]
