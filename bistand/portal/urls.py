from django.urls import include, path

from . import views, views_activity, views_follow

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("bistand.portal.urls_apply")),
    path("login/", views.login, name="login"),
    path("login/test-e-legitimation/", views.test_eid_login, name="test_eid_login"),
    path("login/e-legitimation/", views.oidc_login, name="oidc_login"),
    path("login/e-legitimation/klar/", views.oidc_callback, name="oidc_callback"),
    path("logout/", views.logout, name="logout"),
    path("arenden/<int:case_id>/", views.case, name="case"),
    path("arenden/<int:case_id>/meddelanden/", views.messages, name="messages"),
    path(
        "arenden/<int:case_id>/beslut/<int:decision_id>/brev/",
        views.letter,
        name="letter",
    ),
    # Following the case (views_follow): decisions explained, appeals, the plan, contact.
    path(
        "arenden/<int:case_id>/beslut/<int:decision_id>/",
        views_follow.decision,
        name="decision",
    ),
    path(
        "arenden/<int:case_id>/beslut/<int:decision_id>/overklaga/",
        views_follow.appeal,
        name="appeal",
    ),
    path("arenden/<int:case_id>/plan/", views_follow.plan, name="plan"),
    path(
        "arenden/<int:case_id>/plan/<int:version_id>/skriv-under/",
        views_follow.plan_sign,
        name="plan_sign",
    ),
    path(
        "arenden/<int:case_id>/aktivitetsplan/",
        views_activity.activity_plan,
        name="activity_plan",
    ),
    path(
        "arenden/<int:case_id>/aktivitetsplan/<int:plan_id>/skriv-under/",
        views_activity.activity_plan_sign,
        name="activity_plan_sign",
    ),
    path("kontaktuppgifter/", views_follow.contact, name="contact"),
]
