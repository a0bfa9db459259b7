"""Surveys from Python: the golden documents the Rust CLI wrote, the NumPy and DataFrame paths
against the CSV path, merging through JSON, survey values in a methodology leaf, and errors."""

import io
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import parindex

DATA = Path(__file__).resolve().parents[3] / "data"
Q = DATA / "survey" / "sipas-demo.questionnaire.json"
R = DATA / "survey" / "sipas-demo.responses.csv"


def test_golden_documents_are_identical_to_the_rust_cli():
    q, tally = parindex.examples.survey("sipas-demo")
    results = tally.results()
    assert results.to_json() == (DATA / "expected" / "sipas-demo.survey.json").read_text(encoding="utf-8")
    assert results.to_csv(round=6) == (DATA / "expected" / "sipas-demo.survey.round6.csv").read_text(encoding="utf-8")
    # The files give what the bundled example gives.
    assert parindex.survey(Q, R).to_json() == results.to_json()


def _answer_matrix(q, frame):
    """The answers as a uint8 matrix in questionnaire column order (255 = no answer)."""
    cols = q.columns
    answers = np.full((len(frame), len(cols)), 255, dtype=np.uint8)
    for k, name in enumerate(cols):
        item, _, option = name.partition(".")
        cells = frame[item]
        if option:
            answers[:, k] = [255 if c == "" else int(option in c.split(";")) for c in cells]
        else:
            answers[:, k] = [255 if c == "" else int(c) for c in cells]
    return answers


def test_dataframe_and_arrays_give_the_csv_results():
    q = parindex.Questionnaire.read(Q)
    from_csv = parindex.survey(q, R).to_pandas()
    frame = pd.read_csv(R, keep_default_na=False, dtype=str)
    assert parindex.survey(q, frame).to_json() == parindex.survey(q, R).to_json()

    answers = _answer_matrix(q, frame)
    r = parindex.survey(
        q,
        answers=answers,
        units=frame["unit"],
        weights=frame["weight"].astype(float).to_numpy(),
        strata=frame["stratum"],
        clusters=frame["cluster"],
    )
    got = r.to_pandas()
    assert list(got["id"]) == list(from_csv["id"]) and list(got["code"].fillna("")) == list(from_csv["code"].fillna(""))
    assert (got["n"].fillna(-1) == from_csv["n"].fillna(-1)).all()
    for column in ["share", "se", "ci_low", "ci_high", "mean"]:
        np.testing.assert_allclose(got[column].to_numpy(float), from_csv[column].to_numpy(float), rtol=1e-13, atol=1e-15)


def test_arrays_in_place_converted_or_as_bytes_give_the_same_tally():
    q = parindex.Questionnaire.read(Q)
    frame = pd.read_csv(R, keep_default_na=False, dtype=str)
    answers = _answer_matrix(q, frame)
    weights = frame["weight"].astype(float).to_numpy()
    codes, names = pd.factorize(frame["unit"])
    tallies = [parindex.Tally(q) for _ in range(3)]
    # Native contiguous arrays, read in place.
    parindex.add_arrays(tallies[0], answers, codes.astype(np.uint32), unit_names=list(names), weights=weights)
    # Other layouts and types: a Fortran-ordered matrix, a strided view of the weights, a list.
    strided = np.repeat(weights, 2)[::2]
    assert not strided.flags.c_contiguous
    parindex.add_arrays(tallies[1], np.asfortranarray(answers), list(codes), unit_names=list(names), weights=strided)
    # The native call with bytes.
    tallies[2].add_coded((codes.astype("<u4").tobytes(), list(names)), answers.tobytes(), weights.tobytes())
    assert tallies[0].to_json() == tallies[1].to_json() == tallies[2].to_json()
    # The native call checks what it reads in place.
    with pytest.raises(TypeError, match="weights must be bytes or a C-contiguous NumPy array of type <f8"):
        parindex.Tally(q).add_coded((codes.astype("<u4"), list(names)), answers, weights.astype(np.float32))
    with pytest.raises(TypeError, match="answers must be bytes or a C-contiguous NumPy array of type \\|u1"):
        parindex.Tally(q).add_coded((codes.astype("<u4"), list(names)), np.asfortranarray(answers), weights)
    with pytest.raises(TypeError, match="unit codes must be"):
        parindex.Tally(q).add_coded((list(codes), list(names)), answers, weights)
    # Not a subclass either (it could give its own interface); add_arrays converts those.
    class Sub(np.ndarray):
        pass

    with pytest.raises(TypeError, match="weights must be"):
        parindex.Tally(q).add_coded((codes.astype("<u4"), list(names)), answers, weights.view(Sub))
    t = parindex.Tally(q)
    parindex.add_arrays(t, answers, codes.astype(np.uint32), unit_names=list(names), weights=weights.view(Sub))
    assert t.to_json() == tallies[0].to_json()


