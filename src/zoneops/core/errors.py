"""Errors that services raise for bad input, carrying the field (and row) and the reason.

Views render them next to the field; the API answers 422 with the same field/reason pairs; imports list
them per row. Messages are already translated into the user's language when raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    row: int | None = None

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"field": self.field, "message": self.message}
        if self.row is not None:
            data["row"] = self.row
        return data


class InvalidInput(Exception):
    """Input refused; nothing was written."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        if not errors:
            raise ValueError("InvalidInput needs at least one error")
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    @classmethod
    def single(cls, field: str, message: str) -> InvalidInput:
        return cls([FieldError(field=field, message=message)])


class TransitionNotAllowed(Exception):
    """A state machine refused a transition (answered 409 by the API)."""
