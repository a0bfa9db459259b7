//! Readable reports of a result set: a self-contained HTML page (inline SVG charts, print
//! CSS) and Markdown. Every number comes from the core — [`parindex::summarize`],
//! [`parindex::compare`], [`parindex::explain`] — rounded once, as the methodology publishes.

use parindex::{Comparison, Decimal, Exact, Explanation, Movement, Results, Scores, Summary};

use crate::table::Table;
use crate::{Lang, OutputFormat};

/// Options for the reports ([`write_report_html`], [`write_report_markdown`],
/// [`write_results_xlsx`](crate::write_results_xlsx)).
///
/// # Examples
///
/// ```
/// use parindex_io::{examples, write_report_markdown, Lang, ReportOptions};
/// let (m, s) = examples::load("par-demo").unwrap();
/// let (pm, ps) = examples::load("par-demo-2022").unwrap();
/// let (now, before) = (parindex::score(&m, &s).unwrap(), parindex::score(&pm, &ps).unwrap());
/// let options = ReportOptions::new().lang(Lang::Vi).previous(&before).top(2);
/// let md = write_report_markdown(&now, &s, &options);
/// assert!(md.contains("## So sánh với năm trước"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions<'a> {
    lang: Lang,
    previous: Option<Previous<'a>>,
    top: usize,
    explanations: bool,
    group_sheets: bool,
}

/// Last year, scored or as published.
#[derive(Debug, Clone, Copy)]
enum Previous<'a> {
    Scored(&'a Results),
    Published(&'a parindex::PublishedResults),
}

impl Default for ReportOptions<'_> {
    fn default() -> Self {
        ReportOptions { lang: Lang::En, previous: None, top: 3, explanations: false, group_sheets: true }
    }
}

impl<'a> ReportOptions<'a> {
    /// English labels, no previous year, the three largest losses per unit, no explanation
    /// sheets, a sheet per group in workbooks.
    ///
    /// # Examples
    ///
    /// ```
    /// let options = parindex_io::ReportOptions::new();
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn new() -> ReportOptions<'a> {
        ReportOptions::default()
    }

    /// The language of the labels.
    ///
    /// # Examples
    ///
    /// ```
    /// let options = parindex_io::ReportOptions::new().lang(parindex_io::Lang::Vi);
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn lang(mut self, lang: Lang) -> ReportOptions<'a> {
        self.lang = lang;
        self
    }

    /// Last year's results: adds the change in rank, points and index, and a year-over-year
    /// table ([`parindex::compare`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let (m, s) = parindex_io::examples::load("par-demo-2022").unwrap();
    /// let before = parindex::score(&m, &s).unwrap();
    /// let options = parindex_io::ReportOptions::new().previous(&before);
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn previous(mut self, previous: &'a Results) -> ReportOptions<'a> {
        self.previous = Some(Previous::Scored(previous));
        self
    }

    /// Last year's results as published ([`read_published_results`](crate::read_published_results)),
    /// when its scores are not at hand: the same year-over-year parts, from
    /// [`parindex::compare_published`].
    ///
    /// # Examples
    ///
    /// ```
    /// let (m, s) = parindex_io::examples::load("par-demo").unwrap();
    /// let now = parindex::score(&m, &s).unwrap();
    /// let before = parindex_io::read_published_results(b"unit,points,rank\nso-y-te,80.5,1\n", "2023.csv").unwrap();
    /// let options = parindex_io::ReportOptions::new().previous_published(&before);
    /// let md = parindex_io::write_report_markdown(&now, &s, &options);
    /// assert!(md.contains("| so-y-te      | Sở Y tế                |   11 |             1 | down 10  |"));
    /// ```
    #[must_use]
    pub fn previous_published(mut self, previous: &'a parindex::PublishedResults) -> ReportOptions<'a> {
        self.previous = Some(Previous::Published(previous));
        self
    }

    /// How many of a unit's largest losses to list (default 3).
    ///
    /// # Examples
    ///
    /// ```
    /// let options = parindex_io::ReportOptions::new().top(5);
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn top(mut self, top: usize) -> ReportOptions<'a> {
        self.top = top;
        self
    }

    /// Workbooks: add a sheet per unit with its explanation, leaf by leaf.
    ///
    /// # Examples
    ///
    /// ```
    /// let options = parindex_io::ReportOptions::new().explanations(true);
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn explanations(mut self, explanations: bool) -> ReportOptions<'a> {
        self.explanations = explanations;
        self
    }

    /// Workbooks: a sheet per group, ranked within it, when there are several groups
    /// (default true).
    ///
    /// # Examples
    ///
    /// ```
    /// let options = parindex_io::ReportOptions::new().group_sheets(false);
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn group_sheets(mut self, group_sheets: bool) -> ReportOptions<'a> {
        self.group_sheets = group_sheets;
        self
    }

    pub(crate) fn wants_explanations(&self) -> bool {
        self.explanations
    }
    pub(crate) fn wants_group_sheets(&self) -> bool {
        self.group_sheets
    }
}

