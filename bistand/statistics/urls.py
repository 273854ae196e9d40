from django.urls import path

from . import views_benchmark

app_name = "statistics"

urlpatterns = [
    path("jamforelser/", views_benchmark.benchmark_view, name="benchmark"),
    path("jamforelser/resultat.csv", views_benchmark.benchmark_csv, name="benchmark_csv"),
    path("jamforelser/mall.csv", views_benchmark.benchmark_template, name="benchmark_template"),
]
