"""Shared view helpers: turning service errors into Swedish pages."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_POST

from .errors import DomainError, NotFound, PermissionRefused


def refusal_response(request, error: DomainError, *, case_id=None):
    if error.code == "case_access_denied" and not getattr(
        request.user, "may_take_emergency_access", False
    ):
        # Nothing to offer (no emergency access for this role): a forbidden case answers as a
        # missing one, so its id cannot be probed (docs/ARCHITECTURE.md).
        error = NotFound("case_not_found", "Ärendet finns inte eller så saknar du behörighet.")
    status = 404 if isinstance(error, NotFound) else 403
    return render(request, "refused.html", {"error": error, "case_id": case_id}, status=status)


def bad_request_response(request, error: DomainError):
    """A page that cannot be shown as asked (a bad id or query string): 400 with the reason."""
    return render(request, "bad_request.html", {"error": error}, status=400)


def handle_domain_errors(view):
    """Permission refusals become a refusal page; other domain errors a message and a return
    to the page the user came from (nothing is half-saved: services are transactional). A page
    read (GET) that cannot be answered as asked is a 400 page instead: returning to the referer
    could be the same page again."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (PermissionRefused, NotFound) as error:
            return refusal_response(request, error, case_id=error.context.get("case_id"))
        except DomainError as error:
            if request.method in ("GET", "HEAD"):
                return bad_request_response(request, error)
            messages.error(request, error.message)
            return redirect(request.META.get("HTTP_REFERER") or "home")

    return wrapper


def not_found(request, exception=None):
    """The project's 404 (handler404): under /api/ the JSON error body the API documents
    ({"error": {"code", "message"}}, bistand/core/schema.py), elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "not_found", "message": "Adressen finns inte i API:t."}},
            status=404,
        )
    return defaults.page_not_found(request, exception)


# --- Autosaved form drafts (bistand/core/drafts.py) ---------------------------------------


@require_POST
def save_draft_view(request, kind: str, object_id: int):
    """htmx posts the form here as the user types; the answer is the status line beside the
    form. Without a session (timed out) nothing is stored and the line says what to do: the
    draft saved before the time-out is still there."""
    from . import drafts

    if not request.user.is_authenticated:
        return render(request, "drafts/_status.html", {"logged_out": True})
    try:
        draft = drafts.save(request.user, kind, object_id, request.POST)
    except (PermissionRefused, NotFound):
        # A form the user may not submit answers as a missing one; nothing is stored.
        return render(
            request,
            "drafts/_status.html",
            {"error": "Utkastet kunde inte sparas: formuläret finns inte."},
            status=404,
        )
    except DomainError as error:
        return render(request, "drafts/_status.html", {"error": error.message})
    return render(request, "drafts/_status.html", {"draft": draft})


@login_required
@require_POST
@handle_domain_errors
def discard_draft_view(request, kind: str, object_id: int):
    """Throw the autosaved draft away and go back to the form as last saved."""
    from . import drafts

    drafts.throw_away(request.user, kind, object_id)
    messages.info(request, "Det automatiskt sparade utkastet är borttaget.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    return redirect(back)