/// The labels of a report, in one language.
pub(crate) struct Labels {
    pub(crate) lang: Lang,
}

impl Labels {
    pub(crate) fn t(&self, key: &str) -> &'static str {
        let (en, vi) = match key {
            "title" => ("Results", "Kết quả Chỉ số"),
            "rank" => ("Rank", "Xếp hạng"),
            "group_rank" => ("Group rank", "Hạng trong nhóm"),
            "unit" => ("Unit", "Đơn vị"),
            "name" => ("Name", "Tên đơn vị"),
            "group" => ("Group", "Nhóm"),
            "points" => ("Points", "Tổng điểm"),
            "index" => ("Index %", "Chỉ số (%)"),
            "band" => ("Band", "Xếp loại"),
            "previous_rank" => ("Previous rank", "Hạng năm trước"),
            "movement" => ("Movement", "Thay đổi hạng"),
            "points_change" => ("Points change", "Thay đổi điểm"),
            "index_change" => ("Index change", "Thay đổi chỉ số"),
            "previous_band" => ("Previous band", "Xếp loại năm trước"),
            "ranking" => ("Ranking", "Bảng xếp hạng"),
            "bands" => ("Bands and averages", "Số đơn vị theo xếp loại và điểm trung bình"),
            "units" => ("Units", "Số đơn vị"),
            "average" => ("Average", "Trung bình"),
            "above_average" => ("Above average", "Trên trung bình"),
            "min" => ("Lowest", "Thấp nhất"),
            "max" => ("Highest", "Cao nhất"),
            "all" => ("All", "Tất cả"),
            "no_group" => ("(no group)", "(không nhóm)"),
            "no_band" => ("no band", "không xếp loại"),
            "chart" => ("Index of every unit", "Chỉ số của các đơn vị"),
            "yoy" => ("Compared with last year", "So sánh với năm trước"),
            "units_detail" => ("Unit by unit", "Từng đơn vị"),
            "losses" => ("Where it lost the most points", "Những nội dung bị trừ điểm nhiều nhất"),
            "no_losses" => ("No points lost.", "Không bị trừ điểm."),
            "domains" => ("Points by domain", "Điểm theo lĩnh vực"),
            "not_ranked" => ("not ranked", "không xếp hạng"),
            "of" => ("of", "trên"),
            "summary" => ("Summary", "Tổng hợp"),
            "explanation" => ("Explanation", "Giải trình"),
            "code" => ("Code", "Mã"),
            "criterion" => ("Criterion", "Tiêu chí"),
            "max_points" => ("Max", "Điểm tối đa"),
            "self_assessed" => ("Self-assessed", "Tự đánh giá"),
            "input" => ("Input", "Giá trị"),
            "cut" => ("Cut", "Bị trừ khi thẩm định"),
            "lost" => ("Lost", "Điểm bị mất"),
            "rule" => ("Rule", "Cách tính"),
            "note" => ("Note", "Ghi chú"),
            "methodology" => ("Methodology", "Bộ tiêu chí"),
            _ => ("", ""),
        };
        if self.lang == Lang::Vi {
            vi
        } else {
            en
        }
    }

    /// A movement in words.
    pub(crate) fn movement(&self, m: Movement) -> String {
        match (self.lang, m) {
            (Lang::Vi, Movement::Up(n)) => format!("tăng {n}"),
            (Lang::Vi, Movement::Down(n)) => format!("giảm {n}"),
            (Lang::Vi, Movement::Same) => "giữ nguyên".to_owned(),
            (Lang::Vi, Movement::New) => "mới".to_owned(),
            (Lang::Vi, Movement::Gone) => "không còn xếp hạng".to_owned(),
            (Lang::Vi, _) => "không xếp hạng".to_owned(),
            (Lang::En, m) => m.to_string(),
        }
    }
}

