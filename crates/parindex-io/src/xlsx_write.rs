//! Writing `.xlsx` workbooks: the ranked result table of a decision's annex, and a fill-in
//! template of a methodology that [`read_scores`](crate::read_scores) reads back.

use parindex::{Decimal, Error, IssueKind, Location, Methodology, Results, Rule, Scores, Unit, Value};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DocProperties, Format, FormatAlign, FormatBorder,
    Formula, Workbook, Worksheet, XlsxError,
};

use crate::report_html::{band_fill, Model, Row};
use crate::{Lang, ReportOptions};

fn write_error(e: XlsxError) -> Error {
    Error::single(Location::default(), IssueKind::XlsxWrite { reason: e.to_string() })
}

/// A number for a cell: the nearest `f64` to an exact (already rounded) decimal, which Excel
/// shows as that decimal at the places of the cell's format.
fn num(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

fn colour(hex: &str) -> Color {
    Color::RGB(u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0xFF_FF_FF))
}

/// A valid, unique sheet name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect::<String>()
        .trim_matches('\'')
        .trim()
        .to_owned();
    let clean = if clean.is_empty() { "Sheet".to_owned() } else { clean };
    let mut k = 1;
    loop {
        let suffix = if k == 1 { String::new() } else { format!(" ({k})") };
        let keep = 31 - suffix.chars().count();
        let name: String = clean.chars().take(keep).collect::<String>() + &suffix;
        if !taken.iter().any(|t| t.to_lowercase() == name.to_lowercase()) {
            taken.push(name.clone());
            return name;
        }
        k += 1;
    }
}

/// The formats of a sheet: `decimal` places from the methodology.
struct Formats {
    title: Format,
    subtitle: Format,
    header: Format,
    places: u32,
}

impl Formats {
    fn new(places: u32) -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            subtitle: Format::new().set_italic().set_font_color(Color::RGB(0x61_61_61)),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_border(FormatBorder::Thin)
                .set_background_color(Color::RGB(0xE3_F2_FD)),
            places,
        }
    }

    fn decimal_format(&self) -> String {
        if self.places == 0 {
            "0".to_owned()
        } else {
            format!("0.{}", "0".repeat(self.places as usize))
        }
    }

    /// A body cell: `kind` is `text`, `int`, `dec` or `signed`, on the band's fill.
    fn cell(&self, kind: &str, fill: Option<&str>) -> Format {
        let mut f = Format::new().set_border(FormatBorder::Thin);
        let dec = self.decimal_format();
        f = match kind {
            "int" => f.set_num_format("0"),
            "dec" => f.set_num_format(&dec),
            "signed" => f.set_num_format(format!("+{dec};-{dec};{dec}")),
            "signed_int" => f.set_num_format("+0;-0;0"),
            _ => f,
        };
        if let Some(fill) = fill {
            f = f.set_background_color(colour(fill));
        }
        f
    }
}

