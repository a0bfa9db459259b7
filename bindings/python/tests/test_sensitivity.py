"""parindex.sensitivity, leave_one_out and weight_sweep: the same numbers as the CLI (the
same core call), exact at zero perturbation, seeded, with errors carrying codes."""

import json
from pathlib import Path

import pytest

import parindex

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def demo() -> parindex.Results:
    return parindex.score(*parindex.examples.load("par-demo"))


def test_zero_perturbation_is_the_exact_ranking(demo: parindex.Results) -> None:
    out = parindex.sensitivity(demo, weights="uniform:0", noise="0", runs=100, seed=1)
    ranks = [u["nominal_rank"] for u in out["units"]]
    assert ranks == [1, 2, 3, 4, 5, 6, 6, 8, 9, 10, 11, 12]
    for u in out["units"]:
        assert u["low"] == u["median"] == u["high"] == u["nominal_rank"]
        assert u["histogram"][u["nominal_rank"] - 1] == 100
    assert out["mean_shift"] == 0.0


def test_same_seed_same_numbers_and_dict_input(demo: parindex.Results) -> None:
    spec = {
        "format_version": 1,
        "sources": [{"type": "weights", "distribution": {"type": "uniform", "spread": "0.25"}}],
    }
    a = parindex.sensitivity(demo, spec, runs=2000, seed=7, attribution=True)
    b = parindex.sensitivity(demo, json.dumps(spec), runs=2000, seed=7, attribution=True)
    assert a == b
    assert a != parindex.sensitivity(demo, spec, runs=2000, seed=8, attribution=True)
    moc = next(u for u in a["units"] if u["id"] == "moc-chau")
    assert (moc["low"], moc["high"]) == (3, 4)
    assert 0.0 < moc["top"] < 1.0
    assert [x["source"] for x in moc["attribution"]] == ["weights uniform ±25% (all)"]


def test_progress_is_reported(demo: parindex.Results) -> None:
    seen = []
    parindex.sensitivity(demo, weights="dirichlet:50", runs=500, progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1] == (500, 500)
    assert all(t == 500 for _, t in seen)


def test_exact_analyses(demo: parindex.Results) -> None:
    out = parindex.leave_one_out(demo, 1)
    assert [o["code"] for o in out] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert out[0]["ranks"][:2] == [1, 3]  # so-noi-vu 1st, so-tu-phap 3rd without domain 1
    w = parindex.weight_sweep(demo, "1", "so-tu-phap")
    assert w["nominal_rank"] == 4 and w["weight"] == "10"
    assert 0 < float(w["low"]) < 1 < float(w["high"])


def test_bad_input_has_codes(demo: parindex.Results) -> None:
    with pytest.raises(parindex.InputError) as e:
        parindex.sensitivity(demo, weights="uniform:1.5", noise="-1", runs=0)
    codes = [x["code"] for x in e.value.errors()]
    assert codes == ["zero_runs", "invalid_spread", "invalid_spread"]
    with pytest.raises(parindex.InputError) as e:
        parindex.sensitivity(demo, weights="dirichlet:0")
    assert e.value.errors()[0]["code"] == "invalid_concentration"
    with pytest.raises(ValueError):
        parindex.sensitivity(demo, weights="normal:1")


def test_golden_vector_same_numbers_as_rust(demo: parindex.Results) -> None:
    golden = json.loads((ROOT / "data" / "expected" / "par-demo.sensitivity.json").read_text("utf-8"))
    out = parindex.sensitivity(demo, weights="uniform:0.25", noise="0.1", runs=500, seed=11, attribution=True)
    assert out == golden  # every float the same bits


def test_progress_true_shows_a_tqdm_bar(capsys):
    pytest.importorskip("tqdm")
    r = parindex.score(*parindex.examples.load("par-demo"))
    out = parindex.sensitivity(r, weights="uniform:0.2", runs=400, seed=3, progress=True)
    err = capsys.readouterr().err
    assert "sensitivity" in err and "400/400" in err
    assert out == parindex.sensitivity(r, weights="uniform:0.2", runs=400, seed=3)
