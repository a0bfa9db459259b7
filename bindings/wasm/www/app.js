// The scoreboard: pick a bundled example or drop a methodology and a score sheet, see the
// ranked table, click a unit for its explanation, a plan to reach a target and a live what-if.
// No scoring logic here: every number comes from the WebAssembly package (the same core as the
// `parindex` command), printed as it gives it. The page only lays out, sorts and draws.
import init, {
  exampleNames,
  loadExample,
  Methodology,
  methodologyNames,
  PublishedResults,
  Questionnaire,
  score,
  scoreFile,
  Tally,
} from "../pkg-web/parindex_wasm.js";
import { LABELS } from "./i18n.js";

const $ = (id) => document.getElementById(id);

const state = {
  lang: "vi",
  results: null, // Results (WebAssembly memory: freed when replaced)
  source: null, // what the results were scored from, for the sensitivity worker to score again
  nodes: new Map(), // code → {code, parent, name, nameEn, max, leaf, rule}
  domains: [], // top-level codes, in order
  places: 2,
  bands: [], // [{label, min}]
  exact: new Map(), // unit → row with exact values (for sorting)
  rows: [], // rows rounded as published, by rank (for display)
  sort: { key: "rank", dir: 1 },
  unit: null, // the unit shown below the table
  explanation: null,
  original: new Map(), // leaf code → its input as the scores hold it ("NA" when it does not apply)
  fileMethodology: null, // a Methodology read from a file
  scoresFile: null, // {bytes, name}
  previous: null, // last year's PublishedResults, when picked
  previousName: null,
  changes: null, // unit → its row of the comparison with last year
};

// --- labels -----------------------------------------------------------------------------------

function t(key, ...args) {
  const label = LABELS[state.lang][key];
  return typeof label === "function" ? label(...args) : label;
}

function applyLabels() {
  document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
}

/** A node's name in the page's language (the English name when the methodology has one). */
function nodeName(code) {
  const n = state.nodes.get(code);
  if (!n) return code;
  return state.lang === "en" && n.nameEn ? n.nameEn : n.name;
}

// --- small DOM helpers ------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) e.append(c instanceof Node ? c : String(c ?? ""));
  return e;
}

const numCell = (text, attrs = {}) => el("td", { class: "num", ...attrs }, text ?? "");

function bandBadge(band) {
  return band ? el("span", { class: `band band-${band}` }, band) : "";
}

function table(header, rows, attrs = {}) {
  return el(
    "table",
    attrs,
    el("thead", {}, el("tr", {}, header.map(([label, numeric]) => el("th", { class: numeric ? "num" : null }, label)))),
    el("tbody", {}, rows),
  );
}

// --- errors -----------------------------------------------------------------------------------

/** Shows every issue of a thrown error (code, location, message) in an error box. */
function showErrors(box, e) {
  const issues = e?.errors?.length ? e.errors : [{ code: e?.code ?? e?.name ?? "error", path: "", message: String(e?.message ?? e) }];
  box.querySelector("tbody").replaceChildren(
    ...issues.map((i) => {
      const text = i.path && i.message.startsWith(`${i.path}: `) ? i.message.slice(i.path.length + 2) : i.message;
      return el("tr", { class: "issue", dataset: { code: i.code } }, el("td", {}, i.code), el("td", {}, i.path), el("td", {}, text));
    }),
  );
  box.hidden = false;
}

function hideErrors(box) {
  box.hidden = true;
  box.querySelector("tbody").replaceChildren();
}

// --- loading ----------------------------------------------------------------------------------

/**
 * Makes `results` the page's results; `methodology` (freed by the caller) gives the tree;
 * `source` says how to score them again (`{example}` or `{methodology, scores, name}`).
 */
function setResults(results, methodology, label, source) {
  state.results?.free();
  state.results = results;
  state.source = source;
  state.nodes = new Map(methodology.nodes().map((n) => [n.code, n]));
  state.domains = [...state.nodes.values()].filter((n) => n.parent === null).map((n) => n.code);
  const settings = JSON.parse(methodology.toJson()).settings ?? {};
  state.places = settings.rounding?.places ?? 2;
  state.bands = settings.bands ?? [];
  state.exact = new Map(results.toRows().map((r) => [r.unit, r]));
  state.rows = results.toRows({ round: state.places });
  state.sort = { key: "rank", dir: 1 };
  state.label = label;
  compareWithPrevious();
  hideErrors($("errors"));
  closeUnit();
  renderBoard();
  renderSensitivity(results);
  const status = $("status");
  status.className = "";
  status.dataset.state = "ok";
  status.textContent = t("loaded", label, results.length);
}

function openExample(name) {
  const [m, s] = loadExample(name);
  try {
    setResults(score(m, s), m, `${m.name} (${name})`, { example: name });
  } finally {
    m.free();
    s.free();
  }
}

/** A file or example that cannot be scored: its errors replace the table (no stale results). */
function fail(e) {
  showErrors($("errors"), e);
  state.results?.free();
  state.results = null;
  state.source = null;
  closeUnit();
  renderSensitivity(null);
  $("board").hidden = true;
  const status = $("status");
  status.className = "error";
  status.dataset.state = "error";
  status.textContent = e?.errors?.length ? `${e.errors.length} × ${e.errors[0].code}` : String(e?.message ?? e);
}

