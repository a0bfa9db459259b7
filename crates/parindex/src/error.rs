//! The one error type of the crate: a non-empty list of located [`Issue`]s.

use std::fmt;

use rust_decimal::Decimal;

/// A result whose error is [`Error`].
///
/// # Examples
///
/// ```
/// use parindex::{Methodology, Result};
///
/// fn load(json: &str) -> Result<Methodology> {
///     Methodology::from_json(json)
/// }
/// assert_eq!(load("[]").unwrap_err().issues()[0].code(), "syntax");
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where an issue was found. Every field is optional: the core knows units and criteria,
/// readers add the file, row and column.
///
/// # Examples
///
/// ```
/// use parindex::Location;
/// let at = Location::default().file("scores.csv").row(14).column(7).criterion("3.2.1");
/// assert_eq!(at.to_string(), "scores.csv:14:7: criterion 3.2.1");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Location {
    /// The file (or sheet) name.
    pub file: Option<String>,
    /// The 1-based row (line) in the file.
    pub row: Option<u64>,
    /// The 1-based column.
    pub column: Option<u64>,
    /// The unit (đơn vị) concerned.
    pub unit: Option<String>,
    /// The criterion (node) code concerned.
    pub criterion: Option<String>,
    /// The worksheet, when the file is a workbook: the location then prints as
    /// `file.xlsx!Sheet!C14` (a cell), `file.xlsx!Sheet!14:14` (a row) or `file.xlsx!Sheet`.
    pub sheet: Option<String>,
    /// The survey item (question) concerned.
    pub item: Option<String>,
}

impl Location {
    /// Sets the file.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::Location::default().file("scores.csv").to_string(), "scores.csv");
    /// ```
    #[must_use]
    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }
    /// Sets the row.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Location;
    /// assert_eq!(Location::default().file("scores.csv").row(14).to_string(), "scores.csv:14");
    /// assert_eq!(Location::default().row(14).to_string(), "row 14");
    /// ```
    #[must_use]
    pub fn row(mut self, row: u64) -> Self {
        self.row = Some(row);
        self
    }
    /// Sets the column.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::Location::default().row(14).column(7).to_string(), "row 14, column 7");
    /// ```
    #[must_use]
    pub fn column(mut self, column: u64) -> Self {
        self.column = Some(column);
        self
    }
    /// Sets the unit. It is printed only when no row points at it.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Location;
    /// assert_eq!(Location::default().unit("so-noi-vu").to_string(), "unit so-noi-vu");
    /// let at_row = Location::default().file("scores.csv").row(3).unit("so-noi-vu");
    /// assert_eq!(at_row.to_string(), "scores.csv:3");
    /// ```
    #[must_use]
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }
    /// Sets the criterion code.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex::Location::default().criterion("3.4.1").to_string(), "criterion 3.4.1");
    /// ```
    #[must_use]
    pub fn criterion(mut self, code: impl Into<String>) -> Self {
        self.criterion = Some(code.into());
        self
    }
    /// Sets the worksheet of a workbook; rows and columns then print as a cell reference.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Location;
    /// let at = Location::default().file("scores.xlsx").sheet("Điểm").row(14).column(3);
    /// assert_eq!(at.criterion("1.2").to_string(), "scores.xlsx!Điểm!C14: criterion 1.2");
    /// let row = Location::default().file("scores.xlsx").sheet("Điểm").row(14);
    /// assert_eq!(row.to_string(), "scores.xlsx!Điểm!14:14");
    /// ```
    #[must_use]
    pub fn sheet(mut self, sheet: impl Into<String>) -> Self {
        self.sheet = Some(sheet.into());
        self
    }
    /// Sets the survey item (question) code.
    ///
    /// # Examples
    ///
    /// ```
    /// let at = parindex::Location::default().file("responses.csv").row(9).column(4).item("A2");
    /// assert_eq!(at.to_string(), "responses.csv:9:4: item A2");
    /// ```
    #[must_use]
    pub fn item(mut self, code: impl Into<String>) -> Self {
        self.item = Some(code.into());
        self
    }
    /// True when nothing is known.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::Location;
    /// assert!(Location::default().is_empty());
    /// assert!(!Location::default().criterion("3.4.1").is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Location::default()
    }
}

