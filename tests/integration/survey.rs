//! Surveys: estimates checked against R's survey package, tallies merged from parts, and
//! small cases computed by hand.

use std::path::PathBuf;

use parindex::{
    survey_results, Answers, Batch, DomainKind, ElementIndex, Interval, Item, ItemEstimate, ItemKind, Labels,
    OverallIndex, Questionnaire, SurveyOptions, SurveyResults, SurveySettings, Tally, NO_ANSWER,
};
use parindex_io::{read_questionnaire, read_responses, ResponsesOptions};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data").join(name)
}

fn demo() -> (Questionnaire, String) {
    let q = std::fs::read(data("survey/sipas-demo.questionnaire.json")).expect("questionnaire");
    let q = read_questionnaire(&q, "sipas-demo.questionnaire.json").expect("valid questionnaire");
    let r = std::fs::read_to_string(data("survey/sipas-demo.responses.csv")).expect("responses");
    (q, r)
}

fn tally(q: &Questionnaire, csv: &str) -> Tally {
    read_responses(csv.as_bytes(), "sipas-demo.responses.csv", q, &ResponsesOptions::new())
        .expect("valid responses")
}

fn results(q: &Questionnaire, t: &Tally) -> SurveyResults {
    survey_results(q, t, &SurveyOptions::new().by(&[DomainKind::Unit, DomainKind::All])).expect("results")
}

/// |a − b| within `tol` relative to max(1, |b|).
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn estimates_match_r_survey_package_to_1e_12() {
    let (q, csv) = demo();
    let r = results(&q, &tally(&q, &csv));
    let reference = std::fs::read_to_string(data("expected/sipas-demo.reference.csv")).expect("reference");
    let mut checked = 0;
    for line in reference.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (kind, id, column) = (f[0], f[1], f[2]);
        let domain = r.domains.iter().find(|d| d.kind.name() == kind && d.id == id).expect("domain");
        let e = domain.items.iter().find(|e| e.column == column).expect("column");
        let num = |i: usize| -> Option<f64> { (!f[i].is_empty()).then(|| f[i].parse().expect("number")) };
        assert_eq!(e.n.to_string(), f[3], "{line}");
        let pairs = [
            ("share", e.share, num(4)),
            ("se", e.se, num(5)),
            ("ci_low", e.ci_low, num(6)),
            ("ci_high", e.ci_high, num(7)),
            ("mean", e.mean, num(8)),
            ("mean_se", e.mean_se, num(9)),
            ("deff", e.deff, num(10)),
        ];
        // svyciprop's own interval comes from an iterative fit (glm's tolerance): 1e-9.
        for (what, ours, theirs) in [("glm_ci_low", e.ci_low, num(11)), ("glm_ci_high", e.ci_high, num(12))] {
            assert!(
                close(ours.expect("interval"), theirs.expect("R interval"), 1e-9),
                "{id} {column} {what}"
            );
        }
        for (what, ours, theirs) in pairs {
            match (ours, theirs) {
                (Some(a), Some(b)) => {
                    assert!(close(a, b, 1e-12), "{kind} {id} {column} {what}: {a} vs R {b}")
                }
                (None, None) => {}
                (a, b) => panic!("{kind} {id} {column} {what}: {a:?} vs R {b:?}"),
            }
        }
        assert_eq!(e.interval, Interval::Logit);
        checked += 1;
    }
    // 12 units and everyone × 16 answer columns.
    assert_eq!(checked, 13 * 16);
}

/// The demo questionnaire with other index operators.
fn with_settings(q: &Questionnaire, element: ElementIndex, overall: OverallIndex) -> Questionnaire {
    let settings = SurveySettings { element_index: element, overall_index: overall, ..q.settings().clone() };
    Questionnaire::new(q.id(), q.elements().to_vec(), q.items().to_vec(), settings)
        .and_then(|q2| q2.with_forms(q.forms().to_vec()))
        .expect("valid questionnaire")
}

/// The responses without their cluster column: each respondent its own PSU.
fn without_clusters(csv: &str) -> String {
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let at = header.iter().position(|h| *h == "cluster").expect("a cluster column");
    let mut out = String::new();
    for line in csv.lines() {
        let mut f: Vec<&str> = line.split(',').collect();
        f.remove(at);
        out.push_str(&f.join(","));
        out.push('\n');
    }
    out
}

