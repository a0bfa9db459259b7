//! Reading `.xlsx` workbooks. A worksheet becomes the rows the CSV readers read — header
//! detection, merged cells and cell values are the only things decided here — so every check
//! is shared, and each problem is located as `file.xlsx!Sheet!C14`.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use parindex::{
    Dossier, Error, Issue, IssueKind, Location, Methodology, Questionnaire, Results, Scores, Tally,
};

use crate::ResponsesOptions;

use crate::scores_csv::{score_read, scores_from_rows, Header};

/// Options for reading a workbook: which sheet (by default the first holding the table).
///
/// # Examples
///
/// ```
/// use parindex_io::XlsxOptions;
/// let first = XlsxOptions::new();
/// assert_eq!(first, XlsxOptions::default());
/// assert_ne!(XlsxOptions::new().sheet_name("Điểm"), XlsxOptions::new().sheet_index(0));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XlsxOptions {
    sheet: SheetChoice,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum SheetChoice {
    #[default]
    First,
    Index(usize),
    Name(String),
    /// A name, else a 1-based tab position.
    NameOrPosition(String),
}

impl XlsxOptions {
    /// The default sheet: the first holding the table to read (its header found, so an
    /// instructions sheet may come first), else the first sheet.
    ///
    /// # Examples
    ///
    /// ```
    /// let options = parindex_io::XlsxOptions::new();
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn new() -> XlsxOptions {
        XlsxOptions::default()
    }

    /// The sheet with this name (as on its tab).
    ///
    /// # Examples
    ///
    /// ```
    /// let options = parindex_io::XlsxOptions::new().sheet_name("Scores");
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn sheet_name(mut self, name: impl Into<String>) -> XlsxOptions {
        self.sheet = SheetChoice::Name(name.into());
        self
    }

    /// The sheet at this position, counting from 0 in tab order.
    ///
    /// # Examples
    ///
    /// ```
    /// let second = parindex_io::XlsxOptions::new().sheet_index(1);
    /// # let _ = second;
    /// ```
    #[must_use]
    pub fn sheet_index(mut self, index: usize) -> XlsxOptions {
        self.sheet = SheetChoice::Index(index);
        self
    }

    /// The sheet as a person names it: by its name, or — when no sheet has that name — by its
    /// position on the tabs counting from 1 (`"2"` is the second sheet). This is what the
    /// `book.xlsx!Sheet` form of a file name chooses (see [`split_sheet`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let by_name_or_tab = parindex_io::XlsxOptions::new().sheet("Điểm");
    /// # let _ = by_name_or_tab;
    /// ```
    #[must_use]
    pub fn sheet(mut self, sheet: impl Into<String>) -> XlsxOptions {
        self.sheet = SheetChoice::NameOrPosition(sheet.into());
        self
    }
}

/// Splits a workbook's name with a sheet, `book.xlsx!Sheet`, into the workbook's name and the
/// sheet (a name, or a tab position counting from 1: see [`XlsxOptions::sheet`]). Every
/// reader that takes a file name accepts this form — the CLI, Python and JavaScript too — and
/// locates problems as `book.xlsx!Sheet!C14`. Other names are returned whole.
///
/// # Examples
///
/// ```
/// use parindex_io::split_sheet;
/// assert_eq!(split_sheet("Tự đánh giá.xlsx!Điểm"), ("Tự đánh giá.xlsx", Some("Điểm")));
/// assert_eq!(split_sheet("book.XLSX!2"), ("book.XLSX", Some("2")));
/// assert_eq!(split_sheet("book.xlsx"), ("book.xlsx", None));
/// assert_eq!(split_sheet("wow!.csv"), ("wow!.csv", None));
/// ```
#[must_use]
pub fn split_sheet(name: &str) -> (&str, Option<&str>) {
    let lower = name.to_ascii_lowercase();
    [".xlsx!", ".xlsm!"]
        .iter()
        .filter_map(|ext| lower.find(ext).map(|at| at + ext.len() - 1))
        .min()
        .filter(|&bang| bang + 1 < name.len())
        .map_or((name, None), |bang| (&name[..bang], Some(&name[bang + 1..])))
}

