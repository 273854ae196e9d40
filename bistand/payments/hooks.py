"""What payments adds to the case page (registered in PaymentsConfig.ready): a panel with the
case's payments, each with status, masked payee and the decision behind it."""

from __future__ import annotations

from django.utils import timezone

from bistand.cases import history

from . import selectors
from .models import OrderStatus
from .permissions import can


def case_panel(request, case) -> dict:
    since = history.history_since(request)
    # The history window (cases.history): older orders only while not yet settled; the
    # total paid is over every order.
    orders, _ = history.split(
        selectors.case_order_list(case, since),
        since,
        day=lambda o: max(o.month, timezone.localdate(o.created_at)),
        keep=lambda o: o.status not in selectors.SETTLED_STATUSES,
    )
    if since is None:
        hidden = 0
        paid = [o.amount for o in orders if o.status == OrderStatus.PAID]
        paid_total = sum(paid) if paid else None
    else:
        count, paid_total = selectors.case_order_totals(case)
        hidden = count - len(orders)
    return {
        "title": "Utbetalningar",
        "template": "payments/_case_panel.html",
        "context": {
            "case": case,
            "orders": orders,
            "hidden": hidden,
            "history": history.links(request.GET),
            "paid_total": paid_total,
            "may_create": can(request.user, "create_order") and case.status != "closed",
        },
    }