/// One ranked table on a sheet: title, subtitle, header on row 4, a row per unit.
fn ranked_sheet(
    ws: &mut Worksheet,
    model: &Model,
    rows: &[&Row],
    subtitle: &str,
    in_group: bool,
) -> Result<(), XlsxError> {
    let f = Formats::new(model.places);
    let header = model.header(true);
    let last = (header.len() - 1) as u16;
    ws.merge_range(0, 0, 0, last, &model.title, &f.title)?;
    ws.merge_range(1, 0, 1, last, subtitle, &f.subtitle)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, h, &f.header)?;
    }
    ws.set_row_height(3, 45)?;
    let d = model.domains.len() as u16;
    for (k, r) in rows.iter().enumerate() {
        let row = 4 + k as u32;
        let fill = Some(band_fill(r.band_index));
        let text = f.cell("text", fill);
        let dec = f.cell("dec", fill);
        let int = f.cell("int", fill);
        let rank = if in_group { r.group_rank.map(|g| g.0) } else { r.rank };
        match rank {
            Some(n) => ws.write_number_with_format(row, 0, f64::from(n), &int)?,
            None => ws.write_blank(row, 0, &int)?,
        };
        ws.write_string_with_format(row, 1, &r.unit, &text)?;
        ws.write_string_with_format(row, 2, &r.name, &text)?;
        ws.write_string_with_format(row, 3, r.group.as_deref().unwrap_or_default(), &text)?;
        for (i, (points, _)) in r.domains.iter().enumerate() {
            let col = 4 + i as u16;
            match points {
                Some(p) => ws.write_number_with_format(row, col, num(*p), &dec)?,
                None => ws.write_string_with_format(row, col, "NA", &text)?,
            };
        }
        ws.write_number_with_format(row, 4 + d, num(r.points), &dec)?;
        ws.write_number_with_format(row, 5 + d, num(r.percent), &dec)?;
        ws.write_string_with_format(row, 6 + d, r.band.as_deref().unwrap_or_default(), &text)?;
        if model.comparison.is_some() {
            let previous = if in_group { None } else { r.previous_rank };
            match previous {
                Some(n) => ws.write_number_with_format(row, 7 + d, f64::from(n), &int)?,
                None => ws.write_blank(row, 7 + d, &int)?,
            };
            let movement = if in_group { r.group_movement } else { r.movement };
            ws.write_string_with_format(
                row,
                8 + d,
                movement.map(|m| model.labels.movement(m)).unwrap_or_default(),
                &text,
            )?;
            match r.points_change {
                Some(p) => ws.write_number_with_format(row, 9 + d, num(p), &f.cell("signed", fill))?,
                None => ws.write_blank(row, 9 + d, &text)?,
            };
        }
    }
    ws.set_freeze_panes(4, 2)?;
    ws.set_column_width(0, 9)?;
    ws.set_column_width(1, 18)?;
    ws.set_column_width(2, 30)?;
    ws.set_column_width(3, 14)?;
    for c in 4..=last {
        ws.set_column_width(c, 12)?;
    }
    ws.set_landscape();
    ws.set_repeat_rows(3, 3)?;
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// A plain table: header on row 3 under a title; `numeric(col)` cells that read as decimals
/// are written as numbers.
fn plain_sheet(
    ws: &mut Worksheet,
    title: &str,
    header: &[String],
    rows: &[Vec<String>],
    numeric: impl Fn(usize) -> bool,
    places: u32,
) -> Result<(), XlsxError> {
    let f = Formats::new(places);
    ws.write_string_with_format(0, 0, title, &f.title)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, h, &f.header)?;
    }
    let text = f.cell("text", None);
    let dec = f.cell("dec", None);
    let int = f.cell("int", None);
    let signed = f.cell("signed", None);
    for (k, row) in rows.iter().enumerate() {
        let r = 3 + k as u32;
        for (c, cell) in row.iter().enumerate() {
            let parsed = crate::parse_decimal(cell).ok().filter(|_| numeric(c));
            match parsed {
                Some(d) if cell.starts_with('+') || cell.starts_with('-') => {
                    ws.write_number_with_format(r, c as u16, num(d), &signed)?
                }
                Some(d) if d.scale() == 0 => ws.write_number_with_format(r, c as u16, num(d), &int)?,
                Some(d) => ws.write_number_with_format(r, c as u16, num(d), &dec)?,
                None => ws.write_string_with_format(r, c as u16, cell, &text)?,
            };
        }
    }
    ws.set_freeze_panes(3, 0)?;
    for c in 0..header.len() as u16 {
        ws.set_column_width(c, if c < 2 { 22 } else { 13 })?;
    }
    Ok(())
}