#[test]
fn index_standard_errors_match_r_survey_package_to_1e_12() {
    // data/survey/reference_indices.R: svyratio(covmat = TRUE) and svycontrast per index, with
    // and without clusters. R's linearisation and ours are the same formula summed in another
    // order, so they agree to rounding (measured ≲ 1e-14 relative); 1e-12 leaves room for
    // platforms while still failing on any dropped covariance (those move the third digit).
    let (q, csv) = demo();
    let reference =
        std::fs::read_to_string(data("expected/sipas-demo.reference-indices.csv")).expect("reference");
    let flat = without_clusters(&csv);
    let parse_e = |s: &str| match s {
        "pooled" => ElementIndex::Pooled,
        _ => ElementIndex::MeanOfItems,
    };
    let parse_o = |s: &str| match s {
        "pooled" => OverallIndex::Pooled,
        "mean_of_items" => OverallIndex::MeanOfItems,
        _ => OverallIndex::MeanOfElements,
    };
    let mut cache: std::collections::HashMap<(String, String, String), SurveyResults> = Default::default();
    let (mut checked, mut worst) = (0, 0.0f64);
    for line in reference.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let key = (f[0].to_string(), f[1].to_string(), f[2].to_string());
        let r = cache.entry(key).or_insert_with(|| {
            let q = with_settings(&q, parse_e(f[1]), parse_o(f[2]));
            results(&q, &tally(&q, if f[0] == "clustered" { &csv } else { &flat }))
        });
        let d = r.domains.iter().find(|d| d.kind.name() == f[3] && d.id == f[4]).expect("domain");
        let ours = if f[5] == "overall" {
            [d.overall, d.overall_se, d.overall_ci_low, d.overall_ci_high]
        } else {
            let e = d.elements.iter().find(|e| e.element == f[5]).expect("element");
            [e.index, e.se, e.ci_low, e.ci_high]
        };
        for (what, (ours, theirs)) in
            ["value", "se", "ci_low", "ci_high"].iter().zip(ours.iter().zip(&f[6..10]))
        {
            let theirs: f64 = theirs.parse().expect("number");
            let ours = ours.unwrap_or_else(|| panic!("{line}: no {what}"));
            worst = worst.max((ours - theirs).abs() / theirs.abs());
            assert!(close(ours, theirs, 1e-12), "{line}: {what} {ours} vs R {theirs}");
        }
        checked += 1;
    }
    // 2 designs × 4 settings × 13 domains × (5 elements + overall).
    assert_eq!(checked, 2 * 4 * 13 * 6);
    eprintln!("indices: worst relative difference from R {worst:e}");
    assert!(worst < 1e-12, "{worst}");
}

#[test]
fn tallies_of_parts_merge_into_the_tally_of_the_whole() {
    let (q, clustered) = demo();
    // With clusters (PSU totals from the moments) and without (the index cross sums),
    // for per-item and per-element cross sums.
    let pooled = with_settings(&q, ElementIndex::Pooled, OverallIndex::Pooled);
    let flat = without_clusters(&clustered);
    for (q, csv) in [(&q, &clustered), (&q, &flat), (&pooled, &flat)] {
        merge_parts(q, csv);
    }
}

fn merge_parts(q: &Questionnaire, csv: &str) {
    let (header, body) = csv.split_once('\n').expect("header");
    let rows: Vec<&str> = body.lines().collect();
    let whole = tally(q, csv);
    let expected = results(q, &whole);
    let part = |rows: &[&str]| tally(q, &format!("{header}\n{}\n", rows.join("\n")));
    let same = |got: &SurveyResults, what: &str| {
        assert_eq!(got.domains.len(), expected.domains.len());
        for (a, b) in got.domains.iter().zip(&expected.domains) {
            assert_eq!((&a.id, a.respondents), (&b.id, b.respondents));
            for (x, y) in a.items.iter().zip(&b.items) {
                // Counts exactly; sums of three-decimal weights up to reassociation.
                assert_eq!((x.n, x.positive, x.invalid), (y.n, y.positive, y.invalid));
                for (u, v) in [(x.share, y.share), (x.se, y.se), (x.mean, y.mean)] {
                    assert!(close(u.unwrap_or(0.0), v.unwrap_or(0.0), 1e-13), "{what}: {u:?} vs {v:?}");
                }
            }
            let index = |d: &parindex::DomainEstimate| {
                let mut v: Vec<Option<f64>> =
                    d.elements.iter().flat_map(|e| [e.index, e.se, e.ci_low, e.ci_high]).collect();
                v.extend([d.overall, d.overall_se, d.overall_ci_low, d.overall_ci_high]);
                v
            };
            let (u, v) = (index(a), index(b));
            assert!(v.iter().all(Option::is_some), "every index has an interval");
            for (u, v) in u.iter().zip(&v) {
                assert!(close(u.unwrap_or(0.0), v.unwrap_or(0.0), 1e-13), "{what}: {u:?} vs {v:?}");
            }
        }
    };
    // Contiguous chunks of several sizes, merged left to right and right to left.
    for parts in [2, 3, 7, 50] {
        let chunks: Vec<Tally> = rows.chunks(rows.len().div_ceil(parts)).map(part).collect();
        let mut forward = Tally::new(q);
        for c in &chunks {
            forward.merge(c).expect("merge");
        }
        let mut backward = Tally::new(q);
        for c in chunks.iter().rev() {
            // Through JSON, as a distributed engine would pass them.
            backward.merge(&Tally::from_json(&c.to_json()).expect("json")).expect("merge");
        }
        for merged in [&forward, &backward] {
            assert_eq!(merged.respondents(), whole.respondents());
            same(&results(q, merged), &format!("{parts} parts"));
        }
    }
    // Interleaved parts (every k-th respondent) too.
    let mut odd_even = part(&rows.iter().step_by(2).copied().collect::<Vec<_>>());
    odd_even.merge(&part(&rows.iter().skip(1).step_by(2).copied().collect::<Vec<_>>())).expect("merge");
    assert_eq!(odd_even.respondents(), whole.respondents());
    same(&results(q, &odd_even), "odd and even rows");
}

