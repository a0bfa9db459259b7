#!/usr/bin/env bash
# Builds the WebAssembly package and runs its checks: wasm-bindgen-cli at exactly the version
# Cargo.lock pins, the release build for wasm32, the Node (CommonJS) and browser (ESM) outputs,
# wasm-opt (npm's binaryen) on both, `tsc --noEmit` on the typed usage files, the Node tests
# (on the optimised module) and the browser test (headless Chromium through playwright-core).
# Idempotent; quick when warm. Run from anywhere; `.ci/run` calls it. Respects CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target_dir="${CARGO_TARGET_DIR:-$root/target}"

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

step "npm ci (typescript, playwright-core, binaryen: pinned in package-lock.json)"
(cd bindings/wasm && npm ci --no-audit --no-fund)

step "cargo build -p parindex-wasm --target wasm32-unknown-unknown --release (LTO, one codegen unit)"
# Whole-program optimisation for this build only (the workspace's release profile stays as it
# is for native builds; the wasm32 artefacts live in their own folder of the target dir).
CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  cargo build -p parindex-wasm --target wasm32-unknown-unknown --release
wasm="$target_dir/wasm32-unknown-unknown/release/parindex_wasm.wasm"

step "wasm-bindgen: Node (bindings/wasm/pkg-node) and browser (bindings/wasm/pkg-web)"
wasm-bindgen --target nodejs --out-dir bindings/wasm/pkg-node "$wasm"
wasm-bindgen --target web --out-dir bindings/wasm/pkg-web "$wasm"

step "wasm-opt -O3 (npm's binaryen; Debian's binaryen 108 emits modules that crash at load)"
# Both outputs hold the same module: optimise once (skipped when the module has not changed).
raw=bindings/wasm/pkg-web/parindex_wasm_bg.wasm
stamp="$target_dir/wasm-opt"
mkdir -p "$stamp"
sum=$(sha256sum "$raw" | cut -d' ' -f1)
before=$(wc -c < "$raw")
if [ ! -f "$stamp/$sum.wasm" ]; then
  rm -f "$stamp"/*.wasm
  bindings/wasm/node_modules/.bin/wasm-opt -O3 "$raw" -o "$stamp/$sum.wasm"
fi
cp "$stamp/$sum.wasm" bindings/wasm/pkg-web/parindex_wasm_bg.wasm
cp "$stamp/$sum.wasm" bindings/wasm/pkg-node/parindex_wasm_bg.wasm
after=$(wc -c < bindings/wasm/pkg-web/parindex_wasm_bg.wasm)
printf 'parindex_wasm_bg.wasm: %d bytes before wasm-opt, %d after (%d%%); gzip -9: %d bytes\n' \
  "$before" "$after" $((after * 100 / before)) "$(gzip -9c bindings/wasm/pkg-web/parindex_wasm_bg.wasm | wc -c)"

cd bindings/wasm

step "tsc --noEmit (tests/usage.ts, tests/usage-web.ts against the hand-written definitions)"
./node_modules/.bin/tsc --noEmit -p tsconfig.json

step "node --test tests/*.test.mjs (on the optimised module)"
node --test tests/*.test.mjs   # explicit files: a bare directory argument changed meaning in Node 21

step "browser test: headless Chromium (playwright-core) on www/; screenshots in bindings/wasm/screenshots/"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "no Chromium at ${CHROMIUM:-/usr/bin/chromium}: install it with 'apt-get install -y chromium' (.ci/run does)"
  exit 1
fi
node --test tests/browser/page.browser.mjs
