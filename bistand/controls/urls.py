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

# Monthly sample review (stickprov) and the review queue (docs/controls.md).
from . import sample_views  # noqa: E402

urlpatterns += [
    path("stickprov/", sample_views.samples_view, name="samples"),
    path("stickprov/storlek/", sample_views.sample_size_view, name="sample_size"),
    path("stickprov/checklista/", sample_views.sample_checklist_view, name="sample_checklist"),
    path("stickprov/<int:draw_id>/", sample_views.sample_view, name="sample"),
    path("stickprov/<int:draw_id>/omdragning/", sample_views.redraw_view, name="sample_redraw"),
    path("stickprov/post/<int:item_id>/tilldela/", sample_views.assign_view, name="sample_assign"),
    path("stickprov/arsrapport/<int:year>/", sample_views.report_view, name="sample_report"),
    path(
        "stickprov/arsrapport/<int:year>/pdf/",
        sample_views.report_pdf_view,
        name="sample_report_pdf",
    ),  # fmt: skip
    path("granskning/<int:item_id>/", sample_views.review_view, name="review"),
    path("granskningar/", sample_views.my_reviews_view, name="my_reviews"),
    path("brist/<int:finding_id>/atgard/", sample_views.add_action_view, name="add_action"),
    path("atgard/<int:action_id>/", sample_views.action_view, name="action"),
    path("granskningsko/", sample_views.review_queue_view, name="review_queue"),
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
    path(
        "aterkrav/avskrivning/<int:write_off_id>/brev/",
        recovery_views.write_off_letter_view,
        name="write_off_letter",
    ),
    path("dokumentationsskuld/", recovery_views.backlog_view, name="backlog"),
    path(
        "dokumentationsskuld/granser/",
        recovery_views.backlog_settings_view,
        name="backlog_settings",
    ),
]
urlpatterns += [path("aterkrav/", recovery_views.open_claims_view, name="open_claims")]

# The FUT queue and fraud investigations (controls/views_fut.py).
from . import views_fut  # noqa: E402

urlpatterns += [
    path("fut/", views_fut.queue_view, name="fut_queue"),
    path("fut/korning/", views_fut.run_view, name="fut_run"),
    path("fut/flagga/<int:flag_id>/", views_fut.flag_view, name="fut_flag"),
    path("fut/flagga/<int:flag_id>/avskriv/", views_fut.dismiss_view, name="fut_dismiss"),
    path("fut/flagga/<int:flag_id>/utred/", views_fut.investigate_view, name="fut_investigate"),
    path("fut/utredningar/", views_fut.investigations_view, name="fut_investigations"),
    path(
        "fut/utredningar/<int:investigation_id>/",
        views_fut.investigation_view,
        name="fut_investigation",
    ),
    path(
        "fut/utredningar/<int:investigation_id>/anteckning/",
        views_fut.note_view,
        name="fut_note",
    ),
    path(
        "fut/utredningar/<int:investigation_id>/handling/",
        views_fut.report_view,
        name="fut_report",
    ),
    path(
        "fut/utredningar/<int:investigation_id>/utfall/",
        views_fut.outcome_view,
        name="fut_outcome",
    ),
]
