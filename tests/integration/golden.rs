//! Golden tests: published tables reproduced from their published components.

use std::path::PathBuf;

use parindex::{score, Decimal, Exact, Results};
use parindex_io::{examples, read_scores_wide};

/// The folder of public data kept outside the repository, or `None` (the test then skips).
fn public_data() -> Option<PathBuf> {
    let dir = std::env::var_os("PARINDEX_PUBLIC_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"));
    if dir.join("pci_2016_provinces.csv").exists() {
        Some(dir)
    } else {
        eprintln!("skipped: public data not found at {} (set PARINDEX_PUBLIC_DATA)", dir.display());
        None
    }
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|_| panic!("not a decimal: {s}"))
}

/// |exact − published| as a decimal.
fn gap(x: Exact, published: &str) -> Decimal {
    (x.to_decimal() - dec(published)).abs()
}

/// Rewrites a published table as a wide score sheet: `unit,name,<codes>`.
fn wide_sheet(
    path: &PathBuf,
    unit: &str,
    columns: &[(&str, &str)],
) -> (String, Vec<csv::StringRecord>, csv::StringRecord) {
    let mut reader = csv::Reader::from_path(path).expect("public table readable");
    let header = reader.headers().expect("header").clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let col =
        |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let mut sheet = String::from("unit,name");
    for (_, code) in columns {
        sheet.push(',');
        sheet.push_str(code);
    }
    sheet.push('\n');
    for r in &rows {
        sheet.push_str(&format!("{},{}", &r[col(unit)], &r[col(unit)]));
        for (name, _) in columns {
            sheet.push(',');
            sheet.push_str(&r[col(name)]);
        }
        sheet.push('\n');
    }
    (sheet, rows, header)
}

fn by_unit<'a>(results: &'a Results, id: &str) -> parindex::UnitResult<'a> {
    results.unit(id).unwrap_or_else(|| panic!("unit {id} scored"))
}

#[test]
fn pci_2016_totals_within_1e_5_and_ranks_exact() {
    let Some(dir) = public_data() else { return };
    let m = examples::methodology("pci-2016").expect("bundled");
    let columns = [
        ("entry_costs", "1"),
        ("land_access", "2"),
        ("transparency", "3"),
        ("time_costs", "4"),
        ("informal_charges", "5"),
        ("policy_bias_equal_competition", "6"),
        ("proactivity", "7"),
        ("business_support_services", "8"),
        ("labor_training", "9"),
        ("legal_institutions", "10"),
    ];
    let (sheet, rows, header) = wide_sheet(&dir.join("pci_2016_provinces.csv"), "province", &columns);
    let scores = read_scores_wide(&m, &sheet, "pci_2016_provinces.csv").expect("reads");
    let results = score(&m, &scores).expect("scores");
    assert_eq!(results.len(), 63);
    let total = header.iter().position(|h| h == "pci_weighted_published").expect("total column");
    let rank = header.iter().position(|h| h == "rank").expect("rank column");
    let mut worst = Decimal::ZERO;
    for r in &rows {
        let u = by_unit(&results, &r[1]);
        let g = gap(u.percent(), &r[total]);
        worst = worst.max(g);
        assert!(g <= dec("0.00001"), "{}: {} vs published {}", &r[1], u.percent(), &r[total]);
        assert_eq!(u.rank().map(|k| k.to_string()).as_deref(), Some(&r[rank]), "{} rank", &r[1]);
    }
    eprintln!("PCI 2016: worst gap to the published total {worst}");
}

/// PCI 2016 as a wide sheet `unit,name,group,<1..10>`, the group being the published tier
/// (Rất tốt … Thấp), and the published rows.
fn pci_2016_by_tier(dir: &std::path::Path) -> (String, Vec<csv::StringRecord>, csv::StringRecord) {
    let columns = [
        ("entry_costs", "1"),
        ("land_access", "2"),
        ("transparency", "3"),
        ("time_costs", "4"),
        ("informal_charges", "5"),
        ("policy_bias_equal_competition", "6"),
        ("proactivity", "7"),
        ("business_support_services", "8"),
        ("labor_training", "9"),
        ("legal_institutions", "10"),
    ];
    let (sheet, rows, header) = wide_sheet(&dir.join("pci_2016_provinces.csv"), "province", &columns);
    let tier = header.iter().position(|h| h == "tier_published").expect("tier column");
    // Insert the tier as the group column after `unit,name`.
    let mut grouped = String::new();
    for (i, line) in sheet.lines().enumerate() {
        let (head, rest) = line
            .split_once(',')
            .and_then(|(u, r)| r.split_once(',').map(|(n, r)| ((u, n), r)))
            .expect("unit,name,…");
        let group = if i == 0 { "group" } else { &rows[i - 1][tier] };
        grouped.push_str(&format!("{},{},{group},{rest}\n", head.0, head.1));
    }
    (grouped, rows, header)
}

