"""The exceptions parindex raises."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

__all__ = ["ParIndexError", "InputError"]


class ParIndexError(Exception):
    """The base class of every error parindex raises."""


class InputError(ParIndexError, ValueError):
    """An input (a methodology, a score sheet, a DataFrame) that is wrong.

    ``str(err)`` lists every problem found, one per line, exactly as the
    ``parindex`` command prints them; :meth:`errors` gives them as dicts.

    >>> import parindex
    >>> try:
    ...     parindex.Methodology.from_json("[]")
    ... except parindex.InputError as err:
    ...     print(err.errors()[0]["code"])
    syntax
    """

    def __init__(self, message: str, errors: Optional[List[Dict[str, Any]]] = None) -> None:
        super().__init__(message)
        self._errors: List[Dict[str, Any]] = list(errors or [])

    def errors(self) -> List[Dict[str, Any]]:
        """Every problem, in input order, as a dict.

        Keys: ``code`` (stable, snake_case: branch on it), ``message`` (the
        full line, e.g. ``scores.csv:3:4: criterion 1.2: 2 exceeds its maximum
        1.5``), ``location`` (its ``file:row:column`` part, or
        ``book.xlsx!Sheet!C14`` in a workbook), and ``file``, ``sheet``,
        ``row``, ``column``, ``unit``, ``criterion`` and ``item`` (a survey
        question; each ``None`` when unknown).
        """
        return [dict(e) for e in self._errors]

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (str(self), self._errors))
