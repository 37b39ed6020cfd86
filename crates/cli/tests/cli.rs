//! The `grokscope` binary as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use grokscope_core::Checkpoint;
use serde_json::Value;

fn grokscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grokscope")).args(args).output().expect("the binary runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grokscope-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn stdout_json(out: &Output) -> Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn train_writes_metrics_and_a_checkpoint_that_eval_reads() {
    let out_dir = scratch("train");
    let out = grokscope(&[
        "train",
        "--p",
        "23",
        "--d-model",
        "32",
        "--alpha",
        "0",
        "--steps",
        "60",
        "--eval-every",
        "20",
        "--seed",
        "3",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ms/step"));

    let metrics: Vec<Value> =
        std::fs::read_to_string(out_dir.join("metrics.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let steps: Vec<u64> = metrics.iter().map(|m| m["step"].as_u64().unwrap()).collect();
    assert_eq!(steps, [0, 20, 40, 60]);
    for key in ["train_loss", "train_acc", "test_loss", "test_acc"] {
        assert!(metrics.iter().all(|m| m[key].is_f64()), "{key} in every line");
    }
    assert!(metrics[3]["train_loss"].as_f64() < metrics[0]["train_loss"].as_f64());

    let bytes = std::fs::read(out_dir.join("model.safetensors")).unwrap();
    let checkpoint = Checkpoint::from_safetensors(&bytes).unwrap();
    assert_eq!(checkpoint.run.train.seed, 3);
    assert_eq!(checkpoint.weights.get("embed.W_E").unwrap().shape, vec![32, 23]);

    let report = stdout_json(&grokscope(&["eval", out_dir.join("model.safetensors").to_str().unwrap()]));
    assert_eq!(report["test_accuracy"].as_f64(), metrics[3]["test_acc"].as_f64());
    assert_eq!(report["accuracy"].as_f64(), metrics[3]["all_acc"].as_f64());

    // Our own checkpoint rebuilds its split, so analyze reports test accuracy, and the training
    // curve beside it becomes a chart.
    let charts = out_dir.join("charts");
    let analysis =
        stdout_json(&grokscope(&["analyze", out_dir.join("model.safetensors").to_str().unwrap(), "--out", charts.to_str().unwrap()]));
    assert_eq!(analysis["test_accuracy"].as_f64(), metrics[3]["test_acc"].as_f64());
    let curves = std::fs::read_to_string(charts.join("curves.svg")).unwrap();
    assert!(curves.contains("cross-entropy") && curves.contains("train") && curves.contains("test"));
    std::fs::remove_dir_all(out_dir).unwrap();
}

#[test]
fn eval_scores_the_papers_model_a() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/clock-pizza/checkpoints/p99zdpze5l.safetensors");
    let report = stdout_json(&grokscope(&["eval", path.to_str().unwrap()]));
    assert_eq!(report["accuracy"].as_f64(), Some(1.0));
    assert_eq!(report["config"]["model"]["attention_rate"].as_f64(), Some(0.0));
}

/// The keys the issue names, Model A's numbers (docs/science.md §7) and every chart as SVG.
#[test]
fn analyze_model_a() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/clock-pizza/checkpoints/p99zdpze5l.safetensors");
    let dir = scratch("analyze");
    let report = stdout_json(&grokscope(&["analyze", path.to_str().unwrap(), "--out", dir.to_str().unwrap()]));
    let number = |key: &str| report[key].as_f64().unwrap_or_else(|| panic!("{key} in {report}"));
    assert_eq!(number("accuracy"), 1.0);
    for (key, value) in [
        ("gradient_symmetricity", 0.9937),
        ("distance_irrelevance", 0.1717),
        ("distance_irrelevance_top_wrong", 0.2218),
        ("circularity", 0.9978),
    ] {
        assert!((number(key) - value).abs() < 1e-3, "{key}: {}", number(key));
    }
    assert_eq!(report["circle_steps"], serde_json::json!([7, 7, 20, 20]));
    assert_eq!(report["verdict"]["algorithm"], "pizza");
    assert!(report["test_accuracy"].is_null(), "the released files have no split");

    let metrics: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("metrics.json")).unwrap()).unwrap();
    assert_eq!(metrics, report);
    let mut svgs: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).filter(|n| n.ends_with(".svg")).collect();
    svgs.sort();
    assert_eq!(svgs.len(), 12, "{svgs:?}"); // readout, components, circles, logits, 6 circles, fourier, attention
    assert!(std::fs::read_to_string(dir.join("readout.svg")).unwrap().contains("Verdict: Pizza"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_input_is_a_message_not_a_panic() {
    let dir = scratch("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let junk = dir.join("junk.safetensors");
    std::fs::write(&junk, b"this is not a checkpoint at all").unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["eval", junk.to_str().unwrap()], "not a usable checkpoint"),
        (&["analyze", junk.to_str().unwrap()], "not a usable checkpoint"),
        (&["eval", "/nonexistent/model.safetensors"], "No such file"),
        (&["train", "--p", "100000", "--out", dir.to_str().unwrap()], "modulus"),
        (&["train", "--d-model", "8", "--heads", "9", "--out", dir.to_str().unwrap()], "heads"),
    ];
    for (args, expected) in cases {
        let out = grokscope(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
