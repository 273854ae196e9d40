from django.urls import path

from . import views, views_export, views_places

app_name = "activity"

urlpatterns = [
    path("", views.becoming_covered, name="becoming_covered"),
    path("underrattelser/import/", views_places.import_notices, name="import_notices"),
    path("arende/<int:case_id>/undantag/", views.record_exemption, name="record_exemption"),
    path("arende/<int:case_id>/lakarintyg/", views.record_certificate, name="record_certificate"),
    path(
        "arende/<int:case_id>/sprakniva/", views.record_language_level, name="record_language_level"
    ),
    path(
        "arende/<int:case_id>/undantag/<int:exemption_id>/avsluta/",
        views.end_exemption,
        name="end_exemption",
    ),
    # Activities, placements and the waiting list (docs/activity-requirement.md)
    path("aktiviteter/", views_places.activities, name="activities"),
    path("aktiviteter/ny/", views_places.create_activity, name="create_activity"),
    path("aktiviteter/<int:activity_id>/", views_places.activity_detail, name="activity_detail"),
    path("aktiviteter/<int:activity_id>/andra/", views_places.edit_activity, name="edit_activity"),
    path("aktiviteter/<int:activity_id>/narvaro/", views_places.attendance, name="attendance"),
    path(
        "aktiviteter/<int:activity_id>/narvaro/import/",
        views_places.import_attendance,
        name="import_attendance",
    ),
    path(
        "aktiviteter/arbetsformedlingen.csv",
        views_export.participants_for_af,
        name="participants_for_af",
    ),
    path("arende/<int:case_id>/aktivitet/", views_places.assign, name="assign"),
    path(
        "arende/<int:case_id>/aktivitet/<int:placement_id>/anta/",
        views_places.accept_offer,
        name="accept_offer",
    ),
    path(
        "arende/<int:case_id>/aktivitet/<int:placement_id>/trots-kriterierna/",
        views_places.waive_criteria,
        name="waive_criteria",
    ),
    path(
        "arende/<int:case_id>/aktivitet/<int:placement_id>/avsluta/",
        views_places.end_placement,
        name="end_placement",
    ),
    path(
        "arende/<int:case_id>/franvaro/<int:attendance_id>/",
        views_places.assess_absence,
        name="assess_absence",
    ),
    path("arende/<int:case_id>/aktivitetsplan/", views_places.activity_plan, name="activity_plan"),
    path(
        "arende/<int:case_id>/aktivitetsplan/<int:plan_id>/godkannande/",
        views_places.confirm_activity_plan,
        name="confirm_activity_plan",
    ),
]
