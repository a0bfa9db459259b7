//! Survey questionnaires (JSON) and responses (CSV, streamed), and the survey results writer.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};

use parindex::{
    Answers, Batch, DomainEstimate, Error, Issue, IssueKind, ItemKind, Labels, Location, Questionnaire,
    SurveyResults, Tally, NO_ANSWER,
};
use unicode_normalization::UnicodeNormalization;

use crate::table::Table;
use crate::OutputFormat;

/// Reads a questionnaire in the JSON format of [`Questionnaire::from_json`]; errors carry the
/// file name.
///
/// # Examples
///
/// ```
/// let q = parindex_io::read_questionnaire(br#"{"format_version": 1, "id": "q",
///   "items": [{"code": "A1", "kind": {"type": "satisfaction"}}]}"#, "q.json").unwrap();
/// assert_eq!(q.columns(), ["A1"]);
/// let err = parindex_io::read_questionnaire(b"{", "q.json").unwrap_err();
/// assert!(err.to_string().starts_with("q.json:1:1: "));
/// ```
pub fn read_questionnaire(bytes: &[u8], file: &str) -> Result<Questionnaire, Error> {
    let text = crate::text::decode(bytes, file)?;
    Questionnaire::from_json(text).map_err(|e| e.in_file(file))
}

/// The columns of a responses file besides the items.
const META: [&str; 6] = ["respondent", "unit", "group", "weight", "stratum", "cluster"];

/// How responses are read.
///
/// # Examples
///
/// ```
/// let o = parindex_io::ResponsesOptions::new().units(["ha-tinh", "son-la"]).batch(4096);
/// assert_eq!(o.known_units().map(|u| u.len()), Some(2));
/// ```
#[derive(Debug, Clone)]
pub struct ResponsesOptions {
    units: Option<HashSet<String>>,
    batch: usize,
}

impl Default for ResponsesOptions {
    fn default() -> Self {
        ResponsesOptions::new()
    }
}

impl ResponsesOptions {
    /// Any unit id, batches of 16,384 respondents.
    #[must_use]
    pub fn new() -> ResponsesOptions {
        ResponsesOptions { units: None, batch: 16_384 }
    }
    /// Only these unit ids are known: any other is an `unknown_unit` error.
    #[must_use]
    pub fn units<S: AsRef<str>>(mut self, units: impl IntoIterator<Item = S>) -> ResponsesOptions {
        self.units = Some(units.into_iter().map(|u| u.as_ref().trim().nfc().collect()).collect());
        self
    }
    /// Respondents per batch handed to the tally (memory is proportional to it).
    #[must_use]
    pub fn batch(mut self, respondents: usize) -> ResponsesOptions {
        self.batch = respondents.max(1);
        self
    }
    /// The known units, if restricted.
    #[must_use]
    pub fn known_units(&self) -> Option<&HashSet<String>> {
        self.units.as_ref()
    }
}

/// Respondent ids seen so far: numeric ids as merged ranges (a numbered file costs a few
/// bytes; the current run of consecutive ids extends in O(1)), other ids in a set with the
/// row they were first seen on.
#[derive(Default)]
struct Seen {
    ranges: BTreeMap<u64, u64>,
    /// The run being extended, kept out of `ranges` until it breaks, and the first range
    /// start above it (where it must stop growing).
    run: Option<(u64, u64)>,
    next_start: Option<u64>,
    others: HashMap<String, u64>,
}

impl Seen {
    /// `None` when new; otherwise where it was seen first.
    fn insert(&mut self, id: &str, row: u64) -> Option<String> {
        let numeric = !(id.len() > 1 && id.starts_with('0')); // "007" and "7" differ: text
        let Some(n) = id.parse::<u64>().ok().filter(|_| numeric) else {
            return self.others.insert(id.to_string(), row).map(|first| {
                self.others.insert(id.to_string(), first);
                format!("on row {first}")
            });
        };
        if let Some((start, end)) = self.run {
            if n == end.wrapping_add(1) && self.next_start.is_none_or(|next| n < next) {
                self.run = Some((start, n));
                return None;
            }
            if (start..=end).contains(&n) {
                return Some("earlier in the file".into());
            }
        }
        if self.ranges.range(..=n).next_back().is_some_and(|(_, &end)| n <= end) {
            return Some("earlier in the file".into());
        }
        // Store the old run (merging with its neighbours) and start a new one at n.
        if let Some((start, end)) = self.run.take() {
            self.store(start, end);
        }
        self.run = Some((n, n));
        self.next_start = self.ranges.range(n + 1..).next().map(|(&s, _)| s);
        None
    }

    fn store(&mut self, mut start: u64, mut end: u64) {
        if let Some((&s, &e)) = self.ranges.range(..start).next_back() {
            if e.wrapping_add(1) == start {
                self.ranges.remove(&s);
                start = s;
            }
        }
        if let Some(e) = self.ranges.remove(&end.wrapping_add(1)) {
            end = e;
        }
        self.ranges.insert(start, end);
    }
}

/// FNV-1a: a fast hash for the short ids looked up once per row (no untrusted-key concern:
/// the worst case is a slower read, never a wrong one).
#[derive(Default, Clone, Copy)]
struct Fnv;

