//! Writing the ranked table of a published decision's annex: one table, or one per group.

use parindex::{Exact, Results, UnitResult};
use serde_json::json;

use crate::table::Table;
use crate::OutputFormat;

/// The language of the headings of a table or Markdown ranking.
///
/// # Examples
///
/// ```
/// use parindex_io::Lang;
/// assert_eq!(Lang::from_name("vi"), Some(Lang::Vi));
/// assert_eq!(Lang::default(), Lang::En);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English: Rank, Unit, Name, Group, Points, Index %, Band.
    #[default]
    En,
    /// Vietnamese: Xếp hạng, Đơn vị, Tên đơn vị, Nhóm, Điểm, Chỉ số (%), Xếp loại.
    Vi,
}

impl Lang {
    /// Parses `en` or `vi`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parindex_io::Lang::from_name("en"), Some(parindex_io::Lang::En));
    /// assert_eq!(parindex_io::Lang::from_name("fr"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Lang> {
        match name {
            "en" => Some(Lang::En),
            "vi" => Some(Lang::Vi),
            _ => None,
        }
    }

    fn header(self) -> [&'static str; 7] {
        match self {
            Lang::En => ["Rank", "Unit", "Name", "Group", "Points", "Index %", "Band"],
            Lang::Vi => ["Xếp hạng", "Đơn vị", "Tên đơn vị", "Nhóm", "Điểm", "Chỉ số (%)", "Xếp loại"],
        }
    }

    fn group_title(self, group: Option<&str>) -> String {
        match (self, group) {
            (Lang::En, Some(g)) => format!("Group: {g}"),
            (Lang::En, None) => "No group".to_owned(),
            (Lang::Vi, Some(g)) => format!("Nhóm: {g}"),
            (Lang::Vi, None) => "Không thuộc nhóm".to_owned(),
        }
    }

    fn not_ranked(self) -> &'static str {
        match self {
            Lang::En => "Not ranked",
            Lang::Vi => "Không xếp hạng",
        }
    }
}

/// Options for [`write_ranking`].
///
/// # Examples
///
/// ```
/// use parindex_io::{examples, write_ranking, Lang, OutputFormat, RankingOptions};
/// let (m, s) = examples::load("par-demo").unwrap();
/// let r = parindex::score(&m, &s).unwrap();
/// let options = RankingOptions::new().by_group(true).lang(Lang::Vi);
/// let table = write_ranking(&r, OutputFormat::Table, &options);
/// assert_eq!(table.lines().next(), Some("Nhóm: department"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RankingOptions {
    by_group: bool,
    lang: Lang,
    round: Option<u32>,
}

impl RankingOptions {
    /// One table, English headings, values rounded as the methodology publishes them in the
    /// table and Markdown, exact in CSV and JSON.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex_io::{Lang, RankingOptions};
    /// assert_eq!(RankingOptions::new(), RankingOptions::new().by_group(false).lang(Lang::En));
    /// ```
    #[must_use]
    pub fn new() -> RankingOptions {
        RankingOptions::default()
    }

    /// One section per group (in order of first appearance), ranked within the group.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex_io::{examples, write_ranking, OutputFormat, RankingOptions};
    /// let (m, s) = examples::load("par-demo").unwrap();
    /// let r = parindex::score(&m, &s).unwrap();
    /// let csv = write_ranking(&r, OutputFormat::Csv, &RankingOptions::new().by_group(true).round(2));
    /// let lines: Vec<&str> = csv.lines().collect();
    /// assert_eq!(lines[0], "rank,unit,name,group,points,percent,band");
    /// assert_eq!(lines[7], "1,tp-son-la,Thành phố Sơn La,district,94.32,94.32,A");
    /// ```
    #[must_use]
    pub fn by_group(mut self, by_group: bool) -> RankingOptions {
        self.by_group = by_group;
        self
    }

