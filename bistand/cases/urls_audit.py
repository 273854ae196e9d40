from django.urls import path

from . import views_audit as views

urlpatterns = [
    path("logg/", views.access_log, name="access_log"),
    path("nodatkomst/<int:access_id>/granska/", views.review_emergency, name="review_emergency"),
]
