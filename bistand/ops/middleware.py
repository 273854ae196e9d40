"""The request id, the request's log line and metrics, and the probes /healthz, /readyz and
/metrics (docs/OPERATIONS.md)."""

from __future__ import annotations

import hmac
import logging
import re
import time
import uuid

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from . import health, metrics
from .logs import RequestLogContext, current_request, route_of

logger = logging.getLogger("bistand.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# A request id from the load balancer is kept if it looks like one (no log injection).
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{8,128}")
PROBE_VIEWS = {"/healthz": "healthz", "/readyz": "readyz", "/metrics": "metrics"}
LOOPBACK = {"127.0.0.1", "::1"}


def request_id_for(request) -> str:
    offered = request.META.get("HTTP_X_REQUEST_ID", "")
    if REQUEST_ID_PATTERN.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def view_name_of(request) -> str:
    """A bounded label: the URL pattern's name, a probe, static files or `<unmatched>`."""
    probe = getattr(request, "_bistand_probe", None)
    if probe:
        return probe
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "static"
    return "<unmatched>"


class RequestLogMiddleware:
    """First in the chain: gives every request an id (X-Request-ID, kept or made, echoed in
    the response), times it, records its metrics and logs one line (route, not path)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        context = RequestLogContext(request_id=request_id_for(request), request=request)
        request.request_id = context.request_id
        token = current_request.set(context)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = context.request_id
            seconds = time.perf_counter() - started
            view = view_name_of(request)
            metrics.observe_request(view, request.method, response.status_code, seconds)
            if view not in ("healthz", "readyz", "metrics", "static"):
                self._log(request, view, response.status_code, seconds)
            return response
        finally:
            current_request.reset(token)

    @staticmethod
    def _log(request, view: str, status: int, seconds: float) -> None:
        level = logging.ERROR if status >= 500 else logging.INFO
        logger.log(
            level,
            "%s %s %s",
            request.method,
            route_of(request),
            status,
            extra={
                "event": "request",
                "method": request.method,
                "route": route_of(request),
                "view": view,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
            },
        )


class ProbeMiddleware:
    """/healthz (the process answers; no database), /readyz (database, storage, broker) and
    /metrics, answered before the host and HTTPS checks and without a session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBE_VIEWS.get(request.path.rstrip("/") or "/")
        if probe is None:
            return self.get_response(request)
        request._bistand_probe = probe
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"error": "method not allowed"}, status=405)
        if probe == "healthz":
            return JsonResponse({"status": "ok"})
        if probe == "readyz":
            ready, body = health.readiness()
            return JsonResponse(body, status=200 if ready else 503)
        if not metrics_allowed(request):
            return JsonResponse({"error": "forbidden"}, status=403)
        body, content_type = metrics.exposition()
        return HttpResponse(body, content_type=content_type)


def metrics_allowed(request) -> bool:
    """The bearer token if one is set; otherwise (or also) a direct loopback caller, unless
    the request came through a proxy (which would make every caller look local)."""
    token = settings.BISTAND_METRICS_TOKEN
    offered = request.META.get("HTTP_AUTHORIZATION", "")
    if token and offered.startswith("Bearer "):
        return hmac.compare_digest(offered[len("Bearer ") :].encode(), token.encode())
    proxied = "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META
    return (
        settings.BISTAND_METRICS_ALLOW_LOCAL
        and not proxied
        and request.META.get("REMOTE_ADDR") in LOOPBACK
    )