/// One unit's row, every number as published.
pub(crate) struct Row {
    pub(crate) unit: String,
    pub(crate) name: String,
    pub(crate) group: Option<String>,
    pub(crate) rank: Option<u32>,
    pub(crate) group_rank: Option<(u32, u32)>,
    /// Points per domain (`None`: does not apply) and the domain's percent.
    pub(crate) domains: Vec<(Option<Decimal>, Option<Decimal>)>,
    pub(crate) points: Decimal,
    pub(crate) percent: Decimal,
    pub(crate) band: Option<String>,
    pub(crate) band_index: Option<usize>,
    pub(crate) previous_rank: Option<u32>,
    pub(crate) movement: Option<Movement>,
    pub(crate) group_movement: Option<Movement>,
    pub(crate) points_change: Option<Decimal>,
    pub(crate) explanation: Option<Explanation>,
}

/// Everything a report shows, computed once by the core.
pub(crate) struct Model {
    pub(crate) title: String,
    pub(crate) places: u32,
    /// Domain code, name, maximum.
    pub(crate) domains: Vec<(String, String, Decimal)>,
    pub(crate) rows: Vec<Row>,
    pub(crate) summary: Summary,
    pub(crate) comparison: Option<Comparison>,
    pub(crate) bands: Vec<String>,
    pub(crate) labels: Labels,
    pub(crate) top: usize,
}

impl Model {
    pub(crate) fn new(results: &Results, scores: &Scores, options: &ReportOptions<'_>) -> Model {
        let m = results.methodology();
        let settings = m.settings();
        let places = settings.rounding.places;
        let mode = settings.rounding.mode;
        let round = |x: Exact| x.round(places, mode);
        let labels = Labels { lang: options.lang };
        let domains: Vec<(String, String, Decimal)> = m
            .nodes()
            .iter()
            .filter(|n| n.parent.is_none())
            .map(|n| {
                let name = match options.lang {
                    Lang::En => n.name_en.clone().unwrap_or_else(|| n.name.clone()),
                    Lang::Vi => n.name.clone(),
                };
                (n.code.clone(), name, m.max_of(&n.code).unwrap_or_default())
            })
            .collect();
        let comparison = options.previous.map(|p| match p {
            Previous::Scored(p) => parindex::compare(results, p),
            Previous::Published(p) => parindex::compare_published(results, p),
        });
        let bands: Vec<String> = settings.bands.iter().map(|b| b.label.clone()).collect();
        let changes: std::collections::HashMap<&str, &parindex::UnitChange> = comparison
            .as_ref()
            .map(|c| c.units.iter().map(|u| (u.unit.as_str(), u)).collect())
            .unwrap_or_default();
        let rows = results
            .ranked()
            .iter()
            .map(|u| {
                let change = changes.get(u.id()).copied();
                Row {
                    unit: u.id().to_owned(),
                    name: u.unit().name.clone().unwrap_or_default(),
                    group: u.unit().group.clone(),
                    rank: u.rank(),
                    group_rank: u.group_rank(),
                    domains: domains
                        .iter()
                        .map(|(code, ..)| {
                            let node = u.node(code);
                            (
                                node.as_ref().and_then(|n| n.points()).map(round),
                                node.as_ref().and_then(|n| n.percent()).map(round),
                            )
                        })
                        .collect(),
                    points: round(u.points()),
                    percent: u.published_percent(),
                    band: u.band().map(str::to_owned),
                    band_index: u.band().and_then(|b| bands.iter().position(|x| x == b)),
                    previous_rank: change.and_then(|c| c.previous.as_ref()).and_then(|s| s.rank).map(|r| r.0),
                    movement: change.map(|c| c.movement),
                    group_movement: change.map(|c| c.group_movement),
                    points_change: change.and_then(|c| c.points).map(round),
                    explanation: parindex::explain(results, scores, u.id()),
                }
            })
            .collect();
        let info = m.info();
        let title = format!(
            "{} — {}{}",
            labels.t("title"),
            info.name,
            info.year.map(|y| format!(" ({y})")).unwrap_or_default()
        );
        Model {
            title,
            places,
            domains,
            rows,
            summary: parindex::summarize(results),
            comparison,
            bands,
            labels,
            top: options.top,
        }
    }

