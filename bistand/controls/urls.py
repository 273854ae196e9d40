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

# Incorrect payments, recovery (återkrav) and the documentation backlog (docs/recovery.md).
from . import recovery_views  # noqa: E402

urlpatterns += [
    path(
        "arende/<int:case_id>/felaktig-utbetalning/",
        recovery_views.register_incorrect_payment_view,
        name="register_incorrect_payment",
    ),
    path(
        "felaktig-utbetalning/<int:payment_id>/",
        recovery_views.incorrect_payment_view,
        name="incorrect_payment",
    ),
    path(
        "felaktig-utbetalning/<int:payment_id>/aterkrav/",
        recovery_views.decide_recovery_view,
        name="decide_recovery",
    ),
    path("aterkrav/<int:claim_id>/", recovery_views.claim_view, name="claim"),
    path("aterkrav/<int:claim_id>/brev/", recovery_views.claim_letter_view, name="claim_letter"),
    path("aterkrav/<int:claim_id>/inbetalning/", recovery_views.repayment_view, name="repayment"),
    path("aterkrav/<int:claim_id>/avskrivning/", recovery_views.write_off_view, name="write_off"),
    path("dokumentationsskuld/", recovery_views.backlog_view, name="backlog"),
    path(
        "dokumentationsskuld/granser/",
        recovery_views.backlog_settings_view,
        name="backlog_settings",
    ),
]
urlpatterns += [path("aterkrav/", recovery_views.open_claims_view, name="open_claims")]
