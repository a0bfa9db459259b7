"""A tour of parindex from Python, run as written by the tests (from the repository root):
score and rank the bundled PAR example, explain a unit, compare with last year, plan a
target, estimate a satisfaction survey and feed it into the index, test the ranks'
robustness, and count dossiers.

    python examples/python/tour.py
"""

import parindex

# Score, rank and band the bundled illustrative PAR set (2023), and last year's (2022).
m, scores = parindex.examples.load("par-demo")
results = parindex.score(m, scores)
table = results.to_pandas(as_float=True)
print(table[["unit", "points", "rank", "band"]].head(3).to_string(index=False))

# Where a unit lost its points, and how it moved since last year.
explanation = results.explain("so-y-te", top=3)
print("so-y-te lost most on", explanation["top_losses"])
previous = parindex.score(*parindex.examples.load("par-demo-2022"))
changes = results.compare(previous)  # a DataFrame: points, percent and rank changes
print(changes[changes.unit == "so-y-te"][["unit", "rank", "movement"]].to_string(index=False))

# The fewest points that reach band B.
plan = results.plan("so-y-te", "band:B")
print("to reach B:", [(step["code"], step["from"], step["to"]) for step in plan["steps"]])

# A SIPAS survey: shares satisfied with design-based intervals, then into leaf 8.1.3.
q, tally = parindex.examples.survey("sipas-demo")
survey = tally.results(by=["unit", "all"])
frame = survey.to_pandas()
overall = frame[(frame.level == "overall") & (frame.id == "all")]["share"].iloc[0]
print(f"SIPAS overall: {overall:.2%}")
fed = parindex.score(m, survey.apply(scores, m, "8.1.3", "element:results"))

# How robust are the ranks to ±25 % weights? (seeded: the same numbers everywhere)
robust = parindex.sensitivity(fed, weights="uniform:0.25", runs=500, seed=7)
print("median ranks:", [u["median"] for u in robust["units"]][:5])

# On-time rates from one-stop-shop records.
dossiers = parindex.dossier_stats("data/examples/dossiers-demo.csv")
print("on-time:", {u["unit"]: str(u["on_time_rate"]) for u in dossiers["units"]})
