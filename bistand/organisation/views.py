from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from bistand.audit.models import AuditAction
from bistand.audit.services import record

from .forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@receiver(user_logged_in)
def _log_login(sender, request, user, **kwargs):
    record(user, AuditAction.LOGIN, object_type="session")


@receiver(user_logged_out)
def _log_logout(sender, request, user, **kwargs):
    if user is not None:
        record(user, AuditAction.LOGOUT, object_type="session")


@receiver(user_login_failed)
def _log_login_failed(sender, credentials, request=None, **kwargs):
    record(
        None,
        AuditAction.LOGIN_FAILED,
        object_type="session",
        detail={"username": credentials.get("username", "")},
    )
