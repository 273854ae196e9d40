from django.contrib import admin

from bistand.organisation.admin_site import ReadOnlyConfigAdmin

from .models import JobRun


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyConfigAdmin):
    """Read-only: runs are written by the queue; the page /drift/jobb/ sums them up."""

    list_display = ("job", "status", "trigger", "attempt", "started_at", "finished_at", "error")
    list_filter = ("job", "status", "trigger")
    search_fields = ("job", "task_id")
