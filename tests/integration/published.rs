//! Last year as published: reading back the results `parindex score` and `parindex report`
//! write gives the comparison that last year's scores give.

use parindex::{compare, compare_published, score, Comparison, Exact, Results};
use parindex_io::{
    examples, read_published_results, write_results, write_results_xlsx, OutputFormat, ReportOptions,
    WriteOptions,
};

fn years() -> (Results, Results, parindex::Scores) {
    let (m, s) = examples::load("par-demo").expect("par-demo");
    let (pm, ps) = examples::load("par-demo-2022").expect("par-demo-2022");
    (score(&m, &s).expect("scores"), score(&pm, &ps).expect("scores"), ps)
}

fn close(a: Option<Exact>, b: Option<Exact>, tolerance: &str) -> bool {
    let t: rust_decimal::Decimal = tolerance.parse().expect("tolerance");
    match (a, b) {
        (Some(a), Some(b)) => (a.to_decimal() - b.to_decimal()).abs() <= t,
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// Everything but the values: units in order, ranks, movements, bands.
fn standings(c: &Comparison) -> Vec<String> {
    c.units
        .iter()
        .map(|u| {
            let s = |s: &Option<parindex::Standing>| {
                s.as_ref().map(|s| format!("{:?} {:?} {:?}", s.rank, s.group_rank, s.band))
            };
            format!(
                "{} {:?} {:?} {:?} {:?}",
                u.unit,
                u.movement,
                u.group_movement,
                s(&u.current),
                s(&u.previous)
            )
        })
        .collect()
}

fn same_values(a: &Comparison, b: &Comparison, tolerance: &str, nodes: impl Fn(&str) -> bool) {
    for (x, y) in a.units.iter().zip(&b.units) {
        assert!(close(x.points, y.points, tolerance), "{}: {:?} {:?}", x.unit, x.points, y.points);
        assert!(close(x.percent, y.percent, tolerance), "{}", x.unit);
        let theirs: Vec<_> = y.nodes.iter().map(|n| (n.code.as_str(), n)).collect();
        for n in x.nodes.iter().filter(|n| nodes(&n.code)) {
            let m =
                theirs.iter().find(|t| t.0 == n.code).unwrap_or_else(|| panic!("{} {}", x.unit, n.code)).1;
            assert!(close(n.points, m.points, tolerance), "{} {}", x.unit, n.code);
        }
    }
}

#[test]
fn the_json_of_last_year_gives_the_comparison_of_its_scores() {
    let (now, before, _) = years();
    let expected = compare(&now, &before);
    let json = write_results(&before, OutputFormat::Json, &WriteOptions::new());
    let published = read_published_results(json.as_bytes(), "2022.json").expect("reads back");
    let got = compare_published(&now, &published);
    assert_eq!(standings(&got), standings(&expected));
    // The file's decimals carry 28 places of last year's exact fractions.
    same_values(&got, &expected, "1e-25", |_| true);
    assert_eq!(got.differing_nodes, expected.differing_nodes);
}

#[test]
fn the_csv_of_last_year_gives_the_comparison_of_its_scores_for_the_domains() {
    let (now, before, _) = years();
    let expected = compare(&now, &before);
    let csv = write_results(&before, OutputFormat::Csv, &WriteOptions::new());
    let got =
        compare_published(&now, &read_published_results(csv.as_bytes(), "2022.csv").expect("reads back"));
    assert_eq!(standings(&got), standings(&expected));
    // The CSV holds the top-level nodes only: those are compared, the others are not.
    let top = |code: &str| !code.contains('.');
    same_values(&got, &expected, "1e-25", top);
    assert!(got.units.iter().all(|u| u.nodes.iter().all(|n| top(&n.code))));
    let only: Vec<&str> =
        expected.differing_nodes.iter().filter(|d| top(&d.code)).map(|d| d.code.as_str()).collect();
    let got_only: Vec<&str> = got.differing_nodes.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(got_only, only);
}

#[test]
fn the_report_workbook_of_last_year_gives_the_comparison_to_its_published_values() {
    let (now, before, scores) = years();
    let expected = compare(&now, &before);
    for lang in [parindex_io::Lang::En, parindex_io::Lang::Vi] {
        let book = write_results_xlsx(&before, &scores, &ReportOptions::new().lang(lang)).expect("workbook");
        let published = read_published_results(&book, "2022.xlsx").expect("reads back");
        assert_eq!(published.units().len(), before.len());
        let got = compare_published(&now, &published);
        assert_eq!(standings(&got), standings(&expected));
        // The workbook shows values rounded to 2 places: the changes are to those.
        same_values(&got, &expected, "0.005", |code| !code.contains('.'));
    }
}