#[test]
fn pci_2016_ranks_within_published_tiers_and_bands_from_their_boundaries() {
    let Some(dir) = public_data() else { return };
    let m = examples::methodology("pci-2016").expect("bundled");
    let (sheet, rows, header) = pci_2016_by_tier(&dir);
    let col =
        |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (rank, tier, total) = (col("rank"), col("tier_published"), col("pci_weighted_published"));
    let scores = read_scores_wide(&m, &sheet, "pci_2016_provinces.csv").expect("reads");
    let results = score(&m, &scores).expect("scores");

    // (a) the published ranks, and (b) within each tier, ranks 1..n in the published order.
    let mut tiers: Vec<(String, Vec<&csv::StringRecord>)> = Vec::new();
    for r in &rows {
        match tiers.iter_mut().find(|(t, _)| *t == r[tier]) {
            Some((_, members)) => members.push(r),
            None => tiers.push((r[tier].to_owned(), vec![r])),
        }
    }
    let names: Vec<&str> = tiers.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(names, ["Rất tốt", "Tốt", "Khá", "Trung bình", "Tương đối thấp", "Thấp"]);
    for (name, members) in &tiers {
        let n = members.len() as u32;
        for (k, r) in members.iter().enumerate() {
            let u = by_unit(&results, &r[1]);
            assert_eq!(u.rank().map(|x| x.to_string()).as_deref(), Some(&r[rank]), "{} rank", &r[1]);
            assert_eq!(u.unit().group.as_deref(), Some(name.as_str()));
            assert_eq!(u.group_rank(), Some((k as u32 + 1, n)), "{} in {name}", &r[1]);
        }
    }

    // (c) bands derived from the tiers: each tier's band starts at its lowest published total,
    // rounded as published (6, 16, 29, 6, 4 and 2 provinces; checked independently with Python's
    // decimal module); every province then falls in its own tier.
    let bands: Vec<parindex::Band> = tiers
        .iter()
        .map(|(name, members)| {
            let lowest = members.iter().map(|r| dec(&r[total])).min().expect("a tier has members");
            let min = lowest.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            parindex::Band { label: name.clone(), min }
        })
        .collect();
    let cut_offs: Vec<String> = bands.iter().map(|b| format!("{}>={}", b.label, b.min)).collect();
    assert_eq!(
        cut_offs,
        [
            "Rất tốt>=62.76",
            "Tốt>=60.07",
            "Khá>=56.93",
            "Trung bình>=56.21",
            "Tương đối thấp>=53.63",
            "Thấp>=52.99"
        ]
    );
    let banded = m.with_settings(m.settings().clone().bands(bands)).expect("ordered bands");
    let results = score(&banded, &scores).expect("scores");
    for r in &rows {
        let u = by_unit(&results, &r[1]);
        assert_eq!(u.band(), Some(&r[tier]), "{} at {}", &r[1], u.published_percent());
    }
}

#[test]
fn papi_2016_dimensions_within_1e_6_and_totals_within_5e_6() {
    let Some(dir) = public_data() else { return };
    let m = examples::methodology("papi-2016").expect("bundled");
    let names = [
        ("Civic Knowledge", "1.1"),
        ("Opportunities for Participation", "1.2"),
        ("Quality of Elections", "1.3"),
        ("Voluntary Contributions", "1.4"),
        ("Poverty Lists", "2.1"),
        ("Communal Budget and Expenditure", "2.2"),
        ("Land-Use Plans/Price Frames", "2.3"),
        ("Interactions With Local Authorities", "3.1"),
        ("Responsive to Citizen Actions", "3.2"),
        ("People's Inspection Boards", "3.3"),
        ("Limits on Public Sector Corruption", "4.1"),
        ("Limits on Corruption in Service Delivery", "4.2"),
        ("Equity in Employment", "4.3"),
        ("Willingness to Fight Corruption", "4.4"),
        ("Certification Procedures", "5.1"),
        ("Construction Permits", "5.2"),
        ("Land-Use Rights Procedures", "5.3"),
        ("Personal Procedures", "5.4"),
        ("Public Health", "6.1"),
        ("Public Primary Education", "6.2"),
        ("Basic Infrastructure", "6.3"),
        ("Law and Order", "6.4"),
    ];
    let dimensions = [
        ("Participation at Local Levels", "1"),
        ("Transparency", "2"),
        ("Vertical Accountability", "3"),
        ("Control of Corruption", "4"),
        ("Public Administrative Procedures", "5"),
        ("Public Service Delivery", "6"),
    ];
    let (sheet, rows, header) = wide_sheet(&dir.join("papi_2016_provinces.csv"), "province_en", &names);
    let scores = read_scores_wide(&m, &sheet, "papi_2016_provinces.csv").expect("reads");
    let results = score(&m, &scores).expect("scores");
    assert_eq!(results.len(), 63);
    let col = |name: &str| header.iter().position(|h| h == name).expect("column");
    for r in &rows {
        let u = by_unit(&results, &r[col("province_en")]);
        for (name, code) in dimensions {
            let points = u.node(code).and_then(|n| n.points()).expect("dimension applies");
            assert!(gap(points, &r[col(name)]) <= dec("0.000001"), "{} {name}", &r[1]);
        }
        assert!(gap(u.points(), &r[col("papi_total_unweighted")]) <= dec("0.000005"), "{} total", &r[1]);
    }
}

