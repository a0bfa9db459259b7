//! The questionnaire: elements, items and what each answer code means.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Issue, IssueKind, Location, Result};

/// The version of the questionnaire JSON format this build reads and writes.
pub const QUESTIONNAIRE_FORMAT_VERSION: u64 = 1;

/// The answer code that means "no answer" in columnar input (`u8::MAX`); a blank cell in a
/// CSV file. Scale codes therefore run from 0 to 254.
pub const NO_ANSWER: u8 = u8::MAX;

/// An element (yếu tố) of the questionnaire, e.g. access to the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Element {
    /// The code, e.g. `access`.
    pub code: String,
    /// The Vietnamese name.
    #[serde(default)]
    pub name: String,
    /// The English name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
}

/// One answer option of an option-scale or priority item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerOption {
    /// The code written in the responses (0–254).
    pub code: u8,
    /// The label, e.g. `A` or `Rút ngắn thời gian giải quyết`.
    #[serde(default)]
    pub label: String,
    /// For option scales: the share (in %) an answer counts for, e.g. A/B/C/D = 100/60/20/0.
    #[serde(default, with = "rust_decimal::serde::str_option", skip_serializing_if = "Option::is_none")]
    pub weight: Option<Decimal>,
}

/// Which answer of a yes/no item is the positive one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Positive {
    /// "Yes" (code 1) counts as the positive answer.
    #[default]
    Yes,
    /// "No" (code 0) counts as the positive answer (e.g. "did you have to pay extra?").
    No,
}

fn one() -> u8 {
    1
}
fn five() -> u8 {
    5
}
fn four() -> u8 {
    4
}

/// What kind of question an item is, and so how its answers are counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ItemKind {
    /// Satisfaction (hài lòng) on a scale `min..=max`; codes `>= satisfied_from` count as
    /// satisfied. Default 1–5, satisfied = 4 or 5.
    Satisfaction {
        /// The lowest code.
        #[serde(default = "one")]
        min: u8,
        /// The highest code.
        #[serde(default = "five")]
        max: u8,
        /// The lowest code that counts as satisfied.
        #[serde(default = "four")]
        satisfied_from: u8,
    },
    /// Perception (nhận định) on a scale `min..=max`; codes `>= positive_from` count as positive.
    Perception {
        /// The lowest code.
        #[serde(default = "one")]
        min: u8,
        /// The highest code.
        #[serde(default = "five")]
        max: u8,
        /// The lowest code that counts as positive.
        #[serde(default = "four")]
        positive_from: u8,
    },
    /// Options each worth a share, e.g. A/B/C/D = 100/60/20/0 %.
    Options {
        /// The options, each with its weight in %.
        options: Vec<AnswerOption>,
    },
    /// Yes (code 1) or no (code 0).
    YesNo {
        /// Which answer is positive.
        #[serde(default)]
        positive: Positive,
    },
    /// Expectation (mong đợi): choose up to `choose_at_most` of the options. In columnar input
    /// it takes one 0/1 column per option; in a CSV cell, the chosen codes separated by `;`.
    Priority {
        /// The priorities to choose from.
        options: Vec<AnswerOption>,
        /// How many a respondent may choose.
        choose_at_most: u8,
    },
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// The code, also the column name in the responses, e.g. `A1`.
    pub code: String,
    /// The element it belongs to (none for background or expectation questions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    /// The question as asked.
    #[serde(default)]
    pub text: String,
    /// How its answers count.
    pub kind: ItemKind,
    /// Whether it enters its element's index; by default satisfaction items do and the others
    /// do not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_index: Option<bool>,
}