struct FnvHasher(u64);

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A dictionary of labels (units, groups, strata, clusters) in order of first appearance.
#[derive(Default)]
struct Dictionary {
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Dictionary {
    fn get(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }
}

/// Where an item's answers sit: its CSV column and its answer columns in the tally.
struct ItemColumn {
    csv: usize,
    first: usize,
    /// For a priority item: its option codes in answer-column order.
    options: Option<Vec<u8>>,
    code: String,
}

/// Reads responses (one row per respondent) and tallies them, streaming: the file is read in
/// batches and never held in memory; only the tally (units × items) and the respondent ids
/// needed to catch duplicates (ranges for numbered ids) grow.
///
/// The header names `respondent` and `unit` (required), optionally `group`, `weight`,
/// `stratum` and `cluster`, then every questionnaire item, in any order. An answer is a code
/// of the item's scale (`4` or `4.0`), blank for no answer; a yes/no item also takes
/// `yes`/`no`/`có`/`không`;
/// a priority item lists the chosen option codes separated by `;` or spaces. A weight is a
/// finite number ≥ 0; without a `weight` column everyone weighs 1. Ids are trimmed and
/// normalised to NFC.
///
/// # Errors
///
/// Every problem at once, located as `file:row:column` and by item: `encoding`, `syntax`,
/// `empty`, `no_rows`, `unknown_column`, `duplicate_column`, `missing_column` (a
/// questionnaire item without a column), `ragged_row`, `blank`, `duplicate_respondent`,
/// `unknown_unit`, `not_a_number`, `out_of_scale`, `too_many_choices`, `invalid_weight`,
/// `unknown_group`, `not_on_form`. Nothing is returned then.
///
/// # Examples
///
/// ```
/// use parindex::{survey_results, SurveyOptions};
/// use parindex_io::{read_questionnaire, read_responses, ResponsesOptions};
/// let q = read_questionnaire(br#"{"format_version": 1, "id": "q",
///   "items": [{"code": "A1", "kind": {"type": "satisfaction"}}]}"#, "q.json").unwrap();
/// let csv = "respondent,unit,A1\n1,ha-tinh,5\n2,ha-tinh,3\n3,ha-tinh,\n";
/// let tally = read_responses(csv.as_bytes(), "r.csv", &q, &ResponsesOptions::new()).unwrap();
/// let r = survey_results(&q, &tally, &SurveyOptions::new()).unwrap();
/// assert_eq!((r.domains[0].items[0].n, r.domains[0].items[0].share), (2, Some(0.5)));
///
/// let bad = "respondent,unit,A1\n1,ha-tinh,7\n1,ha-tinh,x\n";
/// assert_eq!(
///     read_responses(bad.as_bytes(), "r.csv", &q, &ResponsesOptions::new()).unwrap_err().to_string(),
///     "r.csv:2:3: item A1: answer 7 is outside the scale (1–5)\n\
///      r.csv:3:1: respondent 1 appears twice (first earlier in the file)\n\
///      r.csv:3:3: item A1: \"x\" is not a number"
/// );
/// ```
pub fn read_responses<R: Read>(
    reader: R,
    file: &str,
    questionnaire: &Questionnaire,
    options: &ResponsesOptions,
) -> Result<Tally, Error> {
    let mut input = BufReader::with_capacity(1 << 16, reader);
    let at = || Location::default().file(file);
    let head = input.fill_buf().map_err(|e| io_error(file, &e))?;
    if head.is_empty() {
        return Err(Error::single(at(), IssueKind::Empty));
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) || head.contains(&0) {
        let reason = "the file is UTF-16 text; save it as \"CSV UTF-8\"".to_owned();
        return Err(Error::single(at(), IssueKind::Encoding { reason }));
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
    }
    let mut csv = Records::new(input);
    let mut record = Record::default();
    let mut issues = Vec::new();
    // The header.
    let header: Vec<String> = loop {
        match csv.read(&mut record) {
            Ok(false) => return Err(Error::single(at(), IssueKind::Empty)),
            Ok(true) if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) => continue,
            Ok(true) => {
                break record.iter().map(|f| String::from_utf8_lossy(f).trim().nfc().collect()).collect()
            }
            Err(e) => return Err(Error::single(at(), IssueKind::Syntax { reason: e.to_string() })),
        }
    };
    let header_row = record.line;
    let layout_columns = questionnaire.columns();
    let mut known: Vec<&str> = META.to_vec();
    known.extend(questionnaire.items().iter().map(|i| i.code.as_str()));
    let mut required: Vec<&str> = vec!["respondent", "unit"];
    required.extend(questionnaire.items().iter().map(|i| i.code.as_str()));
    let col = crate::text::known_columns(&header, &known, &required, &at().row(header_row), &mut issues);
    if let Some(e) = Error::from_issues(std::mem::take(&mut issues)) {
        return Err(e);
    }
    let width = header.len();
    let mut items = Vec::new();
    let mut first = 0;
    for item in questionnaire.items() {
        let options = match &item.kind {
            ItemKind::Priority { options, .. } => Some(options.iter().map(|o| o.code).collect::<Vec<u8>>()),
            _ => None,
        };
        let span = options.as_ref().map_or(1, Vec::len);
        items.push(ItemColumn { csv: col[item.code.as_str()], first, options, code: item.code.clone() });
        first += span;
    }
    let columns = layout_columns.len();
    // The file column of every answer column (a priority item's options share one).
    let file_columns: Vec<u64> = items
        .iter()
        .flat_map(|i| std::iter::repeat_n(i.csv as u64 + 1, i.options.as_ref().map_or(1, Vec::len)))
        .collect();
    let get = |name: &str| col.get(name).copied();
    let (respondent_col, unit_col) = (col["respondent"], col["unit"]);
    let (group_col, weight_col, stratum_col, cluster_col) =
        (get("group"), get("weight"), get("stratum"), get("cluster"));