#[test]
fn par_2020_totals_from_published_components_within_rounding() {
    let (m, scores) = examples::load("par-2020").expect("bundled");
    let results = score(&m, &scores).expect("scores");
    let published = include_str!("../../data/expected/par-2020.published.csv");
    let mut explained = Vec::new();
    for line in published.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let u = by_unit(&results, f[0]);
        let ours = u.published_percent();
        let diff = (ours - dec(f[2])).abs();
        // The published components are themselves rounded to 2 places: four of them can move
        // the sum by at most 4 × 0.005 = 0.02, and the published table shows at most 0.01.
        assert!(diff <= dec("0.01"), "{}: {ours} vs {}", f[0], f[2]);
        if !diff.is_zero() {
            explained.push(format!("{} {} vs {}", f[0], ours, f[2]));
        }
        assert_eq!(u.rank().map(|k| k.to_string()).as_deref(), Some(f[3]), "{} rank", f[0]);
    }
    // Exactly the three rows where the sum of rounded components misses the published total.
    assert_eq!(
        explained,
        ["quang-ninh 91.05 vs 91.04", "dong-thap 86.76 vs 86.77", "phu-tho 85.73 vs 85.74"],
        "rows explained by rounding of the published components"
    );
}

#[test]
fn par_demo_matches_the_independent_spreadsheet_check() {
    // Totals computed independently (Python, exact fractions) when the data was made.
    let expected_2023 = [
        ("so-noi-vu", "95.77", 1, "A"),
        ("tp-son-la", "94.32", 2, "A"),
        ("moc-chau", "92.47", 3, "A"),
        ("so-tu-phap", "92.42", 4, "A"),
        ("so-tai-chinh", "90.02", 5, "A"),
        ("yen-chau", "89.57", 6, "B"),
        ("mai-son", "89.57", 6, "B"),
        ("so-gd-dt", "87.20", 8, "B"),
        ("so-xay-dung", "86.90", 9, "B"),
        ("song-ma", "81.02", 10, "B"),
        ("so-y-te", "77.34", 11, "C"),
        ("van-ho", "70.98", 12, "C"),
    ];
    let (m, scores) = examples::load("par-demo").expect("bundled");
    let results = score(&m, &scores).expect("scores");
    for (id, percent, rank, band) in expected_2023 {
        let u = by_unit(&results, id);
        assert_eq!(
            (u.published_percent(), u.rank(), u.band()),
            (dec(percent), Some(rank), Some(band)),
            "{id}"
        );
    }
    // Rebasing: a department's index is its points over the 98.5 points that apply to it.
    let tc = by_unit(&results, "so-tai-chinh");
    assert_eq!(tc.percent(), Exact::new(8867, 98_50).expect("fraction").checked_mul100());

    // The wide 2023 sheet holds the same appraised values as the long one.
    let wide = include_str!("../../data/examples/par-demo-2023.scores.csv");
    let wide =
        score(&m, &read_scores_wide(&m, wide, "par-demo-2023.scores.csv").expect("reads")).expect("scores");
    for (a, b) in results.units().zip(wide.units()) {
        assert_eq!((a.id(), a.points(), a.rank()), (b.id(), b.points(), b.rank()));
    }
}

trait Times100 {
    fn checked_mul100(self) -> Exact;
}

impl Times100 for Exact {
    fn checked_mul100(self) -> Exact {
        Exact::new(self.numerator() * 100, self.denominator()).expect("fraction")
    }
}