def test_matches_r_survey_package():
    q, tally = parindex.examples.survey("sipas-demo")
    df = tally.results().to_pandas()
    ref = pd.read_csv(DATA / "expected" / "sipas-demo.reference.csv", dtype={"id": str, "column": str})
    items = df[df.level == "item"].merge(ref, left_on=["domain", "id", "code"], right_on=["domain", "id", "column"])
    assert len(items) == len(ref) == 208
    for ours, theirs in [("share_x", "share_y"), ("se_x", "se_y"), ("ci_low_x", "ci_low_y"), ("deff_x", "deff_y")]:
        np.testing.assert_allclose(items[ours], items[theirs], rtol=1e-12)


def test_index_standard_errors_match_r_survey_package():
    # data/survey/reference_indices.R (svyratio + svycontrast), the file's design and settings.
    _, tally = parindex.examples.survey("sipas-demo")
    df = tally.results().to_pandas()
    ref = pd.read_csv(DATA / "expected" / "sipas-demo.reference-indices.csv", dtype={"id": str})
    ref = ref[(ref.design == "clustered") & (ref.element_index == "mean_of_items")]
    ref = ref[ref.overall_index == "mean_of_elements"].copy()
    ref["level"] = np.where(ref["index"] == "overall", "overall", "element")
    df["index"] = np.where(df.level == "overall", "overall", df.code)
    rows = df[df.level != "item"].merge(ref, on=["domain", "id", "level", "index"])
    assert len(rows) == len(ref) == 13 * 6
    for ours, theirs in [("share", "value"), ("se_x", "se_y"), ("ci_low_x", "ci_low_y"), ("ci_high_x", "ci_high_y")]:
        np.testing.assert_allclose(rows[ours], rows[theirs], rtol=1e-12)


def test_tallies_merge_through_json():
    q, whole = parindex.examples.survey("sipas-demo")
    lines = R.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    merged = parindex.Tally(q)
    for start in range(0, len(rows), 300):
        part = parindex.Tally(q)
        part.add_csv("\n".join([header, *rows[start : start + 300]]) + "\n")
        merged.merge(parindex.Tally.from_json(q, part.to_json()))
    assert merged.respondents == whole.respondents == 1136
    assert merged.results().to_csv(round=9) == whole.results().to_csv(round=9)


def test_element_and_overall_indices_carry_their_interval_and_standard_error():
    _, tally = parindex.examples.survey("sipas-demo")
    results = tally.results()
    rows = results.to_pandas()
    index = rows[rows.level != "item"]
    assert len(index) == 13 * 6
    assert ((index.se > 0) & (index.ci_low < index.share) & (index.share < index.ci_high)).all()
    assert index["mean"].isna().all()
    u = results.uncertainty({"8.1.1": "element:access", "8.1.2": "overall"})
    leaves = u["sources"][0]["leaves"]
    at = (rows.id == "so-y-te") & (rows.level == "element") & (rows.code == "access")
    assert abs(float(leaves["8.1.1"]["so-y-te"]["se"]) - rows[at].se.iloc[0]) < 1e-17
    overall = rows[(rows.id == "so-y-te") & (rows.level == "overall")].se.iloc[0]
    assert abs(float(leaves["8.1.2"]["so-y-te"]["se"]) - overall) < 1e-17
    # Off in the questionnaire: values only.
    q = json.loads(parindex.examples.survey("sipas-demo")[0].to_json())
    q["settings"]["index_intervals"] = False
    off = parindex.Questionnaire.from_json(json.dumps(q))
    plain = parindex.Tally(off)
    plain.add_csv(R)
    rows_off = plain.results().to_pandas()
    index_off = rows_off[rows_off.level != "item"]
    assert index_off[["se", "ci_low", "ci_high"]].isna().all().all()
    assert (index_off.share.values == index.share.values).all()


