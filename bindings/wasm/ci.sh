#!/usr/bin/env bash
# Builds the WebAssembly package and runs its checks: wasm-bindgen-cli at exactly the version
# Cargo.lock pins, the release build for wasm32, the Node (CommonJS) and browser (ESM) outputs,
# `tsc --noEmit` on the typed usage files, and the Node tests. Idempotent; quick when warm.
# Run from anywhere; `.ci/run` calls it.
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { printf '\n==> wasm: %s\n' "$*"; }

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

step "wasm-bindgen-cli at the locked version"
want=$(cargo pkgid wasm-bindgen | sed 's/.*[@#]//')
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  # --locked fails when the registry lacks a crate the CLI's lockfile pins: then resolve afresh.
  cargo install wasm-bindgen-cli --version "$want" --locked ||
    cargo install wasm-bindgen-cli --version "$want"
fi
wasm-bindgen --version

step "cargo build -p parindex-wasm --target wasm32-unknown-unknown --release"
cargo build -p parindex-wasm --target wasm32-unknown-unknown --release
wasm="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/parindex_wasm.wasm"

step "wasm-bindgen: Node (bindings/wasm/pkg-node) and browser (bindings/wasm/pkg-web)"
wasm-bindgen --target nodejs --out-dir bindings/wasm/pkg-node "$wasm"
wasm-bindgen --target web --out-dir bindings/wasm/pkg-web "$wasm"
echo "parindex_wasm_bg.wasm: $(wc -c < bindings/wasm/pkg-web/parindex_wasm_bg.wasm) bytes (no wasm-opt)"

cd bindings/wasm

step "npm ci"
npm ci --no-audit --no-fund

step "tsc --noEmit (tests/usage.ts, tests/usage-web.ts against the hand-written definitions)"
./node_modules/.bin/tsc --noEmit -p tsconfig.json

step "node --test tests/*.test.mjs"
node --test tests/*.test.mjs   # explicit files: a bare directory argument changed meaning in Node 21
