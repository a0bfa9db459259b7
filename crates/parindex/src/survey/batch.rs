//! A batch of respondents: the columnar input a [`Tally`](super::Tally) adds up.

use crate::error::Location;

/// The answers of a batch of respondents: a row-major `respondents × columns` matrix (as a
/// C-contiguous NumPy `uint8` array is), or one slice per column (as a data frame holds
/// them). Columns are [`Questionnaire::columns`](crate::Questionnaire::columns); [`NO_ANSWER`](crate::NO_ANSWER) (255)
/// means no answer.
#[derive(Debug, Clone)]
pub enum Answers<'a> {
    /// Row-major: respondent `r`, column `c` at `r * columns + c`.
    Rows(&'a [u8]),
    /// One slice per column, each one entry per respondent.
    Columns(Vec<&'a [u8]>),
}

/// Labels per respondent: an index into a list of names.
#[derive(Debug, Clone, Copy)]
pub struct Labels<'a> {
    /// One index per respondent.
    pub index: &'a [u32],
    /// The names the indices point at.
    pub names: &'a [String],
}

/// A batch of respondents in columnar form: who they rate (unit), their answers, and
/// optionally their design weight, respondent group, stratum and cluster (PSU).
///
/// # Examples
///
/// ```
/// use parindex::{Answers, Batch, Labels};
/// let units = vec!["ha-tinh".to_string()];
/// let batch = Batch::new(Labels { index: &[0, 0], names: &units }, Answers::Rows(&[5, 3]))
///     .weights(&[1.5, 0.5]);
/// assert_eq!(batch.len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Batch<'a> {
    pub(super) units: Labels<'a>,
    pub(super) answers: Answers<'a>,
    pub(super) weights: Option<&'a [f64]>,
    pub(super) groups: Option<Labels<'a>>,
    pub(super) strata: Option<Labels<'a>>,
    pub(super) clusters: Option<Labels<'a>>,
    pub(super) rows: Option<&'a [u64]>,
    pub(super) file: Option<&'a str>,
    pub(super) file_columns: Option<&'a [u64]>,
}

impl<'a> Batch<'a> {
    /// A batch of unweighted respondents from a simple random sample.
    #[must_use]
    pub fn new(units: Labels<'a>, answers: Answers<'a>) -> Batch<'a> {
        Batch {
            units,
            answers,
            weights: None,
            groups: None,
            strata: None,
            clusters: None,
            rows: None,
            file: None,
            file_columns: None,
        }
    }
    /// Sets the design weights (finite, ≥ 0).
    #[must_use]
    pub fn weights(mut self, weights: &'a [f64]) -> Batch<'a> {
        self.weights = Some(weights);
        self
    }
    /// Sets the respondent groups (forms).
    #[must_use]
    pub fn groups(mut self, groups: Labels<'a>) -> Batch<'a> {
        self.groups = Some(groups);
        self
    }
    /// Sets the strata.
    #[must_use]
    pub fn strata(mut self, strata: Labels<'a>) -> Batch<'a> {
        self.strata = Some(strata);
        self
    }
    /// Sets the clusters (primary sampling units).
    #[must_use]
    pub fn clusters(mut self, clusters: Labels<'a>) -> Batch<'a> {
        self.clusters = Some(clusters);
        self
    }
    /// Sets where each respondent came from, for error locations: the file and its 1-based
    /// row numbers (by default the row is the respondent's position, counting from 1).
    #[must_use]
    pub fn origin(mut self, file: Option<&'a str>, rows: Option<&'a [u64]>) -> Batch<'a> {
        self.file = file;
        self.rows = rows;
        self
    }
    /// Sets the 1-based file column of every answer column, for error locations (by default
    /// the answer column's position, counting from 1).
    #[must_use]
    pub fn file_columns(mut self, columns: &'a [u64]) -> Batch<'a> {
        self.file_columns = Some(columns);
        self
    }
    /// The number of respondents.
    #[must_use]
    pub fn len(&self) -> usize {
        self.units.index.len()
    }
    /// True when there are no respondents.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(super) fn answer(&self, r: usize, c: usize, columns: usize) -> u8 {
        match &self.answers {
            Answers::Rows(data) => data[r * columns + c],
            Answers::Columns(cols) => cols[c][r],
        }
    }

    pub(super) fn column(&self, c: usize) -> u64 {
        self.file_columns.and_then(|f| f.get(c).copied()).unwrap_or(c as u64 + 1)
    }

    pub(super) fn at(&self, r: usize) -> Location {
        let mut at = Location::default().row(self.rows.map_or(r as u64 + 1, |rows| rows[r]));
        if let Some(file) = self.file {
            at = at.file(file);
        }
        at
    }
}
