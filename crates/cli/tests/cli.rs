//! The `grokscope` binary as a user runs it: `train` writes metrics (the progress measures in
//! every line of `metrics.jsonl`; the character basis for multiplication and division only),
//! checkpoint and config that `eval` and `analyze` read back (test accuracy from the rebuilt
//! split, the curves and `progress.svg` charted); `--operation` takes a formula; `analyze` on
//! Model A (its numbers, every SVG, metrics.json) and on an {+, ·} mixture operation by
//! operation (each one's accuracy its own curve's, the verdict and restricted loss where they
//! apply, each one's charts in its own folder); `transformer-lens` writes Model B in
//! TransformerLens' layouts and refuses Model A; `sweep`: a grid's table, a member equal to its
//! `train` run, resumed after a kill with a half-written row, two shards merged to the same
//! table, a merge with missing or doubled runs refused, the phase diagrams. Bad or careless input
//! is a message and exit code 1, never a panic, and replaces nothing.

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
    for key in
        ["train_loss", "train_acc", "test_loss", "test_acc", "ffd_we", "restricted_loss_train", "excluded_loss_test", "restricted_loss_all"]
    {
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

/// A formula as the operation, and the progress measures in every line of metrics.jsonl; the
/// multiplication's character basis only where it applies.
#[test]
fn train_any_operation_and_record_its_progress_measures() {
    for (operation, character_basis) in [("a^2 + b^2", false), ("multiply", true), ("divide", true)] {
        let out_dir = scratch("operation");
        let out = grokscope(&[
            "train",
            "--operation",
            operation,
            "--p",
            "23",
            "--d-model",
            "32",
            "--steps",
            "40",
            "--eval-every",
            "20",
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
        let config: Value = serde_json::from_str(&read(&out_dir.join("config.json"))).unwrap();
        assert_eq!(config["task"]["operation"], operation.replace(' ', ""));
        let metrics: Vec<Value> = read(&out_dir.join("metrics.jsonl")).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(metrics.len(), 3);
        for m in &metrics {
            for key in ["ffd_we", "fcr_we", "ffd_wl", "fcr_wl", "gini_we", "gini_wl", "weight_norm_sq"] {
                let v = m[key].as_f64().unwrap_or_else(|| panic!("{key} in {m}"));
                assert!(v.is_finite() && v >= 0.0, "{key} = {v}");
            }
            assert!(m["key_frequencies"].is_array());
            assert_eq!(m["multiplicative_gini_we"].is_f64(), character_basis, "{m}");
            // Nanda's restricted loss is about a ± b.
            assert!(m.get("restricted_loss_train").is_none());
        }
        // At initialisation the embedding is Gaussian: dense in the Fourier basis.
        assert!(metrics[0]["ffd_we"].as_f64().unwrap() > 0.6, "{}", metrics[0]);

        let charts = out_dir.join("charts");
        let report =
            stdout_json(&grokscope(&["analyze", out_dir.join("model.safetensors").to_str().unwrap(), "--out", charts.to_str().unwrap()]));
        assert_eq!(report["progress"]["ffd_we"], metrics[2]["ffd_we"]);
        assert!(read(&charts.join("progress.svg")).contains("FFD W_E"));
        assert_eq!(charts.join("fourier_characters.svg").exists(), character_basis);
        std::fs::remove_dir_all(out_dir).unwrap();
    }
}

/// A mixture is analysed operation by operation: each report matches that operation's own
/// curve, and each has its own charts.
#[test]
fn analyze_a_mixture_operation_by_operation() {
    let out_dir = scratch("mixture");
    let out = grokscope(&[
        "train",
        "--encoding",
        "furuta",
        "--operation",
        "add,multiply",
        "--p",
        "23",
        "--d-model",
        "32",
        "--steps",
        "60",
        "--eval-every",
        "30",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let metrics: Vec<Value> = read(&out_dir.join("metrics.jsonl")).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let last = &metrics.last().unwrap()["per_task"];

    let charts = out_dir.join("charts");
    let add = stdout_json(&grokscope(&["analyze", out_dir.join("model.safetensors").to_str().unwrap(), "--out", charts.to_str().unwrap()]));
    let multiply = &add["mixed_with"][0];
    assert_eq!(add["mixed_with"].as_array().unwrap().len(), 1);
    let close = |a: &Value, b: &Value| (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-6;
    for (i, report) in [&add, multiply].into_iter().enumerate() {
        assert_eq!(report["task"]["mixed_with"].as_array().unwrap().len(), 1);
        assert!(close(&report["accuracy"], &last[i]["all_acc"]), "{} against {}", report["accuracy"], last[i]);
        assert!(close(&report["test_accuracy"], &last[i]["test_acc"]), "{} against {}", report["test_accuracy"], last[i]);
        // The embedding is shared: the character basis is read for both operations.
        assert!(report["progress"]["multiplicative_gini_we"].is_f64());
    }
    assert_eq!(add["task"]["operation"], "add");
    assert_eq!(multiply["task"]["operation"], "multiply");
    // Nanda's restricted loss and the Clock/Pizza verdict are about addition.
    assert!(add["progress"]["restricted_loss_test"].is_f64());
    assert!(multiply["progress"].get("restricted_loss_test").is_none());
    assert_eq!(multiply["verdict"]["algorithm"], "not_addition");

    let multiply_charts = charts.join("multiply");
    assert_eq!(serde_json::from_str::<Value>(&read(&multiply_charts.join("metrics.json"))).unwrap(), *multiply);
    assert!(read(&multiply_charts.join("correct_logits.svg")).contains("Correct-class logit of a·b, by discrete log"));
    assert!(read(&charts.join("correct_logits.svg")).contains("Correct-class logit of a + b"));
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
    // readout, components, circles, logits, 6 circles, parallel circles, fourier, neurons, attention,
    // and the 2026 reading's PAD, CKA and R² charts
    assert_eq!(svgs.len(), 17, "{svgs:?}");
    assert!(std::fs::read_to_string(dir.join("readout.svg")).unwrap().contains("Verdict: Pizza"));
    assert!(std::fs::read_to_string(dir.join("neurons.svg")).unwrap().contains("Neurons by dominant input frequency"));
    // The parallel circles: each circle's own accuracy and reading, and the curve of the first
    // n kept, in the JSON and drawn.
    assert_eq!(report["circles"][0]["reading"], "pizza");
    assert_eq!(report["top_circles_accuracy"].as_array().map(Vec::len), Some(6));
    assert!(std::fs::read_to_string(dir.join("parallel_circles.svg")).unwrap().contains("k=17"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// Model B (α = 1) as a TransformerLens state dict; Model A (α = 0) refused with the reason.
#[test]
fn transformer_lens_takes_model_b_and_refuses_model_a() {
    let checkpoints = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/clock-pizza/checkpoints");
    let dir = scratch("transformer-lens");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("clock.safetensors");
    let model_b = checkpoints.join("q9rsl94xlv.safetensors");
    let config = stdout_json(&grokscope(&["transformer-lens", model_b.to_str().unwrap(), "--out", file.to_str().unwrap()]));
    assert_eq!(config["attention_dir"], "bidirectional");
    // The safetensors header: its length, then JSON.
    let bytes = std::fs::read(&file).unwrap();
    let length = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: Value = serde_json::from_slice(&bytes[8..8 + length]).unwrap();
    assert_eq!(header["embed.W_E"]["shape"], serde_json::json!([59, 128]));
    assert_eq!(header["blocks.0.attn.W_O"]["shape"], serde_json::json!([4, 32, 128]));
    assert_eq!(serde_json::from_str::<Value>(header["__metadata__"]["config"].as_str().unwrap()).unwrap(), config);

    let model_a = checkpoints.join("p99zdpze5l.safetensors");
    let refused = dir.join("pizza.safetensors");
    let out = grokscope(&["transformer-lens", model_a.to_str().unwrap(), "--out", refused.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("α = 0 has no TransformerLens equivalent"));
    assert!(!refused.exists(), "nothing written");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_input_is_a_message_not_a_panic() {
    let dir = scratch("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let junk = dir.join("junk.safetensors");
    std::fs::write(&junk, b"this is not a checkpoint at all").unwrap();
    let cases: [(&[&str], &str); 7] = [
        (&["eval", junk.to_str().unwrap()], "not a usable checkpoint"),
        (&["analyze", junk.to_str().unwrap()], "not a usable checkpoint"),
        (&["eval", "/nonexistent/model.safetensors"], "No such file"),
        (&["train", "--p", "100000", "--out", dir.to_str().unwrap()], "modulus"),
        (&["train", "--d-model", "8", "--heads", "9", "--out", dir.to_str().unwrap()], "heads"),
        (
            &["train", "--operation", "a^9+b", "--out", dir.to_str().unwrap()],
            "unknown operation `a^9+b` (one of add, subtract, multiply, divide, 2a+b",
        ),
        (&["train", "--operation", "divide", "--p", "21", "--out", dir.to_str().unwrap()], "division needs a prime modulus"),
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

/// What a careless or hostile user types: every count bounded before anything is allocated,
/// files read no further than their limit, misspelt keys and replaced outputs refused by name,
/// weights that are not finite named, and every number echoed as it was written.
#[test]
fn careless_input_is_refused_by_name_and_replaces_nothing() {
    let dir = scratch("careless");
    std::fs::create_dir_all(&dir).unwrap();
    let at = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let tiny = ["train", "--p", "11", "--d-model", "16", "--steps", "5"];
    let refused = |args: &[&str]| failed(&grokscope(args));

    // Counts bounded before allocation.
    let shard = refused(&["sweep", "--alpha", "0", "--p", "11", "--shard", "0/18446744073709551615", "--out", &at("s")]);
    assert!(shard.contains("N ≤ 10000"), "{shard}");
    assert!(refused(&["sweep", "--alpha", "0", "--seeds", "18446744073709551615", "--out", &at("s")]).contains("--seeds"));

    // Files: checked by size before reading, and no further than the limit.
    let sparse = std::fs::File::create(at("sparse.safetensors")).unwrap();
    sparse.set_len(1 << 30).unwrap();
    for command in ["eval", "analyze", "transformer-lens"] {
        let out = refused(&[command, &at("sparse.safetensors"), "--out", &at("tl")][..if command == "transformer-lens" { 4 } else { 2 }]);
        assert!(out.contains("larger than the 512 MiB"), "{command}: {out}");
    }
    assert!(refused(&["eval", "/dev/zero"]).contains("larger than the 512 MiB"));
    assert!(refused(&["eval", dir.to_str().unwrap()]).contains("is a folder"));

    // Misspelt keys in a config or a spec, and a spec with both schemes.
    std::fs::write(at("config.json"), r#"{"task": {"operation": "add", "p": 11}, "train": {"stpes": 3}}"#).unwrap();
    assert!(refused(&["train", "--config", &at("config.json"), "--out", &at("c")]).contains("unknown field `stpes`"));
    std::fs::write(at("spec.json"), r#"{"bsae": {}, "grid": {"attention_rate": [0]}}"#).unwrap();
    assert!(refused(&["sweep", &at("spec.json"), "--out", &at("s")]).contains("unknown field `bsae`"));
    std::fs::write(at("spec.json"), r#"{"grid": {"attention_rate": [0]}, "random": {"runs": 2}}"#).unwrap();
    assert!(refused(&["sweep", &at("spec.json"), "--out", &at("s")]).contains("not both"));
    assert!(!dir.join("c").exists() && !dir.join("s").exists(), "nothing written");

    // A model in --out is replaced only with --force; --out naming a file says so.
    let model = dir.join("m").join("model.safetensors");
    succeeded(&grokscope(&[&tiny[..], &["--out", &at("m")]].concat()));
    let first = std::fs::read(&model).unwrap();
    let again = refused(&[&tiny[..], &["--seed", "1", "--out", &at("m")]].concat());
    assert!(again.contains("exists: --force replaces it"), "{again}");
    assert_eq!(std::fs::read(&model).unwrap(), first);
    succeeded(&grokscope(&[&tiny[..], &["--seed", "1", "--force", "--out", &at("m")]].concat()));
    assert_ne!(std::fs::read(&model).unwrap(), first);
    assert!(refused(&[&tiny[..], &["--out", &at("config.json")]].concat()).contains("is a file, not a folder"));

    // Weights that are not finite are named, in eval and analyze alike.
    let mut checkpoint = Checkpoint::from_safetensors(&first).unwrap();
    checkpoint.weights.0.get_mut("embed.W_E").unwrap().values[3] = f32::NAN;
    std::fs::write(at("nan.safetensors"), checkpoint.to_safetensors()).unwrap();
    for command in ["eval", "analyze"] {
        let out = refused(&[command, &at("nan.safetensors")]);
        assert!(out.contains("nan.safetensors") && out.contains("`embed.W_E` has 1 non-finite value(s)"), "{command}: {out}");
    }
    // A shape error names the file.
    let mut checkpoint = Checkpoint::from_safetensors(&first).unwrap();
    checkpoint.weights.0.get_mut("embed.W_E").unwrap().shape = vec![11, 16];
    std::fs::write(at("shape.safetensors"), checkpoint.to_safetensors()).unwrap();
    let shape = refused(&["eval", &at("shape.safetensors")]);
    assert!(shape.contains("shape.safetensors: tensor `embed.W_E` has shape [11, 16]"), "{shape}");

    // Numbers as written; negative ones refused for what they are; no run of 0 steps.
    let decay = refused(&[&tiny[..], &["--weight-decay", "1e300", "--out", &at("w")]].concat());
    assert!(decay.contains("weight decay 1e300:") && decay.len() < 200, "{decay}");
    assert!(refused(&[&tiny[..], &["--lr", "-1", "--out", &at("w")]].concat()).contains("learning rate -1:"));
    assert!(refused(&["train", "--steps", "0", "--out", &at("w")]).contains("0 steps"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A quick grid of 12 tiny runs in two shapes (ensembles), as the command line writes one.
const QUICK_GRID: [&str; 10] = ["--alpha", "0:1:3", "--d-model", "16,24", "--seeds", "2", "--p", "11", "--steps", "40"];

fn sweep(args: &[&str], out: &Path) -> Output {
    let mut all = vec!["sweep"];
    all.extend_from_slice(args);
    all.extend(["--out", out.to_str().unwrap()]);
    grokscope(&all)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn succeeded(out: &Output) -> String {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn failed(out: &Output) -> String {
    // 1 for what the command refuses, 2 for what the argument parser does.
    assert!(matches!(out.status.code(), Some(1 | 2)), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn a_sweep_trains_every_run_resumes_shards_merges_and_plots() {
    let dir = scratch("sweep");
    let whole = dir.join("whole");
    let stderr = succeeded(&sweep(&QUICK_GRID, &whole));
    assert!(stderr.contains("12/12 models"), "{stderr}");
    let table = read(&whole.join("results.csv"));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 13);
    assert!(lines[0].starts_with("run_id,attn_coeff,d_model,n_heads,n_layers,p,seed,steps"));
    assert!(lines[0].contains("gradient_sim,distance_irrelevance,distance_irrelevance_correct,circularity"));
    assert!(lines[1..].iter().all(|l| l.split(',').nth(7) == Some("40")), "every run trained its 40 steps");

    // A member trains as its single run does: the same test accuracy as `grokscope train`.
    let single = dir.join("single");
    let train = grokscope(&[
        "train",
        "--alpha",
        "1",
        "--d-model",
        "24",
        "--seed",
        "1",
        "--p",
        "11",
        "--steps",
        "40",
        "--out",
        single.to_str().unwrap(),
    ]);
    succeeded(&train);
    let last: Value = serde_json::from_str(read(&single.join("metrics.jsonl")).lines().last().unwrap()).unwrap();
    let row: Vec<&str> = lines[12].split(',').collect();
    assert_eq!((row[1], row[2], row[6]), ("1", "24", "1"), "the last run is α = 1, d_model 24, seed 1");
    assert_eq!(row[15].parse::<f64>().unwrap(), last["test_acc"].as_f64().unwrap());

    // Killed after four rows, one half-written: started again, it trains only what is missing.
    let cut: String = table.lines().take(5).map(|l| format!("{l}\n")).collect::<String>() + &lines[5][..10];
    std::fs::write(whole.join("results.csv"), cut).unwrap();
    let stderr = succeeded(&sweep(&QUICK_GRID, &whole));
    assert!(stderr.contains("4 already done") && stderr.contains("(8 trained now)"), "{stderr}");
    assert_eq!(read(&whole.join("results.csv")), table);

    // Two shards merge into the same table.
    let shards: Vec<PathBuf> = (0..2).map(|i| dir.join(format!("shard-{i}"))).collect();
    for (i, folder) in shards.iter().enumerate() {
        let shard = format!("{i}/2");
        succeeded(&sweep(&[&QUICK_GRID[..], &["--shard", &shard]].concat(), folder));
    }
    let merged = dir.join("merged.csv");
    let (a, b) = (shards[0].to_str().unwrap(), shards[1].to_str().unwrap());
    succeeded(&grokscope(&["sweep", "merge", a, b, "--out", merged.to_str().unwrap()]));
    assert_eq!(read(&merged), table);
    assert!(failed(&grokscope(&["sweep", "merge", a, "--out", merged.to_str().unwrap()])).contains("have no results"));
    assert!(failed(&grokscope(&["sweep", "merge", a, a, "--out", merged.to_str().unwrap()])).contains("is in both"));
    assert!(failed(&grokscope(&["sweep", "merge", a, b, "--out", merged.to_str().unwrap()])).contains("exists: --force"));
    assert_eq!(read(&merged), table, "a refused merge writes nothing");
    succeeded(&grokscope(&["sweep", "merge", a, b, "--force", "--out", merged.to_str().unwrap()]));

    let charts = dir.join("charts");
    succeeded(&grokscope(&["sweep", "plot", merged.to_str().unwrap(), "--out", charts.to_str().unwrap()]));
    for name in ["phase_di", "phase_gs", "phase_width_gs", "phase_width_di", "phase_mean_gs"] {
        let svg = read(&charts.join(format!("{name}.svg")));
        assert!(svg.contains("attention rate"), "{name}");
        assert!(svg.matches("<circle").count() > 6, "{name}: our points and the paper's");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_sweeps_are_a_message_and_change_nothing() {
    let dir = scratch("sweep-bad");
    assert!(failed(&sweep(&["--alpha", "0:1:0"], &dir)).contains("at least 1"));
    assert!(failed(&sweep(&["--alpha", "0,2", "--p", "11"], &dir)).contains("attention rate 2"));
    assert!(failed(&sweep(&[&QUICK_GRID[..], &["--shard", "2/2"]].concat(), &dir)).contains("0 ≤ I < N"));
    assert!(failed(&sweep(&[&QUICK_GRID[..], &["--memory-mib", "0"]].concat(), &dir)).contains("MiB"));
    let spec = dir.with_extension("json");
    std::fs::write(&spec, "{\"grid\": ").unwrap();
    assert!(failed(&sweep(&[spec.to_str().unwrap()], &dir)).contains("not a sweep spec"));
    assert!(!dir.join("results.csv").exists(), "nothing trained, nothing written");
    // A folder holds one sweep.
    succeeded(&sweep(&["--alpha", "0", "--d-model", "16", "--p", "11", "--steps", "5"], &dir));
    let before = read(&dir.join("results.csv"));
    assert!(failed(&sweep(&["--alpha", "1", "--d-model", "16", "--p", "11", "--steps", "5"], &dir)).contains("holds another sweep"));
    assert_eq!(read(&dir.join("results.csv")), before);
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_file(&spec).unwrap();
}

/// The `manifold` block under the names other tools read, its charts, and `--against` Model B:
/// the MMD between the two PADs, one per estimator.
#[test]
fn analyze_model_a_against_model_b() {
    let checkpoints = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/clock-pizza/checkpoints");
    let (a, b) = (checkpoints.join("p99zdpze5l.safetensors"), checkpoints.join("l8k1hzciux.safetensors"));
    let dir = scratch("analyze-against");
    let report =
        stdout_json(&grokscope(&["analyze", a.to_str().unwrap(), "--against", b.to_str().unwrap(), "--out", dir.to_str().unwrap()]));
    let m = &report["manifold"];
    let number = |path: &[&str]| path.iter().fold(m, |v, key| &v[*key]).as_f64().unwrap_or_else(|| panic!("{path:?} in {m}"));
    for group in ["cka_first_layer", "cka_logits"] {
        for reference in ["disc", "torus", "circle"] {
            number(&[group, reference]);
        }
    }
    for key in ["r2_first_mean", "r2_additive_mean", "r2_second_mean", "phase_locking"] {
        number(&["simple_neuron", key]);
    }
    for pad in ["pad", "pad_argmax"] {
        for key in ["diagonal_fraction", "within_one", "mean_torus_distance"] {
            number(&[pad, key]);
        }
    }
    for key in ["first_order", "additive", "first_order_plus_residual"] {
        assert_eq!(number(&["replaced_accuracy", key]), 1.0, "Model A keeps every answer: {key}");
    }
    let cluster = &m["clusters"][0];
    for key in ["frequency", "neurons", "r2_first_mean"] {
        assert!(cluster[key].is_number(), "{key} in {cluster}");
    }
    assert!(cluster["cka_first_layer"]["disc"].is_number() && cluster["cka_logits"]["circle"].is_number());
    assert!(number(&["cka_first_layer", "disc"]) > 0.99 && number(&["cka_logits", "circle"]) > 0.98);
    // Both models' centroid PADs hug the diagonal: the MMD cannot tell them apart; their argmax
    // PADs differ.
    assert!(number(&["pad_mmd", "mmd"]) < 0.05 && number(&["pad_mmd", "p_value"]) > 0.5, "{m}");
    assert!(number(&["pad_argmax_mmd", "mmd"]) > 0.1 && number(&["pad_argmax_mmd", "p_value"]) <= 0.01, "{m}");
    assert_eq!(m["pad_mmd"]["against"], b.to_str().unwrap());
    let pad = std::fs::read_to_string(dir.join("manifold_pad.svg")).unwrap();
    assert!(pad.contains("PAD, normalised centroid") && pad.contains("PAD, argmax"));
    assert!(std::fs::read_to_string(dir.join("manifold_cka.svg")).unwrap().contains("f=3 (149)"));
    assert!(std::fs::read_to_string(dir.join("manifold_r2.svg")).unwrap().contains("R² additive"));
    std::fs::remove_dir_all(dir).unwrap();
}
