//! The tallying kernel: a batch's rows in fixed chunks (one per thread) and blocks, grouped
//! by cell, added into the columns' moments and the cross sums of the index features.

use super::batch::{Answers, Batch};
use rust_decimal::prelude::ToPrimitive;

use super::moments::{Bundle, Moments, Picked, Plan, Run};
use super::questionnaire::{FeatureMap, ItemKind, Questionnaire, NO_ANSWER, SHORTFALL_SCALE};
use super::tally::valid_weight;

/// Respondents per chunk of the tallying kernel, at most: large, since each chunk's sums are
/// merged at the end.
pub(super) const CHUNK: usize = 1 << 18;

/// A batch's chunks: as few as [`CHUNK`] allows, of equal sizes (so two threads share two
/// chunks evenly). They depend on the number of rows alone, never on the number of threads,
/// and so do the sums.
pub(super) fn chunks(n: usize) -> Vec<std::ops::Range<usize>> {
    let k = n.div_ceil(CHUNK).max(1);
    (0..k).map(|i| i * n / k..(i + 1) * n / k).collect()
}

/// Respondents per block within a chunk: a block's answers and weights stay in the core's L2
/// cache while they are added up cell by cell (and its row numbers fit in 2 bytes).
pub(super) const BLOCK: usize = 1 << 14;
const _: () = assert!(BLOCK <= 1 << 16, "a block's row numbers are u16");

/// A block whose rows come in runs of one cell at least this long on average is added run
/// by run, without grouping (a call of the kernel per run costs about what grouping this many
/// rows does).
const RUN: usize = 16;

/// What the kernel needs for the cross sums of the index features: per index column and
/// answer code, the feature and value the answer adds (the column's shortfall feature and
/// 100 × (1 − share) for a valid code, its blank feature and 1 for no answer or a code outside
/// the scale).
pub(super) struct Cross {
    count: usize,
    /// The answer column of every index column.
    columns: Vec<usize>,
    /// The index columns as runs of adjacent answer columns: (first, length).
    runs: Vec<(usize, usize)>,
    /// Per index column, per code.
    table: Vec<[Entry; 256]>,
    /// Per index column, per code: 1 when the entry's value is not zero.
    nonzero: Vec<[u8; 256]>,
    /// Whether every feature comes from one column (per-item features), so a respondent's
    /// entries never share a feature.
    distinct: bool,
    /// The position of entry (u, u) in the packed upper triangle, less u: (u, v ≥ u) is at
    /// `row[u] + v`.
    row: Vec<usize>,
}

/// A feature and the value an answer gives it.
#[derive(Clone, Copy, Default)]
#[repr(C, align(16))]
pub(super) struct Entry {
    value: f64,
    feature: u32,
}

impl Cross {
    pub(super) fn new(q: &Questionnaire, map: &FeatureMap) -> Cross {
        let layout = q.layout();
        let f = map.count;
        let mut columns = Vec::new();
        let mut table = Vec::new();
        for (c, column) in layout.columns.iter().enumerate() {
            let Some(g) = map.group_of[c] else { continue };
            let (blank, short) = (1 + 2 * g, 2 + 2 * g);
            columns.push(c);
            let options = match &q.items()[column.item].kind {
                ItemKind::Options { options } => options.as_slice(),
                _ => &[],
            };
            // No answer and codes outside the scale count as blank.
            let mut t = [Entry { value: 1.0, feature: blank }; 256];
            for slot in &column.slots {
                // In percent points, from the option's decimal weight: whole numbers for
                // 0/1 shares and whole-percent options, so the sums of integer weights are exact.
                let weight = options.iter().find(|o| o.code == slot.code).and_then(|o| o.weight);
                let value = match weight {
                    Some(w) => (rust_decimal::Decimal::ONE_HUNDRED - w).to_f64().unwrap_or(0.0),
                    None => SHORTFALL_SCALE * (1.0 - slot.share),
                };
                t[usize::from(slot.code)] = Entry { value, feature: short };
            }
            table.push(t);
        }
        let distinct = map.columns.iter().all(|g| g.len() == 1);
        let row = (0..f).map(|u| u * f - u * (u + 1) / 2).collect();
        let nonzero = table.iter().map(|t| t.map(|e| u8::from(e.value != 0.0))).collect();
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for &c in &columns {
            match runs.last_mut() {
                Some((from, len)) if *from + *len == c => *len += 1,
                _ => runs.push((c, 1)),
            }
        }
        Cross { count: f, columns, runs, table, nonzero, distinct, row }
    }

    /// The packed upper triangle's size.
    pub(super) fn width(&self) -> usize {
        self.count * (self.count + 1) / 2
    }