#[test]
fn tallies_of_other_versions_or_cross_sums_are_refused() {
    let (q, clustered) = demo();
    let flat = without_clusters(&clustered);
    // Versions 1 and 2 kept sums per answer code, which only the questionnaire could turn
    // into moments: they are refused, not misread.
    for version in [1, 2, 4] {
        let json = tally(&q, &flat).to_json().replacen(
            "\"format_version\":3,",
            &format!("\"format_version\":{version},"),
            1,
        );
        let e = Tally::from_json(&json).expect_err("another version");
        assert_eq!(e.issues()[0].code(), "unsupported_version");
    }
    let off = SurveySettings { index_intervals: false, ..q.settings().clone() };
    let off = Questionnaire::new(q.id(), q.elements().to_vec(), q.items().to_vec(), off)
        .and_then(|o| o.with_forms(q.forms().to_vec()))
        .expect("valid");
    for (csv, clusters) in [(&clustered, true), (&flat, false)] {
        // A tally without cross sums merges into an empty one, which then has none either.
        let bare = Tally::from_json(&tally(&off, csv).to_json()).expect("reads");
        let mut fresh = Tally::new(&q);
        fresh.merge(&bare).expect("merge");
        assert_eq!(results(&q, &fresh), results(&q, &bare));
        let with_sums = results(&q, &tally(&q, csv));
        for (a, b) in results(&q, &bare).domains.iter().zip(&with_sums.domains) {
            assert_eq!(a.items, b.items);
            assert_eq!(a.overall, b.overall);
            // With clusters the index SEs need no cross sums.
            assert_eq!(a.overall_se, if clusters { b.overall_se } else { None });
            assert!(b.overall_se.is_some());
        }
        // Not into one that keeps cross sums, which could not be completed.
        let mut part = tally(&q, csv);
        let merged = part.merge(&bare);
        if clusters {
            merged.expect("clusters need no cross sums");
        } else {
            let e = merged.expect_err("mismatch");
            assert_eq!(
                e.to_string(),
                "survey data does not fit: one tally keeps the cross sums of the index items, the other no cross \
                 sums of the index items (index_intervals off)"
            );
        }
    }
    // Responses cannot be added under other index items (other cross sums); estimates can be
    // made under other operators, with the index intervals the cross sums allow.
    let mut items = q.items().to_vec();
    let y1 = items.iter_mut().find(|i| i.code == "Y1").expect("Y1");
    y1.in_index = Some(true);
    let other = Questionnaire::new(q.id(), q.elements().to_vec(), items, q.settings().clone())
        .and_then(|o| o.with_forms(q.forms().to_vec()))
        .expect("valid");
    let units = vec!["u".to_string()];
    let blank = vec![NO_ANSWER; q.columns().len()];
    let one = Batch::new(Labels { index: &[0], names: &units }, Answers::Rows(&blank));
    let e = Tally::new(&q).add(&other, &one).expect_err("other index items");
    assert_eq!(
        e.to_string(),
        "survey data does not fit: the tally was made for other columns or index settings of questionnaire \
         sipas-demo"
    );
    let pooled = with_settings(&q, ElementIndex::Pooled, OverallIndex::Pooled);
    let per_item = tally(&q, &flat);
    let (a, b) = (results(&pooled, &per_item), results(&pooled, &tally(&pooled, &flat)));
    for (x, y) in a.domains.iter().zip(&b.domains) {
        // Per-item cross sums serve pooled indices too.
        assert!(close(x.overall_se.expect("se"), y.overall_se.expect("se"), 1e-12));
    }
    let per_element = tally(&pooled, &flat);
    let r = results(&q, &per_element);
    // Per-element cross sums cannot give a mean of items.
    assert!(r.domains.iter().all(|d| d.overall.is_some() && d.overall_se.is_none()));
}

#[test]
fn the_means_standard_errors_can_be_switched_off() {
    let (q, csv) = demo();
    let off = SurveySettings { mean_se: false, ..q.settings().clone() };
    let off = Questionnaire::new(q.id(), q.elements().to_vec(), q.items().to_vec(), off)
        .and_then(|o| o.with_forms(q.forms().to_vec()))
        .expect("valid");
    for csv in [csv.clone(), without_clusters(&csv)] {
        let (full, lean) = (tally(&q, &csv), tally(&off, &csv));
        // The flag travels with the tally; every other number is the same, bit for bit.
        let lean = Tally::from_json(&lean.to_json()).expect("reads");
        assert!(lean.to_json().contains("\"mean_se\":false") && !full.to_json().contains("mean_se"));
        let with = results(&q, &full);
        assert!(with.domains.iter().flat_map(|d| &d.items).filter(|i| i.mean_se.is_some()).count() > 20);
        for (a, b) in with.domains.iter().zip(&results(&q, &lean).domains) {
            assert_eq!(
                (a.respondents, &a.elements, a.overall_se),
                (b.respondents, &b.elements, b.overall_se)
            );
            for (x, y) in a.items.iter().zip(&b.items) {
                assert!(y.mean_se.is_none());
                assert_eq!(*x, ItemEstimate { mean_se: x.mean_se, ..y.clone() });
            }
        }
        // Estimates under the lean questionnaire from the full tally: no means' SEs either.
        let r = results(&off, &full);
        assert!(r.domains.iter().flat_map(|d| &d.items).all(|i| i.mean_se.is_none()));
        // Tallies with and without those sums do not merge; an empty one takes either.
        let mut empty = Tally::new(&q);
        empty.merge(&lean).expect("an empty tally takes the other's sums");
        assert_eq!(empty, lean);
        let e = tally(&q, &csv).merge(&lean).expect_err("mismatch");
        assert_eq!(
            e.to_string(),
            "survey data does not fit: one tally keeps the sums of the means' standard errors, the other no sums \
             of the means' standard errors (mean_se off)"
        );
    }
}

