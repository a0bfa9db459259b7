"""The Python package on the survey bench's arrays: `parindex.survey` from numpy arrays
(answers as a uint8 matrix, integer unit codes with their names, weights), the same job as
the bench's `survey/columnar/500k` (tally, then shares, SEs, intervals, element and overall
indices per unit and overall; index intervals off, as in that job).

Usage: python survey_python.py DIR ITEMS UNITS RUNS → prints "python_ms <best of RUNS>" (the
bench passes the number of runs its own summary takes), or nothing when the package is not
installed (the bench then skips the comparison).
"""
import json
import sys
import time

import numpy as np

try:
    import parindex
except ImportError:
    sys.exit(0)

folder, items, n_units, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
units = np.fromfile(f"{folder}/units.u32", dtype=np.uint32)
weights = np.fromfile(f"{folder}/weights.f64", dtype=np.float64)
answers = np.fromfile(f"{folder}/answers.u8", dtype=np.uint8).reshape(len(units), items)
# The bench's questionnaire: five elements of four five-point satisfaction items.
q = parindex.Questionnaire.from_json(
    json.dumps(
        {
            "format_version": 1,
            "id": "bench",
            "elements": [{"code": f"e{e}", "name": f"Element {e}"} for e in range(1, items // 4 + 1)],
            "items": [
                {"code": f"q{i + 1}", "element": f"e{i // 4 + 1}", "kind": {"type": "satisfaction"}}
                for i in range(items)
            ],
            "settings": {"index_intervals": False, "mean_se": False},
        }
    )
)
names = [f"u{u:03}" for u in range(n_units)]


def job():
    return parindex.survey(q, answers=answers, units=units, unit_names=names, weights=weights, by=["unit", "all"])


assert job().to_pandas().shape[0] > 0
times = []
for _ in range(runs):
    t = time.perf_counter()
    job()
    times.append(time.perf_counter() - t)
print(f"python_ms {min(times) * 1000:.3f}")
