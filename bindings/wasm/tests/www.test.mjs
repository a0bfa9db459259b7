// The page's labels: every key in both languages, of the same kind (text or function), and
// every `data-i18n` key of index.html defined.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { LABELS } from "../www/i18n.js";

test("Vietnamese and English labels have the same keys and kinds", () => {
  const vi = Object.keys(LABELS.vi).sort();
  assert.deepEqual(vi, Object.keys(LABELS.en).sort());
  for (const key of vi) assert.equal(typeof LABELS.vi[key], typeof LABELS.en[key], key);
});

test("every data-i18n key of index.html is a text label", () => {
  const html = readFileSync(new URL("../www/index.html", import.meta.url), "utf8");
  const keys = [...html.matchAll(/data-i18n="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(keys.length > 20);
  for (const key of keys) assert.equal(typeof LABELS.vi[key], "string", key);
});
