//! A sweep as Slurm jobs: an array job whose task I trains shard I, and a merge job that runs
//! only when every shard succeeded (and is cancelled, not left pending, when one fails).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::folder::{RESULTS_FILE, SPEC_FILE, write_atomically};
use crate::plan::MAX_SHARDS;
use crate::spec::SweepSpec;
use crate::{SweepError, io};

pub const SHARDS_SCRIPT: &str = "shards.sbatch";
pub const MERGE_SCRIPT: &str = "merge.sbatch";

pub struct SlurmSweep {
    /// Holds the spec, the scripts, `shard-I/` per shard, `logs/` and the merged results.
    pub dir: PathBuf,
    pub shards: usize,
    /// The `grokscope` program the jobs run (it must be at this path on the nodes).
    pub program: PathBuf,
    /// More arguments for each shard's `grokscope sweep` (`--backend wgpu`, say).
    pub shard_args: Vec<String>,
    /// Extra `#SBATCH` options for both jobs (`--partition=gpu`, `--time=2:00:00`).
    pub sbatch: Vec<String>,
}

/// The job ids `sbatch` gave.
#[derive(Debug, PartialEq)]
pub struct Submitted {
    pub shards: String,
    pub merge: String,
}

impl SlurmSweep {
    /// Writes the spec and both job scripts into `dir`.
    pub fn write(&self, spec: &SweepSpec) -> Result<(), SweepError> {
        if self.shards == 0 || self.shards > MAX_SHARDS {
            return Err(SweepError::Spec(format!("{} shards: between 1 and {MAX_SHARDS}", self.shards)));
        }
        let members = spec.expand()?.len();
        if self.shards > members {
            return Err(SweepError::Spec(format!("{} shards for {members} runs: at most one shard per run", self.shards)));
        }
        // `#SBATCH` lines are split at white space, not parsed as shell words.
        if self.dir.display().to_string().contains(char::is_whitespace) {
            return Err(SweepError::Spec(format!("{}: Slurm job options cannot hold a path with spaces", self.dir.display())));
        }
        std::fs::create_dir_all(self.dir.join("logs")).map_err(|e| io(&self.dir, e))?;
        let dir = self.dir.canonicalize().map_err(|e| io(&self.dir, e))?;
        write_atomically(&dir.join(SPEC_FILE), &spec.to_json())?;
        let program = quote(&self.program);
        let options = |name: &str, output: &str| {
            let mut lines =
                vec![format!("#SBATCH --job-name={name}"), format!("#SBATCH --output={}", dir.join("logs").join(output).display())];
            lines.extend(self.sbatch.iter().map(|o| format!("#SBATCH {o}")));
            lines.join("\n")
        };
        let extra: String = self.shard_args.iter().map(|a| format!(" {}", quote(Path::new(a)))).collect();
        let shards = format!(
            "#!/bin/bash\n{}\n#SBATCH --array=0-{}\nset -euo pipefail\nexec {program} sweep {} --shard \"$SLURM_ARRAY_TASK_ID/{}\" --out {}/shard-\"$SLURM_ARRAY_TASK_ID\"{extra}\n",
            options("grokscope-sweep", "shard-%a.log"),
            self.shards - 1,
            quote(&dir.join(SPEC_FILE)),
            self.shards,
            quote(&dir),
        );
        let folders: String = (0..self.shards).map(|i| format!(" {}", quote(&dir.join(format!("shard-{i}"))))).collect();
        let merge = format!(
            "#!/bin/bash\n{}\nset -euo pipefail\nexec {program} sweep merge{folders} --out {}\n",
            options("grokscope-merge", "merge.log"),
            quote(&dir.join(RESULTS_FILE)),
        );
        write_atomically(&dir.join(SHARDS_SCRIPT), &shards)?;
        write_atomically(&dir.join(MERGE_SCRIPT), &merge)
    }

    /// Submits the array job and the merge after it; `sbatch` and the rest of Slurm's
    /// clients must be on PATH (and `SLURM_CONF` set where the cluster needs it).
    pub fn submit(&self) -> Result<Submitted, SweepError> {
        let shards = sbatch(&[], &self.dir.join(SHARDS_SCRIPT))?;
        let dependency = format!("--dependency=afterok:{shards}");
        let merge = sbatch(&[&dependency, "--kill-on-invalid-dep=yes"], &self.dir.join(MERGE_SCRIPT))?;
        Ok(Submitted { shards, merge })
    }
}

/// Runs `sbatch --parsable` and returns the job id.
fn sbatch(options: &[&str], script: &Path) -> Result<String, SweepError> {
    let out = Command::new("sbatch")
        .arg("--parsable")
        .args(options)
        .arg(script)
        .output()
        .map_err(|e| SweepError::Io(format!("sbatch: {e} (is Slurm's client installed and on PATH?)")))?;
    if !out.status.success() {
        return Err(SweepError::Io(format!("sbatch {}: {}", script.display(), String::from_utf8_lossy(&out.stderr).trim())));
    }
    // `--parsable` prints `id` or `id;cluster`.
    let text = String::from_utf8_lossy(&out.stdout);
    let id = text.trim().split(';').next().unwrap_or_default().to_string();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(SweepError::Io(format!("sbatch printed `{}`, not a job id", text.trim())));
    }
    Ok(id)
}

/// A shell word: single quotes, with any single quote inside closed, escaped and reopened.
fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scripts_run_each_shard_and_merge_them_all() {
        let dir = std::env::temp_dir().join(format!("grokscope-slurm-script-{}", std::process::id()));
        let sweep = SlurmSweep {
            dir: dir.clone(),
            shards: 3,
            program: PathBuf::from("/opt/it's/grokscope"),
            shard_args: vec!["--backend".into(), "wgpu".into()],
            sbatch: vec!["--time=1:00:00".into()],
        };
        let spec = SweepSpec::from_json(r#"{"grid": {"attention_rate": [0, 0.5, 1]}}"#).unwrap();
        sweep.write(&spec).unwrap();
        let dir = dir.canonicalize().unwrap();
        let shards = std::fs::read_to_string(dir.join(SHARDS_SCRIPT)).unwrap();
        assert!(shards.starts_with("#!/bin/bash\n"));
        assert!(shards.contains("#SBATCH --array=0-2\n"));
        assert!(shards.contains("#SBATCH --time=1:00:00\n"));
        assert!(shards.contains("set -euo pipefail\n"));
        assert!(shards.contains(r#"exec '/opt/it'\''s/grokscope' sweep"#));
        assert!(shards.contains(r#"--shard "$SLURM_ARRAY_TASK_ID/3""#));
        assert!(shards.trim_end().ends_with("'--backend' 'wgpu'"));
        let merge = std::fs::read_to_string(dir.join(MERGE_SCRIPT)).unwrap();
        assert!(merge.contains("/shard-0' '") && merge.contains("/shard-2' --out '"));
        assert_eq!(SweepSpec::from_json(&std::fs::read_to_string(dir.join(SPEC_FILE)).unwrap()).unwrap(), spec);
        let too_many = SlurmSweep { shards: 4, ..sweep };
        assert!(too_many.write(&spec).unwrap_err().to_string().contains("at most one shard per run"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
