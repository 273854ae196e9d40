"""Applying online (included by `portal.urls`, so the names are `portal:...`)."""

from django.urls import path

from . import views_apply

urlpatterns = [
    path("ansok/", views_apply.start, name="apply"),
    path("ansok/ny/", views_apply.new_application, name="apply_new"),
    path("ansok/<int:e_application_id>/klar/", views_apply.done, name="apply_done"),
    # Co-applicant signing: the second adult reviews and signs (or declines) with their e-ID.
    path(
        "ansok/<int:e_application_id>/underskrift/",
        views_apply.co_sign,
        name="apply_cosign",
    ),
    path(
        "ansok/<int:e_application_id>/underskrift/avboj/",
        views_apply.co_sign_decline,
        name="apply_cosign_decline",
    ),
    # The first signer takes a waiting application back (to a draft).
    path(
        "ansok/<int:e_application_id>/ta-tillbaka/",
        views_apply.withdraw,
        name="apply_withdraw",
    ),
    path(
        "ansok/<int:e_application_id>/bilagor/<int:attachment_id>/",
        views_apply.staged_attachment,
        name="apply_attachment",
    ),
    path(
        "ansok/<int:draft_id>/bilagor/<int:attachment_id>/ta-bort/",
        views_apply.remove_attachment,
        name="apply_remove_attachment",
    ),
    path(
        "arenden/<int:case_id>/fortsatt-ansokan/",
        views_apply.repeat_application,
        name="apply_repeat",
    ),
    path("arenden/<int:case_id>/handlingar/", views_apply.send_documents, name="send_documents"),
    path(
        "arenden/<int:case_id>/komplettering/<int:request_id>/",
        views_apply.answer_request,
        name="answer_request",
    ),
]