/// When `file` names a workbook or `bytes` hold one: the workbook's name without its sheet,
/// and the options that choose the sheet.
pub(crate) fn workbook<'a>(bytes: &[u8], file: &'a str) -> Option<(&'a str, XlsxOptions)> {
    let (book, sheet) = split_sheet(file);
    is_workbook(bytes, book)
        .then(|| (book, sheet.map_or_else(XlsxOptions::new, |s| XlsxOptions::new().sheet(s))))
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// True when the bytes are a workbook's (a zip or an OLE container) or the name ends in
/// `.xlsx`, `.xlsm` or `.xls`: what [`read_methodology`](crate::read_methodology),
/// [`read_scores`](crate::read_scores) and [`read_dossiers`](crate::read_dossiers) use to
/// choose the workbook reader.
///
/// # Examples
///
/// ```
/// use parindex_io::is_workbook;
/// assert!(is_workbook(b"PK\x03\x04...", "scores"));
/// assert!(is_workbook(b"", "Scores.XLSX"));
/// assert!(!is_workbook(b"unit,1\n", "scores.csv"));
/// ```
#[must_use]
pub fn is_workbook(bytes: &[u8], file: &str) -> bool {
    let lower = split_sheet(file).0.to_lowercase();
    bytes.starts_with(ZIP_MAGIC)
        || bytes.starts_with(CFB_MAGIC)
        || [".xlsx", ".xlsm", ".xls"].iter().any(|ext| lower.ends_with(ext))
}

/// A worksheet as text: cell `(r, c)` of the grid is the sheet's cell at 0-based row
/// `top + r`, column `left + c`.
struct Sheet<'a> {
    file: &'a str,
    name: String,
    top: u32,
    left: u32,
    cells: Vec<Vec<String>>,
    /// Problems of the workbook itself (error values, formulas without values), by cell.
    bad: Vec<Issue>,
}

/// The table found on a sheet: metadata rows, the header, the data rows (cut to the header's
/// columns, blank rows left out), and where it lies.
struct Table {
    meta: Vec<(u64, String, String)>,
    header: Option<(u64, Vec<String>)>,
    rows: Vec<(u64, csv::StringRecord)>,
    region: Region,
}

/// Where a table lies: the number of columns left of it, its header row and its width (all
/// 1-based rows; the whole sheet when no header was found).
#[derive(Clone, Copy)]
struct Region {
    shift: u64,
    top: u64,
    width: u64,
}

impl Region {
    /// True for an issue at a cell of the table (the header row and below, its columns).
    fn holds(&self, issue: &Issue) -> bool {
        let (row, column) = (issue.location.row.unwrap_or(0), issue.location.column.unwrap_or(0));
        row >= self.top && column > self.shift && column - self.shift <= self.width
    }
}

fn whole_file(file: &str, kind: IssueKind) -> Error {
    Error::single(Location::default().file(file), kind)
}

fn open<'a>(bytes: &'a [u8], file: &str) -> Result<Xlsx<Cursor<&'a [u8]>>, Error> {
    if bytes.is_empty() {
        return Err(whole_file(file, IssueKind::Empty));
    }
    if bytes.starts_with(CFB_MAGIC) {
        // An OLE container: either an encrypted OOXML package (its streams are
        // `EncryptionInfo` and `EncryptedPackage`) or an Excel 97-2003 workbook.
        let name: Vec<u8> = "EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes).collect();
        if bytes.windows(name.len()).any(|w| w == name.as_slice()) {
            return Err(whole_file(file, IssueKind::EncryptedWorkbook));
        }
        let reason = "this is an Excel 97-2003 workbook (.xls), not .xlsx; open it in Excel and save it \
                      as \"Excel Workbook (.xlsx)\""
            .to_owned();
        return Err(whole_file(file, IssueKind::NotXlsx { reason }));
    }
    if !bytes.starts_with(ZIP_MAGIC) {
        let reason = if std::str::from_utf8(bytes).is_ok() {
            "this is a text file, not an .xlsx workbook (a CSV file should be named .csv)".to_owned()
        } else {
            "this is not an .xlsx workbook".to_owned()
        };
        return Err(whole_file(file, IssueKind::NotXlsx { reason }));
    }
    Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        whole_file(file, IssueKind::NotXlsx { reason: format!("this is not a readable .xlsx workbook: {e}") })
    })
}

