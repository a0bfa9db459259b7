"""The vectorised numpy reference for the sensitivity bench (benches/sensitivity.rs).

The bench case of issue 5: units x 50 leaves in a 3-level tree (5 domains x 5 criteria x 2
sub-criteria, default weights = maxima), `runs` replications of a uniform +-25 % perturbation
of every node's weight, each unit's median rank and 5-95 % rank interval. Written the way a
numpy user would: one matrix product for all totals, ranks by a double argsort, percentiles
with numpy. Prints `seconds=<best of repeats>`.

Usage: python sensitivity_numpy.py UNITS RUNS [REPEATS]
"""

import sys
import time

import numpy as np


def main() -> None:
    units = int(sys.argv[1]) if len(sys.argv) > 1 else 705
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    rng = np.random.default_rng(42)
    points = rng.integers(0, 200, size=(units, 50)) / 100.0  # two decimals in [0, 2)
    x = points / 2.0 * 100.0  # leaf percents
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        f_leaf = rng.uniform(0.75, 1.25, size=(runs, 5, 5, 2))
        f_crit = rng.uniform(0.75, 1.25, size=(runs, 5, 5))
        f_dom = rng.uniform(0.75, 1.25, size=(runs, 5))
        w_leaf = f_leaf * 2.0
        w_crit = f_crit * 4.0
        w_dom = f_dom * 20.0
        share_leaf = w_leaf / w_leaf.sum(axis=3, keepdims=True)
        share_crit = w_crit / w_crit.sum(axis=2, keepdims=True)
        share_dom = w_dom / w_dom.sum(axis=1, keepdims=True)
        coef = share_leaf * share_crit[..., None] * share_dom[:, :, None, None]
        coef = coef.reshape(runs, 50)
        totals = x @ coef.T  # units x runs
        order = np.argsort(-totals, axis=0, kind="stable")
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.arange(1, units + 1)[:, None], axis=0)
        q = np.percentile(ranks, [5, 50, 95], axis=1, method="inverted_cdf")
        elapsed = time.perf_counter() - start
        assert q.shape == (3, units)
        best = min(best, elapsed)
    print(f"seconds={best:.6f}")


if __name__ == "__main__":
    main()