#[test]
fn merging_is_bit_exact_when_weight_sums_are_exact() {
    // Weights that are multiples of 1/1024 add exactly in f64, in any order.
    let (q, clustered) = demo();
    for csv in [clustered.clone(), without_clusters(&clustered)] {
        merge_bit_exactly(&q, &csv);
    }
}

fn merge_bit_exactly(q: &Questionnaire, csv: &str) {
    let (header, body) = csv.split_once('\n').expect("header");
    let rows: Vec<String> = body
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut f: Vec<String> = line.split(',').map(String::from).collect();
            f[3] = format!("{}", (i % 3000 + 512) as f64 / 1024.0);
            f.join(",")
        })
        .collect();
    let whole = tally(q, &format!("{header}\n{}\n", rows.join("\n")));
    for parts in [2, 5, 11] {
        let mut merged = Tally::new(q);
        for chunk in rows.chunks(rows.len().div_ceil(parts)).rev() {
            let part = tally(q, &format!("{header}\n{}\n", chunk.join("\n")));
            merged.merge(&part).expect("merge");
        }
        assert_eq!(merged, whole, "{parts} parts");
        let r = results(q, &merged);
        assert!(r
            .domains
            .iter()
            .all(|d| d.overall_se.is_some() && d.elements.iter().all(|e| e.se.is_some())));
        assert_eq!(r, results(q, &whole));
    }
}

#[test]
fn columnar_input_gives_the_csv_results() {
    let (q, csv) = demo();
    let from_csv = results(&q, &tally(&q, &csv));
    // Rebuild the columns by hand from the file.
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().expect("header").clone();
    let col = |name: &str| header.iter().position(|h| h == name).expect("column");
    let (mut units, mut strata, mut clusters) =
        (Vec::<String>::new(), Vec::<String>::new(), Vec::<String>::new());
    let (mut ui, mut si, mut ci, mut weights) = (vec![], vec![], vec![], vec![]);
    let columns = q.columns();
    let mut answers: Vec<Vec<u8>> = vec![Vec::new(); columns.len()];
    let index = |names: &mut Vec<String>, name: &str| -> u32 {
        names.iter().position(|n| n == name).unwrap_or_else(|| {
            names.push(name.to_string());
            names.len() - 1
        }) as u32
    };
    for record in reader.records() {
        let r = record.expect("row");
        ui.push(index(&mut units, &r[col("unit")]));
        si.push(index(&mut strata, &r[col("stratum")]));
        ci.push(index(&mut clusters, &r[col("cluster")]));
        weights.push(r[col("weight")].parse::<f64>().expect("weight"));
        for (k, name) in columns.iter().enumerate() {
            let code = match name.split_once('.') {
                Some((item, option)) => {
                    let cell = &r[col(item)];
                    if cell.is_empty() {
                        NO_ANSWER
                    } else {
                        u8::from(cell.split(';').any(|c| c == option))
                    }
                }
                None => r[col(name)].parse::<u8>().unwrap_or(NO_ANSWER),
            };
            answers[k].push(code);
        }
    }
    let cols: Vec<&[u8]> = answers.iter().map(Vec::as_slice).collect();
    let batch = Batch::new(Labels { index: &ui, names: &units }, Answers::Columns(cols))
        .weights(&weights)
        .strata(Labels { index: &si, names: &strata })
        .clusters(Labels { index: &ci, names: &clusters });
    let mut t = Tally::new(&q);
    t.add(&q, &batch).expect("valid batch");
    // The same answers in the same order: the same counts, and sums up to the order the
    // cells were first met in.
    let got = results(&q, &t);
    for (a, b) in got.domains.iter().zip(&from_csv.domains) {
        assert_eq!((&a.id, a.respondents), (&b.id, b.respondents));
        for (x, y) in a.items.iter().zip(&b.items) {
            assert_eq!((x.n, x.positive), (y.n, y.positive));
            for (u, v) in [(x.share, y.share), (x.se, y.se), (x.ci_low, y.ci_low), (x.mean, y.mean)] {
                assert!(close(u.unwrap_or(0.0), v.unwrap_or(0.0), 1e-13), "{u:?} vs {v:?}");
            }
        }
    }
}

fn one_item(settings: SurveySettings) -> Questionnaire {
    Questionnaire::new("q", vec![], vec![Item::new("A1", ItemKind::likert())], settings).expect("valid")
}

