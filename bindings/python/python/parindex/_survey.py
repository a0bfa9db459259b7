"""Surveys: the convenience layer over the native Questionnaire, Tally and SurveyResults."""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping, Optional, Sequence, Tuple, Union

from ._parindex import Questionnaire, SurveyResults, Tally


def _codes(values: Iterable[Any], names: Optional[Sequence[Any]] = None) -> Tuple[Any, list]:
    """Labels → (a contiguous array of little-endian u32 codes, names), in order of first
    appearance; or, with ``names``, ``values`` are already integer codes into them (no
    factorising)."""
    import numpy as np

    if names is not None:
        return np.ascontiguousarray(values, dtype="<u4"), [str(n) for n in names]

    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        text = np.asarray(list(values) if not hasattr(values, "__array__") else values).astype(str)
        unique, first, inverse = np.unique(text, return_index=True, return_inverse=True)
        order = np.argsort(first)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return np.ascontiguousarray(rank[inverse], dtype="<u4"), [str(n) for n in unique[order]]
    # Factorize the labels as they are (ints stay ints: fast), then name them as text.
    array: Any = values if hasattr(values, "__array__") else np.asarray(list(values))
    codes, uniques = pd.factorize(array)
    if (codes < 0).any():
        raise ValueError("labels must not be missing (None or NaN)")
    return np.ascontiguousarray(codes, dtype="<u4"), [str(n) for n in uniques]


def add_arrays(
    tally: Tally,
    answers: Any,
    units: Iterable[Any],
    *,
    weights: Any = None,
    groups: Optional[Iterable[Any]] = None,
    strata: Optional[Iterable[Any]] = None,
    clusters: Optional[Iterable[Any]] = None,
    unit_names: Optional[Sequence[Any]] = None,
) -> None:
    """Adds respondents from arrays: ``answers`` a 2-D ``uint8`` array (respondents ×
    ``questionnaire.columns``, 255 = no answer), ``units`` one label per respondent,
    ``weights`` floats, and optional group, stratum and cluster labels. C-contiguous arrays
    of the native types (``uint8`` answers, ``float64`` weights, ``uint32`` codes) are read in
    place, without a copy; others are converted once. Do not write to the arrays from another
    thread during the call.

    With ``unit_names``, ``units`` are integer codes into that list (as
    ``pd.factorize`` or a categorical's ``.cat.codes`` give them): the labels are then not
    factorised, the fastest path for large arrays. A code outside the list is an error.

    >>> import numpy as np, parindex
    >>> q, _ = parindex.examples.survey("sipas-demo")
    >>> t = parindex.Tally(q)
    >>> answers = np.full((3, len(q.columns)), 255, dtype=np.uint8)
    >>> answers[:, 0] = [5, 4, 1]
    >>> parindex.add_arrays(t, answers, np.array([0, 1, 1]), unit_names=["so-y-te", "so-tu-phap"])
    >>> t.respondents, t.results(by=["unit"]).to_pandas().query("code == 'A1'").set_index("id").share.to_dict()
    (3, {'so-tu-phap': 0.5, 'so-y-te': 1.0})
    """
    import numpy as np

    a = np.ascontiguousarray(answers, dtype=np.uint8)
    if a.ndim != 2:
        raise ValueError(f"answers must be a 2-D array (respondents × columns), not {a.ndim}-D")
    w = None if weights is None else np.ascontiguousarray(weights, dtype="<f8")
    tally.add_coded(
        _codes(units, unit_names),
        a,
        w,
        None if groups is None else _codes(groups),
        None if strata is None else _codes(strata),
        None if clusters is None else _codes(clusters),
    )


def survey(
    questionnaire: Union[Questionnaire, str, "os.PathLike[str]"],
    responses: Any = None,
    *,
    answers: Any = None,
    units: Optional[Iterable[Any]] = None,
    weights: Any = None,
    groups: Optional[Iterable[Any]] = None,
    strata: Optional[Iterable[Any]] = None,
    clusters: Optional[Iterable[Any]] = None,
    unit_names: Optional[Sequence[Any]] = None,
    by: Optional[Sequence[str]] = None,
    populations: Optional[Mapping[str, int]] = None,
) -> SurveyResults:
    """Survey estimates from responses (a CSV path, CSV text or a DataFrame with the columns
    ``respondent, unit`` [``group, weight, stratum, cluster``] and one per item) and/or from
    arrays (``answers`` with ``units`` …, ``unit_names`` when the units are integer codes;
    see :func:`add_arrays`).

    >>> import parindex
    >>> q, tally = parindex.examples.survey("sipas-demo")
    >>> r = tally.results(by=["all"])
    >>> df = r.to_pandas()
    >>> row = df[(df.level == "item") & (df.code == "A1")].iloc[0]
    >>> int(row.n), round(float(row.share), 4)
    (1093, 0.7556)
    """
    if not isinstance(questionnaire, Questionnaire):
        questionnaire = Questionnaire.read(questionnaire)
    tally = Tally(questionnaire)
    if responses is not None:
        tally.add_csv(responses)
    if answers is not None:
        if units is None:
            raise ValueError("answers need units: one unit label per respondent")
        add_arrays(
            tally,
            answers,
            units,
            weights=weights,
            groups=groups,
            strata=strata,
            clusters=clusters,
            unit_names=unit_names,
        )
    if responses is None and answers is None:
        raise ValueError("give responses (CSV or DataFrame) or answers with units")
    return tally.results(by=None if by is None else list(by), populations=None if populations is None else dict(populations))
