//! The workspace's layout as ARCHITECTURE.md draws it: the crates' dependencies on each other
//! are exactly its table (read from `cargo metadata`), no module of any crate imports a module
//! that imports it, and the notebook's layers point down. Here because the CLI's tests are the workspace's native top.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `grokscope-X` → `X`, for the crates of this workspace.
fn short(name: &str) -> Option<&str> {
    name.strip_prefix("grokscope-")
}

/// The table under "Crates and their dependencies": crate → the crates it depends on.
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let section = text.split("## Crates and their dependencies").nth(1).expect("ARCHITECTURE.md has the section");
    let ticked = |cell: &str| cell.split('`').skip(1).step_by(2).map(str::to_string).collect::<BTreeSet<_>>();
    section
        .lines()
        .skip_while(|l| !l.starts_with("| crate"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|row| {
            let cells: Vec<&str> = row.split('|').collect();
            (ticked(cells[1]).pop_first().expect("a crate name"), ticked(cells[2]))
        })
        .collect()
}

/// What Cargo.toml says: each workspace crate's normal (not dev) dependencies within it.
fn actual() -> BTreeMap<String, BTreeSet<String>> {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null())
                .filter_map(|d| short(d["name"].as_str().unwrap()).map(str::to_string))
                .collect();
            (short(p["name"].as_str().unwrap()).unwrap().to_string(), deps)
        })
        .collect()
}

#[test]
fn crate_dependencies_are_the_documented_ones() {
    assert_eq!(actual(), documented(), "ARCHITECTURE.md's table and Cargo.toml disagree (left: Cargo.toml)");
}

/// The modules of `crates/NAME/src` (`run::session`, `views::cells`, ...), each with the modules
/// it names through `crate::` paths (the longest path that is a module). The crate's roots
/// (main.rs, lib.rs) are no modules; nor, in the notebook, what the page shares with the worker.
fn imports(name: &str) -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("crates").join(name).join("src");
    let mut files = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    // `views/cells/mod.rs` is `views::cells`.
    let module_of = |path: &Path| -> Option<String> {
        let relative = path.strip_prefix(&src).unwrap().with_extension("");
        let mut parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        let top: &[&str] = if name == "notebook" { &["main", "lib", "protocol", "webgpu"] } else { &["main", "lib"] };
        (!parts.is_empty() && !top.contains(&parts[0].as_str())).then(|| parts.join("::"))
    };
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(f)).collect();
    let mut imports = BTreeMap::new();
    for file in &files {
        let Some(module) = module_of(file) else { continue };
        let text = std::fs::read_to_string(file).unwrap();
        let used: BTreeSet<String> = text
            .split("crate::")
            .skip(1)
            .filter_map(|rest| {
                let path: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
                (1..=segments.len()).rev().map(|n| segments[..n].join("::")).find(|m| modules.contains(m))
            })
            .filter(|m| *m != module && !module.starts_with(&format!("{m}::")))
            .collect();
        imports.insert(module, used);
    }
    imports
}

#[test]
fn no_module_of_any_crate_imports_one_that_imports_it() {
    // Depth-first search for a path back to where it started.
    fn reaches(imports: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str, seen: &mut BTreeSet<String>) -> bool {
        imports.get(from).into_iter().flatten().any(|next| next == to || (seen.insert(next.clone()) && reaches(imports, next, to, seen)))
    }
    let crates = actual();
    assert!(crates.len() >= 8, "found the workspace's crates: {crates:?}");
    for name in crates.keys() {
        let imports = imports(name);
        for module in imports.keys() {
            assert!(
                !reaches(&imports, module, module, &mut BTreeSet::new()),
                "{name}: `{module}` imports a module that leads back to it: {imports:#?}"
            );
        }
    }
    let notebook = imports("notebook");
    assert!(notebook.len() > 20 && notebook.contains_key("run::session"), "found the notebook's modules: {notebook:?}");
    assert!(imports("core").contains_key("encoding"), "and the core's");
}

/// The layers of main.rs: views → state → run → browser, schedule; nothing imports upwards.
#[test]
fn notebook_layers_point_down() {
    let layer = |module: &str| ["views", "state", "run", "browser", "schedule"].iter().position(|l| module.split("::").next() == Some(l));
    for (module, used) in imports("notebook") {
        let from = layer(&module).unwrap_or_else(|| panic!("`{module}` is in no layer"));
        for to in used {
            let to_layer = layer(&to).unwrap();
            assert!(to_layer >= from, "`{module}` imports `{to}`, a layer above it");
        }
    }
}
