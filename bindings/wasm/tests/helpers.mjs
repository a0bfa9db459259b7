// Shared by the Node tests: the Node build (CommonJS, imported by name) and the golden files.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export * from "../pkg-node/parindex_wasm.js";

const expectedDir = new URL("../../../data/expected/", import.meta.url);

/** The text of a golden file under data/expected/. */
export function expected(file) {
  return readFileSync(fileURLToPath(new URL(file, expectedDir)), "utf8");
}

/** A minimal RFC 4180 reader (quoted fields, doubled quotes), enough for the results CSV. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else if (c !== "\r") {
      cell += c;
    }
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Runs `fn`, which must throw; returns what it threw. */
export function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error, none was thrown");
}
