"""Errors raised by services. `message` is Swedish for the UI; `code` is English for logs/API."""


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, **context) -> None:
        # A message marked gettext_lazy (Swedish msgid) is read here, in the language of the
        # request that was refused, so the English UI shows English refusals (issue #13).
        message = str(message)
        super().__init__(message)
        self.code = code
        self.message = message
        self.context = context


class PermissionRefused(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404
