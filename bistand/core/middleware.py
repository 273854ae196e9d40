"""Middleware of the kernel: the input guard and the no-store rule.

InputGuardMiddleware refuses text no field may hold, before any view or parser sees it. Any
string in the query, a form post (field names and values, uploaded file names) or a JSON
body that contains NUL or is longer than MAX_REQUEST_TEXT is answered 400 with a Swedish
message: the API in its error shape, pages with the bad-request page. Per-field limits are
the forms' and serializers' (core.forms, core.serializers); this is the backstop for every
other way in.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import add_never_cache_headers

from .errors import DomainError
from .json_input import JSONInputError, load_json
from .text import MAX_REQUEST_TEXT, check_text, strings_in

_JSON_TYPES = ("application/json", "application/merge-patch+json")


class InputGuardMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        try:
            for text in self._texts(request):
                check_text(text, MAX_REQUEST_TEXT)
        except DomainError as error:
            return self._refusal(request, error)
        return self.get_response(request)

    def _texts(self, request):
        for key, values in request.GET.lists():
            yield key
            yield from values
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        content_type = request.content_type or ""
        if content_type in _JSON_TYPES:
            try:
                document = load_json(request.body.decode(request.encoding or "utf-8"))
            except (JSONInputError, UnicodeDecodeError):
                return  # the parser answers malformed JSON with its own 400
            yield from strings_in(document)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            try:
                posted, files = request.POST, request.FILES
            except MultiPartParserError:
                return  # Django answers a broken multipart body itself
            for key, values in posted.lists():
                yield key
                yield from values
            for key, uploads in files.lists():
                yield key
                yield from (upload.name or "" for upload in uploads)

    @staticmethod
    def _refusal(request, error: DomainError):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"error": {"code": error.code, "message": error.message}}, status=400
            )
        from .views import bad_request_response

        return bad_request_response(request, error)


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