impl fmt::Display for Location {
    /// `file:row:column: unit U: criterion C`, leaving out what is unknown; the unit is
    /// named only when no row points at it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let (Some(file), Some(sheet)) = (&self.file, &self.sheet) {
            // A workbook: Excel's own notation, a cell `C14` or a row `14:14`.
            let mut s = format!("{file}!{sheet}");
            match (self.row, self.column) {
                (Some(row), Some(column)) => s.push_str(&format!("!{}{row}", column_letters(column))),
                (Some(row), None) => s.push_str(&format!("!{row}:{row}")),
                _ => {}
            }
            parts.push(s);
        } else if let Some(file) = &self.file {
            let mut s = file.clone();
            if let Some(row) = self.row {
                s.push_str(&format!(":{row}"));
                if let Some(column) = self.column {
                    s.push_str(&format!(":{column}"));
                }
            }
            parts.push(s);
        } else if let Some(row) = self.row {
            match self.column {
                Some(column) => parts.push(format!("row {row}, column {column}")),
                None => parts.push(format!("row {row}")),
            }
        }
        if let (Some(unit), None) = (&self.unit, self.row) {
            parts.push(format!("unit {unit}"));
        }
        if let Some(code) = &self.criterion {
            parts.push(format!("criterion {code}"));
        }
        if let Some(code) = &self.item {
            parts.push(format!("item {code}"));
        }
        f.write_str(&parts.join(": "))
    }
}

/// Excel's column letters of a 1-based column: 1 → `A`, 27 → `AA`.
fn column_letters(mut column: u64) -> String {
    let mut letters = Vec::new();
    while column > 0 {
        column -= 1;
        letters.push(char::from(b'A' + (column % 26) as u8));
        column /= 26;
    }
    letters.iter().rev().collect()
}

