//! Any bytes as a workbook (named `.xlsx`): every reader gives a value or located errors,
//! never a panic — whatever the zip, XML, shared strings, styles or merged cells hold.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parindex_io::{
    read_dossiers_xlsx, read_methodology, read_methodology_xlsx, read_questionnaire, read_responses_xlsx,
    read_scores_xlsx, sheet_names, ResponsesOptions, XlsxOptions,
};

fuzz_target!(|data: &[u8]| {
    let options = XlsxOptions::new();
    let _ = sheet_names(data, "w.xlsx");
    let _ = read_methodology_xlsx(data, "w.xlsx", &options);
    let _ = read_dossiers_xlsx(data, "w.xlsx", &options.clone().sheet("2"));
    let _ = parindex_io::read_published_xlsx(data, "w.xlsx", &options);
    let Ok(m) = read_methodology(b"code,parent,max,rule\n1,,10,\n2,,5,>=90:5 | else:0\n", "m.csv") else {
        return;
    };
    if let Err(e) = read_scores_xlsx(&m, data, "w.xlsx", &options) {
        assert!(!e.issues().is_empty());
    }
    let q = br#"{"format_version": 1, "id": "q", "items": [{"code": "A1", "kind": {"type": "satisfaction"}}]}"#;
    let Ok(q) = read_questionnaire(q, "q.json") else { return };
    let _ = read_responses_xlsx(data, "w.xlsx", &q, &ResponsesOptions::new(), &options);
});