    let tallier = Tallier {
        tally: Tally::new(questionnaire),
        names: Default::default(),
        issues: Vec::new(),
        questionnaire,
        file,
        file_columns: &file_columns,
        present: [weight_col.is_some(), group_col.is_some(), stratum_col.is_some(), cluster_col.is_some()],
    };
    let (rows_read, tally, tally_issues) = pipeline(tallier, |submit| {
        let mut seen = Seen::default();
        let (mut units, mut groups, mut strata, mut clusters) =
            (Dictionary::default(), Dictionary::default(), Dictionary::default(), Dictionary::default());
        let mut buf = Buf::default();
        let mut sent = [0usize; 4];
        let mut rows_read = 0u64;
        // Unit ids as written → their index, so a row costs one lookup of its raw bytes.
        let mut raw_units: HashMap<Vec<u8>, u32, Fnv> = HashMap::default();
        loop {
            let more = match csv.read(&mut record) {
                Ok(more) => more,
                Err(e) => {
                    // Reading failed (the CSV syntax itself cannot: every byte sequence is a
                    // record); what was read is still checked.
                    issues.push(Issue::new(at(), IssueKind::Syntax { reason: e.to_string() }));
                    false
                }
            };
            if more {
                let row = record.line;
                if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                    continue;
                }
                rows_read += 1;
                if record.len() != width {
                    issues.push(Issue::new(
                        at().row(row),
                        IssueKind::RaggedRow { found: record.len() as u64, expected: width as u64 },
                    ));
                    continue;
                }
                let text = |c: usize| -> Result<Cow<'_, str>, Box<Issue>> {
                    let raw = &record[c];
                    match std::str::from_utf8(raw) {
                        Ok(s) if s.is_ascii() => Ok(Cow::Borrowed(s.trim())),
                        Ok(s) => Ok(Cow::Owned(s.trim().nfc().collect())),
                        Err(_) => Err(Box::new(Issue::new(
                            at().row(row).column(c as u64 + 1),
                            IssueKind::Encoding {
                                reason: "the file is not UTF-8 text; save it as \"CSV UTF-8\"".into(),
                            },
                        ))),
                    }
                };
                let mut fail = |issue: Issue| issues.push(issue);
                // Respondent and unit.
                match text(respondent_col) {
                    Ok(id) if id.is_empty() => fail(Issue::new(
                        at().row(row).column(respondent_col as u64 + 1),
                        IssueKind::Blank { what: "respondent".into() },
                    )),
                    Ok(id) => {
                        if let Some(first) = seen.insert(&id, row) {
                            fail(Issue::new(
                                at().row(row).column(respondent_col as u64 + 1),
                                IssueKind::DuplicateRespondent { respondent: id.into_owned(), first },
                            ));
                        }
                    }
                    Err(issue) => fail(*issue),
                }
                let unit = match raw_units.get(&record[unit_col]) {
                    Some(&u) => Some(u),
                    None => match text(unit_col) {
                        Ok(id) if id.is_empty() => {
                            fail(Issue::new(
                                at().row(row).column(unit_col as u64 + 1),
                                IssueKind::Blank { what: "unit".into() },
                            ));
                            None
                        }
                        Ok(id) => {
                            if options.units.as_ref().is_some_and(|known| !known.contains(id.as_ref())) {
                                let mut list: Vec<&String> = options.units.iter().flatten().collect();
                                list.sort();
                                let known =
                                    list.iter().take(20).map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
                                fail(Issue::new(
                                    at().row(row).column(unit_col as u64 + 1),
                                    IssueKind::UnknownUnit { unit: id.into_owned(), known },
                                ));
                                None
                            } else {
                                let u = units.get(&id);
                                raw_units.insert(record[unit_col].to_vec(), u);
                                Some(u)
                            }
                        }
                        Err(issue) => {
                            fail(*issue);
                            None
                        }
                    },
                };
                let mut label = |c: Option<usize>, dict: &mut Dictionary, what: &str| -> u32 {
                    let Some(c) = c else { return 0 };
                    match text(c) {
                        Ok(s) if s.is_empty() => {
                            issues.push(Issue::new(
                                at().row(row).column(c as u64 + 1),
                                IssueKind::Blank { what: what.into() },
                            ));
                            0
                        }
                        Ok(s) => dict.get(&s),
                        Err(issue) => {
                            issues.push(*issue);
                            0
                        }
                    }
                };
                let group = label(group_col, &mut groups, "group");
                let stratum = label(stratum_col, &mut strata, "stratum");
                let cluster = label(cluster_col, &mut clusters, "cluster");
                let weight = match weight_col {
                    None => 1.0,
                    Some(c) => {
                        let raw = String::from_utf8_lossy(&record[c]);
                        match raw.trim().parse::<f64>() {
                            Ok(w) if w.is_finite() && w >= 0.0 => w,
                            _ if raw.trim().is_empty() => {
                                issues.push(Issue::new(
                                    at().row(row).column(c as u64 + 1),
                                    IssueKind::Blank { what: "weight".into() },
                                ));
                                0.0
                            }
                            _ => {
                                issues.push(Issue::new(
                                    at().row(row).column(c as u64 + 1),
                                    IssueKind::InvalidWeight { weight: raw.trim().to_string() },
                                ));
                                0.0
                            }
                        }
                    }
                };
                // Answers.
                let start = buf.answers.len();
                buf.answers.resize(start + columns, NO_ANSWER);
                for item in &items {
                    let cell = &record[item.csv];
                    // The common cells first: one digit, or blank (already no answer).
                    match (cell, &item.options) {
                        ([d @ b'0'..=b'9'], None) => {
                            buf.answers[start + item.first] = d - b'0';
                            continue;
                        }
                        ([], _) => continue,
                        _ => {}
                    }
                    let here = || at().row(row).column(item.csv as u64 + 1).item(&item.code);
                    match &item.options {
                        None => match answer_code(cell) {
                            Ok(code) => buf.answers[start + item.first] = code,
                            Err(kind) => {
                                issues.push(Issue::new(here(), kind));
                            }
                        },
                        Some(codes) => {
                            let text = String::from_utf8_lossy(cell);
                            let chosen: Vec<&str> = text
                                .split([';', ' ', ','])
                                .map(str::trim)
                                .filter(|s| !s.is_empty())
                                .collect();
                            if chosen.is_empty() {
                                continue;
                            }
                            buf.answers[start + item.first..start + item.first + codes.len()].fill(0);
                            for c in chosen {
                                match c.parse::<u8>().ok().and_then(|n| codes.iter().position(|&o| o == n)) {
                                    Some(k) => buf.answers[start + item.first + k] = 1,
                                    None => {
                                        let scale =
                                            codes.iter().map(u8::to_string).collect::<Vec<_>>().join(", ");
                                        issues.push(Issue::new(
                                            here(),
                                            IssueKind::OutOfScale { answer: c.to_string(), scale },
                                        ));
                                    }
                                }
                            }
                        }
                    }
                }
                // A row with problems still goes to the tally's checks, so that its answers are
                // checked too (the tally is discarded when anything is wrong).
                buf.units.push(unit.unwrap_or_else(|| units.get("")));
                buf.groups.push(group);
                buf.strata.push(stratum);
                buf.clusters.push(cluster);
                buf.weights.push(weight);
                buf.rows.push(row);
            }
            if buf.units.len() >= options.batch || (!more && !buf.units.is_empty()) {
                // The names met since the last batch go along with it.
                let dictionaries = [&units, &groups, &strata, &clusters];
                let names = std::array::from_fn(|k| {
                    let new = dictionaries[k].names[sent[k]..].to_vec();
                    sent[k] = dictionaries[k].names.len();
                    new
                });
                buf = submit(Job { buf: std::mem::take(&mut buf), names });
            }
            if !more {
                break;
            }
        }
        rows_read
    });
    issues.extend(tally_issues);
    if rows_read == 0 && issues.is_empty() {
        return Err(Error::single(at(), IssueKind::NoRows));
    }
    // Problems in file order.
    issues.sort_by_key(|i| (i.location.row, i.location.column));
    match Error::from_issues(issues) {
        Some(e) => Err(e),
        None => Ok(tally),
    }
}