/// The sheet names of a workbook, in tab order.
///
/// # Errors
///
/// `empty`, `encrypted_workbook` or `not_xlsx` when the bytes are not a readable `.xlsx`
/// workbook.
///
/// # Examples
///
/// ```
/// let err = parindex_io::sheet_names(b"unit,1\n", "s.xlsx").unwrap_err();
/// assert_eq!(err.issues()[0].code(), "not_xlsx");
/// ```
pub fn sheet_names(bytes: &[u8], file: &str) -> Result<Vec<String>, Error> {
    Ok(open(bytes, file)?.sheet_names())
}

/// An Excel number as exact text: the shortest decimal that reads back as the same `f64`
/// (2.5 → `2.5`, 0.1 → `0.1`), never in exponent form.
fn number_text(f: f64) -> String {
    if f == 0.0 {
        return "0".to_owned(); // also -0
    }
    let mut text = Vec::with_capacity(24);
    crate::push_float_text(&mut text, f);
    String::from_utf8(text).unwrap_or_default()
}

/// True for a number format that shows a percentage: a `%` outside quoted text and escapes.
fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for ch in code.chars() {
        match ch {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

/// A number's text times 100, exactly (`0.994` → `99.4`); `None` when it does not fit.
fn as_percent(text: &str) -> Option<String> {
    let d = parindex::Decimal::from_str_exact(text).ok()?;
    Some(d.checked_mul(parindex::Decimal::ONE_HUNDRED)?.normalize().to_string())
}

fn cell_text(d: &Data) -> Result<String, IssueKind> {
    Ok(match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) => number_text(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            if (h, mi, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTime(dt) => number_text(dt.as_f64()),
        Data::Error(e) => return Err(IssueKind::CellError { error: e.to_string() }),
    })
}

/// The sheet the options choose; by default the first sheet holding a header `wanted`
/// accepts (an instructions sheet may come first), else the first sheet.
fn load<'a>(
    bytes: &[u8],
    file: &'a str,
    options: &XlsxOptions,
    wanted: fn(&[String]) -> bool,
) -> Result<Sheet<'a>, Error> {
    let mut wb = open(bytes, file)?;
    let names = wb.sheet_names();
    let unknown =
        |sheet: String| whole_file(file, IssueKind::UnknownSheet { sheet, known: names.join(", ") });
    let name = match &options.sheet {
        SheetChoice::First => {
            let mut first = None;
            for name in &names {
                match read_sheet(&mut wb, file, name) {
                    Ok(sheet) if sheet.cells.iter().any(|row| wanted(&lowered(row))) => return Ok(sheet),
                    other if first.is_none() => first = Some(other),
                    _ => {}
                }
            }
            return first.unwrap_or_else(|| Err(unknown("1".to_owned())));
        }
        SheetChoice::Index(i) => names.get(*i).cloned().ok_or_else(|| unknown(format!("at index {i}")))?,
        SheetChoice::Name(n) => names.iter().find(|s| *s == n).cloned().ok_or_else(|| unknown(n.clone()))?,
        SheetChoice::NameOrPosition(n) => names
            .iter()
            .find(|s| *s == n)
            .or_else(|| n.trim().parse::<usize>().ok().and_then(|i| names.get(i.checked_sub(1)?)))
            .cloned()
            .ok_or_else(|| unknown(n.clone()))?,
    };
    read_sheet(&mut wb, file, &name)
}

/// A row's cells trimmed and in lower case, as headers are recognised.
fn lowered(row: &[String]) -> Vec<String> {
    row.iter().map(|c| c.trim().to_lowercase()).collect()
}

