"""Sensitivity with a progress bar: ``progress=True`` shows one with tqdm when it is installed
(silent otherwise); a callable receives ``(done, total)`` after each batch of replications."""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Union

from . import _parindex
from ._parindex import Results


def _tqdm_callback() -> Optional[Callable[[int, int], None]]:
    try:
        from tqdm.auto import tqdm  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        return None
    bar: Dict[str, Any] = {}

    def report(done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit="run", desc="sensitivity")
        b = bar["bar"]
        b.update(done - b.n)
        if done >= total:
            b.close()

    return report


def sensitivity(
    results: Results,
    uncertainty: Union[str, Mapping[str, Any], None] = None,
    *,
    runs: int = 1000,
    seed: int = 0,
    weights: Optional[str] = None,
    noise: Optional[str] = None,
    percentiles: Optional[Tuple[Any, Any]] = None,
    top: int = 3,
    attribution: bool = False,
    progress: Union[bool, Callable[[int, int], Any], None] = None,
) -> Dict[str, Any]:
    """Monte Carlo uncertainty and sensitivity analysis of the ranks (DESIGN.md §11): the same
    numbers as ``parindex sensitivity`` for the same seed. ``progress=True`` shows a tqdm bar
    when tqdm is installed and stays silent otherwise.

    >>> import parindex
    >>> r = parindex.score(*parindex.examples.load("par-demo"))
    >>> out = parindex.sensitivity(r, weights="uniform:0", runs=10, seed=1, progress=True)
    >>> [u["median"] == u["nominal_rank"] for u in out["units"]] == [True] * 12
    True
    """
    callback = _tqdm_callback() if progress is True else (progress or None)
    kwargs: Dict[str, Any] = {}
    if percentiles is not None:
        kwargs["percentiles"] = percentiles
    return _parindex.sensitivity(
        results,
        uncertainty,
        runs=runs,
        seed=seed,
        weights=weights,
        noise=noise,
        top=top,
        attribution=attribution,
        progress=callback,
        **kwargs,
    )
