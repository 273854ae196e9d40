from django.urls import path

from . import views, views_benchmark, views_risk

app_name = "statistics"

urlpatterns = [
    path("jamforelser/", views_benchmark.benchmark_view, name="benchmark"),
    path("jamforelser/resultat.csv", views_benchmark.benchmark_csv, name="benchmark_csv"),
    path("jamforelser/mall.csv", views_benchmark.benchmark_template, name="benchmark_template"),
    # Monthly dashboard, yearly analysis, national reporting (issue 7).
    path("", views.dashboard, name="dashboard"),
    path("tabell/<slug:key>.<str:fmt>", views.dashboard_download, name="dashboard_download"),
    path("uppdatera/", views.refresh, name="refresh"),
    path("ar/", views.year_report, name="year"),
    path("ar/tabell/<slug:key>.<str:fmt>", views.year_download, name="year_download"),
    # Risk groups as work lists (issue 17).
    path("riskgrupper/<slug:group>/", views_risk.risk_list, name="risk_list"),
    path("resultat/", views_risk.outcomes_view, name="outcomes"),
    path("socialstyrelsen/", views.national_report, name="national_report"),
]
