// Typed usage of the browser (ESM) package, checked by `tsc --noEmit`: initialise, then the
// same API as in Node.
import init, { loadExample, score, type Row } from "../pkg-web/parindex_wasm.js";

export async function ranked(wasmUrl: URL): Promise<Row[]> {
  await init({ module_or_path: wasmUrl });
  return score(...loadExample("par-demo")).toRows();
}
