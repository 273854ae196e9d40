"""Responses that may hold personal data are never stored by browsers or proxies."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """`Cache-Control: no-store` (and private, no-cache) on every page, API answer and download.

    Sits below WhiteNoise, which answers static files itself and keeps their long caching. Every
    other response comes from a view; for a signed-in user it may show a case, and the few
    anonymous ones (login, errors) lose nothing by not being cached, so the rule has no
    exceptions to get wrong (issue #11, item 6).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