    /// The header of the ranked table: rank, unit, name, group, the domains, points, index,
    /// band, and the changes when last year is known.
    /// Domains are headed by their code and name (`long`) or their code alone, named in
    /// [`Model::legend`].
    pub(crate) fn header(&self, long: bool) -> Vec<String> {
        let l = &self.labels;
        let mut h: Vec<String> =
            ["rank", "unit", "name", "group"].iter().map(|k| l.t(k).to_owned()).collect();
        h.extend(
            self.domains
                .iter()
                .map(|(code, name, _)| if long { format!("{code}. {name}") } else { code.clone() }),
        );
        h.extend(["points", "index", "band"].iter().map(|k| l.t(k).to_owned()));
        if self.comparison.is_some() {
            h.extend(["previous_rank", "movement", "points_change"].iter().map(|k| l.t(k).to_owned()));
        }
        h
    }

    /// The domains' codes, names and maxima, one line each.
    pub(crate) fn legend(&self) -> Vec<String> {
        self.domains.iter().map(|(code, name, max)| format!("{code}. {name} ({})", max.normalize())).collect()
    }

    pub(crate) fn signed(d: Decimal) -> String {
        if d.is_sign_positive() && !d.is_zero() {
            format!("+{d}")
        } else {
            d.to_string()
        }
    }

    /// The ranked table's cells for one row, as text.
    pub(crate) fn cells(&self, r: &Row) -> Vec<String> {
        let opt = |d: Option<Decimal>| d.map_or_else(|| "NA".to_owned(), |d| d.to_string());
        let mut c = vec![
            r.rank.map(|n| n.to_string()).unwrap_or_default(),
            r.unit.clone(),
            r.name.clone(),
            r.group.clone().unwrap_or_default(),
        ];
        c.extend(r.domains.iter().map(|(p, _)| opt(*p)));
        c.extend([r.points.to_string(), r.percent.to_string(), r.band.clone().unwrap_or_default()]);
        if self.comparison.is_some() {
            c.extend([
                r.previous_rank.map(|n| n.to_string()).unwrap_or_default(),
                r.movement.map(|m| self.labels.movement(m)).unwrap_or_default(),
                r.points_change.map(Model::signed).unwrap_or_default(),
            ]);
        }
        c
    }

    /// The summary table: per group and overall, units, average, above average, lowest,
    /// highest and one column per band.
    pub(crate) fn summary_table(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let l = &self.labels;
        let r = |x: Option<Exact>| {
            x.map(|x| x.round(self.places, parindex::RoundingMode::HalfUp).to_string()).unwrap_or_default()
        };
        let mut header: Vec<String> = ["group", "units", "average", "above_average", "min", "max"]
            .iter()
            .map(|k| l.t(k).to_owned())
            .collect();
        header.extend(self.bands.iter().cloned());
        let row = |g: &parindex::GroupSummary, name: String| {
            let mut cells = vec![
                name,
                g.units.to_string(),
                r(g.average),
                g.above_average.to_string(),
                r(g.min),
                r(g.max),
            ];
            for b in &self.bands {
                let n = g.bands.iter().find(|(label, _)| label == b).map_or(0, |(_, n)| *n);
                cells.push(n.to_string());
            }
            cells
        };
        let mut rows: Vec<Vec<String>> = self
            .summary
            .groups
            .iter()
            .map(|g| row(g, g.group.clone().unwrap_or_else(|| l.t("no_group").to_owned())))
            .collect();
        rows.push(row(&self.summary.overall, l.t("all").to_owned()));
        (header, rows)
    }