/// What is wrong. Each kind has a stable [`IssueKind::code`] that programs can branch on
/// while the wording of the message improves.
///
/// # Examples
///
/// ```
/// use parindex::IssueKind;
/// let kind = IssueKind::AboveMax { value: "2.75".parse().unwrap(), max: "2.5".parse().unwrap() };
/// assert_eq!(kind.code(), "above_max");
/// assert_eq!(kind.to_string(), "2.75 exceeds its maximum 2.5");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssueKind {
    // --- the methodology ---
    /// The methodology has no nodes.
    #[error("the methodology has no criteria")]
    NoCriteria,
    /// A node code is empty or has surrounding spaces.
    #[error("invalid criterion code {code:?}")]
    InvalidCode {
        /// The code as given.
        code: String,
    },
    /// Two nodes share a code.
    #[error("duplicate criterion code (first defined {first})")]
    DuplicateCode {
        /// Where the first definition is (e.g. "on row 4" or "as node 3").
        first: String,
    },
    /// A node names a parent that does not exist.
    #[error("parent {parent} does not exist")]
    UnknownParent {
        /// The missing parent code.
        parent: String,
    },
    /// Following parents comes back to the node.
    #[error("parent cycle: {}", cycle.join(" -> "))]
    Cycle {
        /// The codes on the cycle, starting and ending at this node.
        cycle: Vec<String>,
    },
    /// A leaf has no maximum.
    #[error("a leaf criterion needs a maximum")]
    MissingMax,
    /// A maximum is zero or negative.
    #[error("maximum {max} must be positive")]
    NonPositiveMax {
        /// The maximum given.
        max: Decimal,
    },
    /// A weight is negative.
    #[error("weight {weight} must not be negative")]
    NegativeWeight {
        /// The weight given.
        weight: Decimal,
    },
    /// All children of a node weigh zero.
    #[error("the weights of its children add up to zero")]
    ZeroWeights,
    /// A scoring rule is malformed.
    #[error("invalid rule: {reason}")]
    InvalidRule {
        /// What is wrong with it.
        reason: String,
    },
    /// A rule is set on a node that has children.
    #[error("only leaf criteria have a scoring rule; this one has children")]
    RuleOnInnerNode,
    /// Band cut-offs are not strictly decreasing, or labels repeat.
    #[error("invalid bands: {reason}")]
    InvalidBands {
        /// What is wrong with them.
        reason: String,
    },
    /// A setting has an invalid value.
    #[error("invalid setting {setting}: {reason}")]
    InvalidSetting {
        /// The setting's name.
        setting: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A stored format version this build cannot read.
    #[error("unsupported format_version {found} (this build reads {supported})")]
    UnsupportedVersion {
        /// The version in the file.
        found: u64,
        /// The version this build reads.
        supported: u64,
    },
    /// The exact arithmetic would not fit 128 bits (absurdly precise weights or maxima).
    #[error("values are too precise for exact arithmetic: {reason}")]
    TooPrecise {
        /// What overflowed.
        reason: String,
    },

    // --- scores ---
    /// A score names a criterion the methodology does not have.
    #[error("unknown criterion (not in methodology {methodology})")]
    UnknownCriterion {
        /// The methodology id.
        methodology: String,
    },
    /// A leaf criterion has no column at all.
    #[error("missing column for leaf criterion")]
    MissingCriterion,
    /// A score is given for an inner node.
    #[error("criterion has sub-criteria: give points on its leaves")]
    NotALeaf,
    /// A required column is absent.
    #[error("missing column {column}")]
    MissingColumn {
        /// The column's name.
        column: String,
    },
    /// A column the format does not know.
    #[error("unknown column {column}")]
    UnknownColumn {
        /// The column's name.
        column: String,
    },
    /// A column appears twice.
    #[error("duplicate column {column}")]
    DuplicateColumn {
        /// The column's name.
        column: String,
    },
    /// A unit id appears twice.
    #[error("duplicate unit {unit} (first on {first})")]
    DuplicateUnit {
        /// The unit id.
        unit: String,
        /// Where it first appeared.
        first: String,
    },
    /// The same unit and criterion are given twice (long form).
    #[error("duplicate score for unit {unit} (first on {first})")]
    DuplicateScore {
        /// The unit id.
        unit: String,
        /// Where it first appeared.
        first: String,
    },
    /// A unit's attribute given twice with different values (long form: one per row).
    #[error("{column} {value:?} contradicts {previous:?} on row {row}")]
    ConflictingValue {
        /// The column.
        column: String,
        /// The value here.
        value: String,
        /// The value given first.
        previous: String,
        /// The row it was given on.
        row: u64,
    },
    /// A cell is blank where a value is required.
    #[error("missing value (write NA if the criterion does not apply)")]
    MissingValue,
    /// A row without a unit id.
    #[error("missing unit id")]
    MissingUnit,
    /// Text that is not a decimal number.
    #[error("{text:?} is not a number")]
    NotANumber {
        /// The text found.
        text: String,
    },
    /// Text that is not yes/no.
    #[error("{text:?} is not yes or no")]
    NotYesNo {
        /// The text found.
        text: String,
    },
    /// Points above the criterion's maximum.
    #[error("{value} exceeds its maximum {max}")]
    AboveMax {
        /// The value given.
        value: Decimal,
        /// The maximum.
        max: Decimal,
    },
    /// A negative value.
    #[error("{value} is negative")]
    Negative {
        /// The value given.
        value: Decimal,
    },
    /// Self-assessed points are not a valid score either.
    #[error("self-assessed {value} is not within [0, {max}]")]
    SelfAssessedOutOfRange {
        /// The value given.
        value: Decimal,
        /// The maximum.
        max: Decimal,
    },
    /// Bonus or penalty above its cap, or given when the methodology has none.
    #[error("{what} {value} exceeds its cap {cap}")]
    AdjustmentAboveCap {
        /// `bonus` or `penalty`.
        what: String,
        /// The value given.
        value: Decimal,
        /// The cap (0 when the methodology allows none).
        cap: Decimal,
    },
    /// Every criterion is not applicable to the unit.
    #[error("no criterion with a positive weight applies to this unit")]
    NothingApplicable,
    /// A unit index that no unit has.
    #[error("no unit with index {index}")]
    NoSuchUnit {
        /// The index given.
        index: u64,
    },
    /// The scores were built for another methodology.
    #[error("scores were built for methodology {found}, not {expected}")]
    WrongMethodology {
        /// The methodology being scored.
        expected: String,
        /// The one the scores were built for.
        found: String,
    },

    // --- files ---
    /// The input is empty.
    #[error("the file is empty")]
    Empty,
    /// The input has a header and no data rows.
    #[error("the file has a header but no rows")]
    NoRows,
    /// The input has no header row.
    #[error("the file has no header row (expected {expected})")]
    NoHeader {
        /// The columns expected.
        expected: String,
    },
    /// A name (of a bundled example, a format…) that is not known.
    #[error("unknown {what} {name:?} (known: {known})")]
    UnknownName {
        /// What was looked up.
        what: String,
        /// The name given.
        name: String,
        /// The names known.
        known: String,
    },
    /// The bytes are not UTF-8 text.
    #[error("{reason}")]
    Encoding {
        /// What was detected.
        reason: String,
    },
    /// A row has a different number of fields than the header.
    #[error("row has {found} fields, the header has {expected}{}", ragged_hint(*.found, *.expected))]
    RaggedRow {
        /// Fields in the header.
        expected: u64,
        /// Fields in this row.
        found: u64,
    },
    /// Malformed structured input (JSON syntax, wrong types, unknown fields).
    #[error("{reason}")]
    Syntax {
        /// The parser's message.
        reason: String,
    },

    // --- surveys (questionnaires and responses) ---
    /// An item names an element the questionnaire does not define.
    #[error("element {element} is not defined in the questionnaire")]
    UnknownElement {
        /// The element code given.
        element: String,
    },
    /// An answer scale is malformed.
    #[error("invalid answer scale: {reason}")]
    InvalidScale {
        /// What is wrong with it.
        reason: String,
    },
    /// A questionnaire code (element, item, form) given twice.
    #[error("duplicate {what} code (first {first})")]
    DuplicateSurveyCode {
        /// What the code names: `element`, `item`, `form`.
        what: String,
        /// Where it was first defined.
        first: String,
    },
    /// A questionnaire code that is empty or has surrounding spaces.
    #[error("invalid {what} code {code:?}")]
    InvalidSurveyCode {
        /// What the code names.
        what: String,
        /// The code as given.
        code: String,
    },
    /// An item code the questionnaire does not have.
    #[error("item {item} is not in the questionnaire")]
    UnknownItem {
        /// The item code given.
        item: String,
    },
    /// An answer code outside the item's scale.
    #[error("answer {answer} is outside the scale ({scale})")]
    OutOfScale {
        /// The answer as written.
        answer: String,
        /// The codes the item accepts.
        scale: String,
    },
    /// A priority question with more choices than allowed.
    #[error("{chosen} priorities chosen, at most {allowed} allowed")]
    TooManyChoices {
        /// How many were chosen.
        chosen: usize,
        /// How many are allowed.
        allowed: u8,
    },
    /// An answer to an item that the respondent's form does not ask.
    #[error("the form of group {group} does not ask this item; leave it blank")]
    NotOnForm {
        /// The respondent group.
        group: String,
    },
    /// A respondent group that has no form.
    #[error("group {group} has no form in the questionnaire (forms: {known})")]
    UnknownGroup {
        /// The group given.
        group: String,
        /// The groups with a form.
        known: String,
    },
    /// A design weight that is negative, not finite or not a number.
    #[error("design weight {weight:?} must be a finite number >= 0")]
    InvalidWeight {
        /// The weight as written.
        weight: String,
    },
    /// A respondent id seen before.
    #[error("respondent {respondent} appears twice (first {first})")]
    DuplicateRespondent {
        /// The respondent id.
        respondent: String,
        /// Where it was first seen.
        first: String,
    },
    /// Survey tallies that cannot be merged or survey input whose shape does not fit.
    #[error("survey data does not fit: {reason}")]
    SurveyMismatch {
        /// What does not fit.
        reason: String,
    },

    // --- dossiers (hồ sơ thủ tục hành chính) ---
    /// Text that is not a civil date (`YYYY-MM-DD` or `DD/MM/YYYY`).
    #[error("{text:?} is not a date")]
    NotADate {
        /// The text found.
        text: String,
    },
    /// A required field is blank.
    #[error("{what} is blank")]
    Blank {
        /// The field (or column) that is blank.
        what: String,
    },
    /// A dossier falls due before it was received.
    #[error("dossier {dossier} is due {due}, before it was received {received}")]
    DueBeforeReceived {
        /// The dossier id.
        dossier: String,
        /// The due date.
        due: crate::Date,
        /// The date received.
        received: crate::Date,
    },
    /// A dossier was completed before it was received.
    #[error("dossier {dossier} was completed {completed}, before it was received {received}")]
    CompletedBeforeReceived {
        /// The dossier id.
        dossier: String,
        /// The completion date.
        completed: crate::Date,
        /// The date received.
        received: crate::Date,
    },
    /// The same dossier id appears twice in one unit.
    #[error("duplicate dossier {dossier} (first {first})")]
    DuplicateDossier {
        /// The dossier id.
        dossier: String,
        /// Where it first appeared (e.g. "on row 4" or "at position 2").
        first: String,
    },

    // --- what-if and plans (giải pháp nâng cao chỉ số) ---
    /// A unit id the scores do not have.
    #[error("unknown unit {unit:?} (units: {known})")]
    UnknownUnit {
        /// The id given.
        unit: String,
        /// The ids known (the first 20).
        known: String,
    },
    /// A target (`rank:5`, `band:A`, `percent:90`) that cannot be read, or does not fit the
    /// methodology or the unit.
    #[error("invalid target {text:?}: {reason}")]
    InvalidGoal {
        /// The target as written.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No plan reaches the target, even with every criterion that can be planned at its cap.
    #[error("{goal} cannot be reached: at best {best}, with every criterion that can be planned at its cap")]
    GoalUnreachable {
        /// The target, in words (`band A`, `rank 1`, `an index of 95 %`).
        goal: String,
        /// The best the unit can reach, in words.
        best: String,
    },
    /// A plan that scoring shows does not reach its target: a bug, never expected.
    #[error("the plan computed for {goal} does not reach it when scored (please report this)")]
    PlanNotVerified {
        /// The target, in words.
        goal: String,
    },

    // --- sensitivity and uncertainty analysis (DESIGN.md §11) ---
    /// A Monte Carlo analysis asked for no replications.
    #[error("the number of runs must be at least 1")]
    ZeroRuns,
    /// A weight or noise spread that is negative, or so large that a weight could become zero
    /// or negative.
    #[error("invalid spread {value}: {reason}")]
    InvalidSpread {
        /// The spread given.
        value: Decimal,
        /// What is wrong with it.
        reason: String,
    },
    /// A Dirichlet concentration that is not positive.
    #[error("invalid concentration {value}: a Dirichlet concentration must be positive")]
    InvalidConcentration {
        /// The concentration given.
        value: Decimal,
    },
    /// A perturbation that can leave a node (or the whole index) without any weight.
    #[error("{reason}")]
    WeightsAllZero {
        /// Which choice leaves nothing to average.
        reason: String,
    },
    /// Any other problem with an uncertainty declaration or the analysis options.
    #[error("{reason}")]
    InvalidSensitivity {
        /// What is wrong.
        reason: String,
    },

    // --- published results (last year's, for comparisons) ---
    /// A published rank that is 0 or larger than the number of ranked units.
    #[error("rank {rank} is not between 1 and {ranked}, the number of ranked units")]
    InvalidRank {
        /// The rank given.
        rank: u64,
        /// The number of ranked units.
        ranked: u64,
    },

    // --- workbooks (.xlsx) ---
    /// A workbook protected by a password (an encrypted container).
    #[error("the workbook is protected by a password; remove the password in Excel (File > Info > Protect Workbook) and save it again")]
    EncryptedWorkbook,
    /// A file that is not an `.xlsx` workbook (e.g. an Excel 97-2003 `.xls` renamed).
    #[error("{reason}")]
    NotXlsx {
        /// What the file is, and what to do.
        reason: String,
    },
    /// A sheet name or index that the workbook does not have.
    #[error("no sheet {sheet:?} in the workbook (sheets: {known})")]
    UnknownSheet {
        /// The sheet asked for.
        sheet: String,
        /// The sheets the workbook has.
        known: String,
    },
    /// A sheet without any cell.
    #[error("the sheet is empty")]
    EmptySheet,
    /// A formula cell saved without its computed value.
    #[error("formula ={formula} has no saved value; open the workbook in Excel (or LibreOffice), let it calculate and save it")]
    FormulaWithoutValue {
        /// The formula, without `=`.
        formula: String,
    },
    /// A cell holding an Excel error value (`#DIV/0!`, `#N/A`, `#REF!`…).
    #[error("the cell holds the error {error}")]
    CellError {
        /// The error value as Excel shows it.
        error: String,
    },
    /// A workbook that could not be written (not expected: sheet names are made valid first).
    #[error("cannot write the workbook: {reason}")]
    XlsxWrite {
        /// The writer's message.
        reason: String,
    },
}

/// A hint for a row with too many fields: usually a decimal comma or an unquoted comma.
fn ragged_hint(found: u64, expected: u64) -> &'static str {
    if found > expected {
        " (a decimal comma? write 2.5, and quote text that holds commas)"
    } else {
        ""
    }
}

