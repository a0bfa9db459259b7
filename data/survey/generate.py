"""Generates the illustrative SIPAS responses (sipas-demo.responses.csv) deterministically.

ILLUSTRATIVE data, not a real survey: 12 units of the par-demo example, 4 strata (zones),
6 communes (clusters) per zone whose respondents rate several units, design weights, blanks.
Run: python3 data/survey/generate.py > data/survey/sipas-demo.responses.csv
"""
import random

UNITS = ["so-noi-vu", "so-tu-phap", "so-tai-chinh", "so-y-te", "so-xay-dung", "so-gd-dt",
         "tp-son-la", "moc-chau", "yen-chau", "mai-son", "song-ma", "van-ho"]
SCALE = ["A1", "A2", "P1", "P2", "C1", "C2"]
rng = random.Random(20241126)
quality = {u: 0.55 + 0.4 * rng.random() for u in UNITS}

def likert(q):
    if rng.random() < 0.04:
        return ""
    x = rng.random()
    if x < q:
        return "5" if rng.random() < 0.45 else "4"
    return str(rng.choice([1, 2, 3, 3, 3]))

print("respondent,unit,group,weight,stratum,cluster," + ",".join(SCALE + ["Y1", "R1", "R2", "F1", "E1"]))
rid = 0
for zone in ["tay-bac", "dong-bac", "trung-tam", "nam"]:
    for c in range(1, 7):
        cluster = f"xa-{c:02d}"
        units = rng.sample(UNITS, 4)
        for _ in range(rng.randint(35, 60)):
            rid += 1
            unit = rng.choice(units)
            q = quality[unit]
            group = "business" if rng.random() < 0.25 else "citizen"
            weight = f"{0.5 + 2.5 * rng.random():.3f}"
            answers = [likert(q) for _ in SCALE]
            y1 = "" if rng.random() < 0.05 else ("1" if rng.random() < (1 - q) / 3 else "0")
            r1 = "" if rng.random() < 0.04 else str(1 if rng.random() < q else rng.choice([2, 2, 3, 4]))
            r2, f1 = likert(q), ("" if rng.random() < 0.3 else likert(q))
            e1 = "" if group == "business" or rng.random() < 0.1 else ";".join(
                str(k) for k in sorted(rng.sample(range(1, 7), rng.randint(1, 3))))
            print(f"{rid},{unit},{group},{weight},{zone},{cluster}," + ",".join(answers + [y1, r1, r2, f1, e1]))
