// The browser test: a real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) loads www/ from a static server started here, offline, and uses the page as
// an officer would. Run by bindings/wasm/ci.sh after the build:
//   node --test tests/browser/page.browser.mjs
// Screenshots of each step go to bindings/wasm/screenshots/ (git-ignored).
import assert from "node:assert/strict";
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { expected, loadExample, Methodology, parseCsv, PublishedResults, score, Scores, Tally } from "../helpers.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url)); // bindings/wasm/
const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const SHOTS = join(ROOT, "screenshots");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".ts": "text/plain; charset=utf-8",
};

let server;
let base;
let context;
let page;
const requests = [];
const external = [];
const problems = [];

/** A static file server for bindings/wasm/ (the page is /www/, the package /pkg-web/). */
function serve() {
  return new Promise((resolve) => {
    const s = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      let file = normalize(join(ROOT, path));
      if (!file.startsWith(ROOT) || file.split(sep).includes("node_modules")) {
        res.writeHead(403).end();
        return;
      }
      try {
        if (statSync(file).isDirectory()) file = join(file, "index.html");
        statSync(file);
      } catch {
        res.writeHead(404).end();
        return;
      }
      requests.push(path);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
      createReadStream(file).pipe(res);
    });
    s.listen(0, "127.0.0.1", () => resolve(s));
  });
}

/** Rounds an exact decimal string half up to `places`, exactly (BigInt), as the page publishes. */
function roundHalfUp(text, places) {
  const neg = text.startsWith("-");
  const [int, frac = ""] = text.replace(/^-/, "").split(".");
  const digits = BigInt(int + frac.padEnd(places + 1, "0").slice(0, places + 1));
  const scaled = digits / 10n + (digits % 10n >= 5n ? 1n : 0n);
  const s = scaled.toString().padStart(places + 1, "0");
  const out = places ? `${s.slice(0, -places)}.${s.slice(-places)}` : s;
  return neg && out.replace(/[0.]/g, "") !== "" ? `-${out}` : out;
}

