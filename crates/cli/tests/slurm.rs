//! A real single-node Slurm cluster on 127.0.0.1 (Debian's slurmctld, slurmd and munge, which
//! scripts/install-tools installs): a tiny sweep runs through it as an array job of 4 shards
//! and a merge job, and the merged table equals the same sweep run unsharded; a sweep whose
//! shard fails has its merge cancelled, not left pending. Every daemon started is stopped.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const GROKSCOPE: &str = env!("CARGO_BIN_EXE_grokscope");
/// Ports of our own, so a cluster already on this machine is left alone.
const CONTROLLER_PORT: u16 = 26817;
const NODE_PORT: u16 = 26818;

/// Eight tiny runs: two widths (two ensembles), two attention rates, two seeds.
const SPEC: &str = r#"{
  "base": {
    "task": {"operation": "add", "p": 11},
    "model": {"kind": "transformer", "d_model": 16, "n_heads": 4, "n_layers": 1, "activation": "ReLU", "attention_rate": 1.0},
    "train": {"steps": 60}
  },
  "grid": {"d_model": [16, 24], "attention_rate": [0, 1], "seed": [0, 1]}
}"#;

/// `program` found on PATH or in /usr/sbin and /sbin, where Debian puts the daemons (a user's
/// PATH may lack them).
fn command(program: &str) -> Command {
    let mut command = Command::new(program);
    command.env("PATH", format!("{}:/usr/sbin:/sbin", std::env::var("PATH").unwrap_or_default()));
    command
}

fn run(program: &str, args: &[&str], conf: &Path) -> Output {
    let out = command(program).args(args).env("SLURM_CONF", conf).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Polls `done` every 200 ms until it holds, for at most `limit`.
fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn alive(pid: &str) -> bool {
    Path::new("/proc").join(pid.trim()).exists()
}

/// The cluster: munge (unless one runs already), slurmctld and slurmd, stopped on drop.
struct Cluster {
    dir: PathBuf,
    conf: PathBuf,
    munged_pid: Option<String>,
}

impl Cluster {
    fn start(dir: &Path) -> Cluster {
        for program in ["slurmctld", "slurmd", "sbatch", "munged"] {
            assert!(
                command("sh").args(["-c", &format!("command -v {program}")]).output().unwrap().status.success(),
                "{program} is missing: scripts/install-tools installs Slurm and munge"
            );
        }
        let munged_pid = start_munge();
        for sub in ["state", "spool"] {
            fs::create_dir_all(dir.join(sub)).unwrap();
        }
        // The node's line as slurmd sees this machine (`NodeName=host CPUs=… RealMemory=…`).
        let node = text(&command("slurmd").arg("-C").output().unwrap()).lines().next().unwrap().to_string();
        let host = node.split_whitespace().next().unwrap().trim_start_matches("NodeName=").to_string();
        let d = dir.display();
        let conf = format!(
            "ClusterName=grokscope\nSlurmctldHost={host}(127.0.0.1)\nSlurmctldPort={CONTROLLER_PORT}\nSlurmdPort={NODE_PORT}\n\
             SlurmUser=root\nAuthType=auth/munge\nStateSaveLocation={d}/state\nSlurmdSpoolDir={d}/spool\n\
             SlurmctldPidFile={d}/slurmctld.pid\nSlurmdPidFile={d}/slurmd.pid\nSlurmctldLogFile={d}/slurmctld.log\n\
             SlurmdLogFile={d}/slurmd.log\nProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n\
             JobAcctGatherType=jobacct_gather/none\nSelectType=select/cons_tres\nReturnToService=2\nMailProg=/bin/true\n\
             DependencyParameters=kill_invalid_depend\nSchedulerParameters=batch_sched_delay=0,sched_min_interval=0\n\
             {node} NodeAddr=127.0.0.1 State=UNKNOWN\nPartitionName=grokscope Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n"
        );
        let conf_path = dir.join("slurm.conf");
        fs::write(&conf_path, conf).unwrap();
        let cluster = Cluster { dir: dir.to_path_buf(), conf: conf_path, munged_pid };
        run("slurmctld", &["-c"], &cluster.conf);
        run("slurmd", &[], &cluster.conf);
        wait_for("the node to come up idle", Duration::from_secs(60), || {
            let out = command("sinfo").args(["-h", "-o", "%T"]).env("SLURM_CONF", &cluster.conf).output().unwrap();
            text(&out).trim() == "idle"
        });
        cluster
    }

    /// Waits until none of `jobs` is queued or running.
    fn wait_for_jobs(&self, jobs: &[&str]) {
        wait_for("the jobs to leave the queue", Duration::from_secs(600), || {
            text(&run("squeue", &["-h", "-j", &jobs.join(",")], &self.conf)).trim().is_empty()
        });
    }

    fn job_state(&self, job: &str) -> String {
        let out = text(&run("scontrol", &["show", "job", job], &self.conf));
        out.split_whitespace().find_map(|w| w.strip_prefix("JobState=")).unwrap_or("?").to_string()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let pids: Vec<String> = ["slurmctld.pid", "slurmd.pid"].iter().filter_map(|f| fs::read_to_string(self.dir.join(f)).ok()).collect();
        let _ = command("scontrol").arg("shutdown").env("SLURM_CONF", &self.conf).output();
        let started = Instant::now();
        while pids.iter().any(|p| alive(p)) && started.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(200));
        }
        for pid in pids.iter().filter(|p| alive(p)) {
            let _ = command("kill").arg(pid.trim()).output();
        }
        if let Some(pid) = &self.munged_pid {
            let _ = command("kill").arg(pid.trim()).output();
        }
    }
}