/// Tallies the batches the reader hands over, keeping the names they refer to.
struct Tallier<'a> {
    tally: Tally,
    /// Units, groups, strata, clusters.
    names: [Vec<String>; 4],
    issues: Vec<Issue>,
    questionnaire: &'a Questionnaire,
    file: &'a str,
    file_columns: &'a [u64],
    /// Whether the file has weights, groups, strata, clusters.
    present: [bool; 4],
}

/// A batch of parsed respondents and the names first met in it.
struct Job {
    buf: Buf,
    names: [Vec<String>; 4],
}

impl Tallier<'_> {
    fn run(&mut self, job: &Job) {
        for (names, new) in self.names.iter_mut().zip(&job.names) {
            names.extend(new.iter().cloned());
        }
        let (buf, [units, groups, strata, clusters]) = (&job.buf, &self.names);
        let [weighted, grouped, stratified, clustered] = self.present;
        let mut batch = Batch::new(Labels { index: &buf.units, names: units }, Answers::Rows(&buf.answers))
            .origin(Some(self.file), Some(&buf.rows))
            .file_columns(self.file_columns);
        if weighted {
            batch = batch.weights(&buf.weights);
        }
        if let Some(l) = labels(grouped, &buf.groups, groups) {
            batch = batch.groups(l);
        }
        if let Some(l) = labels(stratified, &buf.strata, strata) {
            batch = batch.strata(l);
        }
        if let Some(l) = labels(clustered, &buf.clusters, clusters) {
            batch = batch.clusters(l);
        }
        if let Err(e) = self.tally.add(self.questionnaire, &batch) {
            self.issues.extend(e.into_issues());
        }
    }
}