fn read_sheet<'a>(wb: &mut Xlsx<Cursor<&[u8]>>, file: &'a str, name: &str) -> Result<Sheet<'a>, Error> {
    let name = name.to_owned();
    let at_sheet = Location::default().file(file).sheet(name.clone());
    let unreadable = |e: calamine::XlsxError| {
        Error::single(at_sheet.clone(), IssueKind::NotXlsx { reason: e.to_string() })
    };
    // One pass over the cells: each value as text, and the workbook's own problems (error
    // values, formulas saved without a value).
    let here = |r: u32, c: u32| at_sheet.clone().row(u64::from(r) + 1).column(u64::from(c) + 1);
    // Each cell: its position, its text, and whether it is a number (as opposed to text).
    let mut found: Vec<(u32, u32, String, bool)> = Vec::new();
    let mut bad = Vec::new();
    {
        let mut reader = wb.worksheet_cells_reader(&name).map_err(unreadable)?;
        while let Some(cell) = reader.next_cell_with_formula().map_err(unreadable)? {
            let (r, c) = cell.pos;
            match (cell.value, cell.formula) {
                (calamine::DataRef::Empty, Some(formula)) if !formula.is_empty() => {
                    bad.push(Issue::new(here(r, c), IssueKind::FormulaWithoutValue { formula }));
                }
                (value, _) => {
                    let number = matches!(value, calamine::DataRef::Float(_) | calamine::DataRef::Int(_));
                    match cell_text(&Data::from(value)) {
                        Ok(text) if text.is_empty() => {}
                        Ok(text) => found.push((r, c, text, number)),
                        Err(kind) => bad.push(Issue::new(here(r, c), kind)),
                    }
                }
            }
        }
    }
    // A number shown as a percentage reads as that percentage (0.994 shown as 99.4% reads
    // 99.4), the decimal point moved exactly. The styles are read only when the workbook has a
    // percentage format.
    {
        let mut reader = wb.worksheet_cells_reader(&name).map_err(unreadable)?;
        let percent: Vec<bool> = reader
            .styles()
            .iter()
            .map(|s| s.number_format.as_ref().is_some_and(|f| is_percent_format(&f.format_code)))
            .collect();
        if percent.contains(&true) {
            let mut cells = std::collections::HashSet::new();
            while let Some((r, c, id)) = reader.next_style_id().map_err(unreadable)? {
                if percent.get(id).copied().unwrap_or(false) {
                    cells.insert((r, c));
                }
            }
            for (r, c, text, number) in &mut found {
                if *number && cells.contains(&(*r, *c)) {
                    if let Some(p) = as_percent(text) {
                        *text = p;
                    }
                }
            }
        }
    }
    let merged = wb.merge_cells_by_sheet_name(&name).unwrap_or_default();

    // The grid covers every value and every problem.
    let positions = || {
        found.iter().map(|(r, c, ..)| (*r, *c)).chain(
            bad.iter()
                .map(|i| (i.location.row.unwrap_or(1) as u32 - 1, i.location.column.unwrap_or(1) as u32 - 1)),
        )
    };
    let (Some(top), Some(left), Some(bottom), Some(right)) = (
        positions().map(|p| p.0).min(),
        positions().map(|p| p.1).min(),
        positions().map(|p| p.0).max(),
        positions().map(|p| p.1).max(),
    ) else {
        return Err(Error::single(at_sheet, IssueKind::EmptySheet));
    };
    let width = (right - left + 1) as usize;
    let mut cells = vec![vec![String::new(); width]; (bottom - top + 1) as usize];
    for (r, c, text, _) in found {
        cells[(r - top) as usize][(c - left) as usize] = text;
    }
    // A cell merged over several rows counts in each of them (a domain code over its
    // criteria, a unit over its rows).
    for m in merged.iter().filter(|m| m.end.0 > m.start.0) {
        let (r, c) = m.start;
        if r < top || r > bottom || c < left || c > right {
            continue;
        }
        let value = cells[(r - top) as usize][(c - left) as usize].clone();
        for row in r + 1..=m.end.0.min(bottom) {
            let cell = &mut cells[(row - top) as usize][(c - left) as usize];
            if cell.is_empty() {
                cell.clone_from(&value);
            }
        }
    }
    if cells.iter().all(|row| row.iter().all(|c| c.trim().is_empty())) && bad.is_empty() {
        return Err(Error::single(at_sheet, IssueKind::EmptySheet));
    }
    Ok(Sheet { file, name, top, left, cells, bad })
}

