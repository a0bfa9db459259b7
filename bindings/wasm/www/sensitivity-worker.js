// The sensitivity analysis off the page's thread: `Results.sensitivity` is synchronous in
// WebAssembly, so run on the page it would freeze it and its progress bar would never repaint.
// This module worker loads the same package (../pkg-web/), scores the same inputs again (the
// page's Results live in the page's WebAssembly memory and cannot be sent here) and posts
//   {id, type: "progress", done, total}   whenever the whole percentage changes,
//   {id, type: "done", result}            the SensitivityResult document,
//   {id, type: "error", error}            {name, message, code, path, errors} of what it threw.
import init, { loadExample, Methodology, score, scoreFile } from "../pkg-web/parindex_wasm.js";

const ready = init();

/** The page's inputs scored again: a bundled example, or a methodology (JSON) and a score sheet. */
function results(source) {
  if (source.example) {
    const [m, s] = loadExample(source.example);
    try {
      return score(m, s);
    } finally {
      m.free();
      s.free();
    }
  }
  const m = Methodology.fromJson(source.methodology, "methodology.json");
  try {
    return scoreFile(m, source.scores, source.name);
  } finally {
    m.free();
  }
}

/** A thrown value as plain data (structured clone keeps no custom fields of an Error). */
function plain(e) {
  return {
    name: e?.name ?? "Error",
    message: String(e?.message ?? e),
    code: e?.code ?? null,
    path: e?.path ?? "",
    errors: Array.isArray(e?.errors) ? e.errors.map((i) => ({ code: i.code, path: i.path, message: i.message })) : [],
  };
}

self.addEventListener("message", async ({ data }) => {
  const { id, source, options } = data;
  try {
    await ready;
    const r = results(source);
    try {
      let last = -1;
      const result = r.sensitivity({
        ...options,
        progress: (done, total) => {
          const percent = Math.floor((done * 100) / total);
          if (percent !== last) {
            last = percent;
            self.postMessage({ id, type: "progress", done, total });
          }
        },
      });
      self.postMessage({ id, type: "done", result });
    } finally {
      r.free();
    }
  } catch (e) {
    self.postMessage({ id, type: "error", error: plain(e) });
  }
});
