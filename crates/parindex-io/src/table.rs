//! Aligned text tables and Markdown tables: the one renderer every writer uses.

/// A table in one or more titled sections that share their column widths.
pub(crate) struct Table {
    header: Vec<String>,
    right: Vec<bool>,
    sections: Vec<(Option<String>, Vec<Vec<String>>)>,
}

impl Table {
    /// A table with these column headers, every column left-aligned.
    pub(crate) fn new<S: ToString>(header: &[S]) -> Table {
        let header: Vec<String> = header.iter().map(ToString::to_string).collect();
        let right = vec![false; header.len()];
        Table { header, right, sections: Vec::new() }
    }

    /// Right-aligns the columns for which `numeric(index)` holds.
    pub(crate) fn right(mut self, numeric: impl Fn(usize) -> bool) -> Table {
        self.right = (0..self.header.len()).map(numeric).collect();
        self
    }

    /// Starts a new section, under a title or none; a section shows its header even when
    /// it has no rows.
    pub(crate) fn section(&mut self, title: Option<String>) {
        self.sections.push((title, Vec::new()));
    }

    /// Adds a row to the current section (the first row opens an untitled one).
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        if self.sections.is_empty() {
            self.section(None);
        }
        if let Some(last) = self.sections.last_mut() {
            last.1.push(cells);
        }
    }

    /// Renders as an aligned text table (a dashed rule under each header) or as Markdown
    /// (`###` section titles, alignment row, pipes in cells escaped).
    pub(crate) fn render(&self, markdown: bool) -> String {
        let mut width: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in self.sections.iter().flat_map(|s| &s.1) {
            for (i, c) in row.iter().enumerate().take(width.len()) {
                width[i] = width[i].max(c.chars().count());
            }
        }
        let line = |cells: &[String]| -> String {
            let padded: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let pad =
                        " ".repeat(width.get(i).copied().unwrap_or(0).saturating_sub(c.chars().count()));
                    // A pipe inside a Markdown cell would split it.
                    let c = if markdown { c.replace('|', "\\|") } else { c.clone() };
                    if self.right.get(i).copied().unwrap_or(false) {
                        format!("{pad}{c}")
                    } else {
                        format!("{c}{pad}")
                    }
                })
                .collect();
            if markdown {
                format!("| {} |\n", padded.join(" | "))
            } else {
                format!("{}\n", padded.join("  ").trim_end())
            }
        };
        let mut out = String::new();
        let none = [(None, Vec::new())];
        let sections = if self.sections.is_empty() { &none[..] } else { &self.sections[..] };
        for (k, (title, rows)) in sections.iter().enumerate() {
            if k > 0 {
                out.push('\n');
            }
            if let Some(title) = title {
                out.push_str(&if markdown { format!("### {title}\n\n") } else { format!("{title}\n") });
            }
            out.push_str(&line(&self.header));
            if markdown {
                let rule: Vec<String> = width
                    .iter()
                    .zip(&self.right)
                    .map(
                        |(&w, &right)| {
                            if right {
                                format!("{}:", "-".repeat(w.max(2) - 1))
                            } else {
                                "-".repeat(w)
                            }
                        },
                    )
                    .collect();
                out.push_str(&format!("| {} |\n", rule.join(" | ")));
            } else {
                let total: usize = width.iter().sum::<usize>() + 2 * width.len().saturating_sub(1);
                out.push_str(&format!("{}\n", "-".repeat(total)));
            }
            for row in rows {
                out.push_str(&line(row));
            }
        }
        out
    }
}

/// A CSV text with `\n` line ends from a header and rows (writing to memory cannot fail).
pub(crate) fn csv<S: AsRef<str>>(header: &[S], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let _ = w.write_record(header.iter().map(AsRef::as_ref));
    for row in rows {
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
