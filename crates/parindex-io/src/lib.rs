//! Readers and writers for [`parindex`]: methodology node tables and JSON, wide and long score
//! sheets, result tables (CSV, JSON, Markdown, terminal), and the bundled examples.
//!
//! Every reader works on text already in memory (`&str` or `&[u8]`), never touches the file
//! system, and reports each problem with its file, row and column, all at once, as a
//! [`parindex::Error`].
//!
//! `.xlsx` workbooks are read through the same checks (the sheet becomes the rows a CSV
//! would give), each problem located as `file.xlsx!Sheet!C14`: [`read_scores_xlsx`] and
//! friends, or [`read_scores`] and [`read_methodology`] by the file's name or bytes. Results
//! are also written as a decision's annex workbook ([`write_results_xlsx`]), a fill-in template
//! ([`write_template_xlsx`]) and self-contained HTML or Markdown reports
//! ([`write_report_html`], [`write_report_markdown`]).
//!
//! ```
//! use parindex_io::{examples, write_results, OutputFormat, WriteOptions};
//!
//! let (methodology, scores) = examples::load("par-2020").unwrap();
//! let results = parindex::score(&methodology, &scores).unwrap();
//! // The published components are rounded: their sum is 91.05, the published index 91.04.
//! let csv = write_results(&results, OutputFormat::Csv, &WriteOptions::new().round(2));
//! assert!(csv.starts_with("unit,name,group,points,percent,rank,band,1,2,3,4\n"));
//! assert!(csv.lines().nth(1).unwrap().starts_with("quang-ninh,Quảng Ninh,province,91.05,91.05,1,A,"));
//! ```

#![deny(missing_docs)]

mod dossiers_csv;
pub mod examples;
mod methodology_csv;
mod plan_out;
mod published;
mod rank_out;
mod report;
mod report_html;
mod results;
mod scores_csv;
mod sensitivity_out;
mod survey_csv;
mod table;
mod text;
mod xlsx;
mod xlsx_write;

pub use dossiers_csv::{read_dossiers, write_dossier_scores, write_dossier_stats};
pub use methodology_csv::{read_methodology, read_methodology_csv, write_methodology_csv};
pub use plan_out::{parse_change, write_plan, write_what_if};
pub use published::read_published_results;
pub use rank_out::{write_ranking, Lang, RankingOptions};
pub use report::{write_comparison, write_explanation, write_summary, COMPARISON_COLUMNS};
pub use report_html::{write_report_html, write_report_markdown, ReportOptions};
pub use results::{write_results, OutputFormat, WriteOptions};
pub use scores_csv::{read_scores, read_scores_long, read_scores_wide, score_text};
pub use sensitivity_out::{write_leave_one_out, write_sensitivity, write_weight_sweep};
pub use survey_csv::{read_questionnaire, read_responses, write_survey, ResponsesOptions, SURVEY_COLUMNS};
pub use text::{decode, parse_decimal, push_float_text};
pub use xlsx::{
    is_workbook, read_dossiers_xlsx, read_methodology_xlsx, read_published_xlsx, read_responses_file,
    read_responses_xlsx, read_scores_xlsx, score_xlsx, sheet_names, split_sheet, XlsxOptions,
};
pub use xlsx_write::{write_results_xlsx, write_template_xlsx, TemplateOptions};
