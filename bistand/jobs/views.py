from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from bistand.core.views import handle_domain_errors

from .selectors import job_summaries, recent_runs


@login_required
@handle_domain_errors
def overview(request):
    """Background jobs for the system administrator: schedule, last run, result, failures."""
    summaries = job_summaries(request.user)
    return render(
        request,
        "jobs/overview.html",
        {
            "summaries": summaries,
            "runs": recent_runs(request.user),
            "mode": "broker" if settings.BISTAND_BROKER_URL else "eager",
        },
    )