/// Writes the result set as a workbook, like a decision's annex: a sheet with the ranked
/// table (title, rank, unit, name, group, points per domain, total, index, band, and with
/// [`ReportOptions::previous`] last year's rank, the movement and the change in points),
/// the header frozen, numbers as numbers at the methodology's places, each row coloured by
/// its band; a sheet per group ranked within it (when there are several groups); a summary
/// sheet (units, averages, band counts); the year-over-year table; and with
/// [`ReportOptions::explanations`] a sheet per unit with its leaves. Numbers are the
/// published values (rounded once, as the methodology says), stored as the nearest `f64`.
///
/// # Errors
///
/// `xlsx_write` if the workbook cannot be assembled (not expected: sheet names are made
/// valid and unique first).
///
/// # Examples
///
/// ```
/// use parindex_io::{examples, read_scores_xlsx, write_results_xlsx, ReportOptions, XlsxOptions};
/// let (m, s) = examples::load("par-demo").unwrap();
/// let r = parindex::score(&m, &s).unwrap();
/// let bytes = write_results_xlsx(&r, &s, &ReportOptions::new()).unwrap();
/// assert!(bytes.starts_with(b"PK\x03\x04"));
/// assert_eq!(parindex_io::sheet_names(&bytes, "r.xlsx").unwrap()[..2], ["Results", "Group - department"]);
/// ```
pub fn write_results_xlsx(
    results: &Results,
    scores: &Scores,
    options: &ReportOptions<'_>,
) -> Result<Vec<u8>, Error> {
    let model = Model::new(results, scores, options);
    let l = &model.labels;
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new().set_title(&model.title).set_subject(&results.methodology().info().id),
    );
    let mut taken = Vec::new();
    let info = results.methodology().info();
    let subtitle =
        format!("{}: {} · {} {}", l.t("methodology"), info.id, results.len(), l.t("units").to_lowercase());
    let all: Vec<&Row> = model.rows.iter().collect();
    let ws = wb.add_worksheet();
    let first = match l.lang {
        Lang::En => "Results",
        Lang::Vi => "Kết quả",
    };
    ws.set_name(sheet_name(first, &mut taken)).map_err(write_error)?;
    ranked_sheet(ws, &model, &all, &subtitle, false).map_err(write_error)?;

    let mut groups: Vec<Option<&str>> = Vec::new();
    for r in &model.rows {
        if !groups.contains(&r.group.as_deref()) {
            groups.push(r.group.as_deref());
        }
    }
    if options.wants_group_sheets() && groups.len() > 1 {
        for g in &groups {
            let mut rows: Vec<&Row> = model.rows.iter().filter(|r| r.group.as_deref() == *g).collect();
            rows.sort_by_key(|r| r.group_rank.map_or(u32::MAX, |x| x.0));
            let label = g.unwrap_or(l.t("no_group"));
            let name = sheet_name(&format!("{} - {label}", l.t("group")), &mut taken);
            let ws = wb.add_worksheet();
            ws.set_name(&name).map_err(write_error)?;
            let sub = format!("{subtitle} · {}: {label}", l.t("group"));
            ranked_sheet(ws, &model, &rows, &sub, true).map_err(write_error)?;
        }
    }

    let (sh, sr) = model.summary_table();
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(l.t("summary"), &mut taken)).map_err(write_error)?;
    plain_sheet(ws, l.t("bands"), &sh, &sr, |c| c > 0, model.places).map_err(write_error)?;

    if let Some((yh, yr)) = model.yoy_table() {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(l.t("yoy"), &mut taken)).map_err(write_error)?;
        plain_sheet(ws, l.t("yoy"), &yh, &yr, |c| (2..=8).contains(&c) && c != 4, model.places)
            .map_err(write_error)?;
    }

    if options.wants_explanations() {
        for r in &model.rows {
            let Some(e) = &r.explanation else { continue };
            let header: Vec<String> = [
                "code",
                "criterion",
                "max_points",
                "self_assessed",
                "input",
                "cut",
                "points",
                "lost",
                "rule",
                "note",
            ]
            .iter()
            .map(|k| l.t(k).to_owned())
            .collect();
            let round =
                |x: parindex::Exact| x.round(model.places, parindex::RoundingMode::HalfUp).to_string();
            let opt = |d: Option<Decimal>| d.map(|d| d.normalize().to_string()).unwrap_or_default();
            let rows: Vec<Vec<String>> = e
                .leaves
                .iter()
                .map(|leaf| {
                    vec![
                        leaf.code.clone(),
                        leaf.name.clone(),
                        leaf.max.normalize().to_string(),
                        opt(leaf.self_assessed),
                        leaf.input.map_or_else(|| "NA".into(), |d| d.normalize().to_string()),
                        opt(leaf.cut),
                        leaf.points.map_or_else(|| "NA".into(), round),
                        leaf.lost.map(round).unwrap_or_default(),
                        leaf.rule.clone(),
                        leaf.note.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            let title = format!(
                "{} — {}{} · {} {} % · {}",
                l.t("explanation"),
                r.unit,
                if r.name.is_empty() { String::new() } else { format!(" ({})", r.name) },
                l.t("index"),
                r.percent,
                r.band.as_deref().unwrap_or(l.t("no_band"))
            );
            let ws = wb.add_worksheet();
            ws.set_name(sheet_name(&r.unit, &mut taken)).map_err(write_error)?;
            plain_sheet(ws, &title, &header, &rows, |c| (2..=7).contains(&c), model.places)
                .map_err(write_error)?;
            ws.set_column_width(1, 40).map_err(write_error)?;
        }
    }
    wb.save_to_buffer().map_err(write_error)
}

/// Options for [`write_template_xlsx`]: the language of the labels and the units to make
/// blocks for.
///
/// # Examples
///
/// ```
/// use parindex_io::{Lang, TemplateOptions};
/// let options = TemplateOptions::new().lang(Lang::Vi).unit(parindex::Unit::new("so-noi-vu").name("Sở Nội vụ"));
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default)]
pub struct TemplateOptions {
    lang: Lang,
    units: Vec<Unit>,
}

