//! Unit tests of the engine: statistics that fail on a wrong engine.

use super::*;
use crate::{score, Info, Methodology, Node, Scores, Settings, Unit, Value};

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn two_by_two() -> Results {
    let m = Methodology::new(
        Info::new("m", "M"),
        Settings::default(),
        vec![Node::new("1", "A").max(d("50")), Node::new("2", "B").max(d("50"))],
    )
    .expect("valid");
    let mut s = Scores::new(&m);
    for (id, a, b) in [("x", "50", "10"), ("y", "20", "45")] {
        let u = s.add_unit(Unit::new(id)).expect("unit");
        s.set(u, "1", Value::Number(d(a))).expect("set");
        s.set(u, "2", Value::Number(d(b))).expect("set");
    }
    score(&m, &s).expect("scores")
}

#[test]
fn swap_probability_matches_closed_form() {
    // x: A 100 %, B 20 %; y: A 40 %, B 90 %. With factors f, g ~ U(1 − s, 1 + s) on the equal
    // weights, x leads iff 100f + 20g > 40f + 90g, i.e. f/g > 7/6.
    let r = two_by_two();
    let spread = 0.5;
    let u = Uncertainty::new().source(UncertaintySource::weights(WeightDistribution::uniform(d("0.5"))));
    let runs = 40_000;
    let out = sensitivity(&r, &u, &SensitivityOptions::new().runs(runs).seed(3)).expect("runs");
    let y = &out.units[0];
    assert_eq!(y.id, "y");
    let p_swap = y.probability(2);
    // P(f > 7/6 g) for f, g uniform on [0.5, 1.5]: the area of {f > 7g/6} in the unit square.
    let (lo, hi) = (1.0 - spread, 1.0 + spread);
    let k = 7.0 / 6.0;
    // g ranges over [lo, hi·6/7] where k·g < hi; integrate (hi − k g) / (hi − lo) dg / (hi − lo).
    let g_max = hi / k;
    let exact = ((hi * (g_max - lo)) - k * (g_max * g_max - lo * lo) / 2.0) / ((hi - lo) * (hi - lo));
    let se = (exact * (1.0 - exact) / runs as f64).sqrt();
    assert!((p_swap - exact).abs() < 4.0 * se, "swap {p_swap} vs closed form {exact} (se {se})");
}

#[test]
fn zero_perturbation_collapses_every_interval() {
    let r = two_by_two();
    let u = Uncertainty::new()
        .source(UncertaintySource::weights(WeightDistribution::uniform(Decimal::ZERO)))
        .source(UncertaintySource::noise(Decimal::ZERO));
    let out = sensitivity(&r, &u, &SensitivityOptions::new().runs(300).attribution(true)).expect("runs");
    for unit in &out.units {
        assert_eq!(
            (unit.low, unit.median, unit.high),
            (unit.nominal_rank, unit.nominal_rank, unit.nominal_rank)
        );
        assert_eq!(unit.probability(unit.nominal_rank), 1.0);
        assert!(unit.attribution.iter().all(|a| a.first_order.is_none() && a.total.is_none()));
    }
    assert_eq!(out.mean_shift, 0.0);
}