impl Sheet<'_> {
    /// Finds the table: the header is the first row `is_header` accepts (rows above it are a
    /// title block, or `# key: value` metadata), or else the first non-blank row that is not
    /// metadata.
    fn table(&self, is_header: impl Fn(&[String]) -> bool) -> Table {
        let row_no = |r: usize| u64::from(self.top) + r as u64 + 1;
        let blank = |row: &[String]| row.iter().all(|c| c.trim().is_empty());
        let first_cell = |row: &[String]| {
            row.iter().map(|c| c.trim()).find(|c| !c.is_empty()).unwrap_or_default().to_owned()
        };
        let is_meta = |row: &[String]| first_cell(row).starts_with('#');
        let header_at = self
            .cells
            .iter()
            .position(|row| !blank(row) && is_header(&lowered(row)))
            .or_else(|| self.cells.iter().position(|row| !blank(row) && !is_meta(row)));
        let end = header_at.unwrap_or(self.cells.len());
        let meta = self.cells[..end]
            .iter()
            .enumerate()
            .filter(|(_, row)| is_meta(row))
            .filter_map(|(r, row)| {
                let cell = first_cell(row);
                let (k, v) = cell.strip_prefix('#')?.split_once(':')?;
                Some((row_no(r), k.trim().to_owned(), v.replace(['\r', '\n'], " ").trim().to_owned()))
            })
            .collect();
        let Some(h) = header_at else {
            let region = Region { shift: 0, top: 0, width: u64::MAX };
            return Table { meta, header: None, rows: Vec::new(), region };
        };
        let header_cells = &self.cells[h];
        let first = header_cells.iter().position(|c| !c.trim().is_empty()).unwrap_or(0);
        let last = header_cells.iter().rposition(|c| !c.trim().is_empty()).unwrap_or(first);
        let rows = self.cells[h + 1..]
            .iter()
            .enumerate()
            .filter(|(_, row)| !blank(&row[first..=last]))
            .map(|(k, row)| (row_no(h + 1 + k), csv::StringRecord::from(row[first..=last].to_vec())))
            .collect();
        Table {
            meta,
            header: Some((row_no(h), header_cells[first..=last].to_vec())),
            rows,
            region: Region {
                shift: u64::from(self.left) + first as u64,
                top: row_no(h),
                width: (last - first + 1) as u64,
            },
        }
    }

    /// The issues of a shared reader placed on the sheet (the sheet named, columns counted
    /// from A), with the workbook's own problems in the table (cells outside it are not
    /// read); one issue per cell, the workbook's first.
    fn locate(&self, issues: Vec<Issue>, region: Region) -> Vec<Issue> {
        let bad: Vec<&Issue> = self.bad.iter().filter(|b| region.holds(b)).collect();
        let shift = region.shift;
        let mut all: Vec<Issue> = bad.iter().map(|b| (*b).clone()).collect();
        for mut issue in issues {
            if issue.location.file.as_deref() == Some(self.file) && issue.location.sheet.is_none() {
                issue.location.sheet = Some(self.name.clone());
                if issue.location.row.is_some() {
                    issue.location.column = issue.location.column.map(|c| c + shift);
                }
            }
            let cell = (issue.location.row, issue.location.column);
            let taken = cell.1.is_some() && bad.iter().any(|b| (b.location.row, b.location.column) == cell);
            if !taken {
                all.push(issue);
            }
        }
        if !bad.is_empty() {
            // The readers' issues are in their order already; the workbook's join them by row.
            all.sort_by_key(|i| (i.location.row.unwrap_or(u64::MAX), i.location.column.unwrap_or(0)));
        }
        all
    }

    fn finish<T>(&self, result: Result<T, Error>, region: Region) -> Result<T, Error> {
        let issues = match result {
            Ok(value) if !self.bad.iter().any(|b| region.holds(b)) => return Ok(value),
            Ok(_) => Vec::new(),
            Err(e) => e.into_issues(),
        };
        Err(Error::from_issues(self.locate(issues, region))
            .unwrap_or_else(|| whole_file(self.file, IssueKind::Empty)))
    }
}

fn has(cells: &[String], name: &str) -> bool {
    cells.iter().any(|c| c == name)
}

/// A node table's header: `code` and `max` or `parent`.
fn node_header(cells: &[String]) -> bool {
    has(cells, "code") && (has(cells, "max") || has(cells, "parent"))
}

/// A score sheet's header: `unit`.
fn scores_header(cells: &[String]) -> bool {
    has(cells, "unit")
}

/// A dossier list's header: `dossier_id`.
fn dossier_header(cells: &[String]) -> bool {
    has(cells, "dossier_id")
}

