"""The rest of the surface: loading, pickling, explanation, summary, notebook display, doctests."""

import ast
import doctest
import pickle
from decimal import Decimal
from pathlib import Path

import pytest

import parindex
import parindex._errors
import parindex.examples

DATA = Path(__file__).resolve().parents[3] / "data"
STUB = Path(parindex.__file__).with_name("_parindex.pyi")


def test_all_names_exist() -> None:
    for name in parindex.__all__:
        assert hasattr(parindex, name), name


def test_methodology_round_trips_through_json_csv_and_pickle(tmp_path: Path) -> None:
    m = parindex.examples.methodology("par-demo")
    assert parindex.Methodology.from_json(m.to_json()) == m
    assert parindex.Methodology.from_csv(m.to_csv(), file="par-demo.csv") == m
    assert pickle.loads(pickle.dumps(m)) == m
    path = tmp_path / "m.json"
    path.write_text(m.to_json(), encoding="utf-8")
    assert parindex.Methodology.read(path) == m
    assert parindex.Methodology.read(DATA / "methodologies" / "par-demo.methodology.csv") == m


def test_methodology_properties() -> None:
    m = parindex.examples.methodology("pci-2016")
    assert (m.id, len(m.leaf_codes)) == ("pci-2016", 10)
    assert parindex.examples.methodology("par-demo").top_level == [str(i) for i in range(1, 9)]
    assert parindex.examples.methodology("par-demo").max == Decimal("100")
    assert repr(parindex.examples.methodology("par-2020")).startswith("<Methodology par-2020:")


def test_explain_is_a_dict_of_exact_values() -> None:
    e = parindex.score(*parindex.examples.load("par-demo")).explain("so-y-te")
    assert (e["rank"], e["of"], e["band"]) == (11, 12, "C")
    assert e["next_band"] == {"band": "B", "gap_percent": Decimal("2.66")}
    assert e["published_percent"] == Decimal("77.34")
    assert sum(leaf["contribution"] for leaf in e["leaves"] if leaf["contribution"] is not None) == pytest.approx(
        e["points"], abs=Decimal("1e-20")
    )


def test_summary() -> None:
    s = parindex.score(*parindex.examples.load("par-demo")).summary()
    assert s["overall"]["units"] == 12
    assert round(s["overall"]["average"], 2) == Decimal("87.30")
    assert sum(s["overall"]["bands"].values()) == 12
    assert [g["group"] for g in s["groups"]] == ["department", "district"]


def test_results_display() -> None:
    results = parindex.score(*parindex.examples.load("par-2020"))
    assert repr(results) == "<Results par-2020: 10 units, 10 ranked>"
    assert len(results) == 10 and results.units[0] == "quang-ninh"
    html = results._repr_html_()
    assert html.startswith('<table class="parindex">') and "<td>quang-ninh</td>" in html
    assert "Quảng Ninh" in str(results)
    assert results.to_markdown().startswith("| Rank |")
    assert results.to_csv(round=2).splitlines()[1].startswith("quang-ninh,Quảng Ninh,province,91.05,91.05,1,A,")
    assert results.methodology.id == "par-2020"


@pytest.mark.parametrize(
    "module",
    [parindex, parindex.examples, parindex._errors, parindex._survey, parindex._dossiers, parindex._sensitivity],
    ids=lambda m: m.__name__,
)
def test_module_doctests(module: object) -> None:
    failures, tried = doctest.testmod(module, verbose=False)  # type: ignore[arg-type]
    assert tried > 0 and failures == 0


def _stub_docstrings() -> list:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            doc = ast.get_docstring(node)
            if doc and ">>>" in doc:
                found.append((node.name, doc))
    return found


@pytest.mark.parametrize("name,doc", _stub_docstrings(), ids=lambda x: x if isinstance(x, str) and "\n" not in x else "")
def test_stub_docstring_examples_run(name: str, doc: str) -> None:
    test = doctest.DocTestParser().get_doctest(doc, {}, name, str(STUB), 0)
    runner = doctest.DocTestRunner(verbose=False)
    runner.run(test)
    assert runner.failures == 0
