from .context import RequestContext, current_context


class RequestContextMiddleware:
    """Makes the client address and channel (ui/api/e-tjanst) available to audit records."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            channel = "api"
        elif request.path.startswith("/e-tjanst/"):
            channel = "e-tjanst"  # the applicant's e-service (docs/portal.md)
        else:
            channel = "ui"
        token = current_context.set(
            RequestContext(ip_address=request.META.get("REMOTE_ADDR"), channel=channel)
        )
        try:
            return self.get_response(request)
        finally:
            current_context.reset(token)
