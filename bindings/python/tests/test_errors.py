"""Errors: every problem at once, with exact messages (they are API) and structured .errors()."""

import pickle
from pathlib import Path

import pytest

import parindex

M = "code,parent,max\n1,,\n1.1,1,2\n1.2,1,1.5\n"


@pytest.fixture
def m() -> parindex.Methodology:
    return parindex.Methodology.from_csv(M)


def test_input_error_is_a_value_error_and_a_parindex_error() -> None:
    assert issubclass(parindex.InputError, ValueError)
    assert issubclass(parindex.InputError, parindex.ParIndexError)
    assert issubclass(parindex.ParIndexError, Exception)


def test_a_value_above_its_maximum(m: parindex.Methodology) -> None:
    with pytest.raises(parindex.InputError) as caught:
        parindex.score(m, "unit,name,1.1,1.2\na,A,1,1\nb,B,1,2\n")
    assert str(caught.value) == "scores.csv:3:4: criterion 1.2: 2 exceeds its maximum 1.5"
    assert caught.value.errors() == [
        {
            "code": "above_max",
            "message": "scores.csv:3:4: criterion 1.2: 2 exceeds its maximum 1.5",
            "location": "scores.csv:3:4",
            "file": "scores.csv",
            "sheet": None,
            "row": 3,
            "column": 4,
            "unit": "b",
            "criterion": "1.2",
            "item": None,
        }
    ]


def test_reading_and_scoring_problems_are_reported_together(m: parindex.Methodology) -> None:
    with pytest.raises(parindex.InputError) as caught:
        parindex.score(m, "unit,1.1,1.2\na,x,6\nb,1,\n", file="s.csv")
    assert str(caught.value) == (
        's.csv:2:2: criterion 1.1: "x" is not a number\n'
        "s.csv:2:3: criterion 1.2: 6 exceeds its maximum 1.5\n"
        "s.csv:3:3: criterion 1.2: missing value (write NA if the criterion does not apply)"
    )
    assert [e["code"] for e in caught.value.errors()] == ["not_a_number", "above_max", "missing_value"]


def test_a_comma_decimal_is_refused(m: parindex.Methodology) -> None:
    with pytest.raises(parindex.InputError, match=r'^scores.csv:2:2: criterion 1.1: "2,5" is not a number$'):
        parindex.Scores.from_csv(m, 'unit,1.1,1.2\na,"2,5",1\n')


def test_a_bad_methodology_reports_every_problem() -> None:
    with pytest.raises(parindex.InputError) as caught:
        parindex.Methodology.from_csv("code,parent,max\n1,,10\n2,1,x\n2,9,1\n", file="bad.csv")
    assert str(caught.value).splitlines() == [
        'bad.csv:3:3: criterion 2: "x" is not a number',
        "bad.csv:4: criterion 2: duplicate criterion code (first defined on row 3)",
        "bad.csv:4: criterion 2: parent 9 does not exist",
    ]
    assert [e["location"] for e in caught.value.errors()] == ["bad.csv:3:3", "bad.csv:4", "bad.csv:4"]


def test_json_syntax_error() -> None:
    with pytest.raises(parindex.InputError) as caught:
        parindex.Methodology.from_json("[]")
    assert caught.value.errors()[0]["code"] == "syntax"


def test_unknown_example() -> None:
    with pytest.raises(parindex.InputError) as caught:
        parindex.examples.load("pci-2016")
    assert str(caught.value) == 'unknown example "pci-2016" (known: par-demo, par-demo-2022, par-2020)'
    assert caught.value.errors()[0]["code"] == "unknown_name"
    assert caught.value.errors()[0]["location"] == ""


def test_a_missing_file_is_file_not_found(tmp_path: Path, m: parindex.Methodology) -> None:
    with pytest.raises(FileNotFoundError):
        parindex.Methodology.read(tmp_path / "nope.csv")
    with pytest.raises(FileNotFoundError):
        parindex.score(m, str(tmp_path / "scores.csv"))


def test_errors_from_a_file_name_the_path_as_given(tmp_path: Path, m: parindex.Methodology) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("unit,1.1,1.2\na,3,1\n", encoding="utf-8")
    with pytest.raises(parindex.InputError, match=r"^.*/scores.csv:2:2: criterion 1.1: 3 exceeds its maximum 2$"):
        parindex.score(m, path)


def test_an_empty_sheet(m: parindex.Methodology) -> None:
    with pytest.raises(parindex.InputError, match="^scores.csv: the file is empty$"):
        parindex.Scores.from_csv(m, b"")


def test_input_errors_pickle_with_their_issues(m: parindex.Methodology) -> None:
    with pytest.raises(parindex.InputError) as caught:
        parindex.score(m, "unit,1.1,1.2\na,1,2\n")
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value) and again.errors() == caught.value.errors()


def test_explaining_an_unknown_unit_is_a_key_error() -> None:
    results = parindex.score(*parindex.examples.load("par-2020"))
    with pytest.raises(KeyError, match="so-x"):
        results.explain("so-x")
