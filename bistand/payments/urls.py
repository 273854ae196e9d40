from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("", views.index, name="index"),
    path("attest/", views.attest_queue, name="attest_queue"),
    path("ko/", views.queue, name="queue"),
    path("order/<int:order_id>/", views.order_detail, name="order"),
    path("order/<int:order_id>/attestera/", views.order_attest, name="order_attest"),
    path("order/<int:order_id>/undantag/", views.order_exception, name="order_exception"),
    path("order/<int:order_id>/makulera/", views.order_cancel, name="order_cancel"),
    path("order/<int:order_id>/registrera-om/", views.order_reissue, name="order_reissue"),
    path("order/<int:order_id>/utbetald/", views.order_paid, name="order_paid"),
    path("order/<int:order_id>/rekvisition/", views.requisition, name="requisition"),
    path("arende/<int:case_id>/ny/", views.order_new, name="order_new"),
    path("arende/<int:case_id>/export.csv", views.case_export, name="case_export"),
    path("mottagare/", views.payees, name="payees"),
    path("mottagare/<int:payee_id>/", views.payee_detail, name="payee"),
    path("betalningsfiler/", views.runs, name="runs"),
    path("betalningsfiler/<int:run_id>/", views.run_detail, name="run"),
    path("betalningsfiler/<int:run_id>/fil.xml", views.run_file, name="run_file"),
    path("betalningsfiler/<int:run_id>/skickad/", views.run_send, name="run_send"),
    path("betalningsfiler/<int:run_id>/makulera/", views.run_cancel, name="run_cancel"),
    path("avstamning/", views.reconcile, name="reconcile"),
    path("budget/", views.budget, name="budget"),
    path("budget/export/", views.budget_export, name="budget_export"),
    path("installningar/", views.settings_view, name="settings"),
]