/// Runs `read`, which parses batches and hands each to `submit` (getting an empty buffer
/// back), while the batches are tallied: on a second thread where there are threads, so
/// parsing the next batch overlaps tallying this one; in line on wasm32. The batches are
/// tallied in the order they were read, so the result is the same either way.
fn pipeline<R: Send>(
    mut tallier: Tallier,
    read: impl FnOnce(&mut dyn FnMut(Job) -> Buf) -> R,
) -> (R, Tally, Vec<Issue>) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::scope(|scope| {
            let (jobs, incoming) = std::sync::mpsc::sync_channel::<Job>(1);
            let (free, recycled) = std::sync::mpsc::channel::<Buf>();
            let worker = scope.spawn(move || {
                for mut job in incoming {
                    tallier.run(&job);
                    job.buf.clear();
                    // The reader may be gone already; the buffer is then simply dropped.
                    let _ = free.send(job.buf);
                }
                tallier
            });
            let result = read(&mut |job| {
                // Fails only if the worker panicked; `join` below reports that.
                let _ = jobs.send(job);
                recycled.try_recv().unwrap_or_default()
            });
            drop(jobs);
            match worker.join() {
                Ok(t) => (result, t.tally, t.issues),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        let result = read(&mut |mut job| {
            tallier.run(&job);
            job.buf.clear();
            job.buf
        });
        (result, tallier.tally, tallier.issues)
    }
}

/// One CSV record: its fields (ranges into `bytes`) and the line it starts on.
#[derive(Default)]
struct Record {
    bytes: Vec<u8>,
    fields: Vec<(usize, usize)>,
    line: u64,
}

impl Record {
    fn len(&self) -> usize {
        self.fields.len()
    }
    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.fields.iter().map(|&(s, e)| &self.bytes[s..e])
    }
}

impl std::ops::Index<usize> for Record {
    type Output = [u8];
    #[inline]
    fn index(&self, i: usize) -> &[u8] {
        let (s, e) = self.fields[i];
        &self.bytes[s..e]
    }
}

/// CSV records. Plain lines — ending in `\n`, not empty, without `"` or `\r` — are split on
/// commas directly, which is what the `csv` crate makes of them; from the first other line
/// on, the rest of the input goes through the `csv` crate (quoted fields, CRLF, blank lines),
/// with the same records and line numbers as if it had read the whole file.
struct Records<R: Read> {
    mode: Mode<R>,
    /// The line the next plain line is on.
    line: u64,
}

enum Mode<R: Read> {
    Plain { input: R, buf: Vec<u8>, start: usize, end: usize, eof: bool },
    Csv { reader: Box<csv::Reader<std::io::Chain<std::io::Cursor<Vec<u8>>, R>>>, record: csv::ByteRecord },
    Switching,
}

impl<R: Read> Records<R> {
    fn new(input: R) -> Records<R> {
        Records { mode: Mode::Plain { input, buf: vec![0; 1 << 16], start: 0, end: 0, eof: false }, line: 1 }
    }

    /// The next record into `record`; false at the end.
    fn read(&mut self, record: &mut Record) -> std::io::Result<bool> {
        loop {
            match &mut self.mode {
                Mode::Plain { input, buf, start, end, eof } => {
                    let available = &buf[*start..*end];
                    let line = match memchr::memchr(b'\n', available) {
                        Some(n) => &available[..n],
                        None if *eof && !available.is_empty() => available,
                        None if *eof => return Ok(false),
                        None => {
                            // Keep the partial line and read more.
                            buf.copy_within(*start..*end, 0);
                            (*end, *start) = (*end - *start, 0);
                            if *end == buf.len() {
                                buf.resize(buf.len() * 2, 0);
                            }
                            match input.read(&mut buf[*end..]) {
                                Ok(0) => *eof = true,
                                Ok(n) => *end += n,
                                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                                Err(e) => return Err(e),
                            }
                            continue;
                        }
                    };
                    if line.is_empty() || !split_plain(line, &mut record.fields) {
                        self.switch();
                        continue;
                    }
                    record.bytes.clear();
                    record.bytes.extend_from_slice(line);
                    record.line = self.line;
                    self.line += 1;
                    *start = (*start + line.len() + 1).min(*end);
                    return Ok(true);
                }
                Mode::Csv { reader, record: r } => {
                    if !reader.read_byte_record(r).map_err(std::io::Error::other)? {
                        return Ok(false);
                    }
                    record.bytes.clear();
                    record.bytes.extend_from_slice(r.as_slice());
                    record.fields.clear();
                    let mut from = 0;
                    for field in r.iter() {
                        record.fields.push((from, from + field.len()));
                        from += field.len();
                    }
                    record.line = self.line - 1 + r.position().map_or(1, csv::Position::line);
                    return Ok(true);
                }
                Mode::Switching => return Ok(false),
            }
        }
    }

    /// Hands the unread bytes and the rest of the input to the `csv` crate.
    fn switch(&mut self) {
        if let Mode::Plain { input, buf, start, end, .. } = std::mem::replace(&mut self.mode, Mode::Switching)
        {
            let rest = std::io::Cursor::new(buf[start..end].to_vec()).chain(input);
            let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(rest);
            self.mode = Mode::Csv { reader: Box::new(reader), record: csv::ByteRecord::new() };
        }
    }
}

