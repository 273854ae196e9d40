from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from bistand.audit.models import AuditAction
from bistand.audit.services import record

from . import second_factor, sso
from .forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso.enabled()
        return context


@receiver(user_logged_in)
def _log_login(sender, request, user, **kwargs):
    """Every login is logged; an SSO login has passed the second factor at the identity
    provider, a local one has not yet (second_factor, SecondFactorMiddleware)."""
    by_sso = getattr(user, "backend", "") == sso.BACKEND_PATH
    if request is not None and hasattr(request, "session"):
        if by_sso:
            request.session[second_factor.SESSION_KEY] = second_factor.SSO
        else:
            second_factor.forget(request.session)
    record(
        user,
        AuditAction.LOGIN,
        object_type="session",
        detail={"method": "sso"} if by_sso else None,
    )


@receiver(user_logged_out)
def _log_logout(sender, request, user, **kwargs):
    if user is not None:
        record(user, AuditAction.LOGOUT, object_type="session")


@receiver(user_login_failed)
def _log_login_failed(sender, credentials, request=None, **kwargs):
    if "username" not in credentials:
        return  # an SSO callback: sso.SSOCallbackView logs it with the reason
    detail = {"username": credentials.get("username", "")}
    if credentials.get("second_factor"):
        detail["second_factor"] = "wrong_code"
    record(None, AuditAction.LOGIN_FAILED, object_type="session", detail=detail)
