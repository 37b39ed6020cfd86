//! Share links: the default notebook fits in a short link (under 2,000 characters, at both
//! sizes), every notebook comes back equal, a damaged (every truncation, corruption), oversized
//! (zip bombs included), newer or out-of-limits link is refused with a reason (never a panic,
//! never a different notebook; property-tested on random and mutated links), and the runs a link
//! reopens train as the original did: bit for bit on the CPU, within 1e-3 on wgpu. Misspelt keys
//! anywhere in a link or file are refused by name; mutated notebook files, sweep specs and run
//! configs are read or refused, never a panic.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use grokscope_core::device::Backend;
use grokscope_core::{RunConfig, Snapshot, Trainer};
use grokscope_document::link::{decode, encode, is_link};
use grokscope_document::{CellKind, Control, DocumentError, Notebook, Size, clock_vs_pizza};
use pollster::block_on;
use proptest::prelude::*;

fn zlib_link(json: &[u8]) -> String {
    format!("v1.{}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(json, 6)))
}

fn lesson() -> Notebook {
    let mut n = clock_vs_pizza(Size::Small);
    n.locked = Control::ALL.into_iter().filter(|c| *c != Control::AttentionRate).collect();
    n.cells.push(grokscope_document::Cell {
        id: 7,
        kind: CellKind::Markdown { text: "<img src=x onerror=alert(1)><script>alert(2)</script> ünïcødé ∘ α".into() },
    });
    n
}

#[test]
fn the_default_notebook_fits_in_a_short_link() {
    for size in [Size::Default, Size::Small] {
        let link = encode(&clock_vs_pizza(size));
        eprintln!("{size:?}: {} characters", link.len());
        assert!(link.len() < 2000, "{size:?}: {} characters", link.len());
        assert!(link.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "not URL-safe: {link}");
        assert!(is_link(&link) && is_link(&format!("#{link}")));
    }
    assert!(!is_link("#results") && !is_link("") && !is_link("#v.x"));
}

#[test]
fn every_notebook_comes_back_equal() {
    for n in [clock_vs_pizza(Size::Default), clock_vs_pizza(Size::Small), lesson()] {
        assert_eq!(decode(&encode(&n)).unwrap(), n);
        assert_eq!(decode(&format!("#{}", encode(&n))).unwrap(), n);
        assert_eq!(Notebook::from_json(n.to_json().as_bytes(), "file").unwrap(), n);
    }
}

#[test]
fn damaged_links_are_refused_with_a_reason() {
    let link = encode(&lesson());
    // Cut anywhere: an error, never a notebook.
    for cut in 0..link.len() {
        assert!(decode(&link[..cut]).is_err(), "cut at {cut} opened");
    }
    assert!(matches!(decode(&link[..link.len() - 10]), Err(DocumentError::Corrupted { .. })));
    // Any one character changed: an error or, where base64's last character has spare bits,
    // the very same notebook.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for i in 3..link.len() {
        let mut bytes = link.clone().into_bytes();
        bytes[i] = alphabet[(alphabet.iter().position(|&a| a == bytes[i]).unwrap() + 17) % 64];
        match decode(std::str::from_utf8(&bytes).unwrap()) {
            Ok(n) => assert_eq!(n, lesson(), "changing character {i} opened another notebook"),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
    let e = decode("v1.$$$").unwrap_err();
    assert!(e.to_string().contains("damaged"), "{e}");
    assert!(matches!(decode("hello"), Err(DocumentError::Corrupted { .. })));
}

#[test]
fn newer_and_oversized_links_say_so() {
    let e = decode(&encode(&lesson()).replacen("v1.", "v2.", 1)).unwrap_err();
    assert_eq!(e, DocumentError::Newer { what: "link", version: 2, supported: 1 });
    assert!(e.to_string().contains("newer grokscope"), "{e}");

    let mut json: serde_json::Value = serde_json::from_str(&lesson().to_json()).unwrap();
    json["version"] = 7.into();
    json["cells"] = "a future shape".into();
    let e = decode(&zlib_link(json.to_string().as_bytes())).unwrap_err();
    assert_eq!(e, DocumentError::Newer { what: "link", version: 7, supported: 1 });

    assert!(matches!(decode(&"A".repeat(3 << 20)), Err(DocumentError::TooLarge { .. })));
    // A small link that would expand past the limit (a "zip bomb") stops at the limit.
    let bomb = zlib_link(&vec![b' '; 8 << 20]);
    assert!(bomb.len() < 40_000);
    assert!(matches!(decode(&bomb), Err(DocumentError::TooLarge { .. })), "{:?}", decode(&bomb));
}

#[test]
fn settings_beyond_the_limits_are_refused() {
    let mut n = clock_vs_pizza(Size::Small);
    if let CellKind::Experiment { run, .. } = &mut n.cells[1].kind {
        run.task.p = 100_000;
    }
    let e = decode(&encode(&n)).unwrap_err();
    assert!(matches!(e, DocumentError::Invalid(_)) && e.to_string().contains("p = 100000"), "{e}");

    let mut n = clock_vs_pizza(Size::Small);
    n.cells[2].id = n.cells[1].id;
    assert!(decode(&encode(&n)).unwrap_err().to_string().contains("two cells"));
    let mut n = clock_vs_pizza(Size::Small);
    n.cells[0].id = u32::MAX;
    assert!(decode(&encode(&n)).is_err());
    let mut n = clock_vs_pizza(Size::Small);
    n.cells = (0..201).map(|id| grokscope_document::Cell { id, kind: CellKind::Markdown { text: String::new() } }).collect();
    assert!(decode(&encode(&n)).unwrap_err().to_string().contains("201 cells"));
}

/// A misspelt key anywhere (the notebook, a cell, a run, a sweep) is refused by name, and a
/// well-formed link with a wrong value says what is wrong rather than "damaged".
#[test]
fn unknown_keys_and_wrong_values_are_refused_by_name() {
    let json: serde_json::Value = serde_json::from_str(&lesson().to_json()).unwrap();
    for (path, key) in [("", "titel"), ("/cells/0", "txet"), ("/cells/1/run/train", "stpes"), ("/cells/1/run/model", "alpha")] {
        let mut bad = json.clone();
        bad.pointer_mut(path).unwrap_or_else(|| panic!("{path}")).as_object_mut().unwrap().insert(key.into(), 3.into());
        for e in [
            decode(&zlib_link(bad.to_string().as_bytes())).unwrap_err(),
            Notebook::from_json(bad.to_string().as_bytes(), "file").unwrap_err(),
        ] {
            assert!(matches!(e, DocumentError::Invalid(_)) && e.to_string().contains(&format!("unknown field `{key}`")), "{path}: {e}");
        }
    }
    let mut bad = json.clone();
    bad["cells"][1]["run"]["train"]["steps"] = "many".into();
    let e = decode(&zlib_link(bad.to_string().as_bytes())).unwrap_err();
    assert!(!e.to_string().contains("damaged") && e.to_string().contains("invalid type"), "{e}");
    let mut sweep = clock_vs_pizza(Size::Small);
    sweep.cells.push(grokscope_document::Cell {
        id: 9,
        kind: CellKind::Sweep { name: "s".into(), sweep: grokscope_sweep::SweepSpec::from_json(r#"{"grid": {"seed": [0]}}"#).unwrap() },
    });
    let mut bad: serde_json::Value = serde_json::from_str(&sweep.to_json()).unwrap();
    let last = bad["cells"].as_array().unwrap().len() - 1;
    bad["cells"][last]["sweep"]["random"] = serde_json::json!({"runs": 3});
    let e = decode(&zlib_link(bad.to_string().as_bytes())).unwrap_err();
    assert!(e.to_string().contains("not both"), "{e}");
}

fn curve(backend: Backend, run: &RunConfig, every: usize) -> Vec<Snapshot> {
    block_on(Trainer::curve(run, &backend.device(), every)).unwrap()
}

fn runs(n: &Notebook) -> Vec<RunConfig> {
    n.cells
        .iter()
        .filter_map(|c| match &c.kind {
            CellKind::Experiment { run, .. } => Some(run.clone()),
            _ => None,
        })
        .collect()
}

/// A link's runs, trained on the CPU, give the original's curves bit for bit; on wgpu they
/// follow them within 1e-3.
#[test]
fn a_link_reproduces_its_runs() {
    let mut original = clock_vs_pizza(Size::Small);
    for cell in &mut original.cells {
        if let CellKind::Experiment { run, .. } = &mut cell.kind {
            run.train.steps = 12;
            run.train.seed = 20231122;
            run.train.lr = 0.003_7; // not a round binary number: it must survive the JSON exactly
        }
    }
    let opened = decode(&encode(&original)).unwrap();
    for (run, reopened) in runs(&original).iter().zip(runs(&opened)) {
        let cpu = curve(Backend::CPU, run, 4);
        assert_eq!(cpu, curve(Backend::CPU, &reopened, 4));
        let gpu = curve(Backend::Wgpu, &reopened, 4);
        for (c, g) in cpu.iter().zip(&gpu) {
            let tolerance = 1e-3 * c.train_loss.abs().max(1.0);
            assert!((c.train_loss - g.train_loss).abs() < tolerance && (c.test_loss - g.test_loss).abs() < tolerance, "{c:?} vs {g:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Any text at all: a notebook that passes its checks or an error, never a panic.
    #[test]
    fn any_fragment_decodes_or_is_refused(fragment in "\\PC{0,300}") {
        if let Ok(n) = decode(&fragment) {
            prop_assert!(n.check().is_ok());
        }
    }

    #[test]
    fn any_link_shaped_text_decodes_or_is_refused(payload in "[A-Za-z0-9_-]{0,400}") {
        let _ = decode(&format!("v1.{payload}"));
    }

    /// Valid links with bytes changed, cut or inserted.
    #[test]
    fn mutated_links_decode_or_are_refused(edits in prop::collection::vec((any::<usize>(), any::<u8>(), 0..3u8), 1..8)) {
        let mut bytes = encode(&lesson()).into_bytes();
        for (at, byte, op) in edits {
            let at = at % (bytes.len() + 1);
            match op {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ => bytes.truncate(at),
            }
        }
        if let Ok(n) = decode(&String::from_utf8_lossy(&bytes)) {
            prop_assert!(n.check().is_ok());
        }
    }

    /// Notebook files, sweep specs and run configs (what `--config` reads) with bytes changed,
    /// cut or inserted: each reads and passes its checks, or is refused; never a panic.
    #[test]
    fn mutated_files_specs_and_configs_are_read_or_refused(edits in prop::collection::vec((any::<usize>(), any::<u8>(), 0..3u8), 1..6)) {
        let mut notebook = lesson();
        notebook.cells.push(grokscope_document::Cell {
            id: 9,
            kind: CellKind::Sweep { name: "s".into(), sweep: grokscope_sweep::SweepSpec::from_json(r#"{"grid": {"attention_rate": [0, 1], "seed": [0, 1]}}"#).unwrap() },
        });
        let spec = grokscope_sweep::SweepSpec::from_json(r#"{"random": {"runs": 4, "seed": 1, "log2_d_model": [5, 6]}}"#).unwrap().to_json();
        let config = serde_json::to_string(&RunConfig::paper(0.5)).unwrap();
        for text in [notebook.to_json(), spec, config] {
            let mut bytes = text.into_bytes();
            for &(at, byte, op) in &edits {
                let at = at % (bytes.len() + 1);
                match op {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ => bytes.truncate(at),
                }
            }
            if let Ok(n) = Notebook::from_json(&bytes, "file") {
                prop_assert!(n.check().is_ok());
            }
            if let Ok(spec) = grokscope_sweep::SweepSpec::from_json(&String::from_utf8_lossy(&bytes)) {
                let _ = grokscope_document::check_sweep(&spec);
            }
            if let Ok(run) = serde_json::from_slice::<RunConfig>(&bytes) {
                let _ = run.validate();
            }
        }
    }

    /// Compressed JSON that is valid zlib but any content: the JSON checks, not the encoding,
    /// must refuse it.
    #[test]
    fn any_json_behind_a_good_checksum_is_checked(json in "\\PC{0,200}") {
        if let Ok(n) = decode(&zlib_link(json.as_bytes())) {
            prop_assert!(n.check().is_ok());
        }
        let _ = Notebook::from_json(json.as_bytes(), "file");
    }
}