impl TemplateOptions {
    /// English labels; one block with a blank unit id for the unit to fill.
    ///
    /// # Examples
    ///
    /// ```
    /// let options = parindex_io::TemplateOptions::new();
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn new() -> TemplateOptions {
        TemplateOptions::default()
    }

    /// The language of the title and the labels row (the header keeps its column names).
    ///
    /// # Examples
    ///
    /// ```
    /// let options = parindex_io::TemplateOptions::new().lang(parindex_io::Lang::Vi);
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn lang(mut self, lang: Lang) -> TemplateOptions {
        self.lang = lang;
        self
    }

    /// Adds a block of rows for this unit (its id, name and group filled in).
    ///
    /// # Examples
    ///
    /// ```
    /// let options = parindex_io::TemplateOptions::new().unit(parindex::Unit::new("so-y-te"));
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn unit(mut self, unit: Unit) -> TemplateOptions {
        self.units.push(unit);
        self
    }
}

/// The columns of the template, as the long score sheet names them.
const TEMPLATE_COLUMNS: [&str; 10] = [
    "unit",
    "name",
    "group",
    "criterion",
    "criterion_name",
    "max",
    "self_assessed",
    "appraised",
    "value",
    "note",
];

fn template_labels(lang: Lang) -> [&'static str; 10] {
    match lang {
        Lang::En => [
            "Unit id",
            "Unit name",
            "Group",
            "Criterion code",
            "Criterion",
            "Maximum points",
            "Self-assessed points",
            "Appraised points",
            "Measured value (rule-based criteria)",
            "Note / evidence",
        ],
        Lang::Vi => [
            "Mã đơn vị",
            "Tên đơn vị",
            "Nhóm",
            "Mã tiêu chí",
            "Tiêu chí",
            "Điểm tối đa",
            "Điểm tự đánh giá",
            "Điểm thẩm định",
            "Giá trị đo (tiêu chí tính theo quy tắc)",
            "Ghi chú / tài liệu kiểm chứng",
        ],
    }
}

/// Writes a decimal as a number when the reader gets it back exactly from the double (the
/// shortest decimal of the nearest double is the decimal itself), else as text, which is read
/// exactly: a template holding scores reads back to the same scores.
fn exact(ws: &mut Worksheet, row: u32, col: u16, d: Decimal, format: &Format) -> Result<(), XlsxError> {
    let f = num(d);
    if format!("{f}").parse::<Decimal>().is_ok_and(|back| back == d) {
        ws.write_number_with_format(row, col, f, format)?;
    } else {
        ws.write_string_with_format(row, col, d.normalize().to_string(), format)?;
    }
    Ok(())
}

/// Writes a fill-in template of a methodology: a sheet in the long score layout with a title
/// block, a row of labels, the header `unit,name,group,criterion,criterion_name,max,
/// self_assessed,appraised,value,note`, and one row per leaf (and `bonus`/`penalty` when the
/// methodology allows them) in a block per unit — the unit's id, name and group merged over
/// its block, so a unit writes its id once. Points criteria take self-assessed and appraised
/// points, with data validation that rejects anything but `NA` or a number in `[0, max]`;
/// rule-based criteria take the measured value (`yes`/`no` from a list for yes/no criteria),
/// their rule shown as the cell's input message.
/// With `scores`, the blocks are the scores' units and the cells hold their values (NA,
/// self-assessed points, appraised points or measured values, notes).
/// [`read_scores`](crate::read_scores) reads a filled template back.
///
/// # Errors
///
/// `xlsx_write` if the workbook cannot be assembled (not expected).
///
/// # Examples
///
/// ```
/// use parindex_io::{examples, score_text, write_template_xlsx, TemplateOptions};
/// let (m, s) = examples::load("par-demo").unwrap();
/// // A template holding the scores reads back to the same results.
/// let bytes = write_template_xlsx(&m, Some(&s), &TemplateOptions::new()).unwrap();
/// let again = score_text(&m, &bytes, "filled.xlsx").unwrap();
/// let direct = parindex::score(&m, &s).unwrap();
/// assert_eq!(again.unit("so-y-te").unwrap().points(), direct.unit("so-y-te").unwrap().points());
/// ```
pub fn write_template_xlsx(
    methodology: &Methodology,
    scores: Option<&Scores>,
    options: &TemplateOptions,
) -> Result<Vec<u8>, Error> {
    template(methodology, scores, options).map_err(write_error)
}