#[test]
fn small_cases_by_hand() {
    let q = one_item(SurveySettings::default());
    let units = vec!["a".to_string(), "b".to_string()];
    // Unit a: answers 5, 4, 2, blank; unit b: one respondent who did not answer.
    let mut t = Tally::new(&q);
    let batch =
        Batch::new(Labels { index: &[0, 0, 0, 0, 1], names: &units }, Answers::Rows(&[5, 4, 2, 255, 255]));
    t.add(&q, &batch).expect("valid");
    let r = survey_results(&q, &t, &SurveyOptions::new()).expect("results");
    let a = &r.domains[0].items[0];
    assert_eq!((a.n, a.positive, a.share, a.interval), (3, 2, Some(2.0 / 3.0), Interval::Wilson));
    // Wilson at z = 1.959963984540054 for 2 of 3.
    let z: f64 = 1.959_963_984_540_054;
    let centre = (2.0 / 3.0 + z * z / 6.0) / (1.0 + z * z / 3.0);
    let half = z / (1.0 + z * z / 3.0) * ((2.0 / 9.0) / 3.0 + z * z / 36.0).sqrt();
    assert!(
        close(a.ci_low.expect("low"), centre - half, 1e-15)
            && close(a.ci_high.expect("high"), centre + half, 1e-15)
    );
    assert_eq!(a.mean, Some(11.0 / 3.0));
    // The all-blank unit: counted as a respondent, no estimate, and a small-sample warning.
    let b = &r.domains[1];
    assert_eq!(
        (b.respondents, b.items[0].n, b.items[0].share, b.items[0].interval),
        (1, 0, None, Interval::None)
    );
    assert_eq!(b.overall, None);
    assert_eq!(b.required, Some(400));
    assert_eq!(b.warnings[0].code, "small_sample");

    // Weights of zero count as answers of no weight; all zero → no share, a warning.
    let mut t = Tally::new(&q);
    let units1 = vec!["a".to_string()];
    t.add(
        &q,
        &Batch::new(Labels { index: &[0, 0], names: &units1 }, Answers::Rows(&[5, 1])).weights(&[0.0, 0.0]),
    )
    .expect("valid");
    let r = survey_results(&q, &t, &SurveyOptions::new()).expect("results");
    assert_eq!((r.domains[0].items[0].n, r.domains[0].items[0].share), (2, None));
    assert!(r.domains[0].warnings.iter().any(|w| w.code == "zero_weight"));

    // One weighted respondent at 3 and one at 1 answering 5 and 2: share 3/4.
    let mut t = Tally::new(&q);
    t.add(
        &q,
        &Batch::new(Labels { index: &[0, 0], names: &units1 }, Answers::Rows(&[5, 2])).weights(&[3.0, 1.0]),
    )
    .expect("valid");
    let e = &survey_results(&q, &t, &SurveyOptions::new()).expect("results").domains[0].items[0];
    assert_eq!((e.share, e.mean, e.interval), (Some(0.75), Some(17.0 / 4.0), Interval::Logit));
    // z_i = w_i (y_i − p) / W = 3·0.25/4, 1·(−0.75)/4; V = 2/1 · Σ z_i² = 2 · (0.1875² + 0.1875²).
    assert!(close(e.se.expect("se"), (2.0 * 2.0 * 0.1875f64.powi(2)).sqrt(), 1e-15));

    // A single stratum with a single cluster: the variance cannot be estimated, so there is
    // no interval, and a warning says why.
    let mut t = Tally::new(&q);
    let one = vec!["x".to_string()];
    t.add(
        &q,
        &Batch::new(Labels { index: &[0, 0, 0], names: &units1 }, Answers::Rows(&[5, 4, 1]))
            .weights(&[1.0, 1.0, 1.0])
            .clusters(Labels { index: &[0, 0, 0], names: &one }),
    )
    .expect("valid");
    let d = &survey_results(&q, &t, &SurveyOptions::new()).expect("results").domains[0];
    assert_eq!(
        (d.items[0].share, d.items[0].se, d.items[0].interval),
        (Some(2.0 / 3.0), None, Interval::None)
    );
    assert!(d.warnings.iter().any(|w| w.code == "single_psu"));
}

#[test]
fn element_and_overall_indices_follow_the_questionnaire_operators() {
    let (q, csv) = demo();
    let r = results(&q, &tally(&q, &csv));
    let all = r.domains.iter().find(|d| d.kind == DomainKind::All).expect("all");
    let share = |c: &str| all.items.iter().find(|e| e.column == c).and_then(|e| e.share).expect("share");
    let index = |e: &str| all.elements.iter().find(|x| x.element == e).and_then(|x| x.index).expect("index");
    // Mean of items; Y1 is a perception item (not in the index), R1 is in by its flag.
    assert!(close(index("civil_servants"), (share("C1") + share("C2")) / 2.0, 1e-15));
    assert!(close(index("results"), (share("R1") + share("R2")) / 2.0, 1e-15));
    let elements = ["access", "procedures", "civil_servants", "results", "feedback"];
    let mean = elements.iter().map(|e| index(e)).sum::<f64>() / 5.0;
    assert!(close(all.overall.expect("overall"), mean, 1e-15));
    // Expectations: the share choosing each priority among those who answered.
    let chosen: f64 = (1..=6).map(|k| share(&format!("E1.{k}"))).sum();
    assert!((1.0..=3.0).contains(&chosen), "between 1 and 3 choices on average: {chosen}");
}