#[test]
fn par_demo_two_years_movement_sentence() {
    let (m, now) = examples::load("par-demo").expect("bundled");
    let (_, before) = examples::load("par-demo-2022").expect("bundled");
    let cmp = parindex::compare(&score(&m, &now).expect("scores"), &score(&m, &before).expect("scores"));
    let tp = cmp.units.iter().find(|u| u.unit == "tp-son-la").expect("compared");
    // By hand: 2022 districts ranked moc-chau 92.81, mai-son 89.34, tp-son-la 86.35, van-ho
    // 83.59, yen-chau 80.77, song-ma 73.47 -> tp-son-la 3rd of 6; 2023 it leads with 94.32
    // (92.82 + a 1.5 bonus); overall it moved from 7th to 2nd.
    assert_eq!(tp.movement, parindex::Movement::Up(5));
    assert_eq!(tp.points.map(|p| p.to_decimal()), Some(dec("7.97")));
    assert_eq!(
        tp.sentence_vi("huyện, thành phố", "2022"),
        "Thành phố Sơn La đạt 94.32 điểm, xếp thứ 1/6 huyện, thành phố (tăng 02 bậc so với năm 2022)"
    );
    assert!(cmp.differing_nodes.is_empty(), "same methodology both years");
}

#[test]
fn par_demo_explanation_of_a_rebased_department() {
    let (m, s) = examples::load("par-demo").expect("bundled");
    let r = score(&m, &s).expect("scores");
    let e = parindex::explain(&r, &s, "so-y-te").expect("known unit");
    assert_eq!((e.rank, e.group_rank, e.band.as_deref()), (Some((11, 12)), Some((6, 6)), Some("C")));
    // 3.2.1 does not apply to departments; every lost point weighs 100/98.5 in the index.
    let na = e.leaves.iter().find(|l| l.code == "3.2.1").expect("leaf");
    assert_eq!((na.points, na.rule.as_str()), (None, "not applicable"));
    let worst = e.top_losses(1)[0];
    assert_eq!(worst.code, "8.2");
    assert_eq!(worst.lost.map(|x| x.round(4, parindex::RoundingMode::HalfUp)), Some(dec("1.2792")));
    // Contributions add up to the total (no bonus or penalty for this unit).
    let sum = e
        .leaves
        .iter()
        .filter_map(|l| l.contribution)
        .fold(Exact::ZERO, |a, c| a.checked_add(c).expect("fits"));
    assert_eq!(sum, e.points);
}

#[test]
fn bundled_examples_give_the_golden_vectors_byte_for_byte() {
    // The same files are checked by the Python and JavaScript bindings.
    use parindex_io::{write_results, OutputFormat, WriteOptions};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/expected");
    for name in ["par-demo", "par-demo-2022", "par-2020"] {
        let (m, s) = examples::load(name).expect("bundled");
        let r = score(&m, &s).expect("scores");
        for (format, ext) in [(OutputFormat::Json, "json"), (OutputFormat::Csv, "csv")] {
            let want =
                std::fs::read_to_string(dir.join(format!("{name}.results.{ext}"))).expect("golden file");
            assert_eq!(write_results(&r, format, &WriteOptions::new()), want, "{name}.results.{ext}");
        }
    }
}

#[test]
fn a_weight_written_with_more_places_than_the_scores_scores_the_same() {
    // 45.27 and 45.2700 are the same weight: the totals must not depend on how it is written.
    let (m, scores) = examples::load("par-demo").expect("example");
    let with = |w: &str| {
        let nodes: Vec<parindex::Node> = m
            .nodes()
            .iter()
            .map(|n| if n.code == "1" { n.clone().weight(dec(w)) } else { n.clone() })
            .collect();
        let m2 = parindex::Methodology::new(m.info().clone(), m.settings().clone(), nodes).expect("valid");
        let mut s2 = parindex::Scores::new(&m2);
        for (i, u) in scores.units().iter().enumerate() {
            let k = s2.add_unit(u.clone()).expect("unit");
            for code in m2.leaf_codes() {
                if let Some(v) = scores.value(i, code) {
                    s2.set(k, code, v).expect("value");
                }
            }
            s2.set_bonus(k, scores.bonus(i)).expect("bonus");
            s2.set_penalty(k, scores.penalty(i)).expect("penalty");
        }
        let r = score(&m2, &s2).expect("scores");
        r.units().map(|u| (u.id().to_string(), u.percent())).collect::<Vec<_>>()
    };
    assert_eq!(with("45.2700"), with("45.27"));
    assert_eq!(with("45.270000000"), with("45.27"));
    // The same scores (read for the methodology as published) on a methodology whose weight
    // has more places than any score: scored at the finer scale, the same totals.
    let nodes: Vec<parindex::Node> = m
        .nodes()
        .iter()
        .map(|n| if n.code == "1" { n.clone().weight(dec("45.2700")) } else { n.clone() })
        .collect();
    let m4 = parindex::Methodology::new(m.info().clone(), m.settings().clone(), nodes).expect("valid");
    let r4: Vec<_> =
        score(&m4, &scores).expect("scores").units().map(|u| (u.id().to_string(), u.percent())).collect();
    assert_eq!(r4, with("45.27"));
}
