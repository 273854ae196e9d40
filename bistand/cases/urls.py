from django.urls import path

from . import views, views_protection

urlpatterns = [
    path("", views.home, name="home"),
    path("inkorg/", views.inbox, name="inbox"),
    path("hushall/ny/", views.register_household_view, name="register_household"),
    path("hushall/ny/medlem/", views.member_row, name="member_row"),
    path(
        "hushall/<int:household_id>/ansokan/",
        views.household_application_view,
        name="household_application",
    ),
    path("arende/<int:case_id>/", views.case_detail, name="case_detail"),
    path("arende/<int:case_id>/ta/", views.take_case_view, name="take_case"),
    path("arende/<int:case_id>/utredning/", views.investigation_view, name="investigation"),
    path(
        "arende/<int:case_id>/utredning/<int:number>/",
        views.investigation_version_view,
        name="investigation_version",
    ),
    path("arende/<int:case_id>/journal/", views.add_journal_view, name="add_journal"),
    path(
        "arende/<int:case_id>/journal/<int:entry_id>/signera/",
        views.sign_journal_view,
        name="sign_journal",
    ),
    path("arende/<int:case_id>/journal.pdf", views.journal_pdf_view, name="journal_pdf"),
    path("arende/<int:case_id>/handling/", views.upload_document_view, name="upload_document"),
    path(
        "arende/<int:case_id>/ansokan/",
        views.register_repeat_application,
        name="register_repeat_application",
    ),
    path(
        "arende/<int:case_id>/ansokan/<int:application_id>/komplett/",
        views.complete_application_view,
        name="complete_application",
    ),
    path(
        "arende/<int:case_id>/ansokan/<int:application_id>/avsluta/",
        views.end_application_view,
        name="end_application",
    ),
    path("arende/<int:case_id>/fordela/", views.reassign_view, name="reassign"),
    path("arende/<int:case_id>/avsluta/", views.close_case_view, name="close_case"),
    path("arende/<int:case_id>/arendetyp/", views.set_case_type_view, name="set_case_type"),
    path("arende/<int:case_id>/nodatkomst/", views.emergency_access_view, name="emergency_access"),
    path(
        "arende/<int:case_id>/skydd/", views_protection.mark_protected_view, name="mark_protected"
    ),
    path(
        "arende/<int:case_id>/skydd/<int:marking_id>/ta-bort/",
        views_protection.remove_protected_view,
        name="remove_protected",
    ),
    path(
        "arende/<int:case_id>/behoriga/",
        views_protection.authorise_staff_view,
        name="authorise_staff",
    ),
    path(
        "arende/<int:case_id>/behoriga/<int:authorisation_id>/ta-bort/",
        views_protection.revoke_authorisation_view,
        name="revoke_authorisation",
    ),
    path("handling/<int:document_id>/", views.download_document, name="download_document"),
    path("arbetsbelastning/", views.caseload_view, name="caseload"),
    path("arbetsbelastning/<int:user_id>/", views.worker_cases_view, name="worker_cases"),
    path("sok/", views.search_view, name="search"),
]
