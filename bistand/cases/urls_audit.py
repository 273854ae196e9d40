from django.urls import path

from . import views_audit as views

urlpatterns = [
    path("logg/", views.access_log, name="access_log"),
    path("granskning/", views.access_review_latest, name="access_review_latest"),
    path("granskning/<str:month>/", views.access_review_month, name="access_review"),
    path("granskning/<str:month>/signera/", views.sign_access_review, name="sign_access_review"),
    path("granskning/<str:month>/tillagg/", views.add_review_note, name="add_review_note"),
    path("nodatkomst/<int:access_id>/granska/", views.review_emergency, name="review_emergency"),
]