def test_the_means_standard_errors_switch_off_and_nothing_else_changes():
    q = json.loads(parindex.examples.survey("sipas-demo")[0].to_json())
    q["settings"]["mean_se"] = False
    lean = parindex.Tally(parindex.Questionnaire.from_json(json.dumps(q)))
    lean.add_csv(R)
    assert '"mean_se":false' in lean.to_json()

    def items(results):
        return [i for d in json.loads(results.to_json())["domains"] for i in d["items"]]

    off, on = items(lean.results()), items(parindex.examples.survey("sipas-demo")[1].results())
    assert sum(i["mean_se"] is not None for i in on) > 20
    assert off == [{**i, "mean_se": None} for i in on]


def test_survey_values_go_into_a_methodology_leaf():
    m, scores = parindex.examples.load("par-demo")
    q, tally = parindex.examples.survey("sipas-demo")
    results = tally.results(by=["unit"])
    fed = results.apply(scores, m, "8.1.3", "element:results")
    scored = parindex.score(m, fed)
    row = scored.explain("so-y-te")
    leaf = next(entry for entry in row["leaves"] if entry["code"] == "8.1.3")
    assert "survey sipas-demo, element results" in (leaf.get("note") or "")
    assert "(95% CI " in leaf["note"]
    index = results.to_pandas()
    value = index[(index.id == "so-y-te") & (index.level == "element") & (index.code == "results")]["share"].iloc[0]
    assert abs(float(leaf["points"]) - 2 * value) < 1e-12


def test_bad_responses_raise_input_error_with_every_problem():
    q = parindex.Questionnaire.read(Q)
    bad = (
        "respondent,unit,group,weight,stratum,cluster,A1,A2,P1,P2,C1,C2,Y1,R1,R2,F1,E1\n"
        "1,so-y-te,citizen,-1,a,b,6,4,4,4,4,4,0,1,4,4,1;2;3;4\n"
        "1,so-y-te,business,1,a,b,4,4,4,4,4,4,0,1,4,4,\n"
    )
    with pytest.raises(parindex.InputError) as info:
        parindex.survey(q, bad)
    assert isinstance(info.value, ValueError)
    codes = [e["code"] for e in info.value.errors()]
    assert codes == ["invalid_weight", "out_of_scale", "too_many_choices", "duplicate_respondent"]
    first = info.value.errors()[1]
    assert (first["row"], first["column"], first["item"]) == (2, 7, "A1")
    with pytest.raises(parindex.InputError):
        parindex.survey(q, answers=np.zeros((2, 3), dtype=np.uint8), units=["a", "b"])
    with pytest.raises(ValueError):
        parindex.survey(q)


BAD = Path(__file__).resolve().parents[3] / "tests" / "bad-survey"


@pytest.mark.parametrize("case", sorted(p.name for p in BAD.iterdir() if p.is_dir()))
def test_bad_survey_corpus_gives_the_rust_messages(case):
    expected = (BAD / case / "expected.txt").read_text(encoding="utf-8")
    if (BAD / case / "q.json").exists():
        text = (BAD / case / "q.json").read_text(encoding="utf-8")
        try:
            read = parindex.Questionnaire.from_json(text, file="q.json")
        except parindex.InputError as e:
            assert "".join(f"{d['message']}\n" for d in e.errors()) == expected
        else:
            assert expected == f"ok: {len(read.columns)} columns\n"
        return
    q = parindex.Questionnaire.read(BAD / "questionnaire.json")
    tally = parindex.Tally(q)
    try:
        tally.add_csv((BAD / case / "r.csv").read_bytes(), file="r.csv")
    except parindex.InputError as e:
        assert "".join(f"{d['message']}\n" for d in e.errors()) == expected
        assert tally.respondents == 0
    else:
        assert expected.startswith(f"ok: {tally.respondents} respondents,")


