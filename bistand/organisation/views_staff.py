from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from bistand.core.views import handle_domain_errors

from .models import Section, User
from .permissions import require


@login_required
@handle_domain_errors
def staff_list(request):
    """The unit's staff and sections (system administrators and heads)."""
    if request.user.role not in ("system_admin", "unit_head", "section_head"):
        require(request.user, "manage_organisation")
    sections = Section.objects.filter(unit_id=request.user.unit_id).prefetch_related("staff")
    others = User.objects.filter(unit_id=request.user.unit_id, section__isnull=True)
    return render(request, "organisation/staff_list.html", {"sections": sections, "others": others})
