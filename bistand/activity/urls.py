from django.urls import path

from . import views

app_name = "activity"

urlpatterns = [
    path("", views.becoming_covered, name="becoming_covered"),
    path("arende/<int:case_id>/undantag/", views.record_exemption, name="record_exemption"),
    path("arende/<int:case_id>/lakarintyg/", views.record_certificate, name="record_certificate"),
    path(
        "arende/<int:case_id>/undantag/<int:exemption_id>/avsluta/",
        views.end_exemption,
        name="end_exemption",
    ),
]