impl Item {
    /// An item of a kind.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Item, ItemKind};
    /// let item = Item::new("A1", ItemKind::likert()).element("access");
    /// assert_eq!(item.element.as_deref(), Some("access"));
    /// assert!(item.counts_in_index());
    /// ```
    #[must_use]
    pub fn new(code: impl Into<String>, kind: ItemKind) -> Item {
        Item { code: code.into(), element: None, text: String::new(), kind, in_index: None }
    }
    /// Sets the element.
    ///
    /// # Examples
    ///
    /// ```
    /// let item = parindex::Item::new("A1", parindex::ItemKind::likert()).element("access");
    /// assert_eq!(item.element.as_deref(), Some("access"));
    /// ```
    #[must_use]
    pub fn element(mut self, element: impl Into<String>) -> Item {
        self.element = Some(element.into());
        self
    }
    /// Sets whether it enters its element's index.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Item, ItemKind, Positive};
    /// let item = Item::new("P1", ItemKind::YesNo { positive: Positive::No }).element("results").in_index(true);
    /// assert!(item.counts_in_index());
    /// ```
    #[must_use]
    pub fn in_index(mut self, yes: bool) -> Item {
        self.in_index = Some(yes);
        self
    }
    /// Whether it enters its element's index (explicitly, or by default as a satisfaction item).
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Item, ItemKind};
    /// assert!(!Item::new("P1", ItemKind::Perception { min: 1, max: 5, positive_from: 4 }).counts_in_index());
    /// ```
    #[must_use]
    pub fn counts_in_index(&self) -> bool {
        self.element.is_some() && self.in_index.unwrap_or(matches!(self.kind, ItemKind::Satisfaction { .. }))
    }
}

impl ItemKind {
    /// The usual satisfaction item: 1–5, satisfied = 4 or 5.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::ItemKind;
    /// assert_eq!(ItemKind::likert(), ItemKind::Satisfaction { min: 1, max: 5, satisfied_from: 4 });
    /// ```
    #[must_use]
    pub fn likert() -> ItemKind {
        ItemKind::Satisfaction { min: 1, max: 5, satisfied_from: 4 }
    }
}

/// A form: the items asked of one respondent group (citizens, businesses…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// The group code written in the responses' `group` column.
    pub group: String,
    /// The name of the group.
    #[serde(default)]
    pub name: String,
    /// The items on this form; an answer to any other item is an error.
    pub items: Vec<String>,
}

/// How an element's index comes from its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementIndex {
    /// The mean of its items' shares (each item counts the same).
    #[default]
    MeanOfItems,
    /// The pooled share: all its items' satisfied answers over all their valid answers.
    Pooled,
}

/// How the overall index comes from the elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverallIndex {
    /// The mean of the element indices.
    #[default]
    MeanOfElements,
    /// The mean of all index items' shares.
    MeanOfItems,
    /// The pooled share over all index items.
    Pooled,
}

/// What to do with an answer code outside an item's scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvalidAnswers {
    /// Each one is a located error (the default).
    #[default]
    Error,
    /// Each one is left out of its item and counted as invalid in the results.
    Count,
}

fn confidence_default() -> Decimal {
    Decimal::new(95, 2)
}
fn margin_default() -> Decimal {
    Decimal::new(5, 2)
}

/// How results are computed.
///
/// # Examples
///
/// ```
/// use parindex::{ElementIndex, SurveySettings};
/// let s: SurveySettings = serde_json::from_str(r#"{"element_index": "pooled", "index_intervals": false}"#).unwrap();
/// assert_eq!(s.element_index, ElementIndex::Pooled);
/// assert!(!s.index_intervals && SurveySettings::default().index_intervals);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveySettings {
    /// Element index operator.
    #[serde(default)]
    pub element_index: ElementIndex,
    /// Overall index operator.
    #[serde(default)]
    pub overall_index: OverallIndex,
    /// The confidence level of the intervals, e.g. 0.95.
    #[serde(default = "confidence_default", with = "rust_decimal::serde::str")]
    pub confidence: Decimal,
    /// The margin of error `e` of the sample-size rule n = N / (1 + N·e²).
    #[serde(default = "margin_default", with = "rust_decimal::serde::str")]
    pub margin: Decimal,
    /// Answers outside the scale.
    #[serde(default)]
    pub invalid_answers: InvalidAnswers,
    /// Whether element and overall indices get standard errors and intervals (default true).
    /// Without clusters they need per-respondent cross sums of the index items, kept in the
    /// tally at O(items²) per respondent: switch them off when only item intervals matter.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub index_intervals: bool,
    /// Whether the mean scores get standard errors (default true). They need Σw²·x and
    /// Σw²·x² of every answer column in the tally: switch them off when only the shares'
    /// intervals matter (the means stay; the tally adds two sums fewer per answer, about an
    /// eighth of its time).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub mean_se: bool,
}