impl IssueKind {
    /// The stable snake_case code of this kind.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::IssueKind;
    /// assert_eq!(IssueKind::MissingValue.code(), "missing_value");
    /// ```
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoCriteria => "no_criteria",
            Self::InvalidCode { .. } => "invalid_code",
            Self::DuplicateCode { .. } => "duplicate_code",
            Self::UnknownParent { .. } => "unknown_parent",
            Self::Cycle { .. } => "cycle",
            Self::MissingMax => "missing_max",
            Self::NonPositiveMax { .. } => "non_positive_max",
            Self::NegativeWeight { .. } => "negative_weight",
            Self::ZeroWeights => "zero_weights",
            Self::InvalidRule { .. } => "invalid_rule",
            Self::RuleOnInnerNode => "rule_on_inner_node",
            Self::InvalidBands { .. } => "invalid_bands",
            Self::InvalidSetting { .. } => "invalid_setting",
            Self::UnsupportedVersion { .. } => "unsupported_version",
            Self::TooPrecise { .. } => "too_precise",
            Self::UnknownCriterion { .. } => "unknown_criterion",
            Self::MissingCriterion => "missing_criterion",
            Self::NotALeaf => "not_a_leaf",
            Self::MissingColumn { .. } => "missing_column",
            Self::UnknownColumn { .. } => "unknown_column",
            Self::DuplicateColumn { .. } => "duplicate_column",
            Self::DuplicateUnit { .. } => "duplicate_unit",
            Self::DuplicateScore { .. } => "duplicate_score",
            Self::ConflictingValue { .. } => "conflicting_value",
            Self::MissingValue => "missing_value",
            Self::MissingUnit => "missing_unit",
            Self::NotANumber { .. } => "not_a_number",
            Self::NotYesNo { .. } => "not_yes_no",
            Self::AboveMax { .. } => "above_max",
            Self::Negative { .. } => "negative",
            Self::SelfAssessedOutOfRange { .. } => "self_assessed_out_of_range",
            Self::AdjustmentAboveCap { .. } => "adjustment_above_cap",
            Self::NothingApplicable => "nothing_applicable",
            Self::NoSuchUnit { .. } => "no_such_unit",
            Self::WrongMethodology { .. } => "wrong_methodology",
            Self::Empty => "empty",
            Self::NoRows => "no_rows",
            Self::NoHeader { .. } => "no_header",
            Self::UnknownName { .. } => "unknown_name",
            Self::Encoding { .. } => "encoding",
            Self::RaggedRow { .. } => "ragged_row",
            Self::Syntax { .. } => "syntax",
            Self::UnknownElement { .. } => "unknown_element",
            Self::InvalidScale { .. } => "invalid_scale",
            Self::DuplicateSurveyCode { .. } => "duplicate_code",
            Self::InvalidSurveyCode { .. } => "invalid_code",
            Self::UnknownItem { .. } => "unknown_item",
            Self::OutOfScale { .. } => "out_of_scale",
            Self::TooManyChoices { .. } => "too_many_choices",
            Self::NotOnForm { .. } => "not_on_form",
            Self::UnknownGroup { .. } => "unknown_group",
            Self::InvalidWeight { .. } => "invalid_weight",
            Self::DuplicateRespondent { .. } => "duplicate_respondent",
            Self::SurveyMismatch { .. } => "survey_mismatch",
            Self::NotADate { .. } => "not_a_date",
            Self::Blank { .. } => "blank",
            Self::DueBeforeReceived { .. } => "due_before_received",
            Self::CompletedBeforeReceived { .. } => "completed_before_received",
            Self::DuplicateDossier { .. } => "duplicate_dossier",
            Self::UnknownUnit { .. } => "unknown_unit",
            Self::InvalidGoal { .. } => "invalid_goal",
            Self::GoalUnreachable { .. } => "goal_unreachable",
            Self::PlanNotVerified { .. } => "plan_not_verified",
            Self::ZeroRuns => "zero_runs",
            Self::InvalidSpread { .. } => "invalid_spread",
            Self::InvalidConcentration { .. } => "invalid_concentration",
            Self::WeightsAllZero { .. } => "weights_all_zero",
            Self::InvalidSensitivity { .. } => "invalid_sensitivity",
            Self::InvalidRank { .. } => "invalid_rank",
            Self::EncryptedWorkbook => "encrypted_workbook",
            Self::NotXlsx { .. } => "not_xlsx",
            Self::UnknownSheet { .. } => "unknown_sheet",
            Self::EmptySheet => "empty_sheet",
            Self::FormulaWithoutValue { .. } => "formula_without_value",
            Self::CellError { .. } => "cell_error",
            Self::XlsxWrite { .. } => "xlsx_write",
        }
    }
}

