//! Any bytes as a columnar batch against the bad-survey questionnaire: answers (blanks and
//! codes outside the scales among them), labels that may point past their names (or at no
//! names at all), weights of any kind, groups, strata and clusters. Either an error that
//! leaves the tally as it was, or a tally of every row whose estimates run; the batch as
//! rows and as columns gives the same outcome; with the means' standard errors switched off
//! (a flag), the same estimates but those. Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parindex::{
    survey_results, Answers, Batch, DomainKind, ItemEstimate, Labels, Questionnaire, SurveyOptions,
    SurveySettings, Tally,
};

const QUESTIONNAIRE: &str = include_str!("../../tests/bad-survey/questionnaire.json");

fuzz_target!(|data: &[u8]| {
    let Ok(q) = Questionnaire::from_json(QUESTIONNAIRE) else { return };
    let columns = q.columns().len();
    let mut bytes = data.iter().copied();
    let mut next = || bytes.next().unwrap_or(0);
    let rows = usize::from(next() % 48);
    let flags = next();
    let names =
        |count: u8, prefix: &str| -> Vec<String> { (0..count).map(|i| format!("{prefix}{i}")).collect() };
    let unit_names = names(next() % 4, "u");
    let mut groups = vec!["citizen".to_string(), "business".to_string()];
    if flags & 16 != 0 {
        groups.push("visitor".into()); // no form of that name
    }
    let strata = names(next() % 3 + 1, "s");
    let clusters = names(next() % 4 + 1, "c");
    let mut labels =
        |count: usize| -> Vec<u32> { (0..rows).map(|_| u32::from(next()) % (count as u32 + 1)).collect() };
    // One past the names in about one label of (names + 1).
    let (units, group, stratum, cluster) =
        (labels(unit_names.len()), labels(groups.len()), labels(strata.len()), labels(clusters.len()));
    let answers: Vec<u8> = (0..rows * columns)
        .map(|_| match next() {
            b @ 0..=199 => b % 6,
            200..=239 => 255,
            b => b,
        })
        .collect();
    let weights: Vec<f64> = (0..rows)
        .map(|_| match next() {
            0 => f64::NAN,
            1 => -0.5,
            2 => f64::INFINITY,
            3 => -0.0,
            4 => 0.0,
            b => f64::from(b) / 8.0,
        })
        .collect();
    let by_column: Vec<Vec<u8>> =
        (0..columns).map(|c| (0..rows).map(|r| answers[r * columns + c]).collect()).collect();
    let design = Design {
        flags,
        weights: &weights,
        groups: (&group, &groups),
        strata: (&stratum, &strata),
        clusters: (&cluster, &clusters),
    };
    let mut by_rows = Tally::new(&q);
    let units = Labels { index: &units, names: &unit_names };
    let rows_result = by_rows.add(&q, &design.apply(Batch::new(units, Answers::Rows(&answers))));
    let mut by_columns = Tally::new(&q);
    let by_column = Answers::Columns(by_column.iter().map(Vec::as_slice).collect());
    let columns_result = by_columns.add(&q, &design.apply(Batch::new(units, by_column)));
    assert_eq!(rows_result.is_ok(), columns_result.is_ok());
    assert!(by_rows == by_columns, "rows and columns tally alike");
    match rows_result {
        Ok(()) => {
            assert_eq!(by_rows.respondents(), rows as u64);
            let options = SurveyOptions::new().by(&[DomainKind::Unit, DomainKind::Group, DomainKind::All]);
            let full = survey_results(&q, &by_rows, &options);
            if flags & 32 != 0 {
                let settings = SurveySettings { mean_se: false, ..q.settings().clone() };
                let lean = Questionnaire::new(q.id(), q.elements().to_vec(), q.items().to_vec(), settings)
                    .and_then(|l| l.with_forms(q.forms().to_vec()))
                    .expect("the same questionnaire");
                let mut tally = Tally::new(&lean);
                tally.add(&lean, &design.apply(Batch::new(units, Answers::Rows(&answers)))).expect("valid");
                let lean = survey_results(&lean, &tally, &options);
                assert_eq!(full.is_ok(), lean.is_ok());
                if let (Ok(full), Ok(lean)) = (full, lean) {
                    for (a, b) in full.domains.iter().zip(&lean.domains) {
                        assert_eq!((a.overall, &a.elements), (b.overall, &b.elements));
                        for (x, y) in a.items.iter().zip(&b.items) {
                            assert_eq!(*x, ItemEstimate { mean_se: x.mean_se, ..y.clone() });
                        }
                    }
                }
            }
        }
        Err(e) => {
            assert!(!e.issues().is_empty());
            assert_eq!(by_rows.respondents(), 0, "nothing half-added");
            assert!(by_rows.units().is_empty(), "no names half-added");
        }
    }
});

/// Which design labels a batch carries (bits of `flags`), and the labels.
struct Design<'a> {
    flags: u8,
    weights: &'a [f64],
    groups: (&'a [u32], &'a [String]),
    strata: (&'a [u32], &'a [String]),
    clusters: (&'a [u32], &'a [String]),
}

impl<'a> Design<'a> {
    fn apply(&self, mut b: Batch<'a>) -> Batch<'a> {
        let labels = |(index, names): (&'a [u32], &'a [String])| Labels { index, names };
        if self.flags & 1 != 0 {
            b = b.weights(self.weights);
        }
        if self.flags & 2 != 0 {
            b = b.groups(labels(self.groups));
        }
        if self.flags & 4 != 0 {
            b = b.strata(labels(self.strata));
        }
        if self.flags & 8 != 0 {
            b = b.clusters(labels(self.clusters));
        }
        b
    }
}