async function bytesOf(file) {
  return new Uint8Array(await file.arrayBuffer());
}

async function pickMethodology(file) {
  try {
    const m = Methodology.read(await bytesOf(file), file.name);
    state.fileMethodology?.free();
    state.fileMethodology = m;
    $("bundled-methodology").value = "";
    hideErrors($("errors"));
    if (state.scoresFile) scoreFiles();
    else $("status").textContent = t("methodologyLoaded", m.id);
  } catch (e) {
    fail(e);
  }
}

async function pickScores(file) {
  state.scoresFile = { bytes: await bytesOf(file), name: file.name };
  scoreFiles();
}

/** Scores the chosen score sheet against the methodology file, or the bundled one chosen. */
function scoreFiles() {
  const bundled = $("bundled-methodology").value;
  const m = bundled ? Methodology.example(bundled) : state.fileMethodology;
  if (!m) {
    fail(new Error(t("methodologyFile")));
    return;
  }
  try {
    const { bytes, name } = state.scoresFile;
    setResults(scoreFile(m, bytes, name), m, `${m.name} — ${name}`, { methodology: m.toJson(), scores: bytes, name });
  } catch (e) {
    fail(e);
  } finally {
    if (bundled) m.free();
  }
}

/** Files dropped on the drop zone: a `.json` file or one named like a methodology is the methodology. */
async function dropFiles(files) {
  const list = [...files];
  const isMethodology = (f) => /\.json$/i.test(f.name) || /methodolog|tieu-?chi|tiêu chí/i.test(f.name);
  const m = list.find(isMethodology);
  const s = list.find((f) => f !== m);
  if (m) await pickMethodology(m);
  if (s) await pickScores(s);
}

// --- the ranked table -------------------------------------------------------------------------

function columns() {
  return [
    { key: "rank", label: t("rank"), numeric: true },
    { key: "unit", label: t("unit") },
    { key: "name", label: t("name") },
    { key: "group", label: t("group") },
    { key: "points", label: t("points"), numeric: true, decimal: true },
    { key: "percent", label: t("percent"), numeric: true, decimal: true },
    { key: "band", label: t("band") },
    ...(state.changes
      ? [
          { key: "previous_rank", label: t("previousRank"), numeric: true },
          { key: "movement", label: t("yearMovement") },
        ]
      : []),
    ...state.domains.map((code) => ({ key: code, label: code, title: nodeName(code), numeric: true, decimal: true })),
  ];
}

// --- last year, as published: its results file adds the previous rank and the movement -------

/** Reads last year's results (CSV, JSON or the report workbook) and compares the table with them. */
async function pickPrevious(file) {
  try {
    const previous = PublishedResults.read(await bytesOf(file), file.name);
    state.previous?.free();
    state.previous = previous;
    state.previousName = file.name;
    hideErrors($("previous-errors"));
    compareWithPrevious();
    renderBoard();
  } catch (e) {
    showErrors($("previous-errors"), e);
  }
}

function clearPrevious() {
  state.previous?.free();
  state.previous = null;
  state.changes = null;
  $("previous-file").value = "";
  compareWithPrevious();
  renderBoard();
}

/** The comparison of the results shown with last year's (none without both). */
function compareWithPrevious() {
  const { results, previous } = state;
  state.changes = results && previous ? new Map(results.comparePublished(previous).units.map((u) => [u.unit, u])) : null;
  $("previous-clear").hidden = !previous;
  $("previous-status").textContent = previous ? t("previousLoaded", state.previousName, previous.length) : "";
}

