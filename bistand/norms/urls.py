from django.urls import path

from . import views

app_name = "norms"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("riksnorm/ny/", views.norm_entry, name="norm_entry"),
    path("riksnorm/<int:pk>/", views.norm_detail, name="norm_detail"),
    path("import/", views.import_file, name="import"),
    path("parameter/ny/", views.parameter_entry, name="parameter_entry"),
    path("lagperiod/ny/", views.period_entry, name="period_entry"),
    path("<str:kind>/<int:pk>/verifiera/", views.verify, name="verify"),
    path("<str:kind>/<int:pk>/aterkalla/", views.withdraw, name="withdraw"),
]
