"""Work-plan configuration, shown read-only for reference. It changes through
workplans.services and the staff pages, so every change is checked and logged.

Plans, follow-ups, interventions and the rest are case content: they are read only through
the plan pages and API, which apply the access rules and log the read.
"""

from django.contrib import admin

from bistand.organisation.admin_site import ReadOnlyConfigAdmin

from .models import CaseTypeSetting, Programme

admin.site.register(CaseTypeSetting, ReadOnlyConfigAdmin)
admin.site.register(Programme, ReadOnlyConfigAdmin)
