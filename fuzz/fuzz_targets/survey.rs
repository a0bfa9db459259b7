//! Any bytes as survey responses (against the bad-survey questionnaire) and as a questionnaire:
//! errors or estimates whose shares lie in [0, 1] inside their intervals, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parindex::{survey_results, SurveyOptions};

const QUESTIONNAIRE: &str = include_str!("../../tests/bad-survey/questionnaire.json");

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parindex::Questionnaire::from_json(text);
    }
    let Ok(q) = parindex::Questionnaire::from_json(QUESTIONNAIRE) else { return };
    let Ok(tally) = parindex_io::read_responses(data, "r.csv", &q, &parindex_io::ResponsesOptions::new()) else {
        return;
    };
    let Ok(results) = survey_results(&q, &tally, &SurveyOptions::new()) else { return };
    for d in &results.domains {
        for e in &d.items {
            if let Some(p) = e.share {
                assert!((0.0..=1.0).contains(&p), "share {p}");
                if let (Some(lo), Some(hi)) = (e.ci_low, e.ci_high) {
                    assert!(lo <= p + 1e-12 && p <= hi + 1e-12, "{lo} {p} {hi}");
                }
            }
        }
    }
    // Merging a tally with itself through JSON doubles every count.
    let mut twice = tally.clone();
    let back = parindex::Tally::from_json(&tally.to_json()).expect("a tally reads back");
    twice.merge(&back).expect("same questionnaire");
    assert_eq!(twice.respondents(), 2 * tally.respondents());
});
