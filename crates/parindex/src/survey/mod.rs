//! Satisfaction surveys (SIPAS and the survey part of the PAR index): questionnaires,
//! responses streamed through a mergeable [`Tally`], and design-based estimates.
//!
//! The flow is: describe the [`Questionnaire`] (elements → items, each with its answer
//! scale); feed respondents in columnar [`Batch`]es (answers as `u8` codes, units and
//! optional groups, strata and clusters as indices, design weights as `f64`) into a
//! [`Tally`], in one pass and in as many parts as you like ([`Tally::merge`]); then
//! [`survey_results`] gives per unit, group and everyone the share satisfied, its standard
//! error, interval and design effect, the mean score, element indices and the overall index
//! (with their standard errors and intervals, the covariances of their items included).
//! [`SurveyResults::leaf_values`] turns a measure into the values of a methodology leaf.
//!
//! Survey statistics are floating point (`f64`): they are estimates with standard errors,
//! not points; counts stay exact integers. DESIGN.md §12 gives every formula.

mod batch;
mod estimate;
mod kernel;
mod moments;
mod questionnaire;
mod stats;
mod tally;

pub use batch::{Answers, Batch, Labels};
pub use estimate::{
    survey_results, DomainEstimate, DomainKind, ElementEstimate, Interval, ItemEstimate, LeafValue, Measure,
    SurveyOptions, SurveyResults, SurveyWarning,
};
pub use questionnaire::{
    AnswerOption, Element, ElementIndex, Form, InvalidAnswers, Item, ItemKind, OverallIndex, Positive,
    Questionnaire, SurveySettings, NO_ANSWER, QUESTIONNAIRE_FORMAT_VERSION,
};
pub use tally::{Design, Tally};