pub(super) fn yes() -> bool {
    true
}
#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
pub(super) fn is_true(x: &bool) -> bool {
    *x
}

impl Default for SurveySettings {
    fn default() -> Self {
        SurveySettings {
            element_index: ElementIndex::default(),
            overall_index: OverallIndex::default(),
            confidence: confidence_default(),
            margin: margin_default(),
            invalid_answers: InvalidAnswers::default(),
            index_intervals: true,
            mean_se: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format_version: u64,
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(default)]
    elements: Vec<Element>,
    items: Vec<Item>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    forms: Vec<Form>,
    #[serde(default)]
    settings: SurveySettings,
}

/// What one answer code counts for in one column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Slot {
    /// The code.
    pub code: u8,
    /// The contribution to the share, in [0, 1].
    pub share: f64,
    /// The share in the column's points ([`Column::scale`] of them make a share of 1): an
    /// option's weight in percent, exact for whole percents, so sums of weighted shares
    /// stay exact where the weights' sums are.
    pub points: f64,
    /// The contribution to the mean score (scale items: the code).
    pub score: f64,
}

/// One answer column: an item, or one option of a priority item.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub name: String,
    pub item: usize,
    /// Valid slots first, then one slot for invalid codes.
    pub slots: Vec<Slot>,
    /// The points of a share of 1: 100 for options (weights in percent), else 1.
    pub scale: f64,
    /// Where its slots start in a cell.
    pub offset: usize,
}

#[derive(Debug)]
pub(crate) struct Layout {
    pub columns: Vec<Column>,
    /// `lut[column][code]` = slot index within the cell, or `SKIP`.
    pub lut: Vec<[u16; 256]>,
    /// Slots per cell.
    pub slots: usize,
    /// Per form (in order), the columns that must stay blank.
    pub off_form: Vec<Vec<usize>>,
    /// The confidence level as f64 and its normal quantile.
    pub z: f64,
    pub margin: f64,
}

pub(crate) const SKIP: u16 = u16::MAX;

/// The per-respondent features a tally keeps cross sums Σ w² f fᵀ of, for the standard errors
/// of the indices without clusters (DESIGN.md §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Features {
    /// None kept (`index_intervals` off, or no index items).
    #[default]
    None,
    /// Per index column: its blank indicator and its shortfall (needed by a mean of items).
    Items,
    /// Per element: the sums of those over its index columns (enough for pooled indices).
    Elements,
}

/// The unit of the shortfall features: percent points (100 × (1 − share)).
pub(crate) const SHORTFALL_SCALE: f64 = 100.0;

/// Where each index column's answers go among the features: feature 0 is the constant 1;
/// group g (an index column, or an element) has its blank count at 1 + 2g and its shortfall
/// (in percent points) at 2 + 2g. With n = 1 − blank and y = n − shortfall / 100 per column,
/// every index's linearised variable is linear in these features.
#[derive(Debug, Clone)]
pub(crate) struct FeatureMap {
    /// The number of features, 1 + 2 × groups.
    pub count: usize,
    /// Per answer column: its group, if it enters the indices.
    pub group_of: Vec<Option<u32>>,
    /// Per group: its index columns.
    pub columns: Vec<Vec<usize>>,
}

