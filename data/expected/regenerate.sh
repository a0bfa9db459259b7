#!/usr/bin/env bash
# Writes the golden vectors listed in data/expected/cases.txt with the Rust CLI.
#   bash data/expected/regenerate.sh            rewrite every file
#   bash data/expected/regenerate.sh --check    rewrite nothing; fail when a file differs
# Uses $PARINDEX when set (a built `parindex` binary), `cargo run -p parindex-cli` otherwise.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
check=false
[ "${1:-}" = "--check" ] && check=true
if [ -z "${PARINDEX:-}" ]; then
  cargo build --quiet -p parindex-cli
  PARINDEX="${CARGO_TARGET_DIR:-target}/debug/parindex"
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=0
n=0
while read -r file args; do
  case "$file" in ''|'#'*) continue ;; esac
  # shellcheck disable=SC2086 # the arguments are split on spaces on purpose
  "$PARINDEX" $args > "$scratch/$file"
  n=$((n + 1))
  if $check; then
    if ! cmp -s "$scratch/$file" "$here/$file"; then
      echo "differs: data/expected/$file (parindex $args)"
      diff "$here/$file" "$scratch/$file" | head -20 || true
      failed=1
    fi
  else
    cp "$scratch/$file" "$here/$file"
  fi
done < "$here/cases.txt"
if $check; then
  [ "$failed" = 0 ] && echo "data/expected: $n golden files match the CLI"
  exit "$failed"
fi
echo "data/expected: wrote $n golden files"
