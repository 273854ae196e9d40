"""The one exception hierarchy of the calculation: a stable English `code`, a Swedish `message`.

Callers catch `CalculationError`; the subclasses say whether the input was wrong
(`InputError`) or the norm data cannot answer (`NormTableError`).
"""

from __future__ import annotations


class CalculationError(Exception):
    """A calculation that cannot be made. `code` is for programs, `message` for people."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, str]:
        error = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        return error

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, field={self.field!r})"


class InputError(CalculationError):
    """The household, month, costs or incomes given are not valid."""


class NormTableError(CalculationError):
    """The norm tables have no table for the month, lack an amount it needs, or are malformed."""
