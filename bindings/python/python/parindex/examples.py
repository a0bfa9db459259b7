"""The bundled examples: methodologies and score sheets under ``data/``, compiled in.

==================  ================================================================
name                what
==================  ================================================================
``par-demo``        a PAR-shaped set on the real 2017 provincial domains, 12 units, 2023
``par-demo-2022``   the same set, 2022
``par-2020``        PAR INDEX 2020, the published top ten provinces
==================  ================================================================

The methodologies ``pci-2016`` and ``papi-2016`` are bundled without scores.

>>> import parindex
>>> m, scores = parindex.examples.load("par-2020")
>>> parindex.score(m, scores).to_pandas().loc[0, "unit"]
'quang-ninh'
"""

from __future__ import annotations

from typing import List, Tuple

from ._parindex import (
    EXAMPLE_METHODOLOGIES,
    EXAMPLES,
    Methodology,
    Scores,
    Questionnaire,
    Tally,
    example_load,
    example_methodology,
    example_survey,
)

__all__ = ["NAMES", "METHODOLOGIES", "load", "methodology", "survey"]

#: The names :func:`load` accepts.
NAMES: List[str] = list(EXAMPLES)
#: The names :func:`methodology` accepts.
METHODOLOGIES: List[str] = list(EXAMPLE_METHODOLOGIES)


def load(name: str) -> Tuple[Methodology, Scores]:
    """A bundled example: its methodology and its scores.

    Raises :class:`parindex.InputError` (code ``unknown_name``) for an unknown name.

    >>> m, scores = load("par-demo")
    >>> (m.id, len(scores))
    ('par-demo', 12)
    """
    return example_load(name)


def methodology(name: str) -> Methodology:
    """A bundled methodology by name (also ``pci-2016`` and ``papi-2016``).

    >>> len(methodology("pci-2016").leaf_codes)
    10
    """
    return example_methodology(name)


def survey(name: str) -> Tuple[Questionnaire, Tally]:
    """A bundled survey: its questionnaire and the tally of its responses (``sipas-demo``:
    an illustrative SIPAS questionnaire, 1,136 generated respondents about the par-demo
    units, with weights, strata and clusters).

    >>> q, tally = survey("sipas-demo")
    >>> (q.id, tally.respondents)
    ('sipas-demo', 1136)
    """
    return example_survey(name)
