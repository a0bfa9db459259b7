//! # parindex — exact scoring of public-administration performance indices
//!
//! parindex computes Vietnam's PAR INDEX (Chỉ số cải cách hành chính), and any index built the
//! same way (PCI, PAPI, provincial indices of departments, districts and communes), from a
//! **methodology** — the criteria tree, as data — and the **scores** of each unit.
//!
//! ## The model in five minutes
//!
//! * A [`Methodology`] is a tree of [`Node`]s: domains (lĩnh vực) → criteria (tiêu chí) →
//!   sub-criteria (tiêu chí thành phần). Points are entered on the **leaves**; each leaf has a
//!   maximum (`max`). An inner node's maximum is, by default, the sum of its children's.
//! * A leaf takes points directly, or a measured value turned into points by a [`Rule`]:
//!   thresholds ("on-time rate ≥ 95% → 1.5 of 2"), proportional to a rate, or yes/no.
//! * Every node has a weight, by default its maximum. A node's percent is the weighted mean of
//!   its children's percents; its points are that percent of its maximum:
//!
//!   ```text
//!   leaf percent  = value ÷ max × 100
//!   node percent  = Σ weight × percent ÷ Σ weight      (over the children that apply)
//!   node points   = node percent × node max ÷ 100
//!   ```
//!
//!   With default weights this is the PAR rule — points add up and the index is achieved ÷
//!   maximum × 100. With explicit weights it is PCI. A leaf marked `NA` (not applicable)
//!   drops out of its parent's weights, so the unit is judged on what applies to it ("quy về
//!   thang điểm 100"); a methodology may instead award such leaves full points.
//! * Bonus and penalty points (điểm thưởng / điểm trừ) are added to the total after
//!   aggregation, each capped by the methodology.
//! * [`score`] gives [`Results`]: for every unit every node's points and percent, the total,
//!   the index (%), the published (rounded) index, a rank and a band.
//!
//! ## Exact, and rounded once
//!
//! Inputs are decimals read from text, never through binary floating point. Internally every
//! value is an exact fraction ([`Exact`]) of the inputs, so nothing is rounded until a value is
//! published: [`Exact::round`] applies the methodology's places and mode (2 places, half up by
//! default) to the exact value. Ranks compare exact values (or, if the methodology says so,
//! published values).
//!
//! ## Example
//!
//! ```
//! use parindex::{score, Band, Info, Methodology, Node, Scores, Settings, Unit, Value};
//! use rust_decimal::Decimal;
//! let d = |s: &str| s.parse::<Decimal>().unwrap();
//!
//! // Two domains of a (tiny) criteria set, bands A ≥ 90, B ≥ 80.
//! let settings = Settings::default().bands(vec![
//!     Band { label: "A".into(), min: d("90") },
//!     Band { label: "B".into(), min: d("80") },
//! ]);
//! let m = Methodology::new(Info::new("demo", "Demo"), settings, vec![
//!     Node::new("1", "Cải cách thủ tục hành chính"),
//!     Node::new("1.1", "Công khai TTHC").parent("1").max(d("4")),
//!     Node::new("1.2", "Tỷ lệ hồ sơ đúng hạn").parent("1").max(d("6")),
//!     Node::new("2", "Hiện đại hoá hành chính").max(d("10")),
//! ]).unwrap();
//!
//! let mut scores = Scores::new(&m);
//! let u = scores.add_unit(Unit::new("so-tu-phap").name("Sở Tư pháp")).unwrap();
//! for (code, v) in [("1.1", "4"), ("1.2", "5.25"), ("2", "8.75")] {
//!     scores.set(u, code, Value::Number(d(v))).unwrap();
//! }
//!
//! let results = score(&m, &scores).unwrap();
//! let r = results.unit("so-tu-phap").unwrap();
//! assert_eq!(r.points().to_decimal(), d("18"));
//! assert_eq!(r.published_percent(), d("90.00"));
//! assert_eq!(r.band(), Some("A"));
//! assert_eq!(r.node("1").unwrap().points().unwrap().to_decimal(), d("9.25"));
//! ```
//!
//! Reading files (CSV node tables, wide and long score sheets) lives in the `parindex-io`
//! crate; the `parindex` command-line tool is in `parindex-cli`.

#![deny(missing_docs)]

mod compare;
mod error;
mod exact;
mod explain;
mod methodology;
mod plan;
mod published;
mod rank;
mod score;
mod scores;
mod sensitivity;
mod summary;
mod survey;
mod target;

pub use compare::{
    compare, compare_published, Comparison, Movement, NodeChange, NodeDifference, Standing, UnitChange,
};
pub use error::{Error, Issue, IssueKind, Location, Result};
pub use exact::{Exact, RoundingMode};
pub use explain::{explain, Explanation, LeafExplanation};
pub use methodology::{
    Band, Direction, Info, Level, Methodology, Node, NotApplicable, RankOn, Rounding, Rule, Settings, Source,
    Step, Ties, FORMAT_VERSION,
};
pub use plan::{plan, what_if, Goal, LeafChange, Objective, Plan, PlanOptions, PlanStep, WhatIf};
pub use published::{PublishedNode, PublishedResults, PublishedUnit};
pub use rank::{rank, rank_by, RankOptions};
pub use rust_decimal::Decimal;
pub use score::{score, NodeScore, Results, UnitResult};
pub use scores::{Scores, Unit, Value};
pub use sensitivity::{
    leave_one_out, sensitivity, sensitivity_with_progress, weight_sweep, Attribution, LeftOut, NodeSet,
    Progress, RankHistogram, Sensitivity, SensitivityOptions, SurveyShare, Uncertainty, UncertaintySource,
    UnitSensitivity, WeightDistribution, WeightSweep,
};
pub use smol_str::SmolStr;
pub use summary::{summarize, GroupSummary, Summary};
pub use survey::{
    survey_results, AnswerOption, Answers, Batch, Design, DomainEstimate, DomainKind, Element,
    ElementEstimate, ElementIndex, Form, Interval, InvalidAnswers, Item, ItemEstimate, ItemKind, Labels,
    LeafValue, Measure, OverallIndex, Positive, Questionnaire, SurveyOptions, SurveyResults, SurveySettings,
    SurveyWarning, Tally, NO_ANSWER, QUESTIONNAIRE_FORMAT_VERSION,
};
pub use target::{dossier_stats, last_activity, Assessment, Date, Dossier, DossierStats, Target};

#[cfg(test)]
mod tests {
    fn is_send_sync<T: Send + Sync>() {}

    #[test]
    fn public_types_are_send_and_sync() {
        is_send_sync::<crate::Methodology>();
        is_send_sync::<crate::Scores>();
        is_send_sync::<crate::Results>();
        is_send_sync::<crate::Error>();
        is_send_sync::<crate::Exact>();
    }
}
