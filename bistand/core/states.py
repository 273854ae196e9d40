"""One place for explicit status transitions (CONVENTIONS: allowed transitions in one dict)."""

from .errors import DomainError


def move_to(obj, new_status: str, transitions: dict, message: str) -> None:
    """Set `obj.status` to `new_status` if `transitions` allows it, else refuse with `message`
    (Swedish; may use {current} and {new}, the display labels in lower case)."""
    enum = type(next(iter(transitions)))
    current = enum(obj.status)
    if new_status not in transitions[current]:
        raise DomainError(
            "bad_transition",
            message.format(current=current.label.lower(), new=enum(new_status).label.lower()),
        )
    obj.status = new_status