    /// Adds w² f fᵀ of one respondent (answers `row` to the index columns) into `gram`, touching only the nonzero
    /// features: the constant, the blanks and the shortfalls (few when most are satisfied).
    /// `at` and `buf` (one per index column) are working space.
    #[inline]
    fn add(&self, row: &[u8], w: f64, gram: &mut [f64], at: &mut [u16], buf: &mut [Entry]) {
        // The columns with a nonzero entry, in order, without a branch; then their entries.
        let mut n = 0;
        for (j, (nonzero, &code)) in self.nonzero.iter().zip(row).enumerate() {
            at[n] = j as u16;
            n += usize::from(nonzero[usize::from(code)]);
        }
        for (e, &j) in buf.iter_mut().zip(&at[..n]) {
            let j = usize::from(j);
            *e = self.table[j][usize::from(row[j])];
        }
        if !self.distinct {
            // Per-element features: add up the entries of one feature (in column order).
            let mut kept = 0;
            for k in 0..n {
                let e = buf[k];
                match buf[..kept].iter_mut().find(|x| x.feature == e.feature) {
                    Some(x) => x.value += e.value,
                    None => {
                        buf[kept] = e;
                        kept += 1;
                    }
                }
            }
            n = kept;
        }
        let w2 = w * w;
        // Feature 0, the constant 1: row 0 of the triangle.
        gram[0] += w2;
        let touched = &buf[..n];
        for (a, u) in touched.iter().enumerate() {
            let wu = w2 * u.value;
            gram[u.feature as usize] += wu;
            if self.distinct {
                // Per-item features arrive in increasing order: (u, v) is in u's row.
                let base = self.row[u.feature as usize];
                for v in &touched[a..] {
                    gram[base + v.feature as usize] += wu * v.value;
                }
            } else {
                for v in &touched[a..] {
                    // (w² f_lo) f_hi, as in the per-item order.
                    let (at, x) = if u.feature <= v.feature {
                        (self.row[u.feature as usize] + v.feature as usize, wu * v.value)
                    } else {
                        (self.row[v.feature as usize] + u.feature as usize, w2 * v.value * u.value)
                    };
                    gram[at] += x;
                }
            }
        }
    }
}

/// What a chunk groups its rows by: a key per row, from which the tally's cell follows.
pub(super) enum CellOf<'a> {
    /// The row's unit in the tally, through the batch's unit labels (a batch without
    /// groups, strata or clusters: a unit's respondents make one cell, made once the chunks
    /// are added up; two labels of one name are one unit).
    Unit(&'a [u32]),
    /// The tally's cell of each row.
    Row(Vec<u32>),
}

/// The cell of each label into `ids`; in `runs`, a label equal to the one before takes its
/// cell without calling `cell` (rows in runs cost a compare; rows in random order skip it).
fn cells_of(labels: &[u32], runs: bool, ids: &mut Vec<u32>, mut cell: impl FnMut(u32) -> u32) {
    if runs {
        let mut last: Option<(u32, u32)> = None;
        ids.extend(labels.iter().map(|&label| match last {
            Some((l, id)) if l == label => id,
            _ => {
                let id = cell(label);
                last = Some((label, id));
                id
            }
        }));
    } else {
        ids.extend(labels.iter().map(|&label| cell(label)));
    }
}

/// A stable counting sort of rows by cell `ids[row]` (of `cells`; or of anything by a key):
/// `start` gets each cell's first place and one past the last cell's, `next` each cell's
/// first place (to count up as the rows are put in place).
pub(super) fn group(ids: &[u32], cells: usize, start: &mut Vec<usize>, next: &mut Vec<usize>) {
    start.clear();
    start.resize(cells + 1, 0);
    for &l in ids {
        start[l as usize + 1] += 1;
    }
    for l in 0..cells {
        start[l + 1] += start[l];
    }
    next.clear();
    next.extend_from_slice(&start[..cells]);
}

/// Reads a byte of every cache line of `bytes` in order, so the processor streams them in
/// before the kernel reads them in the cells' order (which no prefetcher foresees from memory;
/// the kernel asks for them a few rows ahead, which hides the cache's delay, not memory's).
fn touch(bytes: &[u8]) {
    std::hint::black_box(bytes.iter().step_by(64).fold(0u8, |x, &b| x ^ b));
}

