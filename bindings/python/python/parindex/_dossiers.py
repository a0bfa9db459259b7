"""Dossier statistics: on-time rates from one-stop-shop records."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Dict, Optional

from ._parindex import dossier_stats_json


def dossier_stats(dossiers: Any, as_of: Optional[str] = None, file: Optional[str] = None) -> Dict[str, Any]:
    """Per unit: dossiers received, completed early / on time / late, open and overdue, and
    the on-time rate (a :class:`decimal.Decimal` percent, ``None`` when nothing was completed),
    counted as of ``as_of`` (``YYYY-MM-DD`` or ``DD/MM/YYYY``; by default the last day
    something happened in the list). ``dossiers`` is a CSV path, CSV text or a DataFrame with
    the columns ``unit, dossier_id, received, due, completed``. The document of
    ``parindex dossiers --format json``.

    >>> import parindex
    >>> doc = parindex.dossier_stats("data/examples/dossiers-demo.csv")
    >>> doc["as_of"], doc["units"][0]["unit"], doc["units"][0]["on_time_rate"]
    ('2024-03-29', 'so-noi-vu', Decimal('100'))
    """
    doc: Dict[str, Any] = json.loads(dossier_stats_json(dossiers, as_of, file))
    for unit in doc["units"]:
        rate = unit.get("on_time_rate")
        unit["on_time_rate"] = None if rate is None else Decimal(rate)
    return doc