/// Reads a methodology node table from a worksheet: the layout of the node table CSV
/// (DESIGN.md §5), anywhere on the sheet. Rows above the header may hold a title block (left
/// out) and `# key: value` metadata (in their first cell); the header is the first row with
/// `code` and `max` or `parent`. A `parent` cell merged over several rows is the parent of
/// each. Numbers stored as numbers read as the shortest decimal that is the same `f64`
/// (2.5 is `2.5`), or as the percentage they show when formatted as one (0.994 shown as 99.4%
/// is `99.4`); numbers stored as text are read exactly as written.
///
/// # Errors
///
/// Every issue of the node table, located as `file.xlsx!Sheet!C14`, and the workbook's own:
/// `encrypted_workbook`, `not_xlsx` (e.g. an `.xls` file named `.xlsx`), `unknown_sheet`,
/// `empty_sheet`, `formula_without_value`, `cell_error`.
///
/// # Examples
///
/// ```
/// use parindex_io::{read_methodology_xlsx, XlsxOptions};
/// let err = read_methodology_xlsx(b"", "m.xlsx", &XlsxOptions::new()).unwrap_err();
/// assert_eq!(err.to_string(), "m.xlsx: the file is empty");
/// ```
pub fn read_methodology_xlsx(bytes: &[u8], file: &str, options: &XlsxOptions) -> Result<Methodology, Error> {
    let sheet = load(bytes, file, options, node_header)?;
    let t = sheet.table(node_header);
    // The shared reader takes the header as the CSV gives it: read, or a located issue.
    #[allow(clippy::result_large_err)]
    let header = t.header.map(|(row, cells)| Ok((row, csv::StringRecord::from(cells))));
    let result = crate::methodology_csv::methodology_from_rows(
        t.meta,
        header,
        t.rows.into_iter().map(Ok),
        file,
        false,
    );
    sheet.finish(result, t.region)
}

type ReadScores = (Scores, Vec<Issue>, crate::scores_csv::Reported);

fn read_scores_sheet<'a>(
    methodology: &Methodology,
    bytes: &[u8],
    file: &'a str,
    options: &XlsxOptions,
) -> Result<(Sheet<'a>, Region, Result<ReadScores, Error>), Error> {
    let sheet = load(bytes, file, options, scores_header)?;
    let t = sheet.table(scores_header);
    let Some((row, cells)) = t.header else {
        let err = Error::single(
            Location::default().file(file).sheet(sheet.name.clone()),
            IssueKind::NoHeader { expected: "unit and the leaf codes, or unit,criterion,…".into() },
        );
        return Err(err);
    };
    let read = scores_from_rows(methodology, Header::new(cells, row), t.rows.into_iter().map(Ok), file);
    Ok((sheet, t.region, read))
}

/// Reads a score sheet from a worksheet: the wide or long layout of the CSV forms (DESIGN.md
/// §5), with the header the first row holding `unit` (a title block above it is left out).
/// A cell merged over several rows (a unit over its criteria in a long sheet) counts in each.
/// The long form also accepts the fill-in template's `criterion_name` and `max` columns.
///
/// # Errors
///
/// Every issue of reading the scores, located as `file.xlsx!Sheet!C14`, and the workbook's
/// own (see [`read_methodology_xlsx`]).
///
/// # Examples
///
/// ```
/// use parindex_io::{read_methodology, read_scores_xlsx, XlsxOptions};
/// let m = read_methodology(b"code,parent,max\n1,,10\n", "m.csv").unwrap();
/// let err = read_scores_xlsx(&m, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "s.xlsx", &XlsxOptions::new()).unwrap_err();
/// assert_eq!(err.issues()[0].code(), "not_xlsx");
/// ```
pub fn read_scores_xlsx(
    methodology: &Methodology,
    bytes: &[u8],
    file: &str,
    options: &XlsxOptions,
) -> Result<Scores, Error> {
    let (sheet, region, read) = read_scores_sheet(methodology, bytes, file, options)?;
    let result = read.and_then(|(scores, issues, _)| Error::from_issues(issues).map_or(Ok(scores), Err));
    sheet.finish(result, region)
}

