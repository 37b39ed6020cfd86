# Sourced by the other scripts: where builds and tools live, kept outside the clone so that
# every run on this machine (and every fresh clone CI makes) reuses them.
export GROKSCOPE_CACHE="${GROKSCOPE_CACHE:-$HOME/.cache/grokscope}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$GROKSCOPE_CACHE/target}"
export PATH="$HOME/.cargo/bin:$GROKSCOPE_CACHE/npm/node_modules/.bin:$PATH"
# The wasm-bindgen version the notebook links against, read from Cargo.lock: the CLI must match.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}