/// The sums of one chunk of respondents, over the cells it touched.
pub(super) struct Part {
    /// The key of each local cell ([`CellOf`]), in the order the chunk's rows first show it.
    pub(super) keys: Vec<u32>,
    pub(super) respondents: Vec<u64>,
    pub(super) weight: Vec<f64>,
    /// Per local cell, the plan's bundles of column sums.
    bundles: usize,
    sums: Vec<Bundle>,
    /// Per local cell, the cross sums of the index features (when kept).
    pub(super) gram: Vec<f64>,
    /// Whether every weight of the chunk is valid ([`valid_weight`]).
    pub(super) weights_valid: bool,
    /// Whether every unit label of the chunk points at a name (checked here for
    /// [`CellOf::Unit`]; the others are checked before).
    pub(super) labels_valid: bool,
    /// Whether any answer of the chunk lies outside its column's scale.
    pub(super) invalid: bool,
}

impl Part {
    /// Adds up one chunk. The chunk is taken in blocks of [`BLOCK`] rows; each block's row
    /// numbers are grouped by cell (a stable counting sort of 2-byte numbers, not of the
    /// rows), unless the rows already come in runs of one cell, and the kernel adds a cell's
    /// rows where they lie, its moments in registers ([`Plan::add`]). Every sum still adds
    /// its rows in row order, as a row-by-row pass over the chunk would: the bits do not
    /// depend on the block size or on the path.
    pub(super) fn tally(
        plan: &Plan,
        cross: Option<&Cross>,
        batch: &Batch,
        range: std::ops::Range<usize>,
        cell_of: &CellOf,
        key_count: usize,
    ) -> Part {
        let columns = plan.columns;
        // The local cell of each key, numbered as the chunk's rows first show them (a row
        // whose unit label points past the names counts as key 0 until the batch is refused).
        let mut local = vec![u32::MAX; key_count.max(1)];
        // With cells by unit, the local cell of each unit label (several labels may name one
        // unit: they share its cell).
        let mut by_label = match cell_of {
            CellOf::Unit(units) => vec![u32::MAX; units.len()],
            CellOf::Row(_) => Vec::new(),
        };
        let mut cells = Vec::new();
        let mut labels_valid = true;
        // Whether rows `rows` come in runs of one label (checked up to the point that rules it
        // out: rows in random order stop it early).
        let in_runs = |rows: std::ops::Range<usize>| {
            let labels = match cell_of {
                CellOf::Unit(_) => &batch.units.index[rows],
                CellOf::Row(of_row) => &of_row[rows],
            };
            let limit = labels.len() / RUN;
            labels.windows(2).filter(|w| w[0] != w[1]).take(limit).count() < limit
        };
        // The local cells of rows `rows`, into `ids`; the number of local cells so far. In
        // `runs`, a row with the label of the row before takes its cell without a lookup.
        let mut local_cells = |rows: std::ops::Range<usize>, runs: bool, ids: &mut Vec<u32>| -> usize {
            let mut local_of = |key: u32| {
                let l = &mut local[key as usize];
                if *l == u32::MAX {
                    *l = cells.len() as u32;
                    cells.push(key);
                }
                *l
            };
            ids.clear();
            match cell_of {
                CellOf::Unit(units) => cells_of(&batch.units.index[rows], runs, ids, |label| {
                    // A label seen before: its local cell in one lookup.
                    match by_label.get(label as usize) {
                        Some(&l) if l != u32::MAX => l,
                        seen => {
                            labels_valid &= seen.is_some();
                            let l = local_of(units.get(label as usize).copied().unwrap_or_default());
                            if let Some(at) = by_label.get_mut(label as usize) {
                                *at = l;
                            }
                            l
                        }
                    }
                }),
                CellOf::Row(of_row) => cells_of(&of_row[rows], runs, ids, local_of),
            }
            cells.len()
        };
        let mut respondents = Vec::new();
        let mut weight = Vec::new();
        let bundles = plan.bundles;
        let mut sums = Vec::new();
        let block = BLOCK.min(range.len());
        let mut ids = Vec::with_capacity(block);
        // Answers given by columns, copied into rows a block at a time.
        let mut transposed = match batch.answers {
            Answers::Columns(_) => vec![NO_ANSWER; block * columns],
            Answers::Rows(_) => Vec::new(),
        };
        let ones = if batch.weights.is_none() { vec![1.0; block] } else { Vec::new() };
        // The block's row numbers grouped by cell (a stable counting sort): the cells' starts.
        let mut order = vec![0u16; block];
        let mut start = Vec::new();
        let mut next = Vec::new();
        let mut weights_valid = true;
        let mut n_cells = 0;
        for first in (0..range.len()).step_by(BLOCK) {
            let rows = range.start + first..range.start + (first + BLOCK).min(range.len());
            let (base, len) = (rows.start, rows.len());
            let runs = in_runs(rows.clone());
            n_cells = local_cells(rows, runs, &mut ids);
            // Room for the cells first seen in this block.
            respondents.resize(n_cells, 0);
            weight.resize(n_cells, 0.0);
            sums.resize(n_cells * bundles, Bundle::ZERO);
            // The block's answers as rows `columns` bytes apart, and its weights.
            let codes: &[u8] = match &batch.answers {
                Answers::Rows(data) => &data[base * columns..],
                Answers::Columns(cols) => {
                    for (c, col) in cols.iter().enumerate() {
                        for (k, &x) in col[base..base + len].iter().enumerate() {
                            transposed[k * columns + c] = x;
                        }
                    }
                    &transposed
                }
            };
            let weights = match batch.weights {
                Some(w) => &w[base..base + len],
                None => &ones[..len],
            };
            weights_valid &= weights.iter().fold(true, |ok, &w| ok & valid_weight(w));
            if runs {
                // Rows already in runs of one cell (a file sorted by unit, say) are added run
                // by run as they lie.
                let mut a = 0;
                while a < len {
                    let l = ids[a] as usize;
                    let b = a + ids[a..].iter().position(|&x| x as usize != l).unwrap_or(len - a);
                    let run = Run { stride: columns, weights: &weights[a..b] };
                    plan.add(
                        &codes[a * columns..],
                        run,
                        &mut sums[l * bundles..(l + 1) * bundles],
                        &mut weight[l],
                    );
                    respondents[l] += (b - a) as u64;
                    a = b;
                }
                continue;
            }
            if let Answers::Rows(_) = batch.answers {
                touch(&codes[..len * columns]);
            }
            group(&ids, n_cells, &mut start, &mut next);
            for (k, &l) in ids.iter().enumerate() {
                let p = &mut next[l as usize];
                order[*p] = k as u16;
                *p += 1;
            }
            for (l, (cell, sums)) in start.windows(2).zip(sums.chunks_exact_mut(bundles)).enumerate() {
                let (first, len) = (cell[0], cell[1] - cell[0]);
                if len > 0 {
                    respondents[l] += len as u64;
                    let picked = Picked { stride: columns, weights, order: &order[..ids.len()], first, len };
                    plan.add(codes, picked, sums, &mut weight[l]);
                }
            }
        }
        // The cross sums, apart from the moments (which they leave untouched): the
        // chunk's rows grouped by cell (a stable counting sort), so each cell's triangle is
        // brought into the cache once per chunk rather than once per block.
        let width = cross.map_or(0, Cross::width);
        let mut gram = vec![0.0f64; n_cells * width];
        if let Some(cross) = cross {
            let mut buf = vec![Entry::default(); cross.columns.len()];
            let mut at = vec![0u16; cross.columns.len()];
            local_cells(range.clone(), false, &mut ids);
            group(&ids, n_cells, &mut start, &mut next);
            // The index columns and weights, read in row order and written grouped by cell.
            let k = cross.columns.len();
            let mut packed = vec![NO_ANSWER; range.len() * k];
            let mut packed_weights = vec![0.0f64; range.len()];
            for (i, &l) in ids.iter().enumerate() {
                let p = next[l as usize];
                next[l as usize] += 1;
                let r = range.start + i;
                let into = &mut packed[p * k..(p + 1) * k];
                match &batch.answers {
                    Answers::Rows(data) => {
                        let row = &data[r * columns..(r + 1) * columns];
                        // Runs of adjacent index columns as slices.
                        let mut p = 0;
                        for &(from, len) in &cross.runs {
                            into[p..p + len].copy_from_slice(&row[from..from + len]);
                            p += len;
                        }
                    }
                    Answers::Columns(cols) => {
                        for (x, &c) in into.iter_mut().zip(&cross.columns) {
                            *x = cols[c][r];
                        }
                    }
                }
                packed_weights[p] = batch.weights.map_or(1.0, |w| w[r]);
            }
            for l in 0..n_cells {
                let g = &mut gram[l * width..(l + 1) * width];
                let rows = start[l]..start[l + 1];
                for (row, &w) in
                    packed[rows.start * k..rows.end * k].chunks_exact(k.max(1)).zip(&packed_weights[rows])
                {
                    cross.add(row, w, g, &mut at, &mut buf);
                }
            }
        }
        let invalid = sums.iter().any(Bundle::has_invalid);
        Part { keys: cells, respondents, weight, bundles, sums, gram, weights_valid, labels_valid, invalid }
    }

    /// The moments of a local cell's column.
    pub(super) fn moments(&self, plan: &Plan, cell: usize, column: usize) -> Moments {
        plan.moments(&self.sums[cell * self.bundles..(cell + 1) * self.bundles], column)
    }
}