/// One problem, where it is and what it is.
///
/// # Examples
///
/// ```
/// use parindex::{Issue, IssueKind, Location};
/// let issue = Issue::new(Location::default().unit("so-noi-vu").criterion("1.1"), IssueKind::MissingValue);
/// assert_eq!(issue.code(), "missing_value");
/// assert_eq!(
///     issue.to_string(),
///     "unit so-noi-vu: criterion 1.1: missing value (write NA if the criterion does not apply)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Where.
    pub location: Location,
    /// What.
    pub kind: IssueKind,
}

impl Issue {
    /// An issue at a location.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Issue, IssueKind, Location};
    /// let at = Location::default().file("scores.csv").row(14).column(7).criterion("3.2.1");
    /// let kind = IssueKind::AboveMax { value: "2.75".parse().unwrap(), max: "2.5".parse().unwrap() };
    /// let issue = Issue::new(at, kind);
    /// assert_eq!(issue.to_string(), "scores.csv:14:7: criterion 3.2.1: 2.75 exceeds its maximum 2.5");
    /// ```
    #[must_use]
    pub fn new(location: Location, kind: IssueKind) -> Issue {
        Issue { location, kind }
    }

    /// The stable code of its kind.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Issue, IssueKind, Location};
    /// let issue = Issue::new(Location::default(), IssueKind::NothingApplicable);
    /// assert_eq!(issue.code(), "nothing_applicable");
    /// assert_eq!(issue.to_string(), "no criterion with a positive weight applies to this unit");
    /// ```
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.location, self.kind)
        }
    }
}

