from django.urls import path

from . import views_staff

urlpatterns = [
    path("personal/", views_staff.staff_list, name="staff_list"),
]