#[derive(Debug)]
struct Inner {
    doc: Document,
    layout: Layout,
}

/// A validated questionnaire: elements → items, answer scales, respondent forms and how
/// the indices are computed. Cheap to clone.
///
/// # Examples
///
/// ```
/// use parindex::Questionnaire;
/// let q = Questionnaire::from_json(r#"{
///   "format_version": 1, "id": "sipas-mini", "name": "SIPAS (mini)",
///   "elements": [{"code": "access", "name": "Tiếp cận dịch vụ"}],
///   "items": [
///     {"code": "A1", "element": "access", "kind": {"type": "satisfaction"}},
///     {"code": "E1", "kind": {"type": "priority", "choose_at_most": 2,
///       "options": [{"code": 1, "label": "Rút ngắn thời gian"}, {"code": 2, "label": "Giảm phí"},
///                   {"code": 3, "label": "Thái độ công chức"}]}}
///   ]}"#).unwrap();
/// assert_eq!(q.columns(), ["A1", "E1.1", "E1.2", "E1.3"]);
/// assert_eq!(q.items().len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Questionnaire(Arc<Inner>);

impl PartialEq for Questionnaire {
    fn eq(&self, other: &Self) -> bool {
        self.0.doc == other.0.doc
    }
}

impl Questionnaire {
    /// Builds and validates a questionnaire; every problem is reported at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Element, Item, ItemKind, Questionnaire, SurveySettings};
    /// let q = Questionnaire::new(
    ///     "demo",
    ///     vec![Element { code: "access".into(), name: "Tiếp cận".into(), name_en: None }],
    ///     vec![Item::new("A1", ItemKind::likert()).element("access")],
    ///     SurveySettings::default(),
    /// ).unwrap();
    /// assert_eq!(q.id(), "demo");
    /// let bad = Questionnaire::new("demo", vec![], vec![Item::new("A1", ItemKind::likert()).element("x")],
    ///     SurveySettings::default()).unwrap_err();
    /// assert_eq!(bad.issues()[0].code(), "unknown_element");
    /// ```
    pub fn new(
        id: impl Into<String>,
        elements: Vec<Element>,
        items: Vec<Item>,
        settings: SurveySettings,
    ) -> Result<Questionnaire> {
        Questionnaire::build(Document {
            format_version: QUESTIONNAIRE_FORMAT_VERSION,
            id: id.into(),
            name: String::new(),
            version: None,
            elements,
            items,
            forms: Vec::new(),
            settings,
        })
    }

    /// Reads the JSON format (strict: unknown fields are errors).
    ///
    /// # Examples
    ///
    /// ```
    /// let err = parindex::Questionnaire::from_json(r#"{"format_version": 1, "id": "q", "items": [],
    ///   "colour": "red"}"#).unwrap_err();
    /// assert_eq!(err.issues()[0].code(), "syntax");
    /// ```
    pub fn from_json(text: &str) -> Result<Questionnaire> {
        let doc: Document = serde_json::from_str(text).map_err(|e| {
            let at = Location::default().row(e.line() as u64).column(e.column() as u64);
            Error::single(at, IssueKind::Syntax { reason: e.to_string() })
        })?;
        if doc.format_version != QUESTIONNAIRE_FORMAT_VERSION {
            return Err(Error::single(
                Location::default(),
                IssueKind::UnsupportedVersion {
                    found: doc.format_version,
                    supported: QUESTIONNAIRE_FORMAT_VERSION,
                },
            ));
        }
        Questionnaire::build(doc)
    }

