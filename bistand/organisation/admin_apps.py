"""Django's admin app with Bistånd's own site (configuration only, system administrators only)."""

from django.contrib.admin.apps import AdminConfig


class BistandAdminConfig(AdminConfig):
    default_site = "bistand.organisation.admin_site.BistandAdminSite"