/// Splits a line on its commas into `fields` (ranges), eight bytes at a time; false when it
/// holds a `"` or a `\r`, which only the `csv` crate reads right.
fn split_plain(line: &[u8], fields: &mut Vec<(usize, usize)>) -> bool {
    /// The high bit of every byte of `x` that equals `b`, and no other bit (no carry crosses
    /// a byte: (v & 0x7F) + 0x7F ≤ 0xFE).
    fn equal(x: u64, b: u8) -> u64 {
        const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
        let y = x ^ (0x0101_0101_0101_0101 * u64::from(b));
        !(((y & LOW) + LOW) | y) & !LOW
    }
    if memchr::memchr2(b'"', b'\r', line).is_some() {
        return false;
    }
    fields.clear();
    let mut from = 0;
    let mut add = |at: usize, mut commas: u64| {
        while commas != 0 {
            let i = at + (commas.trailing_zeros() / 8) as usize;
            fields.push((from, i));
            from = i + 1;
            commas &= commas - 1;
        }
    };
    let words = line.chunks_exact(8);
    let rest = words.remainder();
    for (k, word) in words.enumerate() {
        let x = u64::from_le_bytes(word.try_into().unwrap_or_default());
        add(8 * k, equal(x, b','));
    }
    let mut last = [b' '; 8];
    last[..rest.len()].copy_from_slice(rest);
    add(line.len() - rest.len(), equal(u64::from_le_bytes(last), b','));
    fields.push((from, line.len()));
    true
}

/// A batch of parsed respondents.
#[derive(Default)]
struct Buf {
    answers: Vec<u8>,
    units: Vec<u32>,
    groups: Vec<u32>,
    strata: Vec<u32>,
    clusters: Vec<u32>,
    weights: Vec<f64>,
    rows: Vec<u64>,
}

impl Buf {
    fn clear(&mut self) {
        self.answers.clear();
        self.units.clear();
        self.groups.clear();
        self.strata.clear();
        self.clusters.clear();
        self.weights.clear();
        self.rows.clear();
    }
}

/// One answer cell: blank → no answer; digits → the code; yes/no words → 1/0.
fn answer_code(cell: &[u8]) -> Result<u8, IssueKind> {
    if let [d @ b'0'..=b'9'] = cell {
        return Ok(d - b'0');
    }
    let mut trimmed = cell.trim_ascii();
    if trimmed.is_empty() {
        return Ok(NO_ANSWER);
    }
    // "4.0" (a float column exported by a spreadsheet or pandas) is the code 4.
    if let Some(dot) = trimmed.iter().position(|&b| b == b'.') {
        if dot > 0 && trimmed[dot + 1..].iter().all(|&b| b == b'0') {
            trimmed = &trimmed[..dot];
        }
    }
    if trimmed.iter().all(u8::is_ascii_digit) && trimmed.len() <= 3 {
        let n: u32 = trimmed.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'));
        return match u8::try_from(n) {
            Ok(code) if code != NO_ANSWER => Ok(code),
            _ => Err(IssueKind::OutOfScale { answer: n.to_string(), scale: "codes 0–254".into() }),
        };
    }
    let text = String::from_utf8_lossy(trimmed).to_lowercase().nfc().collect::<String>();
    match text.as_str() {
        "yes" | "có" | "co" => Ok(1),
        "no" | "không" | "khong" => Ok(0),
        _ => Err(IssueKind::NotANumber { text: String::from_utf8_lossy(trimmed).into_owned() }),
    }
}

/// Labels for a batch when their column is present.
fn labels<'a>(present: bool, index: &'a [u32], names: &'a [String]) -> Option<Labels<'a>> {
    present.then_some(Labels { index, names })
}

fn io_error(file: &str, e: &std::io::Error) -> Error {
    Error::single(Location::default().file(file), IssueKind::Syntax { reason: e.to_string() })
}

/// The columns of the survey results (CSV and tables).
pub const SURVEY_COLUMNS: [&str; 14] = [
    "domain",
    "id",
    "level",
    "code",
    "element",
    "respondents",
    "n",
    "share",
    "ci_low",
    "ci_high",
    "mean",
    "se",
    "deff",
    "n_eff",
];

/// Writes survey results: one row per domain and answer column, then per element, then the
/// overall index (`level` = `item`, `element`, `overall`; an index row has its share, interval
/// and standard error, and no mean or design effect). CSV and JSON give every estimate
/// at full precision (shortest round-trip text) or rounded to `round` places; the table and
/// Markdown show shares as percents with 2 decimals, then the warnings.
///
/// # Examples
///
/// ```
/// use parindex::{survey_results, SurveyOptions};
/// use parindex_io::{read_questionnaire, read_responses, write_survey, OutputFormat, ResponsesOptions};
/// let q = read_questionnaire(br#"{"format_version": 1, "id": "q",
///   "items": [{"code": "A1", "kind": {"type": "satisfaction"}}]}"#, "q.json").unwrap();
/// let tally = read_responses("respondent,unit,A1\n1,u,5\n2,u,3\n".as_bytes(), "r.csv", &q, &Default::default()).unwrap();
/// let r = survey_results(&q, &tally, &SurveyOptions::new()).unwrap();
/// let csv = write_survey(&r, OutputFormat::Csv, Some(4));
/// assert_eq!(csv.lines().nth(1), Some("unit,u,item,A1,,2,2,0.5,0.0945,0.9055,4,0.5,1,2"));
/// ```
#[must_use]
pub fn write_survey(results: &SurveyResults, format: OutputFormat, round: Option<u32>) -> String {
    match format {
        OutputFormat::Json => {
            let mut text = serde_json::to_string_pretty(&rounded(results, round)).unwrap_or_default();
            text.push('\n');
            text
        }
        OutputFormat::Csv => crate::table::csv(&SURVEY_COLUMNS, rows(&rounded(results, round), None)),
        OutputFormat::Table | OutputFormat::Markdown => {
            let markdown = format == OutputFormat::Markdown;
            let mut table = Table::new(&SURVEY_COLUMNS).right(|i| i >= 5);
            for row in rows(results, Some(round.unwrap_or(2))) {
                table.row(row);
            }
            let mut out = table.render(markdown);
            let warnings: Vec<String> = results
                .domains
                .iter()
                .flat_map(|d| {
                    d.warnings
                        .iter()
                        .map(move |w| format!("{} {}: {} ({})", d.kind.name(), d.id, w.message, w.code))
                })
                .collect();
            if !warnings.is_empty() {
                out.push('\n');
                for w in warnings {
                    out.push_str(&format!("warning: {w}\n"));
                }
            }
            out
        }
    }
}

