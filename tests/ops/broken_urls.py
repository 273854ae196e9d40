"""A URL configuration with a view that fails, for the server-error metrics and log tests."""

from django.urls import path


def broken(request, person_id=None):
    raise RuntimeError("Key (identity_number)=(198309192394) already exists")


urlpatterns = [
    path("broken/", broken, name="broken"),
    path("broken/<int:person_id>/", broken, name="broken-person"),
]
