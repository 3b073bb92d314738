#!/usr/bin/env bash
# Regenerates the tower-sessions interop fixtures in test/interop/fixtures/ (commit them afterwards):
#   rust-vectors.json           records serialized by the Rust reference program (rmp_serde, serde_json, time)
#   ts-encoded.json             records this library's encoder wrote (fixed, seeded-random, raw-entry saves)
#   rust-decoded.json           what the Rust program's rmp_serde::from_slice::<Record> made of each of those
#   crafted-blobs.json          hand-made blobs on the edges of what rmp_serde accepts
#   rust-crafted-decoded.json   the Rust program's verdict on each
# Needs Debian's crate packages (installed here if missing) and a Rust toolchain; builds offline. CI only
# reads the committed fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."

crates=(librust-rmp-serde-dev librust-serde-json-dev librust-time-dev librust-serde-dev librust-serde-derive-dev
  librust-base64-dev)
missing=()
for package in "${crates[@]}"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
command -v cargo >/dev/null 2>&1 || missing+=(cargo rustc)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

rust=test/interop/rust
fixtures=test/interop/fixtures
node=node_modules/.bin/node
bin="$rust/target/release/tower-sessions-interop"
[ -x "$node" ] || { echo "run npm ci first" >&2; exit 1; }

# A Cargo.lock left by another cargo (rustup's or Debian's) may be unreadable: let this one write its own.
rm -f "$rust/Cargo.lock"
(cd "$rust" && cargo build --release --offline --quiet)
echo "built with: $(cd "$rust" && cargo tree --offline --depth 1 --prefix none 2>/dev/null | tail -n +2 | sort | tr '\n' ' ')"

mkdir -p "$fixtures"
"$bin" generate >"$fixtures/rust-vectors.json"
"$node" test/interop/ts-encode.ts write "$fixtures"
"$node" test/interop/ts-encode.ts lines "$fixtures/ts-encoded.json" | "$bin" decode >"$fixtures/rust-decoded.json"
"$node" test/interop/ts-encode.ts lines "$fixtures/crafted-blobs.json" | "$bin" decode >"$fixtures/rust-crafted-decoded.json"
# The repository's formatter owns the JSON layout.
node_modules/.bin/biome format --write "$fixtures" >/dev/null
git status --short -- "$fixtures"