/// Results with every estimate rounded half away from zero to `places` (none: unchanged).
fn rounded(results: &SurveyResults, places: Option<u32>) -> SurveyResults {
    let Some(places) = places else { return results.clone() };
    let r = |x: &mut Option<f64>| {
        if let Some(v) = x {
            *v = round_f64(*v, places);
        }
    };
    let mut out = results.clone();
    for d in &mut out.domains {
        for e in &mut d.items {
            for x in [
                &mut e.share,
                &mut e.se,
                &mut e.ci_low,
                &mut e.ci_high,
                &mut e.mean,
                &mut e.mean_se,
                &mut e.deff,
                &mut e.n_eff,
            ] {
                r(x);
            }
            e.weight = round_f64(e.weight, places);
        }
        for e in &mut d.elements {
            for x in [&mut e.index, &mut e.se, &mut e.ci_low, &mut e.ci_high] {
                r(x);
            }
        }
        for x in [&mut d.overall, &mut d.overall_se, &mut d.overall_ci_low, &mut d.overall_ci_high] {
            r(x);
        }
        d.weight = round_f64(d.weight, places);
    }
    out
}

/// Rounds through the shortest decimal text, so 0.125 → 0.13 at 2 places (half away from zero).
fn round_f64(x: f64, places: u32) -> f64 {
    let text = format!("{x}");
    match text.parse::<rust_decimal::Decimal>() {
        Ok(d) => {
            let r = d.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            r.to_string().parse().unwrap_or(x)
        }
        Err(_) => x,
    }
}