    /// The language of the headings (table and Markdown; CSV and JSON keep their keys).
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex_io::{examples, write_ranking, Lang, OutputFormat, RankingOptions};
    /// let (m, s) = examples::load("par-2020").unwrap();
    /// let r = parindex::score(&m, &s).unwrap();
    /// let md = write_ranking(&r, OutputFormat::Markdown, &RankingOptions::new().lang(Lang::Vi));
    /// assert!(md.starts_with("| Xếp hạng | Đơn vị "));
    /// ```
    #[must_use]
    pub fn lang(mut self, lang: Lang) -> RankingOptions {
        self.lang = lang;
        self
    }

    /// Rounds points and index to `places` with the methodology's mode, in every format.
    ///
    /// # Examples
    ///
    /// ```
    /// use parindex_io::{examples, write_ranking, OutputFormat, RankingOptions};
    /// let (m, s) = examples::load("par-2020").unwrap();
    /// let r = parindex::score(&m, &s).unwrap();
    /// let csv = write_ranking(&r, OutputFormat::Csv, &RankingOptions::new().round(1));
    /// assert_eq!(csv.lines().nth(1), Some("1,quang-ninh,Quảng Ninh,province,91.1,91.1,A"));
    /// ```
    #[must_use]
    pub fn round(mut self, places: u32) -> RankingOptions {
        self.round = Some(places);
        self
    }
}

/// A titled block of rows.
struct Section {
    title: Option<String>,
    rows: Vec<Vec<String>>,
}

/// Writes the ranked table, as in the annex of a published decision: the columns rank, unit,
/// name, group, points, index (%) and band; one table in rank order, or with
/// [`RankingOptions::by_group`] one section per group (in order of first appearance) with the
/// rank within the group. Units scored but not ranked follow in a section of their own
/// ("Not ranked", "Không xếp hạng"), in input order, with an empty rank. Ties keep input
/// order.
///
/// * **Table and Markdown**: headings in [`RankingOptions::lang`], a title line per section,
///   values rounded to the methodology's places (or [`RankingOptions::round`]).
/// * **CSV**: `rank,unit,name,group,points,percent,band`, the sections one after the other
///   without titles; exact values unless rounded.
/// * **JSON**: `format_version`, `methodology`, `ties`, `rank_on`, `by_group` and the
///   `units` in the same order, each with its overall `rank`, `group_rank`, `group_size`
///   (`null` when not ranked), `points`, `percent`, `published_percent` and `band`.
///
/// # Examples
///
/// ```
/// use parindex_io::{read_methodology, score_text, write_ranking, OutputFormat, RankingOptions};
/// let m = read_methodology(b"# bands: A>=90; B>=80\ncode,parent,max\n1,,100\n", "m.csv").unwrap();
/// let scores = "unit,name,ranked,1\nbo-a,Bộ A,yes,85\nttcp,Thanh tra Chính phủ,no,97\nbo-b,Bộ B,,91\n";
/// let r = score_text(&m, scores.as_bytes(), "s.csv").unwrap();
/// let table = write_ranking(&r, OutputFormat::Table, &RankingOptions::new());
/// assert_eq!(table, "\
/// Rank  Unit  Name                 Group  Points  Index %  Band
/// -------------------------------------------------------------
///    1  bo-b  Bộ B                         91.00    91.00  A
///    2  bo-a  Bộ A                         85.00    85.00  B
///
/// Not ranked
/// Rank  Unit  Name                 Group  Points  Index %  Band
/// -------------------------------------------------------------
///       ttcp  Thanh tra Chính phủ          97.00    97.00  A
/// ");
/// ```
#[must_use]
pub fn write_ranking(results: &Results, format: OutputFormat, options: &RankingOptions) -> String {
    let rounded = matches!(format, OutputFormat::Table | OutputFormat::Markdown);
    let places =
        options.round.or_else(|| rounded.then_some(results.methodology().settings().rounding.places));
    let mode = results.methodology().settings().rounding.mode;
    let number = |x: Exact| match places {
        None => x.to_decimal().to_string(),
        Some(p) => x.round(p, mode).to_string(),
    };
    let ordered = order(results, options.by_group);
    if format == OutputFormat::Json {
        let units: Vec<_> = ordered
            .iter()
            .flat_map(|(_, units)| units)
            .map(|u| {
                json!({
                    "rank": u.rank(),
                    "group_rank": u.group_rank().map(|g| g.0),
                    "group_size": u.group_rank().map(|g| g.1),
                    "unit": u.id(),
                    "name": u.unit().name,
                    "group": u.unit().group,
                    "points": number(u.points()),
                    "percent": number(u.percent()),
                    "published_percent": u.published_percent().to_string(),
                    "band": u.band(),
                })
            })
            .collect();
        let settings = results.methodology().settings();
        let doc = json!({
            "format_version": 1,
            "methodology": results.methodology().info().id,
            "ties": settings.ties.name(),
            "rank_on": settings.rank_on.name(),
            "by_group": options.by_group,
            "units": units,
        });
        return serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    }
    let sections: Vec<Section> = ordered
        .iter()
        .map(|(title, units)| Section {
            title: title.as_ref().map(|t| match t {
                Title::Group(g) => options.lang.group_title(g.as_deref()),
                Title::NotRanked => options.lang.not_ranked().to_owned(),
            }),
            rows: units
                .iter()
                .map(|u| {
                    let rank = if options.by_group { u.group_rank().map(|g| g.0) } else { u.rank() };
                    vec![
                        rank.map(|r| r.to_string()).unwrap_or_default(),
                        u.id().to_owned(),
                        u.unit().name.clone().unwrap_or_default(),
                        u.unit().group.clone().unwrap_or_default(),
                        number(u.points()),
                        number(u.percent()),
                        u.band().unwrap_or_default().to_owned(),
                    ]
                })
                .collect(),
        })
        .collect();
    match format {
        OutputFormat::Csv => {
            let header = ["rank", "unit", "name", "group", "points", "percent", "band"];
            crate::table::csv(&header, sections.iter().flat_map(|s| s.rows.iter().cloned()))
        }
        _ => render(&sections, options.lang.header(), format == OutputFormat::Markdown),
    }
}

