"""What payments adds to the case page (registered in PaymentsConfig.ready): a panel with the
case's payments, each with status, masked payee and the decision behind it."""

from __future__ import annotations

from django.db.models import Sum

from . import selectors
from .models import OrderStatus
from .permissions import can


def case_panel(request, case) -> dict:
    orders = list(selectors.case_orders(case))
    paid = case.payment_orders.filter(status=OrderStatus.PAID).aggregate(total=Sum("amount"))
    return {
        "title": "Utbetalningar",
        "template": "payments/_case_panel.html",
        "context": {
            "case": case,
            "orders": orders,
            "paid_total": paid["total"],
            "may_create": can(request.user, "create_order") and case.status != "closed",
        },
    }