#[test]
fn survey_values_score_inside_the_par_demo_index() {
    // Survey values carry up to 20 decimal places; with bonus points on some units the
    // adjusted totals outgrow 128-bit fractions and are added as big rationals.
    let (m, mut scores) = parindex_io::examples::load("par-demo").expect("example");
    let (q, tally) = parindex_io::examples::survey("sipas-demo").expect("survey");
    let r = survey_results(&q, &tally, &SurveyOptions::new().by(&[DomainKind::Unit])).expect("results");
    for (leaf, element) in [("8.1.1", "procedures"), ("8.1.2", "civil_servants"), ("8.1.3", "results")] {
        r.apply(&mut scores, &m, leaf, &parindex::Measure::Element(element.into())).expect("applied");
    }
    let results = parindex::score(&m, &scores).expect("scored");
    let unit = scores.unit_index("so-y-te").expect("unit");
    let index = r
        .domains
        .iter()
        .find(|d| d.id == "so-y-te")
        .and_then(|d| d.elements.iter().find(|e| e.element == "results"))
        .and_then(|e| e.index)
        .expect("index");
    let points = results
        .unit("so-y-te")
        .and_then(|u| u.node("8.1.3"))
        .and_then(|n| n.points())
        .expect("points")
        .to_decimal();
    let expected: parindex::Decimal =
        format!("{}", index * 100.0).parse::<parindex::Decimal>().expect("decimal") * parindex::Decimal::TWO
            / parindex::Decimal::ONE_HUNDRED;
    assert_eq!(points.round_dp(18), expected.round_dp(18));
    assert!(scores.note(unit, "8.1.3").expect("note").starts_with("survey sipas-demo, element results"));
}

/// What reading a responses file of the bad-survey corpus prints: `ok: N respondents, M units`
/// or every issue, one per line.
fn survey_outcome(dir: &std::path::Path) -> String {
    let corpus = dir.parent().expect("corpus");
    // A questionnaire case: q.json instead of responses.
    if let Ok(bytes) = std::fs::read(dir.join("q.json")) {
        return match read_questionnaire(&bytes, "q.json") {
            Ok(q) => format!("ok: {} columns\n", q.columns().len()),
            Err(e) => crate::corpus::lines(&e),
        };
    }
    let q = std::fs::read(corpus.join("questionnaire.json")).expect("questionnaire");
    let q = read_questionnaire(&q, "q.json").expect("valid questionnaire");
    let bytes = std::fs::read(dir.join("r.csv")).expect("responses");
    match read_responses(bytes.as_slice(), "r.csv", &q, &ResponsesOptions::new()) {
        Ok(t) => format!("ok: {} respondents, {} units\n", t.respondents(), t.units().len()),
        Err(e) => crate::corpus::lines(&e),
    }
}

#[test]
fn every_bad_survey_case_gives_exactly_its_expected_errors() {
    // tests/bad-survey/: one folder per case with r.csv (read against the corpus
    // questionnaire) or q.json (a questionnaire), and expected.txt.
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bad-survey");
    crate::corpus::check(&corpus, 25, survey_outcome);
}

#[test]
fn a_million_respondents_stream_in_bounded_batches() {
    // 1,000,000 respondents of 20 answers from a generated CSV: read in batches; the tally
    // holds 705 units whatever the number of respondents.
    let q = Questionnaire::new(
        "big",
        vec![],
        (1..=20).map(|i| Item::new(format!("q{i}"), ItemKind::likert())).collect(),
        SurveySettings::default(),
    )
    .expect("valid");
    struct Gen {
        row: u64,
        buf: Vec<u8>,
        at: usize,
    }
    impl std::io::Read for Gen {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.at == self.buf.len() {
                self.buf.clear();
                self.at = 0;
                if self.row == 0 {
                    self.buf.extend_from_slice(b"respondent,unit");
                    for i in 1..=20 {
                        self.buf.extend_from_slice(format!(",q{i}").as_bytes());
                    }
                    self.buf.push(b'\n');
                }
                while self.buf.len() < 1 << 16 && self.row < 1_000_000 {
                    self.row += 1;
                    let r = self.row;
                    self.buf.extend_from_slice(format!("{r},u{}", r % 705).as_bytes());
                    for i in 0..20u64 {
                        self.buf.extend_from_slice(format!(",{}", 1 + (r * 7 + i * 13) % 5).as_bytes());
                    }
                    self.buf.push(b'\n');
                }
            }
            let n = out.len().min(self.buf.len() - self.at);
            out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }
    let t = read_responses(Gen { row: 0, buf: Vec::new(), at: 0 }, "big.csv", &q, &ResponsesOptions::new())
        .expect("valid");
    assert_eq!((t.respondents(), t.units().len()), (1_000_000, 705));
    let r = survey_results(&q, &t, &SurveyOptions::new().by(&[DomainKind::All])).expect("results");
    // Codes cycle evenly through 1..5 over each item: 2 of 5 are satisfied.
    assert_eq!(r.domains[0].items[0].n, 1_000_000);
    assert_eq!(r.domains[0].items[0].positive, 400_000);
}