/// Starts munged as the munge user, without systemd, unless one answers already; returns the
/// pid of the one it started.
fn start_munge() -> Option<String> {
    if command("sh").args(["-c", "munge -n | unmunge"]).output().unwrap().status.success() {
        return None;
    }
    let run_dir = Path::new("/run/munge");
    fs::create_dir_all(run_dir).unwrap();
    assert!(command("chown").args(["munge:munge", "/run/munge"]).status().unwrap().success());
    assert!(command("runuser").args(["-u", "munge", "--", "munged"]).status().unwrap().success(), "munged did not start");
    wait_for("munged to answer", Duration::from_secs(10), || {
        command("sh").args(["-c", "munge -n | unmunge"]).output().unwrap().status.success()
    });
    fs::read_to_string(run_dir.join("munged.pid")).ok()
}

fn grokscope(args: &[&str], conf: &Path) -> String {
    text(&run(GROKSCOPE, args, conf))
}

/// `submitted: shards job 12 (array 0-3), merge job 13 after it` → ("12", "13").
fn job_ids(printed: &str) -> (String, String) {
    let line = printed.lines().find(|l| l.starts_with("submitted:")).unwrap_or_else(|| panic!("no job ids in: {printed}"));
    let numbers: Vec<&str> = line.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).collect();
    (numbers[0].to_string(), numbers[3].to_string())
}

#[test]
fn a_sweep_runs_as_a_slurm_array_job_and_merges_to_the_unsharded_table() {
    let dir = std::env::temp_dir().join(format!("grokscope-slurm-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("spec.json");
    fs::write(&spec, SPEC).unwrap();
    let cluster = Cluster::start(&dir.join("cluster"));
    let conf = cluster.conf.clone();
    let spec_arg = spec.to_str().unwrap();

    let whole = dir.join("whole");
    grokscope(&["sweep", spec_arg, "--out", whole.to_str().unwrap()], &conf);

    let sharded = dir.join("sharded");
    let printed = grokscope(&["sweep", "slurm", spec_arg, "--shards", "4", "--out", sharded.to_str().unwrap(), "--submit"], &conf);
    let (shards, merge) = job_ids(&printed);
    cluster.wait_for_jobs(&[&shards, &merge]);
    assert_eq!(cluster.job_state(&merge), "COMPLETED", "{}", fs::read_to_string(sharded.join("logs/merge.log")).unwrap_or_default());
    let merged = fs::read_to_string(sharded.join("results.csv")).unwrap();
    assert_eq!(merged, fs::read_to_string(whole.join("results.csv")).unwrap(), "the merged shards equal the unsharded sweep");
    assert_eq!(merged.lines().count(), 1 + 8);
    for i in 0..4 {
        assert!(sharded.join(format!("logs/shard-{i}.log")).exists());
    }

    // A shard that cannot write its folder fails; its merge must be cancelled, not left pending.
    let failing = dir.join("failing");
    fs::create_dir_all(&failing).unwrap();
    fs::write(failing.join("shard-1"), "a file where the shard's folder goes").unwrap();
    let printed = grokscope(&["sweep", "slurm", spec_arg, "--shards", "2", "--out", failing.to_str().unwrap(), "--submit"], &conf);
    let (shards, merge) = job_ids(&printed);
    cluster.wait_for_jobs(&[&shards, &merge]);
    assert_eq!(cluster.job_state(&merge), "CANCELLED");
    assert!(!failing.join("results.csv").exists());
    drop(cluster);
    fs::remove_dir_all(&dir).unwrap();
}
