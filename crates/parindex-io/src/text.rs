//! Text: decoding bytes and reading decimals exactly.

use std::str::FromStr;

use parindex::{Decimal, Error, IssueKind, Location};

/// The UTF-8 text of a file's bytes, without a leading byte-order mark (Excel writes one).
///
/// # Errors
///
/// `encoding` for UTF-16 (a UTF-16 byte-order mark or NUL bytes) and for bytes that are
/// not UTF-8 (e.g. Windows-1258 or TCVN3 exports), naming the first bad line.
///
/// # Examples
///
/// ```
/// use parindex_io::decode;
/// assert_eq!(decode(b"\xEF\xBB\xBFunit,1\n", "s.csv").unwrap(), "unit,1\n");
/// let err = decode(b"unit\nH\xE0 N\xF4i\n", "s.csv").unwrap_err();
/// assert_eq!(err.to_string(), "s.csv:2: the file is not UTF-8 text (byte 0xE0); save it as \"CSV UTF-8\"");
/// ```
pub fn decode<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, Error> {
    let at = || Location::default().file(file);
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || bytes.contains(&0) {
        let reason = "the file is UTF-16 text; save it as \"CSV UTF-8\"".to_owned();
        return Err(Error::single(at(), IssueKind::Encoding { reason }));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let good = e.valid_up_to();
        let line = bytes[..good].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let reason =
            format!("the file is not UTF-8 text (byte 0x{:02X}); save it as \"CSV UTF-8\"", bytes[good]);
        Error::single(at().row(line), IssueKind::Encoding { reason })
    })
}

/// Reads a decimal exactly: optional sign, digits, optional `.` and digits, surrounding
/// spaces ignored. Commas (`2,5` or `1,000`), exponents, `NaN` and `inf` are refused, as is
/// anything a 96-bit decimal cannot hold exactly. Negative zero reads as zero.
///
/// # Errors
///
/// `not_a_number`, with the text found.
///
/// # Examples
///
/// ```
/// use parindex_io::parse_decimal;
/// assert_eq!(parse_decimal(" 2.50 ").unwrap().to_string(), "2.50");
/// assert_eq!(parse_decimal("-0").unwrap().to_string(), "0");
/// for bad in ["2,5", "1e3", "NaN", "inf", "", ".", "1.2.3", "12345678901234567890123456789012345678901"] {
///     assert_eq!(parse_decimal(bad).unwrap_err().code(), "not_a_number", "{bad}");
/// }
/// ```
pub fn parse_decimal(text: &str) -> Result<Decimal, IssueKind> {
    let bad = || IssueKind::NotANumber { text: text.to_owned() };
    let t = text.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let mut seen_dot = false;
    let mut seen_digit = false;
    for c in digits.chars() {
        match c {
            '0'..='9' => seen_digit = true,
            '.' if !seen_dot => seen_dot = true,
            _ => return Err(bad()),
        }
    }
    if !seen_digit {
        return Err(bad());
    }
    let d = Decimal::from_str_exact(t).map_err(|_| bad())?;
    Ok(if d.is_zero() { Decimal::new(0, d.scale()) } else { d })
}

/// Splits leading `# key: value` lines (and blank lines) from a CSV text; returns the pairs
/// with their line numbers, the rest of the text, and how many lines were taken. A line may
/// be a quoted CSV field (as spreadsheets save a cell holding commas or quotes) followed by
/// empty fields; an unquoted line loses the trailing commas of empty cells.
pub(crate) fn split_metadata(text: &str) -> (Vec<(u64, String, String)>, &str, u64) {
    let mut meta = Vec::new();
    let mut rest = text;
    let mut line_no = 0u64;
    loop {
        let (line, tail) = match rest.find('\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let line = line.trim_end_matches('\r').trim();
        let cell = if line.starts_with('"') {
            let mut fields = csv_reader(line).into_records();
            match fields.next() {
                Some(Ok(r)) if r.iter().skip(1).all(|f| f.trim().is_empty()) => r[0].trim().to_owned(),
                _ => line.to_owned(),
            }
        } else {
            line.trim_end_matches(',').trim().to_owned()
        };
        if rest.is_empty() || !(cell.starts_with('#') || cell.is_empty()) {
            break;
        }
        line_no += 1;
        if let Some(body) = cell.strip_prefix('#') {
            if let Some((k, v)) = body.split_once(':') {
                // A stray carriage return inside a value reads as a space, as it is written.
                meta.push((line_no, k.trim().to_owned(), v.replace('\r', " ").trim().to_owned()));
            }
        }
        rest = tail;
    }
    (meta, rest, line_no)
}

/// `FromStr` for a decimal-valued metadata entry.
pub(crate) fn metadata_decimal(value: &str) -> Option<Decimal> {
    Decimal::from_str(value.trim()).ok()
}

/// A CSV reader over text that keeps every field as written.
pub(crate) fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::None)
        .from_reader(text.as_bytes())
}