#[test]
fn answers_outside_the_scale_can_be_counted_instead_of_refused() {
    let settings =
        SurveySettings { invalid_answers: parindex::InvalidAnswers::Count, ..SurveySettings::default() };
    let q = one_item(settings);
    let units = vec!["a".to_string()];
    let mut t = Tally::new(&q);
    t.add(&q, &Batch::new(Labels { index: &[0; 5], names: &units }, Answers::Rows(&[5, 9, 0, 4, 255])))
        .expect("counted");
    let e = &survey_results(&q, &t, &SurveyOptions::new()).expect("results").domains[0].items[0];
    // 9 and 0 are left out of the share and counted; 255 is no answer.
    assert_eq!((e.n, e.positive, e.invalid, e.share), (2, 2, 2, Some(1.0)));
    // The default refuses them, located, and leaves the tally as it was.
    let strict = one_item(SurveySettings::default());
    let mut t = Tally::new(&strict);
    let err = t
        .add(
            &strict,
            &Batch::new(Labels { index: &[0; 5], names: &units }, Answers::Rows(&[5, 9, 0, 4, 255])),
        )
        .expect_err("refused");
    let lines: Vec<String> = err.issues().iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "row 2, column 1: item A1: answer 9 is outside the scale (1–5)",
            "row 3, column 1: item A1: answer 0 is outside the scale (1–5)"
        ]
    );
    assert_eq!(t.respondents(), 0);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Random respondents: unit, stratum, cluster, weight in eighths (sums exact in f64), and
    /// answers (255 = no answer) to two 1–5 items.
    fn respondents() -> impl Strategy<Value = Vec<(u32, u32, u32, u32, [u8; 2])>> {
        let answer = prop_oneof![Just(255u8), 1u8..=5];
        prop::collection::vec((0u32..3, 0u32..2, 0u32..3, 0u32..32, [answer.clone(), answer]), 1..60)
    }

    /// Design 0: a simple random sample; 1: weights, strata and clusters; 2: weights and
    /// strata without clusters (the index cross sums).
    fn tally_of(q: &Questionnaire, rows: &[(u32, u32, u32, u32, [u8; 2])], design: u8) -> Tally {
        let names = |n: usize, p: &str| -> Vec<String> { (0..n).map(|i| format!("{p}{i}")).collect() };
        let (units, strata, clusters) = (names(3, "u"), names(2, "s"), names(3, "c"));
        let ui: Vec<u32> = rows.iter().map(|r| r.0).collect();
        let si: Vec<u32> = rows.iter().map(|r| r.1).collect();
        let ci: Vec<u32> = rows.iter().map(|r| r.2).collect();
        let w: Vec<f64> = rows.iter().map(|r| f64::from(r.3) / 8.0).collect();
        let answers: Vec<u8> = rows.iter().flat_map(|r| r.4).collect();
        let mut batch = Batch::new(Labels { index: &ui, names: &units }, Answers::Rows(&answers));
        if design > 0 {
            batch = batch.weights(&w).strata(Labels { index: &si, names: &strata });
        }
        if design == 1 {
            batch = batch.clusters(Labels { index: &ci, names: &clusters });
        }
        let mut t = Tally::new(q);
        t.add(q, &batch).expect("valid");
        t
    }

    proptest! {
        /// Shares and indices lie in [0, 1] and inside their intervals; counts never exceed
        /// respondents; a tally split anywhere and merged gives bit-identical results.
        #[test]
        fn shares_lie_in_their_intervals_and_parts_merge(rows in respondents(), design in 0u8..3, pooled in any::<bool>(), cut in any::<prop::sample::Index>()) {
            let element = |c: &str| parindex::Element { code: c.into(), name: String::new(), name_en: None };
            let settings = if pooled {
                SurveySettings { element_index: ElementIndex::Pooled, overall_index: OverallIndex::Pooled, ..SurveySettings::default() }
            } else {
                SurveySettings::default()
            };
            let q = Questionnaire::new(
                "p",
                vec![element("e1"), element("e2")],
                vec![Item::new("A1", ItemKind::likert()).element("e1"), Item::new("A2", ItemKind::likert()).element(if pooled { "e1" } else { "e2" })],
                settings,
            )
            .expect("valid");
            let whole = tally_of(&q, &rows, design);
            let r = survey_results(&q, &whole, &SurveyOptions::new().by(&[DomainKind::Unit, DomainKind::All])).expect("results");
            for d in &r.domains {
                for e in &d.items {
                    prop_assert!(e.n <= d.respondents && e.positive <= e.n);
                    if let Some(p) = e.share {
                        prop_assert!((0.0..=1.0).contains(&p), "share {}", p);
                        if let (Some(lo), Some(hi)) = (e.ci_low, e.ci_high) {
                            prop_assert!(lo <= p && p <= hi, "{} not in [{}, {}]", p, lo, hi);
                            prop_assert!(0.0 <= lo && hi <= 1.0);
                        }
                    }
                }
                let mut indices: Vec<[Option<f64>; 4]> =
                    d.elements.iter().map(|e| [e.index, e.se, e.ci_low, e.ci_high]).collect();
                indices.push([d.overall, d.overall_se, d.overall_ci_low, d.overall_ci_high]);
                for [index, se, lo, hi] in indices {
                    prop_assert!(index.is_some() || (se, lo, hi) == (None, None, None));
                    let Some(p) = index else { continue };
                    prop_assert!((0.0..=1.0).contains(&p), "index {}", p);
                    // A standard error whenever every stratum with answers has two PSUs.
                    if !d.warnings.iter().any(|w| w.code == "single_psu") {
                        prop_assert!(se.is_some_and(|se| se >= 0.0 && se.is_finite()), "se {:?}", se);
                    }
                    prop_assert_eq!(lo.is_some(), se.is_some() && 0.0 < p && p < 1.0);
                    if let (Some(lo), Some(hi)) = (lo, hi) {
                        prop_assert!(0.0 <= lo && lo <= p && p <= hi && hi <= 1.0, "{} not in [{}, {}]", p, lo, hi);
                    }
                }
            }
            let k = cut.index(rows.len());
            let mut merged = tally_of(&q, &rows[..k.max(1)], design);
            if k.max(1) < rows.len() {
                merged.merge(&tally_of(&q, &rows[k.max(1)..], design)).expect("merge");
            }
            let again = survey_results(&q, &merged, &SurveyOptions::new().by(&[DomainKind::Unit, DomainKind::All])).expect("results");
            prop_assert_eq!(again, r);
        }
    }
}