fn template(
    methodology: &Methodology,
    scores: Option<&Scores>,
    options: &TemplateOptions,
) -> Result<Vec<u8>, XlsxError> {
    let lang = options.lang;
    let vi = lang == Lang::Vi;
    let places = methodology.settings().rounding.places;
    let f = Formats::new(places);
    let mut wb = Workbook::new();
    let info = methodology.info();
    let title = if vi {
        format!("Phiếu chấm điểm — {} ({})", info.name, info.id)
    } else {
        format!("Fill-in sheet — {} ({})", info.name, info.id)
    };
    wb.set_properties(&DocProperties::new().set_title(&title).set_subject(&info.id));
    let ws = wb.add_worksheet();
    ws.set_name(if vi { "Chấm điểm" } else { "Scores" })?;
    let help = if vi {
        "Ghi điểm từ 0 đến điểm tối đa; NA nếu tiêu chí không áp dụng; tiêu chí tính theo quy tắc ghi giá trị đo \
         (ví dụ tỷ lệ %); có/không ghi yes/no. Không sửa dòng tiêu đề cột (dòng 4)."
    } else {
        "Write points from 0 to the maximum; NA when a criterion does not apply; rule-based criteria take the \
         measured value (e.g. a rate in %), yes/no criteria yes or no. Keep the column names (row 4)."
    };
    let last = (TEMPLATE_COLUMNS.len() - 1) as u16;
    ws.merge_range(0, 0, 0, last, &title, &f.title)?;
    ws.merge_range(1, 0, 1, last, help, &f.subtitle.clone().set_text_wrap())?;
    ws.set_row_height(1, 30)?;
    let label = f.header.clone().set_background_color(Color::RGB(0xFF_F8_E1));
    for (c, text) in template_labels(lang).iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *text, &label)?;
    }
    ws.set_row_height(2, 45)?;
    for (c, name) in TEMPLATE_COLUMNS.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *name, &f.header)?;
    }
    // A `ranked` column only when some unit is scored but not ranked.
    let ranked_column = scores.is_some_and(|sc| sc.units().iter().any(|u| !u.ranked));
    if ranked_column {
        ws.write_string_with_format(2, 10, if vi { "Xếp hạng (yes/no)" } else { "Ranked (yes/no)" }, &label)?;
        ws.write_string_with_format(3, 10, "ranked", &f.header)?;
    }
    let text = f.cell("text", None);
    let wrap = text.clone().set_text_wrap();
    let merged = text.clone().set_align(FormatAlign::VerticalCenter).set_text_wrap();
    let max_format = f.cell("", Some("#eeeeee")).set_num_format("0.##");
    let input = Format::new().set_border(FormatBorder::Thin).set_background_color(Color::RGB(0xFF_FF_FF));
    let unused = Format::new().set_border(FormatBorder::Thin).set_background_color(Color::RGB(0xEE_EE_EE));

    // The rows of a block: each leaf, then bonus and penalty when allowed.
    let s = methodology.settings();
    let mut items: Vec<(String, String, Decimal, Option<&Rule>)> = methodology
        .nodes()
        .iter()
        .filter(|n| methodology.is_leaf(&n.code))
        .map(|n| {
            let name = if vi { n.name.clone() } else { n.name_en.clone().unwrap_or_else(|| n.name.clone()) };
            (n.code.clone(), name, n.max.unwrap_or_default(), Some(&n.rule))
        })
        .collect();
    if let Some(cap) = s.bonus {
        items.push(("bonus".into(), if vi { "Điểm thưởng" } else { "Bonus" }.into(), cap, None));
    }
    if let Some(cap) = s.penalty {
        items.push(("penalty".into(), if vi { "Điểm trừ" } else { "Penalty" }.into(), cap, None));
    }

    let units: Vec<Unit> = match scores {
        Some(sc) => sc.units().to_vec(),
        None if options.units.is_empty() => vec![Unit::new("")],
        None => options.units.clone(),
    };
    let (msg_title, msg) = if vi {
        ("Điểm không hợp lệ", "Ghi NA hoặc một số từ 0 đến điểm tối đa của tiêu chí.")
    } else {
        ("Invalid points", "Write NA or a number from 0 to the criterion's maximum.")
    };
    let mut row = 4u32;
    for (u_index, unit) in units.iter().enumerate() {
        let first = row;
        for (code, name, max, rule) in &items {
            ws.write_string_with_format(row, 3, code, &text)?;
            ws.write_string_with_format(row, 4, name, &wrap)?;
            ws.write_number_with_format(row, 5, num(*max), &max_format)?;
            let r1 = row + 1;
            let points_leaf = rule.is_none_or(|r| r.is_points());
            // Points criteria: self-assessed and appraised; rule-based: the measured value.
            if points_leaf {
                // Validated by the one rule of columns G:H below.
                for col in [6u16, 7] {
                    ws.write_blank(row, col, &input)?;
                }
                ws.write_blank(row, 8, &unused)?;
            } else {
                ws.write_blank(row, 6, &unused)?;
                ws.write_blank(row, 7, &unused)?;
                ws.write_blank(row, 8, &input)?;
                let dv = if matches!(rule, Some(Rule::YesNo)) {
                    DataValidation::new().allow_list_strings(&["yes", "no", "NA"])?
                } else {
                    let cell = format!("I{r1}");
                    DataValidation::new().allow_custom(Formula::new(format!(
                        "=OR(UPPER({cell})=\"NA\",AND(ISNUMBER({cell}),{cell}>=0))"
                    )))
                };
                // The rule shows when the cell is selected (Excel keeps 255 characters).
                let rule_text: String =
                    rule.map(ToString::to_string).unwrap_or_default().chars().take(250).collect();
                let dv = dv
                    .set_error_title(msg_title)?
                    .set_input_title(if vi { "Cách tính điểm" } else { "How points are given" })?
                    .set_input_message(rule_text)?;
                ws.add_data_validation(row, 8, row, 8, &dv)?;
            }
            ws.write_blank(row, 9, &input)?;
            if let Some(sc) = scores {
                let u = u_index;
                match code.as_str() {
                    "bonus" => exact(ws, row, 7, sc.bonus(u), &input)?,
                    "penalty" => exact(ws, row, 7, sc.penalty(u), &input)?,
                    _ => {
                        let value_col = if points_leaf { 7 } else { 8 };
                        match sc.value(u, code) {
                            Some(Value::NotApplicable) => {
                                ws.write_string_with_format(row, value_col, "NA", &input)?;
                            }
                            Some(Value::Number(d)) if matches!(rule, Some(Rule::YesNo)) => {
                                let answer = if d.is_zero() { "no" } else { "yes" };
                                ws.write_string_with_format(row, 8, answer, &input)?;
                            }
                            Some(Value::Number(d)) => exact(ws, row, value_col, d, &input)?,
                            None => {}
                        }
                        if let Some(d) = sc.self_assessed(u, code) {
                            exact(ws, row, 6, d, &input)?;
                        }
                        if let Some(n) = sc.note(u, code) {
                            ws.write_string_with_format(row, 9, n, &input)?;
                        }
                    }
                }
            }
            row += 1;
        }
        let last_row = row - 1;
        let mut cells = vec![
            unit.id.clone(),
            unit.name.clone().unwrap_or_default(),
            unit.group.clone().unwrap_or_default(),
        ];
        if ranked_column {
            cells.push(if unit.ranked { "yes" } else { "no" }.to_owned());
        }
        for (c, value) in cells.iter().enumerate() {
            let c = if c == 3 { 10 } else { c };
            if last_row > first {
                ws.merge_range(first, c as u16, last_row, c as u16, value, &merged)?;
            } else {
                ws.write_string_with_format(first, c as u16, value, &merged)?;
            }
        }
    }
    // One rule for the points columns of every row (relative to its top-left cell, G5, so each
    // cell is checked against the maximum in F of its own row): a rule per cell made a 705-unit
    // template 2.2 MB. Rule-based rows leave G:H unused (grey) and take their value in I.
    if row > 4 {
        let formula = "=OR(UPPER(G5)=\"NA\",AND(ISNUMBER(G5),G5>=0,G5<=$F5))";
        let points = DataValidation::new()
            .allow_custom(Formula::new(formula))
            .set_error_style(DataValidationErrorStyle::Stop)
            .set_error_title(msg_title)?
            .set_error_message(msg)?;
        ws.add_data_validation(4, 6, row - 1, 7, &points)?;
    }
    ws.set_freeze_panes(4, 4)?;
    for (c, w) in [14u16, 22, 12, 10, 48, 9, 12, 12, 16, 28].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_landscape();
    ws.set_repeat_rows(3, 3)?;
    wb.save_to_buffer()
}