    /// The year-over-year table: unit, rank now and before, movement, points and change,
    /// index and change, band now and before.
    pub(crate) fn yoy_table(&self) -> Option<(Vec<String>, Vec<Vec<String>>)> {
        let c = self.comparison.as_ref()?;
        let l = &self.labels;
        let header: Vec<String> = [
            "unit",
            "name",
            "rank",
            "previous_rank",
            "movement",
            "points",
            "points_change",
            "index",
            "index_change",
            "band",
            "previous_band",
        ]
        .iter()
        .map(|k| l.t(k).to_owned())
        .collect();
        let round = |x: Option<Exact>| x.map(|x| x.round(self.places, parindex::RoundingMode::HalfUp));
        let rows = c
            .units
            .iter()
            .map(|u| {
                let now = u.current.as_ref();
                let before = u.previous.as_ref();
                vec![
                    u.unit.clone(),
                    u.name.clone().unwrap_or_default(),
                    now.and_then(|s| s.rank).map(|r| r.0.to_string()).unwrap_or_default(),
                    before.and_then(|s| s.rank).map(|r| r.0.to_string()).unwrap_or_default(),
                    l.movement(u.movement),
                    now.map(|s| s.published_points.to_string()).unwrap_or_default(),
                    round(u.points).map(Model::signed).unwrap_or_default(),
                    now.map(|s| s.published.to_string()).unwrap_or_default(),
                    round(u.percent).map(Model::signed).unwrap_or_default(),
                    now.and_then(|s| s.band.clone()).unwrap_or_default(),
                    before.and_then(|s| s.band.clone()).unwrap_or_default(),
                ]
            })
            .collect();
        Some((header, rows))
    }