    /// Writes the JSON format; [`Questionnaire::from_json`] reads it back to an equal value.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Item, ItemKind, Questionnaire, SurveySettings};
    /// let q = Questionnaire::new("q", vec![], vec![Item::new("A1", ItemKind::likert())],
    ///     SurveySettings::default()).unwrap();
    /// assert_eq!(Questionnaire::from_json(&q.to_json()).unwrap(), q);
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.0.doc).unwrap_or_default()
    }

    /// Adds respondent forms (which items each group is asked).
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Form, Item, ItemKind, Questionnaire, SurveySettings};
    /// let q = Questionnaire::new("q", vec![], vec![Item::new("A1", ItemKind::likert())],
    ///     SurveySettings::default()).unwrap();
    /// let q = q.with_forms(vec![Form { group: "citizen".into(), name: "Người dân".into(), items: vec!["A1".into()] }]).unwrap();
    /// assert_eq!(q.forms().len(), 1);
    /// ```
    pub fn with_forms(&self, forms: Vec<Form>) -> Result<Questionnaire> {
        let mut doc = self.0.doc.clone();
        doc.forms = forms;
        Questionnaire::build(doc)
    }

    /// The id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.0.doc.id
    }
    /// The name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.0.doc.name
    }
    /// The elements.
    #[must_use]
    pub fn elements(&self) -> &[Element] {
        &self.0.doc.elements
    }
    /// The items.
    #[must_use]
    pub fn items(&self) -> &[Item] {
        &self.0.doc.items
    }
    /// The forms.
    #[must_use]
    pub fn forms(&self) -> &[Form] {
        &self.0.doc.forms
    }
    /// The settings.
    #[must_use]
    pub fn settings(&self) -> &SurveySettings {
        &self.0.doc.settings
    }
    /// The answer columns of columnar input, in order: each item's code, and for a priority
    /// item one column per option, `CODE.OPTION`.
    #[must_use]
    pub fn columns(&self) -> Vec<&str> {
        self.0.layout.columns.iter().map(|c| c.name.as_str()).collect()
    }

    pub(crate) fn layout(&self) -> &Layout {
        &self.0.layout
    }

    /// The features the settings ask a tally to keep cross sums of.
    pub(crate) fn features(&self) -> Features {
        let s = self.settings();
        let any = self.0.layout.columns.iter().any(|c| self.items()[c.item].counts_in_index());
        if !s.index_intervals || !any {
            Features::None
        } else if s.element_index == ElementIndex::MeanOfItems || s.overall_index == OverallIndex::MeanOfItems
        {
            Features::Items
        } else {
            Features::Elements
        }
    }

    /// Where the index columns go among the features of a kind.
    pub(crate) fn feature_map(&self, kind: Features) -> FeatureMap {
        let columns = &self.0.layout.columns;
        let in_index = |c: usize| self.items()[columns[c].item].counts_in_index();
        let groups: Vec<Vec<usize>> = match kind {
            Features::None => Vec::new(),
            Features::Items => (0..columns.len()).filter(|&c| in_index(c)).map(|c| vec![c]).collect(),
            Features::Elements => self
                .elements()
                .iter()
                .map(|e| {
                    (0..columns.len())
                        .filter(|&c| {
                            in_index(c)
                                && self.items()[columns[c].item].element.as_deref() == Some(e.code.as_str())
                        })
                        .collect::<Vec<_>>()
                })
                .filter(|g| !g.is_empty())
                .collect(),
        };
        let mut group_of = vec![None; columns.len()];
        for (g, cs) in groups.iter().enumerate() {
            for &c in cs {
                group_of[c] = Some(g as u32);
            }
        }
        FeatureMap {
            count: if groups.is_empty() { 0 } else { 1 + 2 * groups.len() },
            group_of,
            columns: groups,
        }
    }

    fn build(doc: Document) -> Result<Questionnaire> {
        let mut issues = Vec::new();
        let at_item = |code: &str| Location::default().item(code);
        let mut element_codes = HashSet::new();
        for e in &doc.elements {
            if e.code.trim().is_empty() || e.code.trim() != e.code {
                issues.push(Issue::new(
                    Location::default(),
                    IssueKind::InvalidSurveyCode { what: "element".into(), code: e.code.clone() },
                ));
            } else if !element_codes.insert(e.code.as_str()) {
                issues.push(Issue::new(
                    Location::default(),
                    IssueKind::DuplicateSurveyCode {
                        what: "element".into(),
                        first: format!("element {}", e.code),
                    },
                ));
            }
        }
        let mut item_codes: HashMap<&str, usize> = HashMap::new();
        let mut columns = Vec::new();
        for (i, item) in doc.items.iter().enumerate() {
            let at = at_item(&item.code);
            if item.code.trim().is_empty() || item.code.trim() != item.code {
                issues.push(Issue::new(
                    Location::default(),
                    IssueKind::InvalidSurveyCode { what: "item".into(), code: item.code.clone() },
                ));
            } else if let Some(first) = item_codes.insert(item.code.as_str(), i) {
                issues.push(Issue::new(
                    at.clone(),
                    IssueKind::DuplicateSurveyCode {
                        what: "item".into(),
                        first: format!("item {} of the list", first + 1),
                    },
                ));
            }
            if let Some(e) = &item.element {
                if !element_codes.contains(e.as_str()) {
                    issues.push(Issue::new(at.clone(), IssueKind::UnknownElement { element: e.clone() }));
                }
            }
            let bad = |reason: String| Issue::new(at.clone(), IssueKind::InvalidScale { reason });
            match &item.kind {
                ItemKind::Satisfaction { min, max, satisfied_from: from }
                | ItemKind::Perception { min, max, positive_from: from } => {
                    if min >= max || *max == NO_ANSWER {
                        issues.push(bad(format!("the scale {min}..{max} needs min < max <= 254")));
                    } else if from < min || from > max {
                        issues.push(bad(format!("the positive threshold {from} lies outside {min}..{max}")));
                    } else {
                        let slots = (*min..=*max)
                            .map(|c| {
                                let share = f64::from(u8::from(c >= *from));
                                Slot { code: c, share, points: share, score: f64::from(c) }
                            })
                            .collect();
                        columns.push(Column {
                            name: item.code.clone(),
                            item: i,
                            slots,
                            scale: 1.0,
                            offset: 0,
                        });
                    }
                }
                ItemKind::Options { options } => {
                    let mut slots = Vec::new();
                    for o in check_options(options, &bad, &mut issues) {
                        match o.weight {
                            Some(w) if w >= Decimal::ZERO && w <= Decimal::ONE_HUNDRED => {
                                let share = (w / Decimal::ONE_HUNDRED).to_f64().unwrap_or(0.0);
                                let points = w.to_f64().unwrap_or(0.0);
                                slots.push(Slot { code: o.code, share, points, score: points });
                            }
                            Some(w) => {
                                issues.push(bad(format!("option {} weighs {w}%, outside 0–100", o.code)))
                            }
                            None => issues.push(bad(format!("option {} has no weight", o.code))),
                        }
                    }
                    columns.push(Column { name: item.code.clone(), item: i, slots, scale: 100.0, offset: 0 });
                }
                ItemKind::YesNo { positive } => {
                    let yes = f64::from(u8::from(*positive == Positive::Yes));
                    let slots = vec![
                        Slot { code: 0, share: 1.0 - yes, points: 1.0 - yes, score: 0.0 },
                        Slot { code: 1, share: yes, points: yes, score: 1.0 },
                    ];
                    columns.push(Column { name: item.code.clone(), item: i, slots, scale: 1.0, offset: 0 });
                }
                ItemKind::Priority { options, choose_at_most } => {
                    if *choose_at_most == 0 {
                        issues.push(bad("choose_at_most must be at least 1".into()));
                    }
                    for o in check_options(options, &bad, &mut issues) {
                        let slots = vec![
                            Slot { code: 0, share: 0.0, points: 0.0, score: 0.0 },
                            Slot { code: 1, share: 1.0, points: 1.0, score: 1.0 },
                        ];
                        let name = format!("{}.{}", item.code, o.code);
                        columns.push(Column { name, item: i, slots, scale: 1.0, offset: 0 });
                    }
                }
            }
        }
        let mut off_form = Vec::new();
        let mut groups = HashSet::new();
        for form in &doc.forms {
            if !groups.insert(form.group.as_str()) {
                let first = doc.forms.iter().position(|g| g.group == form.group).map_or(0, |p| p + 1);
                issues.push(Issue::new(
                    Location::default(),
                    IssueKind::DuplicateSurveyCode {
                        what: "form".into(),
                        first: format!("form {first} of the list"),
                    },
                ));
            }
            let mut on = HashSet::new();
            for code in &form.items {
                match item_codes.get(code.as_str()) {
                    Some(&i) => {
                        on.insert(i);
                    }
                    None => issues.push(Issue::new(
                        Location::default(),
                        IssueKind::UnknownItem { item: format!("{code} (on the form of {})", form.group) },
                    )),
                }
            }
            off_form.push((0..columns.len()).filter(|&c| !on.contains(&columns[c].item)).collect());
        }
        let s = &doc.settings;
        let confidence = s.confidence.to_f64().unwrap_or(0.0);
        if !(s.confidence > Decimal::ZERO && s.confidence < Decimal::ONE) {
            issues.push(Issue::new(
                Location::default(),
                IssueKind::InvalidSetting {
                    setting: "confidence".into(),
                    reason: "must lie strictly between 0 and 1".into(),
                },
            ));
        }
        if !(s.margin > Decimal::ZERO && s.margin < Decimal::ONE) {
            issues.push(Issue::new(
                Location::default(),
                IssueKind::InvalidSetting {
                    setting: "margin".into(),
                    reason: "must lie strictly between 0 and 1".into(),
                },
            ));
        }
        if let Some(e) = Error::from_issues(issues) {
            return Err(e);
        }
        let mut offset = 0;
        let mut lut = vec![[SKIP; 256]; columns.len()];
        for (c, column) in columns.iter_mut().enumerate() {
            column.offset = offset;
            // Every code is invalid until a slot claims it; the last slot of a column counts them.
            let invalid = (offset + column.slots.len()) as u16;
            lut[c].fill(invalid);
            lut[c][usize::from(NO_ANSWER)] = SKIP;
            for (k, slot) in column.slots.iter().enumerate() {
                lut[c][usize::from(slot.code)] = (offset + k) as u16;
            }
            offset += column.slots.len() + 1;
        }
        if offset >= usize::from(SKIP) {
            return Err(Error::single(
                Location::default(),
                IssueKind::InvalidSetting {
                    setting: "items".into(),
                    reason: "too many answer codes in one questionnaire".into(),
                },
            ));
        }
        let layout = Layout {
            columns,
            lut,
            slots: offset,
            off_form,
            z: super::stats::normal_quantile(0.5 + confidence / 2.0),
            margin: s.margin.to_f64().unwrap_or(0.05),
        };
        Ok(Questionnaire(Arc::new(Inner { doc, layout })))
    }
}

/// The options with distinct codes below [`NO_ANSWER`]; the others are reported.
fn check_options<'a>(
    options: &'a [AnswerOption],
    bad: &dyn Fn(String) -> Issue,
    issues: &mut Vec<Issue>,
) -> Vec<&'a AnswerOption> {
    if options.is_empty() {
        issues.push(bad("no options".into()));
    }
    let mut seen = HashSet::new();
    let mut ok = Vec::new();
    for o in options {
        if o.code == NO_ANSWER {
            issues.push(bad(format!("option code {NO_ANSWER} is reserved for no answer")));
        } else if !seen.insert(o.code) {
            issues.push(bad(format!("option code {} repeats", o.code)));
        } else {
            ok.push(o);
        }
    }
    ok
}
