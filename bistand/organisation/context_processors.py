from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from bistand.core.navigation import NAV_ITEMS

from .models import Role


def staff_navigation(request):
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user is not None and user.is_authenticated else None
    extra = []
    if role:
        for item in NAV_ITEMS:
            if role in item.roles:
                try:
                    extra.append({"label": gettext(str(item.label)), "url": reverse(item.url_name)})
                except NoReverseMatch:
                    continue
    return {
        "municipality_name": settings.MUNICIPALITY_NAME,
        "nav_role": role,
        "Role": Role,
        "extra_nav": extra,
    }