/// The rows; `percent` shows shares as percents with that many places.
fn rows(results: &SurveyResults, percent: Option<u32>) -> Vec<Vec<String>> {
    let share = |x: Option<f64>| -> String {
        match (x, percent) {
            (None, _) => String::new(),
            (Some(v), Some(p)) => format!("{:.*}", p as usize, v * 100.0),
            (Some(v), None) => format!("{v}"),
        }
    };
    let plain = |x: Option<f64>| -> String {
        match (x, percent) {
            (None, _) => String::new(),
            (Some(v), Some(p)) => format!("{:.*}", p as usize, v),
            (Some(v), None) => format!("{v}"),
        }
    };
    let mut out = Vec::new();
    for d in &results.domains {
        let head = |d: &DomainEstimate| vec![d.kind.name().to_string(), d.id.clone()];
        for e in &d.items {
            let mut row = head(d);
            row.extend([
                "item".into(),
                e.column.to_string(),
                e.element.as_deref().unwrap_or_default().to_string(),
                d.respondents.to_string(),
                e.n.to_string(),
                share(e.share),
                share(e.ci_low),
                share(e.ci_high),
                plain(e.mean),
                share(e.se),
                plain(e.deff),
                plain(e.n_eff),
            ]);
            out.push(row);
        }
        for e in &d.elements {
            let mut row = head(d);
            row.extend([
                "element".into(),
                e.element.to_string(),
                e.element.to_string(),
                d.respondents.to_string(),
                e.n.to_string(),
                share(e.index),
                share(e.ci_low),
                share(e.ci_high),
                String::new(),
                share(e.se),
            ]);
            row.resize(SURVEY_COLUMNS.len(), String::new());
            out.push(row);
        }
        let mut row = head(d);
        row.extend([
            "overall".into(),
            String::new(),
            String::new(),
            d.respondents.to_string(),
            String::new(),
            share(d.overall),
            share(d.overall_ci_low),
            share(d.overall_ci_high),
            String::new(),
            share(d.overall_se),
        ]);
        row.resize(SURVEY_COLUMNS.len(), String::new());
        out.push(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{split_plain, Seen};
    use std::collections::HashSet;

    #[test]
    fn lines_split_eight_bytes_at_a_time_as_byte_by_byte() {
        let mut seed = 11u64;
        let (mut plain_lines, mut commas) = (0, 0);
        for n in 0..20_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            // Every other line without quotes and CRs, so that most are split.
            let alphabet: &[u8] = if n % 2 == 0 { b",a 1\xC3\xA9,," } else { b",a\"\r 1\xC3\xA9" };
            let len = (seed >> 58) as usize;
            let line: Vec<u8> =
                (0..len).map(|k| alphabet[((seed >> (k % 48)) as usize + k) % alphabet.len()]).collect();
            let mut fields = vec![(9, 9)];
            let plain = split_plain(&line, &mut fields);
            assert_eq!(plain, !line.iter().any(|&b| b == b'"' || b == b'\r'), "{line:?}");
            if plain {
                let mut expected = Vec::new();
                let mut from = 0;
                for (i, &b) in line.iter().enumerate() {
                    if b == b',' {
                        expected.push((from, i));
                        from = i + 1;
                    }
                }
                expected.push((from, line.len()));
                assert_eq!(fields, expected, "{line:?}");
                plain_lines += 1;
                commas += expected.len() - 1;
            }
        }
        assert!(plain_lines > 9_000 && commas > 100_000, "{plain_lines} lines split, {commas} commas");
    }

    #[test]
    fn plain_lines_split_as_the_csv_crate_splits_them_and_the_rest_goes_through_it() {
        let cases = [
            "a,b,c\n1,2,3\n4,,6\n",
            "a,b\n1,2",
            "a,b\n1,2\n\n3,4\n\n\n5,6\n",
            "a,b\r\n1,2\r\n3,4\r\n",
            "a,b\n1,\"x,\ny\"\n2,3\n4,\"\"\"q\"\"\"\n",
            "a,b\n1,2\r3,4\n5,6\n",
            "a,b\n  ,  \n,\n1,x\"y\n7,8",
            "",
            "\n\n",
            "one\n",
        ];
        for text in cases {
            let mut expected = Vec::new();
            let mut reader =
                csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
            let mut r = csv::ByteRecord::new();
            while reader.read_byte_record(&mut r).expect("read") {
                let fields: Vec<Vec<u8>> = r.iter().map(<[u8]>::to_vec).collect();
                expected.push((r.position().map_or(0, csv::Position::line), fields));
            }
            // Three bytes per read, so lines also straddle refills.
            struct Trickle<'a>(&'a [u8]);
            impl std::io::Read for Trickle<'_> {
                fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                    let n = self.0.len().min(out.len()).min(3);
                    out[..n].copy_from_slice(&self.0[..n]);
                    self.0 = &self.0[n..];
                    Ok(n)
                }
            }
            let mut records = super::Records::new(Trickle(text.as_bytes()));
            let mut got = Vec::new();
            let mut record = super::Record::default();
            while records.read(&mut record).expect("read") {
                got.push((record.line, record.iter().map(<[u8]>::to_vec).collect::<Vec<_>>()));
            }
            assert_eq!(got, expected, "{text:?}");
        }
    }

    #[test]
    fn batches_tallied_while_the_next_is_read_give_the_tally_of_the_batches_in_order() {
        use parindex::{Answers, Batch, Labels, Tally};
        let q = crate::read_questionnaire(
            br#"{"format_version": 1, "id": "q", "items": [
              {"code": "A1", "kind": {"type": "satisfaction"}},
              {"code": "A2", "kind": {"type": "satisfaction"}}]}"#,
            "q.json",
        )
        .expect("valid");
        let (rows, batch) = (5_003usize, 1_000usize);
        let mut x: u64 = 3;
        let mut next = |below: u64| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % below
        };
        let mut text = String::from("respondent,unit,weight,A1,A2\n");
        let mut data: Vec<(String, f64, [u8; 2])> = Vec::new();
        for r in 0..rows {
            let unit = format!("u{}", next(23));
            let weight = next(10_000) as f64 / 3.0;
            let answers =
                [1 + next(5) as u8, if next(10) == 0 { parindex::NO_ANSWER } else { 1 + next(5) as u8 }];
            let cell = |a: u8| if a == parindex::NO_ANSWER { String::new() } else { a.to_string() };
            text.push_str(&format!("{},{unit},{weight},{},{}\n", r + 1, cell(answers[0]), cell(answers[1])));
            data.push((unit, weight, answers));
        }
        let read =
            super::read_responses(text.as_bytes(), "r.csv", &q, &super::ResponsesOptions::new().batch(batch))
                .expect("valid");
        let mut expected = Tally::new(&q);
        for part in data.chunks(batch) {
            let names: Vec<String> = part.iter().map(|(u, _, _)| u.clone()).collect();
            let index: Vec<u32> = (0..part.len() as u32).collect();
            let weights: Vec<f64> = part.iter().map(|(_, w, _)| *w).collect();
            let answers: Vec<u8> = part.iter().flat_map(|(_, _, a)| *a).collect();
            let b = Batch::new(Labels { index: &index, names: &names }, Answers::Rows(&answers))
                .weights(&weights);
            expected.add(&q, &b).expect("valid");
        }
        assert_eq!(read, expected);
        assert_eq!(read.respondents(), rows as u64);
    }

    #[test]
    fn respondent_ranges_find_exactly_the_duplicates_a_set_finds() {
        // Runs up and down, jumps, repeats and text ids, against a plain set.
        let mut x: u64 = 7;
        let mut ids: Vec<String> = Vec::new();
        for i in 0..20_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let id = match (x >> 60) % 4 {
                0 => (x >> 40) % 3000,
                1 | 2 => i % 5000,
                _ => 5000 - i % 700,
            };
            ids.push(if x.is_multiple_of(97) { format!("0{id}") } else { id.to_string() });
        }
        let (mut seen, mut set) = (Seen::default(), HashSet::new());
        for (row, id) in ids.iter().enumerate() {
            assert_eq!(seen.insert(id, row as u64).is_some(), !set.insert(id.clone()), "{id} at {row}");
        }
    }
}
