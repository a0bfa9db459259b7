"""Plans and what-ifs from Python: real values (the CLI's; see also test_parity.py), exact
decimals, and every error located."""

from decimal import Decimal

import pytest

import parindex


@pytest.fixture(scope="module")
def results() -> parindex.Results:
    return parindex.score(*parindex.examples.load("par-demo"))


def test_a_plan_to_band_b(results: parindex.Results) -> None:
    p = results.plan("so-y-te", "band:B")
    assert p["required_percent"] == Decimal("79.995")
    assert p["gain"] == Decimal("2.62")
    assert [(s["code"], s["from"], s["to"], s["gain"]) for s in p["steps"]] == [
        ("2.1", Decimal("2"), Decimal("3"), Decimal("1")),
        ("6.1", Decimal("1.5"), Decimal("1.86"), Decimal("0.36")),
        ("8.2", Decimal("2.24"), Decimal("3.5"), Decimal("1.26")),
    ]
    assert (p["before"]["band"], p["after"]["band"]) == ("C", "B")
    assert (p["after"]["published_percent"], p["after"]["rank"], p["after"]["of"]) == (Decimal("80.00"), 11, 12)
    assert all(isinstance(s["effect"], Decimal) for s in p["steps"])


def test_an_already_met_target_is_an_empty_plan(results: parindex.Results) -> None:
    p = results.plan("so-noi-vu", "rank:1")
    assert p["already_met"] is True and p["steps"] == [] and p["gain"] == 0


def test_plan_options(results: parindex.Results) -> None:
    p = results.plan(
        "van-ho",
        "percent:85",
        objective="least_cost",
        cost={"8.2": 3, "2.1": Decimal("2")},
        cap={"6.1": "0"},
        granularity=0.05,
    )
    assert (p["objective"], p["granularity"], p["cost"]) == ("least_cost", Decimal("0.05"), Decimal("14.05"))
    assert not {"6.1", "8.2", "2.1"} & {s["code"] for s in p["steps"]}
    assert (p["after"]["published_percent"], p["after"]["rank"]) == (Decimal("85.03"), 10)
    q = results.plan("so-y-te", "band:B", rule_based=False, round=2)
    assert str(q["after"]["percent"]) == "80.00"


@pytest.mark.parametrize(
    "call,code,message",
    [
        (lambda r: r.plan("so-x", "band:A"), "unknown_unit", 'unknown unit "so-x"'),
        (lambda r: r.plan("so-y-te", "rank:0"), "invalid_goal", 'invalid target "rank:0": a rank is a whole number from 1'),
        (
            lambda r: r.plan("van-ho", "percent:101"),
            "goal_unreachable",
            "unit van-ho: an index of 101 % cannot be reached: at best an index of 99.65 %, "
            "with every criterion that can be planned at its cap",
        ),
        (lambda r: r.plan("so-y-te", "band:A", cap={"9": 1}), "unknown_criterion", "criterion 9"),
        (lambda r: r.plan("so-y-te", "band:A", cap={"8.2": "1,5"}), "not_a_number", 'criterion 8.2: "1,5" is not a number'),
        (lambda r: r.plan("so-y-te", "band:A", granularity="0"), "invalid_setting", "granularity"),
    ],
)
def test_plan_errors(results: parindex.Results, call, code: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(parindex.InputError) as caught:
        call(results)
    assert caught.value.errors()[0]["code"] == code
    assert message in str(caught.value)
    assert results.plan("so-y-te", "band:B")["gain"] == Decimal("2.62")


def test_plan_argument_errors(results: parindex.Results) -> None:
    with pytest.raises(ValueError, match='unknown objective "cheapest"'):
        results.plan("so-y-te", "band:B", objective="cheapest")
    with pytest.raises(TypeError):
        results.plan("so-y-te", "band:B", cap={"8.2": None})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        results.plan("so-y-te", "band:B", cap={"8.2": True})


def test_what_if(results: parindex.Results) -> None:
    w = results.what_if("so-y-te", {"3.4.1": "98.5"})
    assert [(c["code"], c["input_before"], c["input_after"], c["points_after"]) for c in w["changes"]] == [
        ("3.4.1", Decimal("91.3"), Decimal("98.5"), Decimal("1.5"))
    ]
    assert (w["before"]["published_percent"], w["after"]["published_percent"]) == (Decimal("77.34"), Decimal("77.85"))
    assert w["points_change"] == Decimal("0.5076142131979695431472081218")
    assert w["movement"] == "same"
    a = results.what_if("van-ho", [("7.1.1", 100), ("8.2", 3.5), ("3.2.1", "NA"), ("1.1.1", True)])
    b = results.what_if("van-ho", {"7.1.1": "100", "8.2": Decimal("3.5"), "3.2.1": "NA", "1.1.1": "có"})
    assert a == b
    assert a["after"]["published_percent"] == Decimal("72.83")
    up = results.what_if("so-y-te", {"8.2": "3.5", "2.1": 3, "6.1": 2.5, "6.2": 3})
    assert (up["before"]["rank"], up["after"]["rank"], up["movement"]) == (11, 10, "up 1")
    # The results are untouched.
    assert int(results.to_pandas().set_index("unit").loc["so-y-te", "rank"]) == 11


def test_what_if_errors_are_located_at_the_unit_and_criterion(results: parindex.Results) -> None:
    with pytest.raises(parindex.InputError) as caught:
        results.what_if("so-y-te", {"1.2": 3})
    assert str(caught.value) == "unit so-y-te: criterion 1.2: 3 exceeds its maximum 1.5"
    e = caught.value.errors()[0]
    assert (e["code"], e["unit"], e["criterion"], e["location"]) == ("above_max", "so-y-te", "1.2", "")
    with pytest.raises(parindex.InputError) as caught:
        results.what_if("so-y-te", {"8.2": "x", "1.1.1": "maybe"})
    assert [e["code"] for e in caught.value.errors()] == ["not_a_number", "not_yes_no"]
    with pytest.raises(parindex.InputError, match="unknown unit"):
        results.what_if("so-x", {})
    for bad in ["1.2=1", 3, [("1.2",)], {"1.2": None}, {"1.2": [1]}]:
        with pytest.raises(TypeError):
            results.what_if("so-y-te", bad)  # type: ignore[arg-type]
    assert results.what_if("so-y-te", {"1.2": 1.5})["after"]["rank"] == 11


def test_explain_options(results: parindex.Results) -> None:
    e = results.explain("van-ho", top=5, round=2)
    assert len(e["top_losses"]) == 5
    assert all(str(leaf["lost"]).count(".") == 0 or len(str(leaf["lost"]).split(".")[1]) <= 2 for leaf in e["leaves"] if leaf["lost"] is not None)
