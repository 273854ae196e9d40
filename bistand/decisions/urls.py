from django.urls import path

from . import views

app_name = "decisions"

urlpatterns = [
    path("chef/", views.overview_view, name="overview"),
    path("upprepade/", views.batch_view, name="batch"),
    path("installningar/", views.settings_view, name="settings"),
    path("riktlinjer/", views.guidelines_view, name="guidelines"),
    path("granskning/<int:review_id>/", views.review_view, name="review"),
    path(
        "ansokan/<int:application_id>/berakning/",
        views.calculation_create,
        name="calculation_create",
    ),
    path("ansokan/<int:application_id>/besluta/", views.decide_view, name="decide"),
    path("berakning/<int:calculation_id>/", views.calculation_view, name="calculation"),
    path("berakning/<int:calculation_id>/rad/", views.calculation_row, name="calculation_row"),
    path(
        "berakning/<int:calculation_id>/kopiera/", views.calculation_copy, name="calculation_copy"
    ),
    path("<int:decision_id>/", views.decision_view, name="decision"),
    path("<int:decision_id>/brev.pdf", views.letter_view, name="letter"),
    path("<int:decision_id>/skickat/", views.mark_sent_view, name="mark_sent"),
    path("<int:decision_id>/andra/", views.replace_view, name="replace"),
    path("<int:decision_id>/fatta/", views.decide_draft_view, name="decide_draft"),
    path("<int:decision_id>/atersand/", views.return_referral_view, name="return_referral"),
    path("<int:decision_id>/skicka/", views.refer_prepared_view, name="refer_prepared"),
    path("<int:decision_id>/overklagande/", views.register_appeal_view, name="register_appeal"),
    path("overklagande/<int:appeal_id>/", views.appeal_view, name="appeal"),
    path(
        "overklagande/<int:appeal_id>/omprovning/",
        views.appeal_reconsider_view,
        name="appeal_reconsider",
    ),
    path(
        "overklagande/<int:appeal_id>/overlamna/", views.appeal_forward_view, name="appeal_forward"
    ),
    path("overklagande/<int:appeal_id>/avvisa/", views.appeal_dismiss_view, name="appeal_dismiss"),
    path("overklagande/<int:appeal_id>/dom/", views.appeal_court_view, name="appeal_court"),
    path(
        "overklagande/<int:appeal_id>/aterkallat/",
        views.appeal_withdraw_view,
        name="appeal_withdraw",
    ),
]
