from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from bistand.core.views import handle_domain_errors

from . import second_factor
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


@login_required
@handle_domain_errors
def staff_second_factor(request, pk: int):
    """A system administrator resets a staff member's second factor or backup codes (logged)."""
    require(request.user, "manage_organisation")
    person = get_object_or_404(User, pk=pk, unit_id=request.user.unit_id)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "backup_codes":
            codes = second_factor.reset_backup_codes(request.user, person)
            return render(
                request,
                "registration/backup_codes.html",
                {"codes": codes, "person": person, "next": reverse("staff_list")},
            )
        if action == "reset":
            second_factor.reset_second_factor(request.user, person)
            messages.success(
                request,
                _("%(name)s registrerar appen på nytt vid nästa inloggning.") % {"name": person},
            )
            return redirect("staff_second_factor", pk=person.pk)
    return render(
        request,
        "organisation/staff_second_factor.html",
        {
            "person": person,
            "required": second_factor.required_for(person),
            "enrolled": second_factor.is_enrolled(person),
            "backup_codes_left": second_factor.backup_codes_left(person),
        },
    )