#[test]
fn sobol_sums_of_a_linear_function_match_the_analytic_indices() {
    // Y = 1·X1 + 2·X2 + 3·X3, Xi ~ U(0, 1) independent: Si = STi = ai² / Σ a².
    // The estimator the engine applies to ranks, on this function (values in millionths, as
    // integers, like ranks).
    let a = [1.0, 2.0, 3.0];
    let n = 100_000u64;
    let y = |x: &[f64; 3]| ((a[0] * x[0] + a[1] * x[1] + a[2] * x[2]) * 1e6).round() as i64;
    let (mut sa, mut sa2, mut sb, mut sb2) = (0f64, 0f64, 0f64, 0f64);
    let mut first = [0f64; 3];
    let mut total = [0f64; 3];
    for j in 0..n {
        let mut rng = rng::Stream::new(11, j);
        let xa = [rng.uniform(), rng.uniform(), rng.uniform()];
        let xb = [rng.uniform(), rng.uniform(), rng.uniform()];
        let (fa, fb) = (y(&xa), y(&xb));
        sa += fa as f64;
        sa2 += (fa as f64).powi(2);
        sb += fb as f64;
        sb2 += (fb as f64).powi(2);
        for i in 0..3 {
            let mut xab = xa;
            xab[i..=i].copy_from_slice(&xb[i..=i]);
            let fab = y(&xab);
            first[i] += (fb * (fab - fa)) as f64;
            total[i] += ((fa - fab) as f64).powi(2);
        }
    }
    let sum: f64 = a.iter().map(|x| x * x).sum();
    for i in 0..3 {
        let (s, st) = indices(sa, sa2, sb, sb2, first[i], total[i], n as f64);
        let expected = a[i] * a[i] / sum;
        let (s, st) = (s.expect("varies"), st.expect("varies"));
        assert!((s - expected).abs() < 0.03, "S{} = {s}, expected {expected}", i + 1);
        assert!((st - expected).abs() < 0.03, "ST{} = {st}, expected {expected}", i + 1);
    }
}

#[test]
fn the_fast_engine_equals_the_reference() {
    let r = two_by_two();
    let u = Uncertainty::new()
        .source(UncertaintySource::weights(WeightDistribution::dirichlet(d("5"))))
        .source(UncertaintySource::Aggregation { level: 0 });
    let o = SensitivityOptions::new().runs(777).seed(5).attribution(true);
    let fast = sensitivity(&r, &u, &o).expect("fast");
    let slow = sensitivity(&r, &u, &o.clone().reference(true)).expect("reference");
    assert_eq!(fast, slow);
}

#[test]
fn bad_input_is_reported_with_codes() {
    let r = two_by_two();
    let u = Uncertainty::new()
        .source(UncertaintySource::weights(WeightDistribution::uniform(d("-0.1"))))
        .source(UncertaintySource::Weights {
            nodes: NodeSet::Level { level: 1 },
            distribution: WeightDistribution::dirichlet(Decimal::ZERO),
        })
        .source(UncertaintySource::LeaveOneOut { level: 4 });
    let e = sensitivity(&r, &u, &SensitivityOptions::new().runs(0)).expect_err("bad");
    let codes: Vec<&str> = e.issues().iter().map(|i| i.code()).collect();
    assert!(codes.contains(&"zero_runs"), "{codes:?}");
    assert!(codes.contains(&"invalid_spread"), "{codes:?}");
    assert!(codes.contains(&"invalid_concentration"), "{codes:?}");
    assert!(codes.contains(&"invalid_sensitivity"), "{codes:?}");
    let msgs: Vec<String> = e.issues().iter().map(ToString::to_string).collect();
    assert!(msgs.contains(&"the number of runs must be at least 1".to_owned()), "{msgs:?}");
    assert!(msgs.contains(&"invalid spread -0.1: a spread cannot be negative".to_owned()), "{msgs:?}");
    assert!(msgs.contains(&"invalid concentration 0: a Dirichlet concentration must be positive".to_owned()));
    let too_wide = Uncertainty::new().source(UncertaintySource::weights(WeightDistribution::uniform(d("1"))));
    let e = sensitivity(&r, &too_wide, &SensitivityOptions::new()).expect_err("too wide");
    assert_eq!(e.issues()[0].code(), "invalid_spread");
}

