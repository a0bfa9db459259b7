"""Last year as published: results read back with ``read_results`` compare as last year's scores do."""

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import parindex

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "bad-results"


@pytest.fixture(scope="module")
def years():
    now = parindex.score(*parindex.examples.load("par-demo"))
    before = parindex.score(*parindex.examples.load("par-demo-2022"))
    return now, before


def standings(df: pd.DataFrame) -> list:
    return df[["unit", "rank", "previous_rank", "movement", "group_movement", "band", "previous_band"]].values.tolist()


@pytest.mark.parametrize("form", ["csv", "json", "dataframe"])
def test_results_read_back_compare_as_their_scores(years, form):
    now, before = years
    expected = now.compare(before)
    source = {
        "csv": lambda: before.to_csv(),
        "json": lambda: before.to_json(),
        "dataframe": lambda: before.to_pandas(),
    }[form]()
    published = parindex.read_results(source)
    assert len(published) == 12 and published.ranked == 12
    got = now.compare(published)
    assert standings(got) == standings(expected)
    # 28 places of last year's exact fractions in the text; the DataFrame holds Decimals too.
    for a, b in zip(got["points_change"], expected["points_change"]):
        assert abs(a - b) < Decimal("1e-25")


def test_the_report_workbook_read_back_compares_to_the_published_values(years, tmp_path):
    now, before = years
    book = tmp_path / "2022.xlsx"
    before.to_xlsx(book, lang="vi")
    published = parindex.read_results(f"{book}!Kết quả")
    assert published.unit("so-tu-phap")["percent"] == Decimal("94.12")
    got = now.compare(published).set_index("unit")
    # This year's exact points less last year's as published.
    assert abs(got.loc["so-tu-phap", "points_change"] - (Decimal("92.41624365482233502538071066") - Decimal("94.12"))) < Decimal("1e-25")
    assert standings(got.reset_index()) == standings(now.compare(before))
    html = now.to_html(published, lang="vi")
    assert "Hạng năm trước" in html
    assert now.to_markdown_report(published) == now.to_markdown_report(parindex.read_results(book.read_bytes(), file="2022.xlsx"))


@pytest.mark.parametrize("case", sorted(p.name for p in CORPUS.iterdir() if p.is_dir()))
def test_bad_results_corpus_gives_the_rust_messages(case):
    folder = CORPUS / case
    name = "p.json" if (folder / "p.json").exists() else "p.csv"
    expected = (folder / "expected.txt").read_text(encoding="utf-8")
    try:
        r = parindex.read_results((folder / name).read_bytes(), file=name)
    except parindex.InputError as e:
        assert isinstance(e, ValueError)
        assert "".join(f"{d['message']}\n" for d in e.errors()) == expected
    else:
        assert expected == f"ok: {len(r)} units, {r.ranked} ranked\n"