/** Compares two decimal strings exactly (no floats); `null` (not applicable) sorts last. */
function compareDecimal(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  const parse = (s) => {
    const neg = s.startsWith("-");
    const [int, frac = ""] = s.replace(/^[-+]/, "").split(".");
    return { neg, int, frac };
  };
  const x = parse(a);
  const y = parse(b);
  const width = Math.max(x.frac.length, y.frac.length);
  const big = (p) => (p.neg ? -1n : 1n) * BigInt(p.int + p.frac.padEnd(width, "0"));
  const d = big(x) - big(y);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

function sortedRows() {
  const { key, dir } = state.sort;
  const col = columns().find((c) => c.key === key);
  const rows = [...state.rows];
  rows.sort((r1, r2) => {
    const value = (r) => (key in r ? state.exact.get(r.unit)[key] : state.changes?.get(r.unit)?.[key] ?? null);
    const a = key === "previous_rank" ? Number(value(r1) ?? Infinity) : value(r1);
    const b = key === "previous_rank" ? Number(value(r2) ?? Infinity) : value(r2);
    let c;
    if (col?.decimal) c = compareDecimal(a, b);
    else if (key === "rank") c = (a ?? Infinity) - (b ?? Infinity);
    else if (key === "previous_rank") c = a - b || 0;
    else if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    else c = String(a).localeCompare(String(b), "vi");
    return c * dir;
  });
  return rows;
}

function renderBoard() {
  const results = state.results;
  if (!results) return;
  $("board").hidden = false;
  $("caption").textContent = `${t("ranking")}: ${state.label}`;
  const cols = columns();
  const head = el(
    "tr",
    {},
    cols.map((c) => {
      const th = el("th", { class: c.numeric ? "num" : null, title: c.title, dataset: { key: c.key }, scope: "col" }, c.label);
      if (state.sort.key === c.key) th.setAttribute("aria-sort", state.sort.dir > 0 ? "ascending" : "descending");
      th.addEventListener("click", () => {
        const numericDesc = c.decimal; // points and indices sort best first on the first click
        if (state.sort.key === c.key) state.sort.dir = -state.sort.dir;
        else state.sort = { key: c.key, dir: numericDesc ? -1 : 1 };
        renderBoard();
      });
      return th;
    }),
  );
  const body = sortedRows().map((row) => {
    const tr = el(
      "tr",
      { dataset: { unit: row.unit }, class: row.unit === state.unit ? "selected" : null, tabindex: 0 },
      cols.map((c) => {
        const change = state.changes?.get(row.unit);
        if (c.key === "previous_rank") return numCell(change?.previous_rank ?? "–", { dataset: { key: c.key } });
        if (c.key === "movement") return el("td", { dataset: { key: c.key } }, change?.movement ?? "");
        const v = row[c.key];
        if (c.key === "band") return el("td", {}, bandBadge(v));
        if (c.key === "rank") return numCell(v ?? "–", { title: v === null ? t("notRanked") : null });
        return c.numeric ? numCell(v ?? "NA", { dataset: { key: c.key } }) : el("td", { dataset: { key: c.key } }, v ?? "");
      }),
    );
    tr.addEventListener("click", () => openUnit(row.unit));
    tr.addEventListener("keydown", (ev) => ev.key === "Enter" && openUnit(row.unit));
    return tr;
  });
  $("ranking").tHead.replaceChildren(head);
  $("ranking").tBodies[0].replaceChildren(...body);
}

// --- downloads: the report, the result workbook, the fill-in template --------------------------

/** Saves `data` as a file named `name` (no server: a link to an object URL, clicked). */
function download(name, data, type) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = el("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** Writes one of the documents of the results shown, in the page's language. */
function downloadDocument(kind) {
  const results = state.results;
  if (!results) return;
  // Named after the example or the score sheet the results came from.
  const from = state.source?.example ?? state.source?.name ?? "parindex";
  const stem = from.replace(/\.[a-z]+$/i, "").replace(/[^\p{L}\p{N}._-]+/gu, "-");
  const options = { lang: state.lang };
  // With last year's results picked, the report and the workbook add the year-over-year parts.
  const shown = state.previous ? results.withPreviousPublished(state.previous) : results;
  try {
    if (kind === "html") download(`${stem}.report.html`, shown.toHtml(options), "text/html;charset=utf-8");
    if (kind === "xlsx") download(`${stem}.results.xlsx`, shown.toXlsx(options), XLSX);
    if (kind === "template") download(`${stem}.template.xlsx`, results.templateXlsx(options), XLSX);
  } catch (e) {
    showErrors($("errors"), e);
  } finally {
    if (shown !== results) shown.free();
  }
}

// --- one unit: explanation, chart, plan, what-if ----------------------------------------------

function closeUnit() {
  state.unit = null;
  state.explanation = null;
  $("unit").hidden = true;
  for (const tr of document.querySelectorAll("#ranking tbody tr.selected")) tr.classList.remove("selected");
}

function openUnit(unit) {
  state.unit = unit;
  try {
    state.explanation = state.results.explain(unit, { round: state.places, top: 5 });
    // What-if edits start from the inputs as the scores hold them (exact, not rounded).
    const exact = state.results.explain(unit, { top: 0 });
    state.original = new Map(exact.leaves.map((l) => [l.code, l.input ?? "NA"]));
  } catch (e) {
    showErrors($("errors"), e);
    return;
  }
  for (const tr of document.querySelectorAll("#ranking tbody tr")) tr.classList.toggle("selected", tr.dataset.unit === unit);
  $("unit").hidden = false;
  renderUnit();
  $("unit").scrollIntoView({ behavior: "smooth", block: "start" });
}

function renderUnit() {
  const e = state.explanation;
  if (!e) return;
  $("unit-title").textContent = `${e.name ?? e.unit} (${e.unit})${e.group ? ` — ${e.group}` : ""}`;
  $("unit-summary").textContent = t("summary", { ...e, percent: e.published_percent });
  const gaps = [];
  if (e.gap_to_above) gaps.push(t("gapAbove", e.gap_to_above));
  if (e.next_band) gaps.push(t("nextBand", e.next_band.band, e.next_band.gap_percent));
  $("unit-gaps").textContent = gaps.join(" ");
  renderChart(e);
  renderLeaves(e);
  renderPlanForm(e);
  renderWhatIf();
}

/** An SVG bar per domain: the points earned (from the results) against the domain's maximum. */
function renderChart(e) {
  const row = state.rows.find((r) => r.unit === e.unit);
  const domains = state.domains.map((code) => ({ code, max: state.nodes.get(code).max, points: row?.[code] ?? null }));
  const top = Math.max(...domains.map((d) => Number(d.max)), 1);
  const W = 640;
  const labelW = 250;
  const barW = W - labelW - 90;
  const H = 26;
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${domains.length * H + 8}`);
  svg.setAttribute("width", String(W));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("chartTitle"));
  const add = (tag, attrs, text) => {
    const n = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    if (text !== undefined) n.textContent = text;
    svg.append(n);
    return n;
  };
  domains.forEach((d, i) => {
    const y = i * H + 4;
    const name = nodeName(d.code);
    add("text", { x: 0, y: y + 15 }, `${d.code}. ${name.length > 34 ? `${name.slice(0, 33)}…` : name}`).append(
      Object.assign(document.createElementNS(NS, "title"), { textContent: name }),
    );
    const wMax = (Number(d.max) / top) * barW;
    add("rect", { class: "bar-max", x: labelW, y, width: wMax, height: H - 8, rx: 2 });
    if (d.points !== null) {
      const wPts = Math.max(0, Math.min(wMax, (Number(d.points) / top) * barW));
      add("rect", { class: "bar-points", x: labelW, y, width: wPts, height: H - 8, rx: 2, "data-code": d.code, "data-points": d.points });
    }
    add("text", { x: labelW + wMax + 6, y: y + 15 }, `${d.points ?? "NA"} / ${d.max}`);
  });
  $("chart-svg").replaceChildren(svg);
}

/** Every leaf: its maximum, input, points, what it lost and how the rule gave its points. */
function renderLeaves(e) {
  const top = new Set(e.top_losses);
  const rows = e.leaves.map((l) =>
    el(
      "tr",
      { class: top.has(l.code) ? "top-loss" : null, dataset: { code: l.code }, title: top.has(l.code) ? t("topLoss") : null },
      el("td", {}, l.code),
      el("td", {}, nodeName(l.code)),
      numCell(l.max),
      numCell(l.input ?? "NA"),
      numCell(l.points ?? "NA"),
      numCell(l.lost ?? ""),
      el("td", { class: "small" }, l.rule),
    ),
  );
  $("leaves").replaceWith(
    Object.assign(
      table(
        [[t("criterion")], [t("name")], [t("max"), true], [t("input"), true], [t("earned"), true], [t("lost"), true], [t("rule")]],
        rows,
        { id: "leaves" },
      ),
    ),
  );
}

function renderPlanForm(e) {
  const bandSelect = $("plan-band");
  bandSelect.replaceChildren(...state.bands.map((b) => new Option(`${b.label} (≥ ${b.min})`, b.label)));
  const kind = $("plan-kind");
  if (!state.bands.length) kind.value = "rank";
  // A sensible first target: the next band, else one rank up, else 100 %.
  if (e.next_band && state.bands.length) {
    kind.value = "band";
    bandSelect.value = e.next_band.band;
  } else if (e.rank && e.rank > 1) {
    kind.value = "rank";
    $("plan-value").value = String(e.rank - 1);
  } else if (kind.value === "band" && state.bands.length) {
    bandSelect.value = state.bands[0].label;
  }
  syncPlanKind();
  hideErrors($("plan-errors"));
  $("plan-out").replaceChildren();
}

function syncPlanKind() {
  const kind = $("plan-kind").value;
  $("plan-band").hidden = kind !== "band";
  $("plan-value").hidden = kind === "band";
  if (kind === "percent" && !/^\d+(\.\d+)?$/.test($("plan-value").value)) $("plan-value").value = "90";
  if (kind === "rank" && !/^\d+$/.test($("plan-value").value)) $("plan-value").value = "1";
}

function standingTable(rows) {
  return table(
    [[""], [t("points"), true], [t("percent"), true], [t("rank"), true], [t("group"), true], [t("band")]],
    rows.map(([label, s, key]) =>
      el(
        "tr",
        { dataset: { standing: key } },
        el("td", {}, label),
        numCell(s.points),
        numCell(s.published_percent),
        numCell(s.rank ? `${s.rank}/${s.of}` : "–", { dataset: { field: "rank" } }),
        numCell(s.group_rank ? `${s.group_rank}/${s.group_size}` : "–"),
        el("td", { dataset: { field: "band" } }, bandBadge(s.band)),
      ),
    ),
    { class: "standing" },
  );
}

function makePlan(ev) {
  ev.preventDefault();
  const kind = $("plan-kind").value;
  const target = `${kind}:${kind === "band" ? $("plan-band").value : $("plan-value").value.trim()}`;
  hideErrors($("plan-errors"));
  const out = $("plan-out");
  try {
    const p = state.results.plan(state.unit, target, { round: state.places });
    // The index the target requires, exact (rounded, 79.995 would read 80.00).
    const exact = state.results.plan(state.unit, target);
    const need = { ...p, required_percent: exact.required_percent, strict: exact.strict };
    const parts = [el("p", { id: "plan-summary" }, p.already_met ? t("alreadyMet") : t("planSummary", need))];
    if (p.steps.length) {
      parts.push(
        table(
          [[t("criterion")], [t("name")], [t("from"), true], [t("to"), true], [t("gain"), true], [t("effect"), true]],
          p.steps.map((s) =>
            el("tr", { dataset: { code: s.code } }, el("td", {}, s.code), el("td", {}, nodeName(s.code)), numCell(s.from), numCell(s.to), numCell(s.gain), numCell(s.effect)),
          ),
          { id: "plan-steps" },
        ),
      );
    }
    parts.push(standingTable([[t("now"), p.before, "before"], [t("after"), p.after, "after"]]));
    out.replaceChildren(...parts);
  } catch (e) {
    out.replaceChildren();
    showErrors($("plan-errors"), e);
  }
}

/** The what-if editor: one input per leaf, prefilled with the unit's inputs. */
function renderWhatIf() {
  const e = state.explanation;
  const rows = e.leaves.map((l) => {
    const node = state.nodes.get(l.code);
    const original = state.original.get(l.code);
    let input;
    if (node?.rule === "yes_no") {
      input = el(
        "select",
        { dataset: { code: l.code }, "aria-label": l.code },
        el("option", { value: "1" }, t("yes")),
        el("option", { value: "0" }, t("no")),
        el("option", { value: "NA" }, t("na")),
      );
    } else {
      input = el("input", { type: "text", inputmode: "decimal", dataset: { code: l.code }, "aria-label": l.code });
    }
    input.value = original;
    input.addEventListener(input.tagName === "SELECT" ? "change" : "input", scheduleWhatIf);
    return el(
      "tr",
      { dataset: { code: l.code } },
      el("td", {}, l.code),
      el("td", {}, nodeName(l.code)),
      numCell(l.max),
      el("td", { class: "num" }, input),
      el("td", { class: "small" }, node?.rule || ""),
    );
  });
  $("whatif").replaceWith(table([[t("criterion")], [t("name")], [t("max"), true], [t("input"), true], [t("rule")]], rows, { id: "whatif" }));
  hideErrors($("whatif-errors"));
  updateWhatIf();
}

let whatIfTimer = 0;
function scheduleWhatIf() {
  clearTimeout(whatIfTimer);
  whatIfTimer = setTimeout(updateWhatIf, 120);
}

/** Scores the unit again with the edited leaves; the other units as they are. */
function updateWhatIf() {
  const changes = [];
  for (const input of document.querySelectorAll("#whatif [data-code]")) {
    if (input.tagName === "TR") continue;
    const value = input.value.trim();
    const changed = value !== state.original.get(input.dataset.code);
    input.classList.toggle("changed", changed);
    if (changed) changes.push([input.dataset.code, value]);
  }
  const out = $("whatif-out");
  out.dataset.changes = String(changes.length);
  try {
    const w = state.results.whatIf(state.unit, changes, { round: state.places });
    hideErrors($("whatif-errors"));
    const move = w.movement;
    const cls = move.startsWith("up") ? "up" : move.startsWith("down") ? "down" : null;
    out.replaceChildren(
      standingTable([[t("before"), w.before, "before"], [t("afterChanges"), w.after, "after"]]),
      el("p", {}, `${t("change")}: `, el("span", { id: "whatif-points-change" }, w.points_change ?? "0"), ` ${t("points").toLowerCase()} · ${t("movement")}: `, el("span", { id: "whatif-movement", class: cls }, move)),
    );
  } catch (e) {
    showErrors($("whatif-errors"), e);
  }
}

// --- sensitivity: rank intervals under uncertain weights and noise ---------------------------

const SVG = "http://www.w3.org/2000/svg";

const sens = {
  worker: null, // the module worker (created at the first run, kept for the next)
  inPage: false, // no worker here (or it failed to load): run on the page's thread
  run: 0, // the current run's id (messages of older runs are ignored)
  running: false,
  progress: [0, 0], // [done, total]
  updates: 0, // progress reports received in this run
  result: null, // the last SensitivityResult
};

/** New results (or none): an analysis of the old ones is dropped; the section starts empty. */
function renderSensitivity(results) {
  cancelSensitivity();
  sens.result = null;
  $("sensitivity").hidden = !results;
  $("sensitivity").dataset.state = "idle";
  hideErrors($("sens-errors"));
  setProgress(0, 0);
  $("sens-summary").textContent = "";
  $("sens-figure").hidden = true;
  $("sens-chart").replaceChildren();
}

function cancelSensitivity() {
  sens.run++;
  if (sens.running && sens.worker) {
    sens.worker.terminate(); // a worker busy in WebAssembly cannot be interrupted otherwise
    sens.worker = null;
  }
  sens.running = false;
  $("sens-run").disabled = false;
}

function setProgress(done, total) {
  sens.progress = [done, total];
  const percent = total ? Math.floor((done * 100) / total) : 0;
  const bar = $("sens-progress");
  bar.value = percent;
  bar.dataset.done = String(done);
  bar.dataset.total = String(total);
  bar.dataset.updates = String(sens.updates);
  $("sens-progress-text").textContent = total ? t("sensProgress", done, total, percent) : "";
}

/** `25` (per cent) → `0.25`, digit by digit (no float), `,` accepted as the decimal mark. */
function percentToFraction(text) {
  const m = /^(\d+)(?:[.,](\d+))?$/.exec(text);
  if (!m) return null;
  const frac = m[2] ?? "";
  const digits = (m[1] + frac).padStart(frac.length + 3, "0");
  const cut = digits.length - frac.length - 2;
  return `${digits.slice(0, cut)}.${digits.slice(cut)}`.replace(/0+$/, "").replace(/\.$/, "").replace(/^0+(?=\d)/, "");
}

/** The form's options for `Results.sensitivity`; throws located issues for fields it cannot read. */
function sensitivityOptions() {
  const field = (id) => $(id).value.trim();
  const issues = [];
  const bad = (id, key) => issues.push({ code: "invalid_argument", path: t(key), message: t("sensInvalid", field(id)) });
  const options = {};
  if (/^\d+$/.test(field("sens-runs")) && Number.isSafeInteger(Number(field("sens-runs")))) options.runs = Number(field("sens-runs"));
  else bad("sens-runs", "sensRuns");
  if (/^\d+$/.test(field("sens-seed")) && Number.isSafeInteger(Number(field("sens-seed")))) options.seed = Number(field("sens-seed"));
  else bad("sens-seed", "sensSeed");
  if (field("sens-spread") !== "") {
    const spread = percentToFraction(field("sens-spread"));
    if (spread === null) bad("sens-spread", "sensSpread");
    else options.weights = `uniform:${spread}`;
  }
  if (field("sens-noise") !== "") {
    const noise = field("sens-noise").replace(",", ".");
    if (!/^\d+(\.\d+)?$/.test(noise)) bad("sens-noise", "sensNoise");
    else options.noise = noise;
  }
  if (issues.length) throw Object.assign(new Error(issues.map((i) => `${i.path}: ${i.message}`).join("\n")), { code: issues[0].code, errors: issues });
  return options;
}

function sensitivityWorker() {
  if (!sens.worker) {
    sens.worker = new Worker(new URL("./sensitivity-worker.js", import.meta.url), { type: "module" });
    sens.worker.addEventListener("message", ({ data }) => {
      if (data.id !== sens.run || !sens.running) return;
      if (data.type === "progress") onSensitivityProgress(data.done, data.total);
      else if (data.type === "done") onSensitivityDone(data.result);
      else onSensitivityError(data.error);
    });
    // The worker could not start (no module workers here): run on the page from now on.
    sens.worker.addEventListener("error", (ev) => {
      ev.preventDefault();
      sens.worker = null;
      sens.inPage = true;
      if (sens.running && sens.pending) runInPage(sens.pending);
    });
  }
  return sens.worker;
}

/** On the page's thread: the bar shows the end only (nothing repaints during the call). */
function runInPage(options) {
  const id = sens.run;
  try {
    const result = state.results.sensitivity({ ...options, progress: (done, total) => id === sens.run && onSensitivityProgress(done, total) });
    if (id === sens.run) onSensitivityDone(result);
  } catch (e) {
    if (id === sens.run) onSensitivityError(e);
  }
}

function runSensitivity(ev) {
  ev.preventDefault();
  if (!state.results) return;
  cancelSensitivity();
  hideErrors($("sens-errors"));
  let options;
  try {
    options = sensitivityOptions();
  } catch (e) {
    showErrors($("sens-errors"), e);
    return;
  }
  sens.running = true;
  sens.updates = 0;
  sens.pending = options;
  $("sens-run").disabled = true;
  $("sensitivity").dataset.state = "running";
  setProgress(0, options.runs);
  let worker = null;
  if (!sens.inPage && typeof Worker === "function") {
    try {
      worker = sensitivityWorker();
    } catch {
      sens.inPage = true;
    }
  }
  if (worker) worker.postMessage({ id: sens.run, source: state.source, options });
  else setTimeout(() => runInPage(options), 0); // let the "running" state paint first
}

function onSensitivityProgress(done, total) {
  sens.updates++;
  setProgress(done, total);
}

function onSensitivityDone(result) {
  sens.running = false;
  sens.result = result;
  $("sens-run").disabled = false;
  $("sensitivity").dataset.state = "done";
  setProgress(sens.progress[1] || result.runs, result.runs);
  renderSensitivityResult();
}

function onSensitivityError(e) {
  sens.running = false;
  $("sens-run").disabled = false;
  $("sensitivity").dataset.state = "error";
  showErrors($("sens-errors"), e);
}

function renderSensitivityResult() {
  const out = sens.result;
  if (!out) return;
  $("sens-summary").textContent = t("sensSummary", out);
  const [low, high] = out.percentiles;
  $("sens-legend").replaceChildren(
    el("span", { class: "key key-interval" }), ` ${t("sensInterval", low, high)} `,
    el("span", { class: "key key-median" }), ` ${t("sensMedian")} `,
    el("span", { class: "key key-nominal" }), ` ${t("sensNominal")}`,
  );
  $("sens-chart").replaceChildren(rankIntervalChart(out));
  $("sens-figure").hidden = false;
}

/** Each unit a row, by nominal rank: a line from the low to the high percentile rank, a dot at
 *  the median, a tick at the nominal rank; rank 1 on the left. */
function rankIntervalChart(out) {
  const units = [...out.units].sort((a, b) => a.nominal_rank - b.nominal_rank);
  const n = Math.max(2, units.length, ...units.map((u) => u.high));
  const labelW = 240;
  const right = 90;
  const W = 820;
  const rowH = 20;
  const top = 34;
  const H = top + units.length * rowH + 8;
  const left = labelW + 14; // rank 1, clear of the labels
  const x = (rank) => left + ((rank - 1) / (n - 1)) * (W - left - right);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("width", String(W));
  svg.setAttribute("class", "sens-chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("sensChartTitle"));
  const add = (parent, tag, attrs, text) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    parent.append(node);
    return node;
  };
  // The rank axis on top, with a grid line per tick.
  const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500].find((s) => n / s <= 16) ?? Math.ceil(n / 16);
  const ticks = [1];
  for (let r = step; r <= n; r += step) if (r > 1) ticks.push(r);
  add(svg, "text", { x: labelW - 8, y: 12, "text-anchor": "end", class: "axis-title" }, t("sensAxis"));
  for (const r of ticks) {
    add(svg, "line", { x1: x(r), x2: x(r), y1: top - 6, y2: H - 4, class: "grid" });
    add(svg, "text", { x: x(r), y: top - 10, "text-anchor": "middle", class: "tick" }, r);
  }
  const percentiles = out.percentiles;
  units.forEach((u, i) => {
    const y = top + i * rowH + rowH / 2;
    const g = add(svg, "g", {
      class: "sens-row",
      "data-unit": u.id,
      "data-nominal": u.nominal_rank,
      "data-median": u.median,
      "data-low": u.low,
      "data-high": u.high,
    });
    add(g, "title", {}, t("sensRowTitle", u, percentiles));
    if (i % 2) add(g, "rect", { x: 0, y: y - rowH / 2, width: W, height: rowH, class: "stripe" });
    const name = `${u.nominal_rank}. ${u.name ?? u.id}`;
    add(g, "text", { x: labelW - 8, y: y + 4, "text-anchor": "end" }, name.length > 36 ? `${name.slice(0, 35)}…` : name);
    add(g, "line", { x1: x(u.low), x2: x(u.high), y1: y, y2: y, class: "interval" });
    add(g, "line", { x1: x(u.nominal_rank), x2: x(u.nominal_rank), y1: y - 7, y2: y + 7, class: "nominal" });
    add(g, "circle", { cx: x(u.median), cy: y, r: 4.5, class: "median" });
    add(g, "text", { x: W - right + 10, y: y + 4, class: "range" }, u.low === u.high ? `${u.median}` : `${u.median} (${u.low}–${u.high})`);
  });
  return svg;
}

// --- the SIPAS survey -------------------------------------------------------------------------

const survey = { elements: null, rows: null }; // the questionnaire's elements; the estimates

/** A share (a number rounded to 4 places by the package) as a percentage with 2 places: digits shifted, no float arithmetic. */
function sharePercent(share) {
  if (share === null || share === undefined) return "–";
  const [int, frac] = share.toFixed(4).split(".");
  return `${BigInt(int + frac.slice(0, 2))}.${frac.slice(2)}`;
}

function loadSurvey() {
  showSurvey(() => {
    const q = Questionnaire.example("sipas-demo");
    return [q, Tally.example("sipas-demo")];
  });
}

/** The responses picked (CSV or Excel, several files merged), on the questionnaire picked or the sample's. */
async function surveyFiles() {
  const picked = $("survey-questionnaire").files[0];
  const files = [...$("survey-responses").files];
  if (files.length === 0) return;
  const questionnaire = picked ? [await bytesOf(picked), picked.name] : null;
  const responses = await Promise.all(files.map(async (f) => [await bytesOf(f), f.name]));
  showSurvey(() => {
    const q = questionnaire ? Questionnaire.fromJson(...questionnaire) : Questionnaire.example("sipas-demo");
    const tally = new Tally(q);
    try {
      for (const [bytes, name] of responses) tally.addCsv(bytes, name);
    } catch (e) {
      tally.free();
      q.free();
      throw e;
    }
    return [q, tally];
  });
}

/** Estimates from what `make` returns (`[questionnaire, tally]`), or its errors, located. */
function showSurvey(make) {
  hideErrors($("survey-errors"));
  let q = null;
  let tally = null;
  let results = null;
  try {
    [q, tally] = make();
    survey.elements = JSON.parse(q.toJson()).elements ?? [];
    survey.respondents = tally.respondents;
    results = tally.results({ by: ["unit", "all"] });
    survey.rows = results.toRows({ round: 4 }).filter((r) => r.level !== "item");
    renderSurvey();
  } catch (e) {
    survey.rows = null;
    $("survey-table").hidden = true;
    $("survey-summary").textContent = "";
    showErrors($("survey-errors"), e);
  } finally {
    results?.free();
    tally?.free();
    q?.free();
  }
}

/** Per unit (and for all respondents): the overall index and each element's index, in %. */
function renderSurvey() {
  if (!survey.rows) return;
  const domains = [];
  const byId = new Map();
  for (const r of survey.rows) {
    const key = `${r.domain}:${r.id}`;
    if (!byId.has(key)) {
      byId.set(key, { domain: r.domain, id: r.id, respondents: r.respondents, overall: null, elements: {} });
      domains.push(byId.get(key));
    }
    const d = byId.get(key);
    if (r.level === "overall") d.overall = r.share;
    else d.elements[r.code] = r.share;
  }
  const name = (e) => (state.lang === "en" && e.name_en ? e.name_en : e.name);
  const head = el(
    "tr",
    {},
    el("th", {}, t("unit")),
    el("th", { class: "num" }, t("surveyRespondents")),
    el("th", { class: "num" }, t("surveyOverall")),
    survey.elements.map((e) => el("th", { class: "num", title: e.code, dataset: { element: e.code } }, name(e))),
  );
  const body = domains.map((d) =>
    el(
      "tr",
      { dataset: { unit: d.id, domain: d.domain }, class: d.domain === "all" ? "total" : null },
      el("td", {}, d.domain === "all" ? t("surveyAll") : d.id),
      numCell(d.respondents),
      numCell(sharePercent(d.overall), { dataset: { share: d.overall ?? "" } }),
      survey.elements.map((e) => numCell(sharePercent(d.elements[e.code] ?? null), { dataset: { element: e.code, share: d.elements[e.code] ?? "" } })),
    ),
  );
  const tableEl = $("survey-table");
  tableEl.tHead.replaceChildren(head);
  tableEl.tBodies[0].replaceChildren(...body);
  tableEl.hidden = false;
  $("survey-summary").textContent = t("surveySummary", survey.respondents, domains.filter((d) => d.domain === "unit").length);
}

// --- start ------------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  applyLabels();
  try {
    await init();
    const select = $("example");
    for (const name of exampleNames()) select.append(new Option(name, name));
    const bundled = $("bundled-methodology");
    bundled.append(new Option("—", ""));
    for (const name of methodologyNames()) bundled.append(new Option(name, name));
    select.addEventListener("change", () => {
      try {
        openExample(select.value);
      } catch (e) {
        fail(e);
      }
    });
    $("methodology-file").addEventListener("change", (ev) => ev.target.files[0] && pickMethodology(ev.target.files[0]));
    $("scores-file").addEventListener("change", (ev) => ev.target.files[0] && pickScores(ev.target.files[0]));
    $("previous-file").addEventListener("change", (ev) => ev.target.files[0] && pickPrevious(ev.target.files[0]));
    $("previous-clear").addEventListener("click", clearPrevious);
    bundled.addEventListener("change", () => {
      if (bundled.value) {
        state.fileMethodology?.free();
        state.fileMethodology = null;
        $("methodology-file").value = "";
      }
      if (state.scoresFile) scoreFiles();
    });
    // Files dropped anywhere on the page are read (never opened by the browser in place of it).
    const drop = $("drop");
    window.addEventListener("dragover", (ev) => {
      ev.preventDefault();
      drop.classList.add("over");
    });
    window.addEventListener("dragleave", (ev) => ev.relatedTarget === null && drop.classList.remove("over"));
    window.addEventListener("drop", (ev) => {
      ev.preventDefault();
      drop.classList.remove("over");
      if (ev.dataTransfer?.files.length) dropFiles(ev.dataTransfer.files);
    });
    $("lang").addEventListener("click", () => {
      state.lang = state.lang === "vi" ? "en" : "vi";
      applyLabels();
      renderBoard();
      if (state.unit) {
        const keep = new Map([...document.querySelectorAll("#whatif [data-code]")].filter((i) => i.tagName !== "TR").map((i) => [i.dataset.code, i.value]));
        renderUnit();
        for (const input of document.querySelectorAll("#whatif [data-code]")) if (keep.has(input.dataset.code)) input.value = keep.get(input.dataset.code);
        updateWhatIf();
      }
      if (state.results) $("status").textContent = t("loaded", state.label, state.results.length);
      setProgress(...sens.progress);
      renderSensitivityResult();
      renderSurvey();
    });
    for (const kind of ["html", "xlsx", "template"]) {
      $(`download-${kind}`).addEventListener("click", () => downloadDocument(kind));
    }
    $("unit-close").addEventListener("click", closeUnit);
    $("plan-kind").addEventListener("change", syncPlanKind);
    $("plan-form").addEventListener("submit", makePlan);
    $("whatif-reset").addEventListener("click", () => renderWhatIf());
    $("sens-form").addEventListener("submit", runSensitivity);
    $("survey-load").addEventListener("click", loadSurvey);
    $("survey-responses").addEventListener("change", surveyFiles);
    $("survey-questionnaire").addEventListener("change", surveyFiles);
    openExample(select.value);
    // The browser test reads how long the page took to become usable.
    document.body.dataset.ready = "true";
    document.body.dataset.readyMs = String(Math.round(performance.now())); // since navigation start
    document.body.dataset.initMs = String(Math.round(performance.now() - started));
  } catch (e) {
    fail(e);
  }
}

main();
