"""What payments adds to the case page (registered in PaymentsConfig.ready): a panel with the
case's payments, each with status, masked payee and the decision behind it."""

from __future__ import annotations

from django.utils import timezone

from bistand.cases import history

from . import selectors
from .models import OrderStatus
from .permissions import can

# Orders whose story is over: older ones leave the case page's default window.
SETTLED = (OrderStatus.PAID, OrderStatus.REJECTED, OrderStatus.CANCELLED)


def case_panel(request, case) -> dict:
    all_orders = selectors.case_order_list(case)
    paid_amounts = [o.amount for o in all_orders if o.status == OrderStatus.PAID]
    # The history window (cases.history): older orders only while not yet settled.
    orders, hidden = history.split(
        all_orders,
        history.history_since(request),
        day=lambda o: max(o.month, timezone.localdate(o.created_at)),
        keep=lambda o: o.status not in SETTLED,
    )
    return {
        "title": "Utbetalningar",
        "template": "payments/_case_panel.html",
        "context": {
            "case": case,
            "orders": orders,
            "hidden": hidden,
            "history": history.links(request.GET),
            "paid_total": sum(paid_amounts) if paid_amounts else None,
            "may_create": can(request.user, "create_order") and case.status != "closed",
        },
    }
