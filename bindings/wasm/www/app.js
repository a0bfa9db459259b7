// The scoreboard: pick a bundled example or drop a methodology and a score sheet, see the
// ranked table, click a unit for its explanation, a plan to reach a target and a live what-if.
// No scoring logic here: every number comes from the WebAssembly package (the same core as the
// `parindex` command), printed as it gives it. The page only lays out, sorts and draws.
import init, {
  exampleNames,
  loadExample,
  Methodology,
  methodologyNames,
  score,
  scoreFile,
} from "../pkg-web/parindex_wasm.js";
import { LABELS } from "./i18n.js";

const $ = (id) => document.getElementById(id);

const state = {
  lang: "vi",
  results: null, // Results (WebAssembly memory: freed when replaced)
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

/** Makes `results` the page's results; `methodology` (freed by the caller) gives the tree. */
function setResults(results, methodology, label) {
  state.results?.free();
  state.results = results;
  state.nodes = new Map(methodology.nodes().map((n) => [n.code, n]));
  state.domains = [...state.nodes.values()].filter((n) => n.parent === null).map((n) => n.code);
  const settings = JSON.parse(methodology.toJson()).settings ?? {};
  state.places = settings.rounding?.places ?? 2;
  state.bands = settings.bands ?? [];
  state.exact = new Map(results.toRows().map((r) => [r.unit, r]));
  state.rows = results.toRows({ round: state.places });
  state.sort = { key: "rank", dir: 1 };
  state.label = label;
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
    setResults(score(m, s), m, `${m.name} (${name})`);
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
  closeUnit();
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
    setResults(scoreFile(m, bytes, name), m, `${m.name} — ${name}`);
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
    ...state.domains.map((code) => ({ key: code, label: code, title: nodeName(code), numeric: true, decimal: true })),
  ];
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
    const a = state.exact.get(r1.unit)[key];
    const b = state.exact.get(r2.unit)[key];
    let c;
    if (col?.decimal) c = compareDecimal(a, b);
    else if (key === "rank") c = (a ?? Infinity) - (b ?? Infinity);
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

// --- sensitivity (placeholder) ----------------------------------------------------------------

/**
 * PLACEHOLDER for the sensitivity analysis (the core's `sensitivity`, built separately): when
 * the WebAssembly package exports `Results.sensitivity(options, onProgress)`, this draws a run
 * button, a progress bar and an SVG rank-interval chart into `#sensitivity-body`. Until then it
 * leaves the section as index.html describes it.
 */
function renderSensitivity(results) {
  const body = $("sensitivity-body");
  body.replaceChildren();
  body.dataset.available = String(typeof results?.sensitivity === "function");
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
    });
    $("unit-close").addEventListener("click", closeUnit);
    $("plan-kind").addEventListener("change", syncPlanKind);
    $("plan-form").addEventListener("submit", makePlan);
    $("whatif-reset").addEventListener("click", () => renderWhatIf());
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