/// What a section is.
enum Title {
    Group(Option<String>),
    NotRanked,
}

/// The units in output order, in sections: the whole ranking (no title) or one per group,
/// then those not ranked.
fn order(results: &Results, by_group: bool) -> Vec<(Option<Title>, Vec<UnitResult<'_>>)> {
    let all = results.ranked();
    let (ranked, unranked): (Vec<UnitResult<'_>>, Vec<UnitResult<'_>>) =
        all.into_iter().partition(|u| u.is_ranked());
    let mut out = Vec::new();
    if by_group {
        let mut groups: Vec<Option<&str>> = Vec::new();
        for u in results.units().filter(|u| u.is_ranked()) {
            let g = u.unit().group.as_deref();
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        for g in groups {
            let mut members: Vec<UnitResult<'_>> =
                ranked.iter().copied().filter(|u| u.unit().group.as_deref() == g).collect();
            // Stable: ties within the group keep the overall order, itself input order on ties.
            members.sort_by_key(|u| u.group_rank().map_or(u32::MAX, |r| r.0));
            out.push((Some(Title::Group(g.map(str::to_owned))), members));
        }
    } else {
        out.push((None, ranked));
    }
    if !unranked.is_empty() {
        out.push((Some(Title::NotRanked), unranked));
    }
    out
}

/// An aligned table or Markdown, one block per section, the columns as wide in every block.
fn render(sections: &[Section], header: [&str; 7], markdown: bool) -> String {
    let mut table = Table::new(&header).right(|i| i == 0 || i == 4 || i == 5);
    for section in sections {
        table.section(section.title.as_ref().map(ToString::to_string));
        for row in &section.rows {
            table.row(row.clone());
        }
    }
    table.render(markdown)
}
