from django.conf import settings

from .models import Role


def staff_navigation(request):
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user is not None and user.is_authenticated else None
    return {
        "municipality_name": settings.MUNICIPALITY_NAME,
        "nav_role": role,
        "Role": Role,
    }