async function shot(name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** A screenshot of one element (a section), for the steps a full page would drown. */
async function shotOf(selector, name) {
  await page.locator(selector).screenshot({ path: join(SHOTS, `${name}.png`) });
}

async function cells(selector) {
  return page.$$eval(selector, (rows) => rows.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await serve();
  base = `http://127.0.0.1:${server.address().port}`;
  const profile = mkdtempSync(join(tmpdir(), "parindex-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  // Offline: anything not served from 127.0.0.1 here is refused and recorded.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(base)) return route.continue();
    external.push(url);
    return route.abort();
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  context.profile = profile;
});

after(async () => {
  await context?.close();
  server?.close();
  if (context?.profile) rmSync(context.profile, { recursive: true, force: true });
});

test("the page loads offline and becomes interactive in under a second", async () => {
  // Three loads (the first also starts the browser's processes): the median must be under 1 s.
  const times = [];
  for (let i = 0; i < 3; i++) {
    await page.goto(`${base}/www/`);
    await page.waitForSelector("body[data-ready='true']", { timeout: 15_000 });
    times.push(Number(await page.getAttribute("body", "data-ready-ms")));
  }
  const median = [...times].sort((a, b) => a - b)[1];
  console.log(`page interactive (navigation start → ranked table) after ${times.join(", ")} ms; median ${median} ms`);
  assert.ok(median < 1000, `interactive after ${times.join(", ")} ms`);
  assert.deepEqual(external, [], "no request leaves 127.0.0.1");
  assert.ok(requests.includes("/pkg-web/parindex_wasm_bg.wasm"));
  assert.deepEqual(problems, []);
});

test("the par-demo example: the ranked table is the golden vector, rounded as published", async () => {
  await page.selectOption("#example", "par-2020");
  await page.selectOption("#example", "par-demo");
  await page.waitForSelector("#ranking tbody tr[data-unit='so-noi-vu']");
  const [header, ...golden] = parseCsv(readFileSync(join(REPO, "data/expected/par-demo.results.csv"), "utf8"));
  const shown = await cells("#ranking tbody tr");
  assert.equal(shown.length, golden.length);
  const domains = header.slice(7);
  const th = await page.$$eval("#ranking thead th", (ths) => ths.map((x) => x.dataset.key));
  assert.deepEqual(th, ["rank", "unit", "name", "group", "points", "percent", "band", ...domains]);
  golden.forEach((g, i) => {
    const row = Object.fromEntries(header.map((h, k) => [h, g[k]]));
    const [rank, unit, name, group, points, percent, band, ...nodes] = shown[i];
    assert.deepEqual(
      [rank, unit, name, group, points, percent, band],
      [row.rank, row.unit, row.name, row.group, roundHalfUp(row.points, 2), roundHalfUp(row.percent, 2), row.band],
      `row ${i + 1}`,
    );
    domains.forEach((code, k) => assert.equal(nodes[k], row[code] === "NA" ? "NA" : roundHalfUp(row[code], 2), `${unit} ${code}`));
  });
  assert.deepEqual(shown[0].slice(0, 7), ["1", "so-noi-vu", "Sở Nội vụ", "department", "95.77", "95.77", "A"]);
  await shot("01-ranking-par-demo");
});

test("clicking a header sorts the table; clicking again reverses it", async () => {
  const order = async () => (await cells("#ranking tbody tr")).map((r) => r[1]);
  const byRank = await order();
  await page.click("#ranking thead th[data-key='percent']");
  assert.deepEqual(await order(), byRank, "index, best first: the rank order (ties in input order)");
  await page.click("#ranking thead th[data-key='percent']");
  const ascending = await order();
  assert.equal(ascending[0], "van-ho");
  assert.equal(ascending.at(-1), "so-noi-vu");
  await page.click("#ranking thead th[data-key='unit']");
  const units = await order();
  assert.deepEqual(units, [...units].sort((a, b) => a.localeCompare(b, "vi")));
  await page.click("#ranking thead th[data-key='3']");
  const third = (await cells("#ranking tbody tr")).map((r) => r[9]);
  assert.deepEqual(third, [...third].sort((a, b) => Number(b) - Number(a)), "domain 3, highest first");
  assert.equal(await page.getAttribute("#ranking thead th[data-key='3']", "aria-sort"), "descending");
  await shot("02-sorted-by-domain-3");
  await page.click("#ranking thead th[data-key='rank']");
  assert.deepEqual(await order(), byRank);
});

test("clicking a unit shows its explanation: summary, chart and the leaves where it lost points", async () => {
  await page.click("#ranking tbody tr[data-unit='so-y-te']");
  await page.waitForSelector("#unit:not([hidden])");
  const summary = await page.textContent("#unit-summary");
  assert.match(summary, /77\.34 điểm, chỉ số 77\.34 %, xếp thứ 11\/12 \(thứ 6\/6 trong nhóm\), xếp loại C/);
  const golden = JSON.parse(readFileSync(join(REPO, "data/expected/par-demo.explain.so-y-te.json"), "utf8"));
  const top = await page.$$eval("#leaves tbody tr.top-loss", (rows) => rows.map((r) => r.dataset.code));
  assert.equal(top.length, 5);
  for (const code of golden.top_losses) assert.ok(top.includes(code), `${code} is among the top losses`);
  const leaf = (await cells("#leaves tbody tr[data-code='8.2']"))[0];
  const g = golden.leaves.find((l) => l.code === "8.2");
  assert.deepEqual([leaf[2], leaf[3], leaf[5]], [g.max, g.input, roundHalfUp(g.lost, 2)]);
  const bars = await page.$$eval("#chart-svg rect.bar-points", (rs) => rs.map((r) => [r.dataset.code, r.dataset.points]));
  const row = (await cells("#ranking tbody tr[data-unit='so-y-te']"))[0];
  assert.deepEqual(bars, ["1", "2", "3", "4", "5", "6", "7", "8"].map((code, k) => [code, row[7 + k]]));
  await shot("03-explanation-so-y-te");
});

test("a plan to reach band B: the CLI's golden plan", async () => {
  assert.equal(await page.inputValue("#plan-kind"), "band");
  assert.equal(await page.inputValue("#plan-band"), "B");
  await page.click("#plan-go");
  await page.waitForSelector("#plan-steps");
  const golden = JSON.parse(readFileSync(join(REPO, "data/expected/par-demo.plan.so-y-te.band-B.json"), "utf8"));
  const steps = await cells("#plan-steps tbody tr");
  assert.deepEqual(
    steps.map((s) => [s[0], s[2], s[3], s[4]]),
    golden.steps.map((s) => [s.code, s.from, s.to, s.gain]),
  );
  const after = (await cells("#plan-out tr[data-standing='after']"))[0];
  assert.deepEqual([after[2], after[5]], [golden.after.published_percent, golden.after.band]);
  assert.match(await page.textContent("#plan-summary"), new RegExp(`${golden.gain} điểm .* tối thiểu ${golden.required_percent} %`));
  await shot("04-plan-band-B");
  await page.selectOption("#plan-kind", "percent");
  await page.fill("#plan-value", "101");
  await page.click("#plan-go");
  await page.waitForSelector("#plan-errors:not([hidden])");
  assert.equal(await page.textContent("#plan-errors td:first-child"), "goal_unreachable");
});

test("what-if: editing leaves updates the rank live, as computed independently in Node", async () => {
  const edits = { "8.2": "3.5", "2.1": "3", "6.1": "2.5", "6.2": "3" };
  const rank = async (which) => (await cells(`#whatif-out tr[data-standing='${which}']`))[0][3];
  assert.equal(await rank("after"), "11/12");
  for (const [code, value] of Object.entries(edits)) await page.fill(`#whatif input[data-code='${code}']`, value);
  await page.waitForFunction(() => document.querySelector("#whatif-out")?.dataset.changes === "4");
  // The same what-if through the Node build of the package: an independent run of the engine.
  const results = score(...loadExample("par-demo"));
  const expected = results.whatIf("so-y-te", edits, { round: 2 });
  assert.equal(expected.after.rank, 10, "the edits lift so-y-te above song-ma (81.02)");
  await page.waitForFunction((want) => document.querySelector("#whatif-out tr[data-standing='after'] [data-field='rank']")?.textContent === want, `${expected.after.rank}/12`);
  assert.equal(await rank("before"), "11/12");
  assert.equal(await rank("after"), "10/12");
  const after = (await cells("#whatif-out tr[data-standing='after']"))[0];
  assert.deepEqual([after[1], after[2]], [expected.after.points, expected.after.published_percent]);
  assert.equal(await page.textContent("#whatif-movement"), "up 1");
  await shot("05-what-if-rank-up");
  // A value above the maximum is reported at the unit and criterion; the table keeps working.
  await page.fill("#whatif input[data-code='1.2']", "3");
  await page.waitForSelector("#whatif-errors:not([hidden])");
  const issue = (await cells("#whatif-errors tbody tr"))[0];
  assert.deepEqual(issue, ["above_max", "unit so-y-te: criterion 1.2", "3 exceeds its maximum 1.5"]);
  await page.click("#whatif-reset");
  await page.waitForFunction(() => document.querySelector("#whatif-out")?.dataset.changes === "0");
  assert.equal(await rank("after"), "11/12");
});

test("the labels switch between Vietnamese and English", async () => {
  assert.equal(await page.textContent("#ranking thead th[data-key='rank']"), "Hạng");
  await page.click("#lang");
  assert.equal(await page.textContent("#ranking thead th[data-key='rank']"), "Rank");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.match(await page.textContent("#unit-summary"), /77\.34 points, index 77\.34 %, rank 11 of 12/);
  assert.equal(await page.textContent("#lang"), "Tiếng Việt");
  await shot("06-english");
  await page.click("#lang");
  assert.equal(await page.getAttribute("html", "lang"), "vi");
});

test("sensitivity: a seeded run in a worker moves the progress bar to 100 %; the chart is Node's result", async () => {
  assert.equal(await page.isVisible("#sensitivity"), true);
  assert.equal(await page.getAttribute("#sensitivity", "data-state"), "idle");
  // Fields the page cannot read, and options the package refuses, are reported with their codes.
  await page.fill("#sens-runs", "nhiều");
  await page.click("#sens-run");
  await page.waitForSelector("#sens-errors:not([hidden])");
  assert.deepEqual((await cells("#sens-errors tbody tr"))[0], ["invalid_argument", "Số lần mô phỏng", 'giá trị không hợp lệ: "nhiều"']);
  await page.fill("#sens-runs", "100");
  await page.fill("#sens-spread", "150");
  await page.click("#sens-run");
  await page.waitForSelector("#sensitivity[data-state='error']");
  assert.equal(await page.textContent("#sens-errors td:first-child"), "invalid_spread");

  // The bar's every value, as the page sets it (one observer record per attribute change).
  await page.evaluate(() => {
    const bar = document.querySelector("#sens-progress");
    window.seenProgress = [];
    new MutationObserver(() => window.seenProgress.push(bar.value)).observe(bar, { attributes: true, attributeFilter: ["value"] });
  });
  const runs = 4000;
  await page.fill("#sens-runs", String(runs));
  await page.fill("#sens-seed", "42");
  await page.fill("#sens-spread", "25");
  await page.fill("#sens-noise", "0,1"); // the Vietnamese decimal comma
  await page.click("#sens-run");
  await page.waitForSelector("#sensitivity[data-state='done']", { timeout: 30_000 });
  assert.ok(requests.includes("/www/sensitivity-worker.js"), "the analysis ran in the module worker");
  assert.equal(await page.getAttribute("#sens-progress", "value"), "100");
  assert.equal(await page.getAttribute("#sens-progress", "data-done"), String(runs));
  assert.equal(await page.getAttribute("#sens-progress", "data-total"), String(runs));
  assert.match(await page.textContent("#sens-progress-text"), /^4000\/4000 lần \(100 %\)$/);
  const seen = await page.evaluate(() => window.seenProgress);
  const between = seen.filter((v) => v > 0 && v < 100);
  console.log(`sensitivity progress: ${seen.length} updates of the bar, ${between.length} between 0 and 100 %; updates reported: ${await page.getAttribute("#sens-progress", "data-updates")}`);
  assert.ok(between.length >= 5, `the bar moved while the worker ran: ${seen.join(", ")}`);
  assert.deepEqual(seen.filter((v, i) => i && v < seen[i - 1]), [], "the bar never goes back");

  // The same analysis through the Node build: an independent run of the engine.
  const node = score(...loadExample("par-demo")).sensitivity({ weights: "uniform:0.25", noise: "0.1", runs, seed: 42 });
  const want = [...node.units].sort((a, b) => a.nominal_rank - b.nominal_rank);
  assert.equal(want.length, 12);
  const rows = await page.$$eval("#sens-chart g.sens-row", (gs) =>
    gs.map((g) => ({
      unit: g.dataset.unit,
      nominal: Number(g.dataset.nominal),
      median: Number(g.dataset.median),
      low: Number(g.dataset.low),
      high: Number(g.dataset.high),
      dot: Number(g.querySelector("circle.median").getAttribute("cx")),
      from: Number(g.querySelector("line.interval").getAttribute("x1")),
      to: Number(g.querySelector("line.interval").getAttribute("x2")),
      tick: Number(g.querySelector("line.nominal").getAttribute("x1")),
    })),
  );
  assert.equal(rows.length, want.length, "one row per unit");
  assert.deepEqual(
    rows.map((r) => [r.unit, r.nominal, r.median, r.low, r.high]),
    want.map((u) => [u.id, u.nominal_rank, u.median, u.low, u.high]),
  );
  assert.deepEqual(rows.map((r) => r.nominal), [...rows.map((r) => r.nominal)].sort((a, b) => a - b), "sorted by nominal rank");
  assert.ok(rows.some((r) => r.low < r.high), "the weights and noise move some ranks");
  // Drawn where the numbers say: one x scale for the interval, the median and the nominal rank.
  const x = (rank) => rows[0].tick + ((rank - rows[0].nominal) * (rows.at(-1).tick - rows[0].tick)) / (rows.at(-1).nominal - rows[0].nominal || 1);
  for (const r of rows) {
    for (const [got, rank] of [[r.dot, r.median], [r.from, r.low], [r.to, r.high], [r.tick, r.nominal]]) {
      assert.ok(Math.abs(got - x(rank)) < 1e-6, `${r.unit}: drawn at ${got}, rank ${rank} is at ${x(rank)}`);
    }
    assert.ok(r.from <= r.dot && r.dot <= r.to, `${r.unit}: the median within its interval`);
  }
  const moc = want.find((u) => u.id === "moc-chau");
  assert.match(
    await page.textContent("#sens-chart g.sens-row[data-unit='moc-chau'] text.range"),
    new RegExp(`^${moc.median}( \\(${moc.low}–${moc.high}\\))?$`),
  );
  assert.match(await page.textContent("#sens-summary"), /^4000 lần mô phỏng, hạt giống 42; nguồn bất định: weights uniform ±25% \(all\); noise ±0\.1;/);
  assert.match(await page.textContent("#sens-legend"), /phân vị 5–95/);
  await shotOf("#sensitivity", "10-sensitivity-par-demo");
  // English labels, the same chart.
  await page.click("#lang");
  assert.equal(await page.textContent("#sens-chart text.axis-title"), "Rank (1 = best)");
  assert.match(await page.textContent("#sens-progress-text"), /^4000\/4000 runs \(100 %\)$/);
  assert.equal(await page.$$eval("#sens-chart g.sens-row", (gs) => gs.length), 12);
  await shotOf("#sensitivity", "11-sensitivity-english");
  await page.click("#lang");
  assert.equal(await page.textContent("#sens-chart text.axis-title"), "Hạng (1 = cao nhất)");
  assert.deepEqual(problems, []);
});

test("sensitivity: the page keeps drawing frames during a long run (the worker, not the page, computes)", async () => {
  await page.fill("#sens-runs", "200000");
  await page.fill("#sens-seed", "1");
  // Frames the page draws from the click until the analysis is done, and the longest gap.
  const watch = page.evaluate(
    () =>
      new Promise((resolve) => {
        const frames = [];
        let start = null;
        const tick = (now) => {
          const running = document.querySelector("#sensitivity")?.dataset.state === "running";
          if (running && start === null) start = performance.now();
          if (start !== null) frames.push(now);
          if (running || start === null) requestAnimationFrame(tick);
          else resolve({ frames: frames.length, ms: performance.now() - start, gap: Math.max(...frames.slice(1).map((f, i) => f - frames[i])) });
        };
        requestAnimationFrame(tick);
      }),
  );
  await page.click("#sens-run");
  const { frames, ms, gap } = await watch;
  await page.waitForSelector("#sensitivity[data-state='done']", { timeout: 60_000 });
  console.log(`sensitivity 200000 runs of par-demo in the worker: ${Math.round(ms)} ms, ${frames} frames drawn, longest gap ${Math.round(gap)} ms`);
  assert.ok(ms > 200, `a run long enough to tell (${ms} ms)`);
  assert.ok(frames >= 5 && gap < ms / 2, `frames kept coming: ${frames} in ${ms} ms, longest gap ${gap} ms`);
  assert.equal(await page.getAttribute("#sens-progress", "data-done"), "200000");
  assert.equal(await page.$$eval("#sens-chart g.sens-row", (gs) => gs.length), 12);
});

test("the SIPAS survey: each unit's overall index and five element indices, as the package gives them", async () => {
  await page.click("#survey-load");
  await page.waitForSelector("#survey-table:not([hidden])");
  // The Node build's numbers (rounded to 4 places) and the CLI's golden CSV (6 places).
  const node = Tally.example("sipas-demo").results({ by: ["unit", "all"] }).toRows({ round: 4 }).filter((r) => r.level !== "item");
  const [header, ...golden] = parseCsv(expected("sipas-demo.survey.round6.csv")).filter((r) => r.length > 1);
  const gold = new Map(golden.map((g) => Object.fromEntries(header.map((h, k) => [h, g[k]]))).map((r) => [`${r.id}/${r.level}/${r.code}`, r.share]));
  const elements = await page.$$eval("#survey-table thead th[data-element]", (ths) => ths.map((th) => th.dataset.element));
  assert.deepEqual(elements, ["access", "procedures", "civil_servants", "results", "feedback"]);
  const shown = await page.$$eval("#survey-table tbody tr", (trs) =>
    trs.map((tr) => ({
      unit: tr.dataset.unit,
      cells: [...tr.children].map((td) => td.textContent),
      shares: [...tr.querySelectorAll("td[data-share]")].map((td) => td.dataset.share),
    })),
  );
  const units = [...new Set(node.filter((r) => r.domain === "unit").map((r) => r.id))];
  assert.deepEqual(shown.map((r) => r.unit), [...units, "all"]);
  // × 100 digit by digit: "0.8721" → "87.21" (the package rounded to 4 places; nothing else).
  const percent = (share) => {
    if (share === "" || share === null) return "–";
    const [int, frac = ""] = String(share).split(".");
    const f = frac.padEnd(4, "0");
    return `${BigInt(int + f.slice(0, 2))}.${f.slice(2)}`;
  };
  for (const row of shown) {
    const of = (level, code) => node.find((r) => r.id === row.unit && r.level === level && r.code === code);
    const want = [of("overall", null), ...elements.map((e) => of("element", e))];
    assert.deepEqual(row.shares, want.map((r) => String(r.share)), `${row.unit}: the package's shares`);
    assert.deepEqual(row.cells.slice(2), want.map((r) => percent(r.share)), `${row.unit}: the shares in %`);
    assert.equal(row.cells[1], String(want[0].respondents));
    // Against the CLI's golden CSV (6 places): within the display's half unit of 0.01 %.
    const golden6 = [gold.get(`${row.unit}/overall/`), ...elements.map((e) => gold.get(`${row.unit}/element/${e}`))];
    golden6.forEach((g, k) => {
      const d = Math.abs(Number(row.cells[2 + k]) - Number(g) * 100);
      assert.ok(d <= 0.005 + 1e-9, `${row.unit} column ${k}: ${row.cells[2 + k]} % against the golden ${g}`);
    });
  }
  const maiSon = shown.find((r) => r.unit === "mai-son");
  assert.equal(maiSon.cells[2], "87.21", "mai-son overall 0.872087");
  assert.match(await page.textContent("#survey-summary"), /^1136 người trả lời ở \d+ đơn vị/);
  await shotOf("#survey", "12-survey-sipas-demo");
  assert.deepEqual(problems, []);
});

test("PCI 2016 from the published table: the bundled methodology and a score sheet picked in the page", async (t) => {
  const data = process.env.PARINDEX_PUBLIC_DATA ?? join(REPO, "../shared/data");
  let published;
  try {
    published = parseCsv(readFileSync(join(data, "pci_2016_provinces.csv"), "utf8"));
  } catch {
    t.skip(`no ${join(data, "pci_2016_provinces.csv")} (set PARINDEX_PUBLIC_DATA)`);
    return;
  }
  // The published sub-indices as a wide score sheet, columns mapped to codes as in data/README.md.
  const [header, ...rows] = published.filter((r) => r.length > 1);
  const columns = ["entry_costs", "land_access", "transparency", "time_costs", "informal_charges",
    "policy_bias_equal_competition", "proactivity", "business_support_services", "labor_training", "legal_institutions"];
  const at = (name) => header.indexOf(name);
  const slug = (name) => name.normalize("NFD").replace(/\p{M}/gu, "").replace(/[đĐ]/g, "d").toLowerCase().replace(/[^a-z0-9]+/g, "-");
  let sheet = `unit,name,${columns.map((_, k) => k + 1).join(",")}\n`;
  for (const r of rows) sheet += `${slug(r[at("province")])},${r[at("province")]},${columns.map((c) => r[at(c)]).join(",")}\n`;
  await page.selectOption("#bundled-methodology", "pci-2016");
  await page.setInputFiles("#scores-file", { name: "pci-2016.csv", mimeType: "text/csv", buffer: Buffer.from(sheet) });
  await page.waitForFunction(() => document.querySelectorAll("#ranking tbody tr").length === 63);
  const shown = await cells("#ranking tbody tr");
  assert.deepEqual(shown[0].slice(0, 3), ["1", "da-nang", "Đà Nẵng"]);
  assert.equal(shown[0][5], "70.00", "Đà Nẵng first at 70.00, as published");
  const byName = new Map(rows.map((r) => [r[at("province")], r]));
  for (const [rank, , name, , , percent] of shown) {
    const r = byName.get(name);
    assert.equal(rank, r[at("rank")], `${name}: the published rank`);
    assert.ok(Math.abs(Number(percent) - Number(r[at("pci_weighted_published")])) <= 0.005 + 1e-5, `${name}: ${percent}`);
  }
  await shot("08-pci-2016-published");
});

test("a bad score sheet: every error shown with its code and location; the page still works", async () => {
  const dir = join(REPO, "tests/bad-input");
  await page.setInputFiles("#methodology-file", join(dir, "methodology.csv"));
  await page.setInputFiles("#scores-file", join(dir, "above-max/s.csv"));
  await page.waitForFunction(() => document.querySelector("#errors:not([hidden]) tbody tr")?.dataset.code === "above_max");
  const expected = readFileSync(join(dir, "above-max/expected.txt"), "utf8").trim().split("\n");
  const shown = await cells("#errors tbody tr");
  assert.deepEqual(
    shown.map(([code, path, message]) => [code, `${path}: ${message}`]),
    expected.map((line) => ["above_max", line]),
  );
  assert.deepEqual(shown[0].slice(0, 2), ["above_max", "s.csv:2:3: criterion 1.1"]);
  assert.equal(await page.getAttribute("#status", "data-state"), "error");
  assert.equal(await page.isHidden("#board"), true, "no stale table under the errors");
  await shot("07-error-above-max");
  // A malformed methodology is refused with its located problems too.
  await page.setInputFiles("#methodology-file", join(dir, "methodology-cycle/m.csv"));
  await page.waitForFunction(() => document.querySelector("#errors tbody tr")?.dataset.code === "cycle");
  // A good sheet for the same methodology scores at once.
  await page.setInputFiles("#methodology-file", join(dir, "methodology.csv"));
  await page.setInputFiles("#scores-file", join(dir, "utf8-bom-accepted/s.csv"));
  await page.waitForSelector("#errors[hidden]", { state: "attached" });
  assert.equal(await page.getAttribute("#status", "data-state"), "ok");
  assert.ok((await cells("#ranking tbody tr")).length >= 1);
  assert.deepEqual(external, []);
  assert.deepEqual(problems, []);
});

test("dropping a methodology and a score sheet on the page scores them", async () => {
  const m = readFileSync(join(REPO, "data/methodologies/par-2020.methodology.csv"), "utf8");
  const s = readFileSync(join(REPO, "data/examples/par-2020.scores.csv"), "utf8");
  await page.evaluate(
    ([mText, sText]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([sText], "par-2020.scores.csv", { type: "text/csv" }));
      dt.items.add(new File([mText], "par-2020.methodology.csv", { type: "text/csv" }));
      document.querySelector("#drop").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    [m, s],
  );
  await page.waitForFunction(() => document.querySelector("#ranking tbody tr")?.dataset.unit === "quang-ninh");
  const [header, ...golden] = parseCsv(readFileSync(join(REPO, "data/expected/par-2020.results.csv"), "utf8"));
  const shown = await cells("#ranking tbody tr");
  assert.deepEqual(
    shown.map((r) => [r[0], r[1], r[5], r[6]]),
    golden.map((g) => {
      const row = Object.fromEntries(header.map((h, k) => [h, g[k]]));
      return [row.rank, row.unit, roundHalfUp(row.percent, 2), row.band];
    }),
  );
  assert.deepEqual(problems, []);
});

test("an Excel score sheet picked with a bundled methodology scores like its CSV", async () => {
  await page.selectOption("#bundled-methodology", "par-2020");
  await page.setInputFiles("#scores-file", join(ROOT, "tests/fixtures/par-2020.scores.xlsx"));
  await page.waitForFunction(() => document.querySelector("#caption")?.textContent.includes("par-2020.scores.xlsx"));
  const [header, ...golden] = parseCsv(readFileSync(join(REPO, "data/expected/par-2020.results.csv"), "utf8"));
  const shown = await cells("#ranking tbody tr");
  assert.deepEqual(
    shown.map((r) => [r[0], r[1], r[4], r[6]]),
    golden.map((g) => {
      const row = Object.fromEntries(header.map((h, k) => [h, g[k]]));
      return [row.rank, row.unit, roundHalfUp(row.points, 2), row.band];
    }),
  );
  await shot("09-excel-par-2020");
  assert.deepEqual(problems, []);
});

test("sensitivity of a picked file: the worker scores the same methodology and sheet again", async () => {
  // New results dropped the previous analysis.
  assert.equal(await page.getAttribute("#sensitivity", "data-state"), "idle");
  assert.equal(await page.isHidden("#sens-figure"), true);
  await page.fill("#sens-runs", "1500");
  await page.fill("#sens-seed", "9");
  await page.fill("#sens-spread", "12.5");
  await page.fill("#sens-noise", "");
  await page.click("#sens-run");
  await page.waitForSelector("#sensitivity[data-state='done']", { timeout: 30_000 });
  // Node: the bundled methodology and the CSV the Excel fixture was written from.
  const m = Methodology.example("par-2020");
  const s = Scores.fromCsv(m, readFileSync(join(REPO, "data/examples/par-2020.scores.csv")), "par-2020.scores.csv");
  const node = score(m, s).sensitivity({ weights: "uniform:0.125", runs: 1500, seed: 9 });
  const rows = await page.$$eval("#sens-chart g.sens-row", (gs) => gs.map((g) => [g.dataset.unit, g.dataset.nominal, g.dataset.median, g.dataset.low, g.dataset.high].join(" ")));
  assert.deepEqual(
    rows,
    [...node.units].sort((a, b) => a.nominal_rank - b.nominal_rank).map((u) => [u.id, u.nominal_rank, u.median, u.low, u.high].join(" ")),
  );
  assert.match(await page.textContent("#sens-summary"), /weights uniform ±12\.5% \(all\);/);
  assert.equal(await page.getAttribute("#sens-progress", "value"), "100");
  await shotOf("#sensitivity", "13-sensitivity-par-2020-excel");
  assert.deepEqual(external, []);
  assert.deepEqual(problems, []);
});

test("downloads: the HTML report, the result workbook and a template that reads back to the table", async () => {
  await page.selectOption("#bundled-methodology", "");
  await page.selectOption("#example", "par-2020");
  await page.selectOption("#example", "par-demo");
  await page.waitForFunction(() => document.querySelector("#caption")?.textContent.endsWith("(par-demo)"));
  const save = async (id) => {
    const [file] = await Promise.all([page.waitForEvent("download"), page.click(id)]);
    return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
  };
  // The report is the package's, in the page's language (Vietnamese by default).
  const [m, s] = loadExample("par-demo");
  const html = await save("#download-html");
  assert.equal(html.name, "par-demo.report.html");
  assert.equal(html.bytes.toString("utf8"), score(m, s).toHtml({ lang: "vi" }));
  const xlsx = await save("#download-xlsx");
  assert.equal(xlsx.name, "par-demo.results.xlsx");
  assert.deepEqual([...xlsx.bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04]);
  const template = await save("#download-template");
  assert.equal(template.name, "par-demo.template.xlsx");
  // The template, picked as the score sheet with the bundled methodology, gives the same table.
  const before = await cells("#ranking tbody tr");
  const path = join(tmpdir(), "par-demo.template.xlsx");
  writeFileSync(path, template.bytes);
  await page.selectOption("#bundled-methodology", "par-demo");
  await page.setInputFiles("#scores-file", path);
  await page.waitForFunction(() => document.querySelector("#caption")?.textContent.includes("par-demo.template.xlsx"));
  assert.deepEqual(await cells("#ranking tbody tr"), before);
  rmSync(path);
  assert.deepEqual(problems, []);
});

test("survey responses picked as files: a bad CSV shows its located errors, the Excel workbook the sample's table", async () => {
  await page.click("#survey-load");
  await page.waitForSelector("#survey-table:not([hidden])");
  const rows = () => page.$$eval("#survey-table tbody tr", (trs) => trs.map((tr) => tr.textContent));
  const sample = await rows();
  await page.setInputFiles("#survey-responses", {
    name: "phieu.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("respondent,unit,A1\n1,so-y-te,9\n"),
  });
  await page.waitForSelector("#survey-errors:not([hidden])");
  assert.equal(await page.isHidden("#survey-table"), true);
  const codes = await page.$$eval("#survey-errors tr.issue", (trs) => trs.map((tr) => tr.dataset.code));
  assert.ok(codes.length > 1 && codes.every((c) => c === "missing_column"), codes.join(", "));
  assert.equal(await page.textContent("#survey-errors tr.issue td:nth-child(2)"), "phieu.csv:1");
  // The sample's responses as an office keeps them in Excel (written by openpyxl).
  await page.setInputFiles("#survey-responses", join(REPO, "data/survey/sipas-demo.responses.xlsx"));
  await page.waitForSelector("#survey-table:not([hidden])");
  assert.equal(await page.isHidden("#survey-errors"), true);
  assert.deepEqual(await rows(), sample);
  await shotOf("#survey", "14-survey-from-excel");
  assert.deepEqual(problems, []);
});

test("last year's results picked as a file: previous ranks and movements in the table, and in the report", async () => {
  await page.selectOption("#bundled-methodology", "");
  await page.selectOption("#example", "par-2020");
  await page.selectOption("#example", "par-demo");
  await page.waitForFunction(() => document.querySelector("#caption")?.textContent.endsWith("(par-demo)"));
  // A bad file first: its located errors, and the table as it was.
  await page.setInputFiles("#previous-file", {
    name: "2022.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("unit,points,rank\nso-y-te,80,2\n"),
  });
  await page.waitForSelector("#previous-errors:not([hidden])");
  assert.equal(await page.textContent("#previous-errors tr.issue td:nth-child(2)"), "2022.csv:2:3");
  assert.equal(await page.$("#ranking th[data-key=movement]"), null);
  // The CLI's results of the 2022 example, as a results file: the CLI's comparison, unit by unit.
  await page.setInputFiles("#previous-file", join(REPO, "data/expected/par-demo-2022.results.csv"));
  await page.waitForSelector("#ranking th[data-key=movement]");
  assert.equal(await page.isHidden("#previous-errors"), true);
  const shown = await page.$$eval("#ranking tbody tr", (trs) =>
    trs.map((tr) => [tr.dataset.unit, tr.querySelector("[data-key=previous_rank]").textContent, tr.querySelector("[data-key=movement]").textContent]),
  );
  const golden = parseCsv(expected("par-demo.compare.published.csv"));
  const col = (name) => golden[0].indexOf(name);
  assert.deepEqual(
    shown,
    golden.slice(1).filter((r) => r.length > 1).map((r) => [r[col("unit")], r[col("previous_rank")], r[col("movement")]]),
  );
  await shot("15-previous-year");
  // The report downloaded is the package's with last year as published.
  const [file] = await Promise.all([page.waitForEvent("download"), page.click("#download-html")]);
  const [m, s] = loadExample("par-demo");
  const before = PublishedResults.read(readFileSync(join(REPO, "data/expected/par-demo-2022.results.csv")), "par-demo-2022.results.csv");
  assert.equal(readFileSync(await file.path(), "utf8"), score(m, s).withPreviousPublished(before).toHtml({ lang: "vi" }));
  await page.click("#previous-clear");
  assert.equal(await page.$("#ranking th[data-key=movement]"), null);
  assert.deepEqual(problems, []);
});
