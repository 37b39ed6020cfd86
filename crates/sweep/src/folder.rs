//! A sweep's folder: `spec.json`, and `results.csv` written a row at a time as models finish,
//! so a sweep that is killed and started again trains only the runs it has no row for.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::results::{self, Row};
use crate::spec::{Member, SweepSpec};
use crate::{SweepError, io};

pub const SPEC_FILE: &str = "spec.json";
pub const RESULTS_FILE: &str = "results.csv";

pub struct SweepFolder {
    dir: PathBuf,
    rows: Vec<Row>,
    file: fs::File,
}

impl SweepFolder {
    /// Opens `dir` for `spec`, creating it, or picking up what a run of the same spec left
    /// there. A folder that holds another sweep is refused and left as it is.
    pub fn open(dir: &Path, spec: &SweepSpec) -> Result<Self, SweepError> {
        fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let spec_path = dir.join(SPEC_FILE);
        match fs::read_to_string(&spec_path) {
            Ok(text) => {
                let theirs = SweepSpec::from_json(&text).map_err(|e| SweepError::Spec(format!("{}: {e}", spec_path.display())))?;
                if theirs != *spec {
                    return Err(SweepError::Spec(format!(
                        "{} holds another sweep (its {SPEC_FILE} differs); choose another folder",
                        dir.display()
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => write_atomically(&spec_path, &spec.to_json())?,
            Err(e) => return Err(io(&spec_path, e)),
        }
        let path = dir.join(RESULTS_FILE);
        let rows = match fs::read_to_string(&path) {
            Ok(text) => results::parse(&text, &path.display().to_string())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io(&path, e)),
        };
        // Written anew, so that a row cut off by a kill is gone before rows are appended.
        write_atomically(&path, &results::to_csv(&rows))?;
        let file = fs::OpenOptions::new().append(true).open(&path).map_err(|e| io(&path, e))?;
        Ok(SweepFolder { dir: dir.to_path_buf(), rows, file })
    }

    /// The runs that already have a row.
    pub fn done(&self) -> HashSet<&str> {
        self.rows.iter().map(|r| r.run_id.as_str()).collect()
    }

    /// Appends a finished model's row, on disk at once.
    pub fn record(&mut self, row: Row) -> Result<(), SweepError> {
        let path = self.dir.join(RESULTS_FILE);
        self.file.write_all(format!("{}\n", row.to_csv()).as_bytes()).and_then(|()| self.file.sync_data()).map_err(|e| io(&path, e))?;
        self.rows.push(row);
        Ok(())
    }

    /// Rewrites the table in the order of `members` (the runs this folder trains), once all
    /// have rows: a finished sweep's table does not depend on the order its models finished in.
    pub fn finish(&self, members: &[Member]) -> Result<Vec<Row>, SweepError> {
        let rows = results::in_sweep_order(members, self.rows.iter().map(|r| (r.clone(), RESULTS_FILE.to_string())).collect(), false)?;
        write_atomically(&self.dir.join(RESULTS_FILE), &results::to_csv(&rows))?;
        Ok(rows)
    }
}

/// Joins the folders of one sweep's shards: the same spec in each, every run once. Missing
/// runs are an error unless `partial`.
pub fn merge(dirs: &[PathBuf], partial: bool) -> Result<(SweepSpec, Vec<Row>), SweepError> {
    let mut spec: Option<(SweepSpec, &Path)> = None;
    let mut rows = Vec::new();
    for dir in dirs {
        let spec_path = dir.join(SPEC_FILE);
        let text = fs::read_to_string(&spec_path).map_err(|e| io(&spec_path, e))?;
        let this = SweepSpec::from_json(&text).map_err(|e| SweepError::Spec(format!("{}: {e}", spec_path.display())))?;
        match &spec {
            Some((first, first_dir)) if *first != this => {
                return Err(SweepError::Spec(format!("{} and {} hold different sweeps", first_dir.display(), dir.display())));
            }
            Some(_) => {}
            None => spec = Some((this, dir.as_path())),
        }
        let path = dir.join(RESULTS_FILE);
        let text = fs::read_to_string(&path).map_err(|e| io(&path, e))?;
        let name = path.display().to_string();
        rows.extend(results::parse(&text, &name)?.into_iter().map(|r| (r, name.clone())));
    }
    let Some((spec, _)) = spec else { return Err(SweepError::Results("no folders to merge".into())) };
    let members = spec.expand()?;
    let rows = results::in_sweep_order(&members, rows, partial)?;
    Ok((spec, rows))
}

/// Writes through a temporary file and a rename, so a reader never sees half a file.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), SweepError> {
    let tmp = path.with_extension("partial");
    fs::write(&tmp, text).map_err(|e| io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| io(path, e))
}
