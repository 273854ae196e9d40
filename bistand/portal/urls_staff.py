"""The handler's side of the e-service on the case (included at the site root)."""

from django.urls import path

from . import views_staff

urlpatterns = [
    path(
        "arende/<int:case_id>/komplettering/",
        views_staff.request_completion,
        name="request_completion",
    ),
    path(
        "nytt-fran-sokande/<int:case_id>/last/",
        views_staff.mark_news_read,
        name="applicant_news_read",
    ),
]
