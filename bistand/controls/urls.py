from django.urls import path

from . import views

app_name = "controls"

urlpatterns = [
    path("arende/<int:case_id>/register/", views.request_check_view, name="request"),
    path("arende/<int:case_id>/handling/", views.manual_check_view, name="manual"),
    path("<int:check_id>/", views.check_view, name="check"),
    path("<int:check_id>/bedom/", views.assess_view, name="assess"),
    path("krav/", views.requirements_view, name="requirements"),
]