/// A tally's floats read back bit for bit from its JSON (serde_json's `float_roundtrip`): weight
/// sums of awkward decimals survive the trip that merging parts from other processes takes.
#[test]
fn a_tally_reads_back_from_json_bit_for_bit() {
    let q = parindex::Questionnaire::new(
        "q",
        vec![],
        vec![
            parindex::Item::new("A1", parindex::ItemKind::likert()),
            parindex::Item::new("A2", parindex::ItemKind::likert()),
        ],
        parindex::SurveySettings::default(),
    )
    .expect("questionnaire");
    let units: Vec<String> = (0..7).map(|u| format!("u{u}")).collect();
    let n = 5_000;
    let index: Vec<u32> = (0..n).map(|r| (r * 7919 % 7) as u32).collect();
    let answers: Vec<u8> = (0..2 * n).map(|i| (i * 2654435761usize % 5 + 1) as u8).collect();
    // Weights with long binary expansions, whose sums are rarely the shortest decimals.
    let weights: Vec<f64> = (0..n).map(|r| 0.1 + (r as f64) * 1.000_000_1e-3 / 3.0).collect();
    let mut t = parindex::Tally::new(&q);
    let batch = parindex::Batch::new(
        parindex::Labels { index: &index, names: &units },
        parindex::Answers::Rows(&answers),
    )
    .weights(&weights);
    t.add(&q, &batch).expect("adds");
    let back = parindex::Tally::from_json(&t.to_json()).expect("reads back");
    assert_eq!(back, t, "every sum the same bits");
    assert_eq!(back.to_json(), t.to_json());
}

/// The tally and every estimate (units, groups, everyone; index intervals on) have the same
/// bits on one, two and three threads: chunks have a fixed size and are merged in order, and
/// each domain is estimated on its own whichever thread takes it.
#[test]
fn tallies_and_estimates_are_the_same_whatever_the_number_of_threads() {
    let elements = ["access", "staff"]
        .iter()
        .map(|&code| parindex::Element { code: code.into(), name: code.into(), name_en: None })
        .collect();
    let items = (0..4)
        .map(|i| {
            Item::new(format!("q{i}"), ItemKind::likert()).element(if i < 2 { "access" } else { "staff" })
        })
        .collect();
    let q = Questionnaire::new("threads", elements, items, SurveySettings::default()).expect("valid");
    // More respondents than one chunk holds (2¹⁸), weights whose sums round.
    let n = 300_000usize;
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let units: Vec<String> = (0..97).map(|u| format!("u{u:02}")).collect();
    let groups: Vec<String> = ["citizen", "business"].map(String::from).to_vec();
    let (mut ui, mut gi, mut weights, mut answers) = (vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        ui.push((next() % 97) as u32);
        gi.push((next() % 2) as u32);
        weights.push(0.3 + (next() % 1000) as f64 / 7.0);
        for _ in 0..4 {
            let a = next() % 20;
            answers.push(if a == 0 { NO_ANSWER } else { 1 + (a % 5) as u8 });
        }
    }
    let by = SurveyOptions::new().by(&[DomainKind::Unit, DomainKind::Group, DomainKind::All]);
    let run = |threads: usize, with_groups: bool| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        pool.install(|| {
            let mut batch =
                Batch::new(Labels { index: &ui, names: &units }, Answers::Rows(&answers)).weights(&weights);
            if with_groups {
                batch = batch.groups(Labels { index: &gi, names: &groups });
            }
            let mut t = Tally::new(&q);
            t.add(&q, &batch).expect("valid");
            let r = survey_results(&q, &t, &by).expect("results");
            (t.to_json(), serde_json::to_string(&r).expect("json"))
        })
    };
    for with_groups in [false, true] {
        let one = run(1, with_groups);
        assert!(one.1.contains("\"overall_se\":0."), "index intervals are on");
        // Tally JSON and results JSON, compared as text (floats printed from their bits).
        assert!(one == run(2, with_groups), "groups: {with_groups}");
        assert!(one == run(3, with_groups), "groups: {with_groups}");
    }
}
