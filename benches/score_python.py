"""The Python package on the score bench's case: `parindex.score(methodology, df)` where `df`
is the score sheet as `pd.read_csv` gives it (float64 columns), and from the CSV text.

Usage: python score_python.py DIR → prints "dataframe_ms <best of 30>" and "text_ms <best>",
or nothing when the package is not installed (the bench then skips the comparison).
"""
import sys
import time

try:
    import pandas as pd

    import parindex
except ImportError:
    sys.exit(0)

folder = sys.argv[1]
m = parindex.Methodology.from_json(open(f"{folder}/methodology.json", encoding="utf-8").read())
text = open(f"{folder}/scores.csv", encoding="utf-8").read()
df = pd.read_csv(f"{folder}/scores.csv")
assert parindex.score(m, df).to_csv() == parindex.score(m, text).to_csv()


def best(f, runs=30):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times) * 1000


print(f"dataframe_ms {best(lambda: parindex.score(m, df)):.3f}")
print(f"text_ms {best(lambda: parindex.score(m, text)):.3f}")
