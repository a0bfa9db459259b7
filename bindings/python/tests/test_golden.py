"""The golden vectors of data/expected/: Python writes exactly the bytes the Rust writers do."""

from pathlib import Path

import pytest

import parindex

DATA = Path(__file__).resolve().parents[3] / "data"
NAMES = ["par-demo", "par-demo-2022", "par-2020"]


def test_the_bundled_examples_are_the_golden_ones() -> None:
    assert parindex.examples.NAMES == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_json_is_byte_for_byte_the_golden_file(name: str) -> None:
    results = parindex.score(*parindex.examples.load(name))
    expected = (DATA / "expected" / f"{name}.results.json").read_text(encoding="utf-8")
    assert results.to_json() == expected


@pytest.mark.parametrize("name", NAMES)
def test_csv_is_byte_for_byte_the_golden_file(name: str) -> None:
    results = parindex.score(*parindex.examples.load(name))
    expected = (DATA / "expected" / f"{name}.results.csv").read_text(encoding="utf-8")
    assert results.to_csv() == expected


def test_scoring_from_paths_gives_the_same_bytes() -> None:
    results = parindex.score(
        DATA / "methodologies" / "par-demo.methodology.csv",
        str(DATA / "examples" / "par-demo-2022.scores.csv"),
    )
    assert results.to_json() == (DATA / "expected" / "par-demo-2022.results.json").read_text(encoding="utf-8")


def test_par_2020_published_index_and_rank() -> None:
    df = parindex.score(*parindex.examples.load("par-2020")).to_pandas()
    top = df.iloc[0]
    assert (top["unit"], str(top["points"]), top["rank"], top["band"]) == ("quang-ninh", "91.05", 1, "A")
    assert list(df["rank"]) == list(range(1, 11))
