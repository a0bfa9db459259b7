// The minimal scoreboard: pick a bundled example, see the ranked table (published values).
// No logic of its own: everything comes from the WebAssembly package.
import init, { exampleNames, loadExample, score } from "../pkg-web/parindex_wasm.js";

const COLUMNS = [
  ["rank", "Hạng / Rank", true],
  ["unit", "Đơn vị / Unit", false],
  ["name", "Tên / Name", false],
  ["group", "Nhóm / Group", false],
  ["points", "Điểm / Points", true],
  ["percent", "Chỉ số (%) / Index (%)", true],
  ["band", "Xếp loại / Band", false],
];

const $ = (id) => document.getElementById(id);

function cell(tag, text, numeric) {
  const el = document.createElement(tag);
  el.textContent = text ?? "";
  if (numeric) el.className = "num";
  return el;
}

/** The ranked table of a bundled example, rounded as the methodology publishes it. */
function show(name) {
  const results = score(...loadExample(name));
  const methodology = results.methodology;
  const places = JSON.parse(methodology.toJson()).settings?.rounding?.places ?? 2;
  const rows = results.toRows({ round: places });
  const nodes = Object.keys(rows[0] ?? {}).filter((k) => !COLUMNS.some(([key]) => key === k));
  const table = $("ranking");
  table.querySelector("caption").textContent = `${methodology.name} (${methodology.id})`;
  const head = document.createElement("tr");
  for (const [, label, numeric] of COLUMNS) head.append(cell("th", label, numeric));
  for (const code of nodes) head.append(cell("th", code, true));
  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(
    ...rows.map((row) => {
      const tr = document.createElement("tr");
      tr.dataset.unit = row.unit;
      for (const [key, , numeric] of COLUMNS) tr.append(cell("td", row[key] == null ? "" : String(row[key]), numeric));
      for (const code of nodes) tr.append(cell("td", row[code] ?? "NA", true));
      return tr;
    }),
  );
  table.hidden = false;
  methodology.free();
  results.free();
}

async function main() {
  const status = $("status");
  try {
    await init();
    const select = $("example");
    for (const name of exampleNames()) select.append(new Option(name, name));
    select.addEventListener("change", () => show(select.value));
    show(select.value);
    status.textContent = "";
  } catch (e) {
    status.className = "error";
    status.textContent = e.message;
  }
}

main();