/// Reads a score sheet from a worksheet and scores it, reporting the problems of both steps
/// at once, each located as `file.xlsx!Sheet!C14`.
///
/// # Errors
///
/// Every issue of [`read_scores_xlsx`] and of [`parindex::score`].
///
/// # Examples
///
/// ```
/// use parindex_io::{read_methodology, score_xlsx, XlsxOptions};
/// let m = read_methodology(b"code,parent,max\n1,,10\n", "m.csv").unwrap();
/// let err = score_xlsx(&m, b"not a workbook", "s.xlsx", &XlsxOptions::new()).unwrap_err();
/// assert_eq!(err.to_string(), "s.xlsx: this is a text file, not an .xlsx workbook (a CSV file should be named .csv)");
/// ```
pub fn score_xlsx(
    methodology: &Methodology,
    bytes: &[u8],
    file: &str,
    options: &XlsxOptions,
) -> Result<Results, Error> {
    let (sheet, region, read) = read_scores_sheet(methodology, bytes, file, options)?;
    let result = read.and_then(|read| score_read(methodology, read));
    sheet.finish(result, region)
}

/// Reads a dossier list from a worksheet: the columns of the dossier CSV (DESIGN.md §8), the
/// header the first row holding `dossier_id`. Date cells read as their calendar day.
///
/// # Errors
///
/// Every issue of [`read_dossiers`](crate::read_dossiers), located as `file.xlsx!Sheet!C14`,
/// and the workbook's own (see [`read_methodology_xlsx`]).
///
/// # Examples
///
/// ```
/// use parindex_io::{read_dossiers_xlsx, XlsxOptions};
/// let err = read_dossiers_xlsx(b"PK\x03\x04broken", "d.xlsx", &XlsxOptions::new()).unwrap_err();
/// assert_eq!(err.issues()[0].code(), "not_xlsx");
/// ```
pub fn read_dossiers_xlsx(bytes: &[u8], file: &str, options: &XlsxOptions) -> Result<Vec<Dossier>, Error> {
    let sheet = load(bytes, file, options, dossier_header)?;
    let t = sheet.table(dossier_header);
    let Some((row, cells)) = t.header else {
        return Err(Error::single(
            Location::default().file(file).sheet(sheet.name.clone()),
            IssueKind::NoHeader { expected: "unit,dossier_id,received,due,completed".into() },
        ));
    };
    let result = crate::dossiers_csv::dossiers_from_rows(cells, row, t.rows.into_iter().map(Ok), file);
    sheet.finish(result, t.region)
}

/// Reads a year's published results from a worksheet: the table of
/// [`read_published_results`](crate::read_published_results), its header the first row holding
/// a unit column (`unit`, or the label of the workbook `parindex report` writes); a title block
/// above it is left out. By default the first sheet with such a header.
///
/// # Errors
///
/// Every issue of [`read_published_results`](crate::read_published_results), located as
/// `file.xlsx!Sheet!C14`, and the workbook's own.
///
/// # Examples
///
/// ```
/// use parindex_io::{read_published_xlsx, XlsxOptions};
/// let err = read_published_xlsx(b"PK", "2023.xlsx", &XlsxOptions::new()).unwrap_err();
/// assert_eq!(err.issues()[0].code(), "not_xlsx");
/// ```
pub fn read_published_xlsx(
    bytes: &[u8],
    file: &str,
    options: &XlsxOptions,
) -> Result<parindex::PublishedResults, Error> {
    let wanted = crate::published::is_published_header;
    let sheet = load(bytes, file, options, wanted)?;
    let t = sheet.table(wanted);
    let Some((row, cells)) = t.header else {
        return Err(Error::single(
            Location::default().file(file).sheet(sheet.name.clone()),
            IssueKind::NoHeader { expected: "unit,points,percent,rank".into() },
        ));
    };
    let result = crate::published::published_from_rows(cells, row, t.rows.into_iter().map(Ok), file);
    sheet.finish(result, t.region)
}

/// A survey responses sheet's header: `respondent`.
fn responses_header(cells: &[String]) -> bool {
    has(cells, "respondent")
}

