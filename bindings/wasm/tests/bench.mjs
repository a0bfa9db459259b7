// Timing of the WebAssembly build in Node on the native benchmark's case (benches/score.rs:
// 705 units × 50 leaves of max 2 in a 3-level tree, points of two decimals, the same seeded
// generator), to compare with `cargo bench -p parindex-benches --bench score`:
//   node --no-wasm-dynamic-tiering tests/bench.mjs   (after ci.sh; not part of the test run)
import { performance } from "node:perf_hooks";

import { Methodology, score, Scores, scoreFile } from "./helpers.mjs";

const UNITS = Number(process.env.UNITS ?? 705);

/** SplitMix64, as benches/score.rs. */
function rng(seed) {
  let state = BigInt(seed);
  const M = (1n << 64n) - 1n;
  return () => {
    state = (state + 0x9e3779b97f4a7c15n) & M;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    return z ^ (z >> 31n);
  };
}

let nodes = "code,parent,max\n";
const leaves = [];
for (let d = 1; d <= 5; d++) {
  nodes += `${d},,\n`;
  for (let c = 1; c <= 5; c++) {
    nodes += `${d}.${c},${d},\n`;
    for (let s = 1; s <= 2; s++) {
      nodes += `${d}.${c}.${s},${d}.${c},2\n`;
      leaves.push(`${d}.${c}.${s}`);
    }
  }
}
const next = rng(2024);
let text = `unit,${leaves.join(",")}\n`;
for (let i = 0; i < UNITS; i++) {
  const row = leaves.map(() => `${next() % 2n}.${String(next() % 100n).padStart(2, "0")}`);
  text += `u${i},${row.join(",")}\n`;
}

const m = Methodology.fromCsv(nodes, "bench.csv");
const s = Scores.fromCsv(m, text, "bench.csv");

function median(label, runs, fn) {
  // Warm up long enough for V8 to tier the module up to its optimising compiler (a short
  // warm-up left some runs timing the baseline compiler's code: medians of 140 or 210 µs).
  for (let i = 0; i < runs; i++) fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)];
  console.log(`${label.padEnd(44)} median ${(ms * 1000).toFixed(1)} µs over ${runs} runs`);
  return ms;
}

median(`score(methodology, scores), ${UNITS} units`, 500, () => {
  const r = score(m, s);
  if (r.length !== UNITS) throw new Error("wrong length");
  r.free();
});
median(`scoreFile(text) + toCsv(), ${UNITS} units`, 100, () => {
  const r = scoreFile(m, text, "bench.csv");
  if (r.toCsv().split("\n").length !== UNITS + 2) throw new Error("wrong rows");
  r.free();
});
