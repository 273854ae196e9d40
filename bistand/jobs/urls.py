from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("jobb/", views.overview, name="overview"),
]