#[test]
fn leaving_out_the_only_weighted_criterion_is_weights_all_zero() {
    let m = Methodology::new(
        Info::new("m", "M"),
        Settings::default(),
        vec![Node::new("1", "A"), Node::new("1.1", "a").parent("1").max(d("10"))],
    )
    .expect("valid");
    let mut s = Scores::new(&m);
    let u = s.add_unit(Unit::new("x")).expect("unit");
    s.set(u, "1.1", Value::Number(d("5"))).expect("set");
    let r = score(&m, &s).expect("scores");
    let e = sensitivity(
        &r,
        &Uncertainty::new().source(UncertaintySource::LeaveOneOut { level: 1 }),
        &SensitivityOptions::new(),
    )
    .expect_err("nothing left");
    assert_eq!(e.issues()[0].code(), "weights_all_zero");
    assert_eq!(
        e.issues()[0].to_string(),
        "criterion 1: leaving this criterion out leaves no weight to average"
    );
    let e = leave_one_out(&m, &s, 2).expect_err("nothing left");
    assert_eq!(e.issues()[0].code(), "weights_all_zero");
}

/// Two units, a fixed leaf F and a survey-fed leaf S (both of max 50): x has F 30 and a
/// surveyed share of 0.5 (55 points), y has F 20 and 0.6 (50 points).
fn surveyed() -> Results {
    let m = Methodology::new(
        Info::new("m", "M"),
        Settings::default(),
        vec![Node::new("F", "Fixed").max(d("50")), Node::new("S", "Survey").max(d("50"))],
    )
    .expect("valid");
    let mut s = Scores::new(&m);
    for (id, f, points) in [("x", "30", "25"), ("y", "20", "30")] {
        let u = s.add_unit(Unit::new(id)).expect("unit");
        s.set(u, "F", Value::Number(d(f))).expect("set");
        s.set(u, "S", Value::Number(d(points))).expect("set");
    }
    score(&m, &s).expect("scores")
}

fn survey_source(leaf: &str, units: &[(&str, &str, &str)]) -> UncertaintySource {
    let shares = units
        .iter()
        .map(|&(id, share, se)| (id.to_owned(), SurveyShare { share: d(share), se: d(se) }))
        .collect();
    UncertaintySource::Survey { leaves: [(leaf.to_owned(), shares)].into_iter().collect() }
}

#[test]
fn survey_swap_probability_matches_the_normal_cdf() {
    // x leads iff 30 + 50 sx > 20 + 50 sy, i.e. sx − sy > −0.2, with sx ~ N(0.5, 0.08) and
    // sy ~ N(0.6, 0.06) independent: sx − sy ~ N(−0.1, 0.1), so y leads with probability
    // Φ(−1). Clamping to [0, 1] needs more than 6 standard errors: negligible.
    let r = surveyed();
    let u = Uncertainty::new().source(survey_source("S", &[("x", "0.5", "0.08"), ("y", "0.6", "0.06")]));
    let runs = 40_000;
    let out = sensitivity(&r, &u, &SensitivityOptions::new().runs(runs).seed(8)).expect("runs");
    let x = &out.units[0];
    assert_eq!((x.id.as_str(), x.nominal_rank), ("x", 1));
    let phi = |z: f64| 0.5 * libm::erfc(-z / std::f64::consts::SQRT_2);
    let exact = phi(-1.0);
    let p_swap = x.probability(2);
    let se = (exact * (1.0 - exact) / f64::from(runs)).sqrt();
    assert!((p_swap - exact).abs() < 4.0 * se, "swap {p_swap} vs Φ(−1) = {exact} (se {se})");
    assert_eq!(out.sources, vec!["survey (S)".to_owned()]);
}

#[test]
fn survey_with_zero_standard_errors_keeps_the_exact_ranks() {
    let r = surveyed();
    let u = Uncertainty::new().source(survey_source("S", &[("x", "0.5", "0"), ("y", "0.6", "0")]));
    let out = sensitivity(&r, &u, &SensitivityOptions::new().runs(200).attribution(true)).expect("runs");
    for unit in &out.units {
        assert_eq!(unit.probability(unit.nominal_rank), 1.0, "{}", unit.id);
    }
    assert_eq!(out.mean_shift, 0.0);
}