/// Everything that was wrong with an input: at least one [`Issue`], in input order.
///
/// # Examples
///
/// ```
/// use parindex::Methodology;
/// let err = Methodology::from_json("{}").unwrap_err();
/// assert_eq!(err.issues()[0].code(), "syntax");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    issues: Vec<Issue>,
}

impl Error {
    /// An error from issues; `None` when there are none.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Error, Issue, IssueKind, Location};
    /// assert!(Error::from_issues(Vec::new()).is_none());
    /// let at = |row| Location::default().file("scores.csv").row(row);
    /// let err = Error::from_issues(vec![
    ///     Issue::new(at(2), IssueKind::MissingValue),
    ///     Issue::new(at(5), IssueKind::NotYesNo { text: "có lẽ".into() }),
    /// ])
    /// .unwrap();
    /// assert_eq!(err.to_string(), "scores.csv:2: missing value (write NA if the criterion does not apply)\n\
    ///                              scores.csv:5: \"có lẽ\" is not yes or no");
    /// ```
    #[must_use]
    pub fn from_issues(issues: Vec<Issue>) -> Option<Error> {
        (!issues.is_empty()).then_some(Error { issues })
    }

    /// A single issue.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Error, IssueKind, Location};
    /// let err = Error::single(Location::default().file("scores.csv"), IssueKind::Empty);
    /// assert_eq!(err.to_string(), "scores.csv: the file is empty");
    /// ```
    #[must_use]
    pub fn single(location: Location, kind: IssueKind) -> Error {
        Error { issues: vec![Issue::new(location, kind)] }
    }

