from django.urls import path

from . import views_staff

urlpatterns = [
    path("personal/", views_staff.staff_list, name="staff_list"),
    path(
        "personal/<int:pk>/andra-faktor/",
        views_staff.staff_second_factor,
        name="staff_second_factor",
    ),
]