#[test]
fn survey_source_equals_the_reference_and_reads_back_from_json() {
    let r = surveyed();
    let u = Uncertainty::new()
        .source(survey_source("S", &[("x", "0.5", "0.2"), ("y", "0.6", "0.1")]))
        .source(UncertaintySource::weights(WeightDistribution::uniform(d("0.3"))));
    let o = SensitivityOptions::new().runs(500).seed(4).attribution(true);
    let fast = sensitivity(&r, &u, &o).expect("fast");
    assert_eq!(fast, sensitivity(&r, &u, &o.clone().reference(true)).expect("reference"));
    let json = u.to_json();
    assert!(json.contains(r#""type": "survey""#) && json.contains(r#""se": "0.2""#), "{json}");
    assert_eq!(Uncertainty::from_json(&json).expect("reads"), u);
    let text = r#"{"format_version": 1, "sources": [{"type": "survey", "leaves":
        {"S": {"x": {"share": "0.5", "se": "0.2"}, "y": {"share": "0.6", "se": "0.1"}}}}]}"#;
    assert_eq!(Uncertainty::from_json(text).expect("reads").sources[0], u.sources[0]);
    assert!(Uncertainty::from_json(&text.replace(r#""se": "0.1""#, r#""se": "0.1", "n": 3"#)).is_err());
}

#[test]
fn survey_source_bad_input_is_reported_at_once() {
    let r = surveyed();
    let u = Uncertainty::new()
        .source(survey_source("S", &[("x", "1.5", "-0.1"), ("nobody", "0.5", "0.1")]))
        .source(survey_source("Q", &[("x", "0.5", "0.1")]));
    let e = sensitivity(&r, &u, &SensitivityOptions::new()).expect_err("bad");
    let codes: Vec<&str> = e.issues().iter().map(|i| i.code()).collect();
    // Units in id order ("nobody" before "x"), then the second source.
    assert_eq!(codes, vec!["unknown_unit", "invalid_sensitivity", "invalid_spread", "invalid_sensitivity"]);
    let msgs: Vec<String> = e.issues().iter().map(ToString::to_string).collect();
    assert!(msgs[0].contains("nobody"), "{msgs:?}");
    assert!(msgs[1].contains("the share 1.5 must lie in [0, 1]"), "{msgs:?}");
    assert!(msgs[2].contains("a standard error cannot be negative"), "{msgs:?}");
    assert!(msgs[3].contains("unknown criterion"), "{msgs:?}");
}

#[test]
fn survey_source_needs_a_plain_points_leaf() {
    let m = Methodology::new(
        Info::new("m", "M"),
        Settings::default(),
        vec![
            Node::new("1", "Domain"),
            Node::new("1.1", "Yes or no").parent("1").max(d("10")).rule(crate::Rule::YesNo),
            Node::new("1.2", "Points").parent("1").max(d("10")),
        ],
    )
    .expect("valid");
    let mut s = Scores::new(&m);
    let u = s.add_unit(Unit::new("x")).expect("unit");
    s.set(u, "1.1", Value::Number(d("1"))).expect("set");
    s.set(u, "1.2", Value::Number(d("5"))).expect("set");
    let r = score(&m, &s).expect("scores");
    let u = Uncertainty::new()
        .source(survey_source("1.1", &[("x", "0.5", "0.1")]))
        .source(survey_source("1", &[("x", "0.5", "0.1")]));
    let e = sensitivity(&r, &u, &SensitivityOptions::new()).expect_err("bad");
    let codes: Vec<&str> = e.issues().iter().map(|i| i.code()).collect();
    assert_eq!(codes, vec!["invalid_sensitivity", "not_a_leaf"]);
    assert!(e.issues()[0].to_string().contains("no scoring rule"), "{}", e.issues()[0]);
}