    /// Every issue, in input order.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Info, Methodology, Node, Settings};
    /// let nodes = vec![Node::new("1", "Chỉ đạo, điều hành"), Node::new("2", "Thể chế")];
    /// let err = Methodology::new(Info::new("x", "x"), Settings::default(), nodes).unwrap_err();
    /// let codes: Vec<&str> = err.issues().iter().map(|i| i.code()).collect();
    /// assert_eq!(codes, ["missing_max", "missing_max"]);
    /// ```
    #[must_use]
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// Takes the issues out.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Error, IssueKind, Location};
    /// let err = Error::single(Location::default().unit("xa-tan-lap"), IssueKind::NothingApplicable);
    /// let issues = err.into_issues();
    /// assert_eq!(issues[0].location.unit.as_deref(), Some("xa-tan-lap"));
    /// ```
    #[must_use]
    pub fn into_issues(self) -> Vec<Issue> {
        self.issues
    }

    /// Fills the file name of every issue that has none.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex::{Error, IssueKind, Location};
    /// let err = Error::single(Location::default().row(3), IssueKind::MissingValue).in_file("scores.csv");
    /// assert_eq!(err.issues()[0].location.file.as_deref(), Some("scores.csv"));
    /// let named = Error::single(Location::default().file("a.csv"), IssueKind::Empty).in_file("b.csv");
    /// assert_eq!(named.to_string(), "a.csv: the file is empty");
    /// ```
    #[must_use]
    pub fn in_file(mut self, file: &str) -> Error {
        for issue in &mut self.issues {
            if issue.location.file.is_none() {
                issue.location.file = Some(file.to_owned());
            }
        }
        self
    }
}

/// Turns collected issues into `Ok(value)` or an error.
pub(crate) fn collect<T>(value: T, issues: Vec<Issue>) -> Result<T> {
    match Error::from_issues(issues) {
        None => Ok(value),
        Some(e) => Err(e),
    }
}

impl fmt::Display for Error {
    /// One issue per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.issues.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{issue}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
