"""pandas in and out: exact conversions, both forms of score sheets, float and Decimal columns."""

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import parindex

DATA = Path(__file__).resolve().parents[3] / "data"
TINY = "# id: tiny\n# bands: A>=90; B>=50\ncode,parent,max,rule\n1,,,\n1.1,1,2.5,\n1.2,1,1.5,\n2,,6.5,\n3,,1,yes_no\n"


@pytest.fixture
def tiny() -> parindex.Methodology:
    return parindex.Methodology.from_csv(TINY)


def test_a_dataframe_from_read_csv_scores_like_the_file() -> None:
    m = parindex.examples.methodology("par-demo")
    df = pd.read_csv(DATA / "examples" / "par-demo-2022.scores.csv", keep_default_na=False)
    from_frame = parindex.score(m, df)
    expected = parindex.score(*parindex.examples.load("par-demo-2022"))
    assert from_frame.to_csv() == expected.to_csv()
    totals = from_frame.to_pandas().set_index("unit")["points"]
    assert totals.to_dict() == expected.to_pandas().set_index("unit")["points"].to_dict()
    assert all(isinstance(x, Decimal) for x in totals)


def test_a_long_form_dataframe_scores_like_the_golden_example() -> None:
    m = parindex.examples.methodology("par-demo")
    df = pd.read_csv(DATA / "examples" / "par-demo-2023.long.csv", keep_default_na=False)
    expected = (DATA / "expected" / "par-demo.results.json").read_text(encoding="utf-8")
    assert parindex.score(m, df).to_json() == expected


def test_na_read_by_pandas_as_nan_is_a_missing_value_not_a_silent_rebase() -> None:
    m = parindex.examples.methodology("par-demo")
    df = pd.read_csv(DATA / "examples" / "par-demo-2022.scores.csv")  # "NA" becomes NaN
    with pytest.raises(parindex.InputError) as caught:
        parindex.score(m, df)
    first = caught.value.errors()[0]
    assert first == {
        "code": "missing_value",
        "message": "DataFrame:2:16: criterion 3.2.1: missing value (write NA if the criterion does not apply)",
        "location": "DataFrame:2:16",
        "file": "DataFrame",
        "sheet": None,
        "row": 2,
        "column": 16,
        "unit": "so-noi-vu",
        "criterion": "3.2.1",
        "item": None,
    }
    assert len(caught.value.errors()) == 6  # every department's cell, all at once


def test_float_cells_keep_their_shortest_text(tiny: parindex.Methodology) -> None:
    df = pd.DataFrame({"unit": ["a", "b"], "1.1": [2.5, 0.1], "1.2": [1.0, 1e-05], "2": [6.3, 0.7], "3": [1, 0]})
    assert df["1.1"].dtype == "float64"
    out = parindex.score(tiny, df).to_pandas().set_index("unit")
    assert out.loc["a", "points"] == Decimal("10.8")  # 2.5 + 1 + 6.3 + 1, never 10.799999…
    assert out.loc["b", "points"] == Decimal("0.80001")  # 0.1 + 0.00001 + 0.7 + 0
    assert out.loc["a", "1"] == Decimal("3.5")


def test_decimal_and_string_cells_are_taken_as_they_are(tiny: parindex.Methodology) -> None:
    df = pd.DataFrame(
        {
            "unit": ["a", "b"],
            "name": ["Sở A", None],
            "1.1": [Decimal("1.25"), Decimal("2.000")],
            "1.2": ["1.5", "NA"],
            "2": [Decimal("6E+0"), Decimal("0.001")],
            "3": [True, False],
        }
    )
    out = parindex.score(tiny, df).to_pandas().set_index("unit")
    assert out.loc["a", "points"] == Decimal("9.75")
    assert out.loc["b", "name"] is None
    # b: 1.2 does not apply, so b is judged on 10 points, of which it has 2.001
    assert out.loc["b", "percent"] == Decimal("20.01")
    assert out.loc["b", "band"] is None


def test_dataframe_errors_are_located_like_its_csv(tiny: parindex.Methodology) -> None:
    df = pd.DataFrame({"unit": ["a", "b"], "1.1": [1, 1], "1.2": [1.0, 2.0], "2": [1, 1], "3": ["yes", "maybe"]})
    with pytest.raises(parindex.InputError) as caught:
        parindex.score(tiny, df, file="sheet")
    assert str(caught.value).splitlines() == [
        "sheet:3:3: criterion 1.2: 2 exceeds its maximum 1.5",
        'sheet:3:5: criterion 3: "maybe" is not yes or no',
    ]


def test_a_unit_index_counts_as_the_unit_column(tiny: parindex.Methodology) -> None:
    df = pd.DataFrame({"unit": ["a"], "1.1": [2], "1.2": [1.5], "2": [6.5], "3": ["yes"]}).set_index("unit")
    assert "unit" not in df.columns
    assert parindex.Scores.from_pandas(tiny, df).units == ["a"]


def test_to_pandas_columns_types_and_order() -> None:
    results = parindex.score(*parindex.examples.load("par-demo"))
    df = results.to_pandas()
    assert list(df.columns) == ["unit", "name", "group", "points", "percent", "rank", "band"] + [
        str(i) for i in range(1, 9)
    ]
    assert df["points"].dtype == object and isinstance(df.loc[0, "points"], Decimal)
    assert str(df["rank"].dtype) == "Int64"
    assert list(df["rank"]) == sorted(df["rank"])
    floats = results.to_pandas(as_float=True)
    assert floats["points"].dtype == "float64" and floats["1"].dtype == "float64"
    assert floats.loc[1, "percent"] == 94.32
    assert float(df.loc[0, "points"]) == floats.loc[0, "points"]


def test_units_not_ranked_come_last_with_a_missing_rank(tiny: parindex.Methodology) -> None:
    text = "unit,ranked,1.1,1.2,2,3\na,yes,1,1,1,no\nx,no,2,1.5,6.5,yes\nb,,2,1.5,6,yes\n"
    df = parindex.score(tiny, text).to_pandas()
    assert list(df["unit"]) == ["b", "a", "x"]
    assert df["rank"].tolist()[:2] == [1, 2] and df["rank"].isna().tolist() == [False, False, True]


def test_compare_gives_a_dataframe() -> None:
    now = parindex.score(*parindex.examples.load("par-demo"))
    before = parindex.score(*parindex.examples.load("par-demo-2022"))
    df = now.compare(before)
    row = df.set_index("unit").loc["tp-son-la"]
    assert (str(row["points"]), row["rank"], row["previous_rank"], row["movement"]) == ("94.32", 2, 7, "up 5")
    assert df.attrs["differing_nodes"] == []
    assert now.compare(before, as_float=True)["points_change"].dtype == "float64"