    /// A unit's largest losses: code, name, points lost (rounded), rule.
    pub(crate) fn losses(&self, r: &Row) -> Vec<(String, String, Decimal, String)> {
        r.explanation
            .as_ref()
            .map(|e| {
                e.top_losses(self.top)
                    .iter()
                    .map(|l| {
                        let lost = l.lost.map(|x| x.round(self.places, parindex::RoundingMode::HalfUp));
                        (l.code.clone(), l.name.clone(), lost.unwrap_or_default(), l.rule.clone())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The colour of the `k`-th band (the best first), and of no band.
pub(crate) fn band_colour(k: Option<usize>) -> &'static str {
    const PALETTE: [&str; 6] = ["#2e7d32", "#7cb342", "#f9a825", "#ef6c00", "#c62828", "#6d4c41"];
    match k {
        Some(k) => PALETTE[k.min(PALETTE.len() - 1)],
        None => "#9e9e9e",
    }
}

/// The light background of the `k`-th band in tables.
pub(crate) fn band_fill(k: Option<usize>) -> &'static str {
    const PALETTE: [&str; 6] = ["#c8e6c9", "#dcedc8", "#fff9c4", "#ffe0b2", "#ffcdd2", "#d7ccc8"];
    match k {
        Some(k) => PALETTE[k.min(PALETTE.len() - 1)],
        None => "#eeeeee",
    }
}

fn percent_f64(d: Decimal) -> f64 {
    d.to_string().parse::<f64>().unwrap_or(0.0).clamp(0.0, 100.0)
}

const STYLE: &str = "
body { font-family: 'Segoe UI', 'Noto Sans', Arial, sans-serif; margin: 24px; color: #212121; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 2px solid #1565c0; padding-bottom: 2px; }
h3 { font-size: 1.05em; margin: 0.4em 0; }
p.meta { color: #616161; margin-top: 0; }
table { border-collapse: collapse; margin: 8px 0; font-size: 0.9em; }
th, td { border: 1px solid #bdbdbd; padding: 3px 6px; }
th { background: #e3f2fd; text-align: center; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.band { text-align: center; font-weight: bold; }
#ranking td:nth-child(2), #yoy td:first-child { white-space: nowrap; }
ul.legend { font-size: 0.85em; color: #424242; columns: 2; }
.unit { border: 1px solid #e0e0e0; border-radius: 4px; padding: 8px 12px; margin: 10px 0; break-inside: avoid; page-break-inside: avoid; }
.unit ol { margin: 4px 0; }
svg text { font-family: inherit; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, svg { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  th, td.band { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
";

fn html_table(header: &[String], rows: &[Vec<String>], numeric: impl Fn(usize) -> bool, id: &str) -> String {
    let mut out = format!("<table id=\"{id}\">\n<thead><tr>");
    for h in header {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            let class = if numeric(i) { " class=\"num\"" } else { "" };
            out.push_str(&format!("<td{class}>{}</td>", esc(c)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// A horizontal bar chart: one bar per `(label, value in [0, 100], text, colour)`.
fn bar_chart(title: &str, bars: &[(String, f64, String, &str)], label_width: u32) -> String {
    let (row, plot) = (20u32, 420.0f64);
    let width = label_width + plot as u32 + 70;
    let height = row * bars.len() as u32 + 24;
    let mut out = format!(
        "<svg role=\"img\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\"><title>{}</title>\n",
        esc(title)
    );
    for tick in [0u32, 25, 50, 75, 100] {
        let x = f64::from(label_width) + plot * f64::from(tick) / 100.0;
        out.push_str(&format!(
            "<line x1=\"{x:.1}\" y1=\"0\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#e0e0e0\"/>\
             <text x=\"{x:.1}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#757575\">{tick}</text>\n",
            height - 14,
            height - 3
        ));
    }
    // Labels longer than their room are cut (the bar's tooltip has them whole).
    let room = (label_width / 6) as usize;
    for (k, (label, value, text, colour)) in bars.iter().enumerate() {
        let y = row * k as u32;
        let shown = if label.chars().count() > room {
            format!("{}…", label.chars().take(room.saturating_sub(1)).collect::<String>())
        } else {
            label.clone()
        };
        let w = plot * value / 100.0;
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label_width}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\"><title>{}: {}</title></rect>\
             <text x=\"{:.1}\" y=\"{}\" font-size=\"11\">{}</text>\n",
            label_width - 6,
            y + 14,
            esc(&shown),
            y + 3,
            row - 6,
            esc(label),
            esc(text),
            f64::from(label_width) + w + 4.0,
            y + 14,
            esc(text)
        ));
    }
    out.push_str("</svg>\n");
    out
}

/// Writes a self-contained HTML report of a result set: the ranked table (per-domain points,
/// total, index, band, and the change since last year when [`ReportOptions::previous`] is
/// given), band counts and averages per group, a bar chart of every unit's index, the
/// year-over-year table, and per unit a chart of its domains and the places it lost the
/// most points. No script, no external file: it opens offline and prints on A4 landscape.
/// Numbers are rounded once, as the methodology publishes them.
///
/// # Examples
///
/// ```
/// use parindex_io::{examples, write_report_html, ReportOptions};
/// let (m, s) = examples::load("par-demo").unwrap();
/// let r = parindex::score(&m, &s).unwrap();
/// let html = write_report_html(&r, &s, &ReportOptions::new());
/// assert!(html.starts_with("<!DOCTYPE html>"));
/// assert!(html.contains("<td>tp-son-la</td>"));
/// assert!(html.contains("@media print"));
/// ```
#[must_use]
pub fn write_report_html(results: &Results, scores: &Scores, options: &ReportOptions<'_>) -> String {
    let model = Model::new(results, scores, options);
    let l = &model.labels;
    let lang = if l.lang == Lang::Vi { "vi" } else { "en" };
    let info = results.methodology().info();
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"meta\">{}: {} · {} {}</p>\n",
        esc(&model.title),
        esc(&model.title),
        l.t("methodology"),
        esc(&info.id),
        results.len(),
        l.t("units").to_lowercase()
    );

    // The ranked table, its band cells coloured.
    out.push_str(&format!("<h2>{}</h2>\n", l.t("ranking")));
    let header = model.header(false);
    let band_col = 4 + model.domains.len() + 2;
    out.push_str("<table id=\"ranking\">\n<thead><tr>");
    for h in &header {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &model.rows {
        out.push_str(&format!("<tr data-unit=\"{}\">", esc(&r.unit)));
        for (i, c) in model.cells(r).iter().enumerate() {
            if i == band_col {
                out.push_str(&format!(
                    "<td class=\"band\" style=\"background:{}\">{}</td>",
                    band_fill(r.band_index),
                    esc(c)
                ));
            } else if i == 0 || (i >= 4 && i != band_col && i != band_col + 2) {
                out.push_str(&format!("<td class=\"num\">{}</td>", esc(c)));
            } else {
                out.push_str(&format!("<td>{}</td>", esc(c)));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n<ul class=\"legend\">\n");
    for line in model.legend() {
        out.push_str(&format!("<li>{}</li>\n", esc(&line)));
    }
    out.push_str("</ul>\n");

    out.push_str(&format!("<h2>{}</h2>\n", l.t("bands")));
    let (sh, sr) = model.summary_table();
    out.push_str(&html_table(&sh, &sr, |i| i > 0, "summary"));

    out.push_str(&format!("<h2>{}</h2>\n", l.t("chart")));
    let bars: Vec<(String, f64, String, &str)> = model
        .rows
        .iter()
        .map(|r| {
            let label = if r.name.is_empty() { r.unit.clone() } else { r.name.clone() };
            let label = match r.rank {
                Some(k) => format!("{k}. {label}"),
                None => label,
            };
            (label, percent_f64(r.percent), format!("{} %", r.percent), band_colour(r.band_index))
        })
        .collect();
    out.push_str(&bar_chart(l.t("chart"), &bars, 220));

    if let Some((yh, yr)) = model.yoy_table() {
        out.push_str(&format!("<h2>{}</h2>\n", l.t("yoy")));
        out.push_str(&html_table(&yh, &yr, |i| (2..=8).contains(&i) && i != 4, "yoy"));
    }

    out.push_str(&format!("<h2>{}</h2>\n", l.t("units_detail")));
    for r in &model.rows {
        out.push_str(&format!("<section class=\"unit\" id=\"unit-{}\">\n", esc(&r.unit)));
        let standing = match r.rank {
            Some(k) => format!("{} {k} {} {}", l.t("rank"), l.t("of"), results.ranked_len()),
            None => l.t("not_ranked").to_owned(),
        };
        out.push_str(&format!(
            "<h3>{}{}</h3>\n<p class=\"meta\">{standing} · {} {} · {} {} % · {} {}</p>\n",
            esc(&r.unit),
            if r.name.is_empty() { String::new() } else { format!(" — {}", esc(&r.name)) },
            l.t("points"),
            r.points,
            l.t("index"),
            r.percent,
            l.t("band"),
            esc(r.band.as_deref().unwrap_or(l.t("no_band")))
        ));
        let bars: Vec<(String, f64, String, &str)> = model
            .domains
            .iter()
            .zip(&r.domains)
            .map(|((code, name, max), (points, percent))| {
                let text = match points {
                    Some(p) => format!("{p} / {}", max.normalize()),
                    None => "NA".to_owned(),
                };
                (format!("{code}. {name}"), percent.map_or(0.0, percent_f64), text, "#1565c0")
            })
            .collect();
        out.push_str(&bar_chart(&format!("{} — {}", l.t("domains"), r.unit), &bars, 300));
        let losses = model.losses(r);
        out.push_str(&format!("<p><strong>{}</strong></p>\n", l.t("losses")));
        if losses.iter().all(|(_, _, lost, _)| lost.is_zero()) {
            out.push_str(&format!("<p>{}</p>\n", l.t("no_losses")));
        } else {
            out.push_str("<ol class=\"losses\">\n");
            for (code, name, lost, rule) in losses.iter().filter(|(_, _, lost, _)| !lost.is_zero()) {
                out.push_str(&format!(
                    "<li><strong>{}</strong> {}: −{} ({})</li>\n",
                    esc(code),
                    esc(name),
                    lost,
                    esc(rule)
                ));
            }
            out.push_str("</ol>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// Writes the same report as [`write_report_html`] in Markdown, without the charts: the
/// ranked table, band counts and averages, the year-over-year table, and per unit the places
/// it lost the most points.
///
/// # Examples
///
/// ```
/// use parindex_io::{examples, write_report_markdown, ReportOptions};
/// let (m, s) = examples::load("par-demo").unwrap();
/// let r = parindex::score(&m, &s).unwrap();
/// let md = write_report_markdown(&r, &s, &ReportOptions::new());
/// assert!(md.starts_with("# Results — "));
/// let row = md.lines().find(|l| l.contains("| tp-son-la ")).unwrap();
/// assert!(row.starts_with("|    2 | tp-son-la    | Thành phố Sơn La       | district   | 10.00 |  8.75 |"));
/// assert!(md.contains("- 1. Direction and administration of PAR (10)"));
/// ```
#[must_use]
pub fn write_report_markdown(results: &Results, scores: &Scores, options: &ReportOptions<'_>) -> String {
    let model = Model::new(results, scores, options);
    let l = &model.labels;
    let mut out = format!("# {}\n\n", model.title);
    out.push_str(&format!("## {}\n\n", l.t("ranking")));
    let header = model.header(false);
    let n = header.len();
    let mut table = Table::new(&header).right(|i| i == 0 || (i >= 4 && i < n));
    for r in &model.rows {
        table.row(model.cells(r));
    }
    out.push_str(&table.render(true));
    out.push('\n');
    for line in model.legend() {
        out.push_str(&format!("- {line}\n"));
    }
    out.push_str(&format!("\n## {}\n\n", l.t("bands")));
    let (sh, sr) = model.summary_table();
    let mut table = Table::new(&sh).right(|i| i > 0);
    for r in sr {
        table.row(r);
    }
    out.push_str(&table.render(true));
    if model.comparison.is_some() {
        if let Some((yh, yr)) = model.yoy_table() {
            out.push_str(&format!("\n## {}\n\n", l.t("yoy")));
            let mut table = Table::new(&yh).right(|i| (2..=8).contains(&i) && i != 4);
            for r in yr {
                table.row(r);
            }
            out.push_str(&table.render(true));
        }
        if let Some(c) = &model.comparison {
            if !c.differing_nodes.is_empty() {
                // The comparison writer's own list of what could not be compared.
                let text = crate::write_comparison(c, OutputFormat::Markdown, Some(model.places), None);
                if let Some(i) = text.find("\nnot compared") {
                    out.push_str(&text[i..]);
                }
            }
        }
    }
    out.push_str(&format!("\n## {}\n", l.t("units_detail")));
    for r in &model.rows {
        let name = if r.name.is_empty() { String::new() } else { format!(" — {}", r.name) };
        out.push_str(&format!("\n### {}{name}\n\n", r.unit));
        let standing = match r.rank {
            Some(k) => format!("{} {k} {} {}", l.t("rank"), l.t("of"), results.ranked_len()),
            None => l.t("not_ranked").to_owned(),
        };
        out.push_str(&format!(
            "{standing} · {} {} · {} {} % · {} {}\n\n",
            l.t("points"),
            r.points,
            l.t("index"),
            r.percent,
            l.t("band"),
            r.band.as_deref().unwrap_or(l.t("no_band"))
        ));
        let losses: Vec<_> = model.losses(r).into_iter().filter(|(_, _, lost, _)| !lost.is_zero()).collect();
        if losses.is_empty() {
            out.push_str(&format!("{}\n", l.t("no_losses")));
        } else {
            out.push_str(&format!("{}:\n\n", l.t("losses")));
            for (k, (code, name, lost, rule)) in losses.iter().enumerate() {
                out.push_str(&format!("{}. {code} {name}: −{lost} ({rule})\n", k + 1));
            }
        }
    }
    out
}