/// A located `syntax` issue from the CSV parser.
pub(crate) fn csv_issue(e: &csv::Error, file: &str, offset: u64) -> parindex::Issue {
    let mut at = Location::default().file(file);
    if let Some(p) = e.position() {
        at = at.row(p.line() + offset);
    }
    parindex::Issue::new(at, IssueKind::Syntax { reason: e.to_string() })
}

/// The data rows of a CSV: `(line, record)` for every row that is not blank, or the located
/// syntax issue of a row that does not parse. `offset` is the number of lines before the CSV
/// text in its file (metadata lines).
pub(crate) fn data_rows<'a>(
    records: csv::StringRecordsIntoIter<&'a [u8]>,
    file: &'a str,
    offset: u64,
) -> impl Iterator<Item = Result<(u64, csv::StringRecord), parindex::Issue>> + 'a {
    records.filter_map(move |record| match record {
        Err(e) => Some(Err(csv_issue(&e, file, offset))),
        Ok(r) if r.iter().all(|f| f.trim().is_empty()) => None,
        Ok(r) => Some(Ok((offset + r.position().map_or(0, |p| p.line()), r))),
    })
}

/// A data row that could be read and is as wide as the header (`width` fields); otherwise
/// `None`, its problem added to `issues` (the reader's, or `ragged_row` at the row).
pub(crate) fn full_row(
    item: Result<(u64, csv::StringRecord), parindex::Issue>,
    width: usize,
    file: &str,
    issues: &mut Vec<parindex::Issue>,
) -> Option<(u64, csv::StringRecord)> {
    match item {
        Err(issue) => {
            issues.push(issue);
            None
        }
        Ok((row, record)) if record.len() != width => {
            let kind = IssueKind::RaggedRow { expected: width as u64, found: record.len() as u64 };
            issues.push(parindex::Issue::new(Location::default().file(file).row(row), kind));
            None
        }
        Ok(x) => Some(x),
    }
}

/// Maps a header's names to the columns a format knows: `name → index`, reporting (at the
/// header row, `at`) unknown and repeated columns and the `required` ones that are missing.
pub(crate) fn known_columns<'k, S: AsRef<str>>(
    names: &[S],
    known: &[&'k str],
    required: &[&str],
    at: &Location,
    issues: &mut Vec<parindex::Issue>,
) -> std::collections::HashMap<&'k str, usize> {
    let mut col = std::collections::HashMap::new();
    for (i, name) in names.iter().enumerate() {
        let name = name.as_ref().trim();
        let here = at.clone().column(i as u64 + 1);
        match known.iter().find(|c| **c == name) {
            None => {
                issues.push(parindex::Issue::new(here, IssueKind::UnknownColumn { column: name.to_owned() }))
            }
            Some(k) => {
                if col.insert(*k, i).is_some() {
                    issues.push(parindex::Issue::new(
                        here,
                        IssueKind::DuplicateColumn { column: name.to_owned() },
                    ));
                }
            }
        }
    }
    for &r in required {
        if !col.contains_key(r) {
            issues.push(parindex::Issue::new(at.clone(), IssueKind::MissingColumn { column: r.to_owned() }));
        }
    }
    col
}

