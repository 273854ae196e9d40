"""What payments adds to the case page (registered in PaymentsConfig.ready): a panel with the
case's payments, each with status, masked payee and the decision behind it."""

from __future__ import annotations

from . import selectors
from .models import OrderStatus
from .permissions import can


def case_panel(request, case) -> dict:
    orders = selectors.case_order_list(case)
    paid_amounts = [o.amount for o in orders if o.status == OrderStatus.PAID]
    return {
        "title": "Utbetalningar",
        "template": "payments/_case_panel.html",
        "context": {
            "case": case,
            "orders": orders,
            "paid_total": sum(paid_amounts) if paid_amounts else None,
            "may_create": can(request.user, "create_order") and case.status != "closed",
        },
    }