DOSSIERS = Path(__file__).resolve().parents[3] / "tests" / "bad-dossiers"


@pytest.mark.parametrize("case", sorted(p.name for p in DOSSIERS.iterdir() if p.is_dir()))
def test_bad_dossier_corpus_gives_the_rust_messages(case):
    expected = (DOSSIERS / case / "expected.txt").read_text(encoding="utf-8")
    try:
        doc = parindex.dossier_stats((DOSSIERS / case / "d.csv").read_bytes(), file="d.csv")
    except parindex.InputError as e:
        assert "".join(f"{d['message']}\n" for d in e.errors()) == expected
    else:
        assert expected.startswith("ok:") and sum(u["received"] for u in doc["units"]) == int(expected.split()[1])


def test_survey_uncertainty_source_gives_the_cli_analysis_bit_for_bit():
    """The survey-fed source built in Python is the document `parindex survey
    --uncertainty-leaf` wrote (data/expected/cases.txt), and the analysis it feeds is the one
    `parindex sensitivity` wrote with the same seed, every float the same bits."""
    expected = DATA / "expected"
    _, tally = parindex.examples.survey("sipas-demo")
    survey = tally.results()
    u = survey.uncertainty({"8.1.1": "item:A1", "8.1.2": "item:C1"})
    assert u == json.loads((expected / "sipas-demo.uncertainty.json").read_text("utf-8"))
    # The share and standard error are the survey's estimates for the item.
    rows = survey.to_pandas().query("domain == 'unit' and code == 'C1'").set_index("id")
    est = u["sources"][0]["leaves"]["8.1.2"]["so-y-te"]
    assert float(est["share"]) == pytest.approx(rows.loc["so-y-te", "share"], abs=1e-12)
    assert float(est["se"]) == pytest.approx(rows.loc["so-y-te", "se"], abs=1e-15)
    r = parindex.score(*parindex.examples.load("par-demo"))
    # The CLI puts its --weights source before the file's sources.
    weights = {"type": "weights", "nodes": {"type": "all"}, "distribution": {"type": "uniform", "spread": "0.1"}}
    doc = {"format_version": 1, "sources": [weights] + u["sources"]}
    out = parindex.sensitivity(r, doc, runs=300, seed=7, attribution=True)
    assert out == json.loads((expected / "par-demo.sensitivity.survey.json").read_text("utf-8"))
    assert out["sources"][1] == "survey (8.1.1, 8.1.2)"
    # Straight in, as JSON text too.
    assert parindex.sensitivity(r, json.dumps(u), runs=20, seed=1) == parindex.sensitivity(r, u, runs=20, seed=1)


def test_survey_uncertainty_bad_measures_raise_input_error_with_every_problem():
    _, tally = parindex.examples.survey("sipas-demo")
    with pytest.raises(parindex.InputError) as info:
        tally.results().uncertainty({"8.1.1": "element:zz", "8.1.2": "item:ZZ", "8.1.3": "nonsense"})
    errors = info.value.errors()
    assert [e["criterion"] for e in errors] == ["8.1.1", "8.1.2", "8.1.3"]
    assert [e["code"] for e in errors] == ["unknown_item", "unknown_item", "invalid_setting"]
    # Estimated for everyone only: no unit's standard error to draw.
    with pytest.raises(parindex.InputError) as info:
        tally.results(by=["all"]).uncertainty({"8.1.1": "element:access"})
    assert info.value.errors()[0]["code"] == "invalid_sensitivity"