/// Appends the shortest text that reads back as the same `f64`, without an exponent (`2.5`,
/// `7`, `-0`, `0.0000001`, never `2.4999…` or `1e-7`; `inf` and `-inf` as Rust prints them);
/// nothing for NaN. This is how parindex reads a float it is handed (a DataFrame cell, a
/// workbook's number) as an exact decimal: the decimal the person typed.
///
/// The usual cell — a decimal of at most 6 places and 15 significant digits — is written from
/// the integer `n` with `n / 10^k == |x|` for the least `k`: that text reads back as `x`
/// (parsing rounds `n / 10^k` to the nearest double, as the division did), and it is the
/// shortest such text: it has the fewest places, and two decimals of 15 significant digits lie
/// further apart than a double's spacing, so no other text as short reads as `x`. That is
/// what Rust's `{}` writes (a test compares them on millions of values), several times
/// faster; other values are written by `{}` itself (which, between two shortest texts equally
/// near, picks as the workbook reader does).
///
/// # Examples
///
/// ```
/// let mut out = Vec::new();
/// for x in [2.5, 0.1 + 0.2, -0.0, 1e-7, 1e20, f64::NAN] {
///     parindex_io::push_float_text(&mut out, x);
///     out.push(b' ');
/// }
/// assert_eq!(out, b"2.5 0.30000000000000004 -0 0.0000001 100000000000000000000  ");
/// ```
pub fn push_float_text(out: &mut Vec<u8>, x: f64) {
    if x.is_nan() {
        return;
    }
    if let Some((n, k)) = fixed(x) {
        if x.is_sign_negative() {
            out.push(b'-');
        }
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(n).as_bytes();
        match digits.len().checked_sub(k) {
            _ if k == 0 => out.extend_from_slice(digits),
            Some(whole) if whole > 0 => {
                out.extend_from_slice(&digits[..whole]);
                out.push(b'.');
                out.extend_from_slice(&digits[whole..]);
            }
            _ => {
                out.extend_from_slice(b"0.");
                out.extend(std::iter::repeat_n(b'0', k - digits.len()));
                out.extend_from_slice(digits);
            }
        }
        return;
    }
    out.extend_from_slice(format!("{x}").as_bytes());
}

/// `|x| = n / 10^k` exactly as doubles, for the least `k` ≤ 6, with `n < 10^15`.
fn fixed(x: f64) -> Option<(u64, usize)> {
    const POWERS: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];
    let a = x.abs();
    POWERS.iter().enumerate().find_map(|(k, &p)| {
        let scaled = a * p;
        // Rounded by a cast (one instruction; `f64::round` is a library call). When `n / p` is
        // `a`, `a · p` is within two roundings of `n`: other `k` are passed over without the
        // division, and the division decides.
        let n = (scaled < 1e15).then_some((scaled + 0.5) as u64)?;
        let near = (n as f64 - scaled).abs() <= scaled * 1e-15;
        (near && n as f64 / p == a).then_some((n, k))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text reads back as the same double, and is the shortest one, on 4 million values:
    /// 2- and 3-place prices, 6-place values, and any bit pattern.
    #[test]
    fn floats_are_written_as_their_shortest_round_trip_text() {
        let mut seed = 7u64;
        let mut fast = 0;
        for i in 0..4_000_000u64 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let x = match i % 4 {
                0 => (seed >> 40) as f64 / 100.0,
                1 => ((seed >> 20) as i64 - (1 << 43)) as f64 / 1e6,
                2 => f64::from_bits(seed),
                _ => -((seed >> 45) as f64) / 1000.0,
            };
            let mut out = Vec::new();
            push_float_text(&mut out, x);
            let text = String::from_utf8(out).unwrap_or_default();
            if x.is_nan() {
                assert_eq!(text, "");
                continue;
            }
            // Rust's own `{}` is the shortest round-trip text without an exponent.
            assert_eq!(text, format!("{x}"), "{x:?}");
            fast += usize::from(fixed(x).is_some());
        }
        assert!(fast > 2_500_000, "{fast}");
    }
}
