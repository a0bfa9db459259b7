"""The pandas baseline of the survey bench: weighted share satisfied and its standard error
for every unit × item with groupby().sum(), on the arrays the Rust bench wrote.

Usage: python3 survey_pandas.py DIR ITEMS  → prints "pandas_ms <best of 5>".
"""
import sys
import time

import numpy as np
import pandas as pd

folder, items = sys.argv[1], int(sys.argv[2])
units = np.fromfile(f"{folder}/units.u32", dtype=np.uint32)
weights = np.fromfile(f"{folder}/weights.f64", dtype=np.float64)
answers = np.fromfile(f"{folder}/answers.u8", dtype=np.uint8).reshape(len(units), items)


def job():
    valid = answers != 255
    y = (answers >= 4) & valid
    w = weights[:, None] * valid
    frame = pd.DataFrame(np.hstack([w, w * y, w * w, w * w * y]))
    frame["unit"] = units
    s = frame.groupby("unit").sum().to_numpy()
    sw, swy, sw2, sw2y = s[:, :items], s[:, items:2 * items], s[:, 2 * items:3 * items], s[:, 3 * items:]
    p = swy / sw
    var = (sw2y - 2 * p * sw2y + p * p * sw2) / (sw * sw)
    return p, np.sqrt(np.maximum(var, 0))


times = []
for _ in range(5):
    t = time.perf_counter()
    job()
    times.append(time.perf_counter() - t)
print(f"pandas_ms {min(times) * 1000:.3f}")
