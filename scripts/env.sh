# Sourced by the other scripts: where builds and tools live, kept outside the clone so that
# every run on this machine (and every fresh clone CI makes) reuses them.
export GROKSCOPE_CACHE="${GROKSCOPE_CACHE:-$HOME/.cache/grokscope}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$GROKSCOPE_CACHE/target}"
export PATH="$HOME/.cargo/bin:$GROKSCOPE_CACHE/npm/node_modules/.bin:$PATH"
# The wasm-bindgen version the notebook links against, read from Cargo.lock: the CLI must match.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}
# Vulkan's loader complains on every device start without one (CI has none).
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  export XDG_RUNTIME_DIR="$GROKSCOPE_CACHE/xdg-runtime"
  mkdir -p -m 700 "$XDG_RUNTIME_DIR"
fi
# What dist/ was built from (a digest of the sources trunk reads), so that `scripts/serve`
# rebuilds only when they changed: trunk re-runs wasm-opt on both binaries at every start.
DIST_STAMP="$ROOT/.dist-inputs"
dist_inputs() {
  (cd "$ROOT" && find Cargo.toml Cargo.lock Trunk.toml index.html web crates scripts/post-build.mjs scripts/csp.mjs scripts/offline.mjs -type f |
    LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
}
# Clippy lints the workspace's crates as the builds below compile them (clippy-driver as their
# compiler, warnings denied, as `cargo clippy -- -D warnings` passes them): `cargo clippy` would
# check every dependency once more per target, a build that nothing else reuses.
# Whatever else builds the workspace (scripts/converged-sweep) does so too, or its builds and the
# test command's would each recompile the workspace's crates.
lint_with_clippy() {
  export RUSTC_WORKSPACE_WRAPPER=clippy-driver
  export CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
}
build_dist() {
  trunk build --release
  dist_inputs > "$DIST_STAMP"
}