/// Reads survey responses from a worksheet and tallies them: the columns of the responses CSV
/// ([`read_responses`](crate::read_responses)), the header the first row holding
/// `respondent` (a title block above it is left out). Answers stored as numbers or as text
/// read alike (`4` and `4.0`), weights stored as numbers read as the same `f64`.
///
/// # Errors
///
/// Every issue of [`read_responses`](crate::read_responses), located as
/// `file.xlsx!Sheet!C14`, and the workbook's own (see [`read_methodology_xlsx`]).
///
/// # Examples
///
/// ```
/// use parindex_io::{read_questionnaire, read_responses_xlsx, ResponsesOptions, XlsxOptions};
/// let q = read_questionnaire(br#"{"format_version": 1, "id": "q",
///   "items": [{"code": "A1", "kind": {"type": "satisfaction"}}]}"#, "q.json").unwrap();
/// let err = read_responses_xlsx(b"", "r.xlsx", &q, &ResponsesOptions::new(), &XlsxOptions::new())
///     .unwrap_err();
/// assert_eq!(err.issues()[0].code(), "empty");
/// ```
pub fn read_responses_xlsx(
    bytes: &[u8],
    file: &str,
    questionnaire: &Questionnaire,
    options: &ResponsesOptions,
    xlsx: &XlsxOptions,
) -> Result<Tally, Error> {
    let sheet = load(bytes, file, xlsx, responses_header)?;
    let t = sheet.table(responses_header);
    let Some((header_row, header)) = t.header else {
        return Err(Error::single(
            Location::default().file(file).sheet(sheet.name.clone()),
            IssueKind::NoHeader { expected: "respondent,unit and the items".into() },
        ));
    };
    // The table as CSV text for the shared streaming reader, and the sheet row where each CSV
    // line starts (a cell may hold a line break).
    let mut csv = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let mut starts: Vec<(u64, u64)> = vec![(1, header_row)];
    let mut line = 1u64;
    let mut write = |record: &csv::StringRecord, row: u64, csv: &mut csv::Writer<Vec<u8>>| {
        let before = csv.get_ref().len();
        // Writing into memory cannot fail.
        let _ = csv.write_record(record).and_then(|()| Ok(csv.flush()?));
        if row != header_row {
            starts.push((line, row));
        }
        line += csv.get_ref()[before..].iter().filter(|&&b| b == b'\n').count() as u64;
    };
    write(&csv::StringRecord::from(header), header_row, &mut csv);
    for (row, record) in &t.rows {
        write(record, *row, &mut csv);
    }
    let text = csv.into_inner().unwrap_or_default();
    let result = crate::read_responses(text.as_slice(), file, questionnaire, options).map_err(|e| {
        let issues = e.into_issues().into_iter().map(|mut issue| {
            if let Some(l) = issue.location.row {
                let k = starts.partition_point(|&(start, _)| start <= l).saturating_sub(1);
                issue.location.row = starts.get(k).map(|&(_, row)| row);
            }
            issue
        });
        Error::from_issues(issues.collect()).unwrap_or_else(|| whole_file(file, IssueKind::Empty))
    });
    sheet.finish(result, t.region)
}

/// Reads survey responses from a whole file's bytes: an `.xlsx` workbook when the name ends in
/// `.xlsx` or the bytes are a workbook's (the first sheet holding a `respondent` column, or the
/// sheet a `book.xlsx!Sheet` name chooses; see [`read_responses_xlsx`]), CSV otherwise (see
/// [`read_responses`](crate::read_responses), which also streams from any reader).
///
/// # Errors
///
/// Every issue of the reader chosen.
///
/// # Examples
///
/// ```
/// use parindex_io::{read_questionnaire, read_responses_file, ResponsesOptions};
/// let q = read_questionnaire(br#"{"format_version": 1, "id": "q",
///   "items": [{"code": "A1", "kind": {"type": "satisfaction"}}]}"#, "q.json").unwrap();
/// let tally = read_responses_file(b"respondent,unit,A1\n1,u,5\n", "r.csv", &q, &ResponsesOptions::new()).unwrap();
/// assert_eq!(tally.respondents(), 1);
/// let err = read_responses_file(b"PK\x03\x04", "r.xlsx!Phiếu", &q, &ResponsesOptions::new()).unwrap_err();
/// assert_eq!(err.issues()[0].code(), "not_xlsx");
/// ```
pub fn read_responses_file(
    bytes: &[u8],
    file: &str,
    questionnaire: &Questionnaire,
    options: &ResponsesOptions,
) -> Result<Tally, Error> {
    match workbook(bytes, file) {
        Some((book, xlsx)) => read_responses_xlsx(bytes, book, questionnaire, options, &xlsx),
        None => crate::read_responses(bytes, file, questionnaire, options),
    }
}
