//! Runs kept in the browser's IndexedDB, so that a reload or a crashed tab loses none: each
//! experiment's curves and progress measures, the analysis shown, AdamW's state at the last
//! record (the `runs` store, one entry per experiment) and its recorded weights (the `records`
//! store, one entry per record, written once). An experiment is keyed by its notebook's slot
//! (`storage.rs`) and its cell id. localStorage could not hold them: a few MB in all, strings
//! only, and every write blocks the page.

use grokscope_analysis::Analysis;
use grokscope_analysis::progress::Evaluation;
use grokscope_core::RunConfig;
use js_sys::{Array, Promise};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbKeyRange, IdbObjectStore, IdbRequest, IdbTransaction, IdbTransactionMode};

use grokscope_notebook::protocol::{WireAdamW, WireWeights};

const DATABASE: &str = "grokscope";
const RUNS: &str = "runs";
const RECORDS: &str = "records";

/// What is kept of an experiment's run besides its records.
#[derive(Serialize, Deserialize)]
pub struct KeptRun {
    /// The settings it trained with: a run kept for other settings is not restored.
    pub run: RunConfig,
    pub progress: Vec<Evaluation>,
    /// The steps of its records (in the `records` store).
    pub records: Vec<usize>,
    /// AdamW's state at the last record, and that record's step.
    pub optimizer: Option<(usize, WireAdamW)>,
    /// The analysis shown, and its step.
    pub analysis: Option<(usize, Analysis)>,
    /// Bytes of the weights and moments it keeps (records included): what erasing it frees.
    pub bytes: usize,
}

/// One recorded set of weights.
#[derive(Serialize, Deserialize)]
pub struct KeptRecord {
    pub step: usize,
    pub weights: WireWeights,
}

thread_local! {
    static OPEN: std::cell::RefCell<Option<IdbDatabase>> = const { std::cell::RefCell::new(None) };
}

/// The database, opened (and made, the first time) once per page. Once open, this returns
/// without suspending, so the transactions of calls made in order start in that order (which
/// IndexedDB then keeps).
async fn database() -> Result<IdbDatabase, String> {
    if let Some(db) = OPEN.with_borrow(Clone::clone) {
        return Ok(db);
    }
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or("this browser does not let the page keep runs (private mode or storage turned off)")?;
    let request = factory.open_with_u32(DATABASE, 1).map_err(|_| "this browser refused the page its database")?;
    let make = Closure::<dyn FnMut(web_sys::Event)>::new({
        let request = request.clone();
        move |_| {
            if let Ok(db) = request.result().map(JsCast::unchecked_into::<IdbDatabase>) {
                let _ = db.create_object_store(RUNS);
                let _ = db.create_object_store(RECORDS);
            }
        }
    });
    request.set_onupgradeneeded(Some(make.as_ref().unchecked_ref()));
    let db: IdbDatabase = finished(&request).await?.unchecked_into();
    OPEN.with_borrow_mut(|open| *open = Some(db.clone()));
    Ok(db)
}

/// The result of `request`, or why it failed.
async fn finished(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    JsFuture::from(promise).await.map_err(|_| failure(request.error().ok().flatten()))?;
    request.result().map_err(|_| "the browser's database gave no answer".to_string())
}

/// Waits until `transaction` is written, or says why it was not.
async fn committed(transaction: &IdbTransaction) -> Result<(), String> {
    let promise = Promise::new(&mut |resolve, reject| {
        transaction.set_oncomplete(Some(&resolve));
        transaction.set_onerror(Some(&reject));
        transaction.set_onabort(Some(&reject));
    });
    JsFuture::from(promise).await.map(drop).map_err(|_| failure(transaction.error()))
}

fn failure(error: Option<web_sys::DomException>) -> String {
    match error.map(|e| e.name()) {
        Some(name) if name == "QuotaExceededError" => {
            "the browser's storage for this page is full (Erase local data frees what grokscope keeps)".into()
        }
        Some(name) => format!("the browser's database refused it ({name})"),
        None => "the browser's database refused it".into(),
    }
}

/// A request the database would not take.
fn refused(_: JsValue) -> String {
    failure(None)
}

fn transaction(db: &IdbDatabase, mode: IdbTransactionMode) -> Result<(IdbTransaction, IdbObjectStore, IdbObjectStore), String> {
    let names = Array::of2(&RUNS.into(), &RECORDS.into());
    let t = db.transaction_with_str_sequence_and_mode(&names, mode).map_err(|_| "the browser's database refused a transaction")?;
    let runs = t.object_store(RUNS).map_err(|_| "the database has no store of runs")?;
    let records = t.object_store(RECORDS).map_err(|_| "the database has no store of records")?;
    Ok((t, runs, records))
}

fn record_key(key: &str, step: usize) -> String {
    format!("{key}#{step:012}")
}

/// All records of the run `key` ('~' sorts after every digit).
fn records_of(key: &str) -> Result<JsValue, String> {
    IdbKeyRange::bound(&format!("{key}#").into(), &format!("{key}#~").into()).map(Into::into).map_err(|_| "a bad key range".to_string())
}

fn to_js(value: &impl Serialize) -> Result<JsValue, String> {
    // Byte arrays as Uint8Array; everything else as plain JS values (NaN stays NaN).
    value.serialize(&serde_wasm_bindgen::Serializer::new()).map_err(|e| e.to_string())
}

/// Keeps `run` under `key` with its `new` records, and drops the records of the steps in
/// `dropped`, in one transaction: what is kept is always whole. `fresh` drops every earlier
/// record of `key` first (a run that started again).
pub async fn keep(key: &str, run: &KeptRun, new: &[KeptRecord], dropped: &[usize], fresh: bool) -> Result<(), String> {
    let db = database().await?;
    let (t, runs, records) = transaction(&db, IdbTransactionMode::Readwrite)?;
    if fresh {
        records.delete(&records_of(key)?).map_err(refused)?;
    }
    for &step in dropped {
        records.delete(&record_key(key, step).into()).map_err(refused)?;
    }
    for record in new {
        records.put_with_key(&to_js(record)?, &record_key(key, record.step).into()).map_err(refused)?;
    }
    runs.put_with_key(&to_js(run)?, &key.into()).map_err(refused)?;
    committed(&t).await
}

/// The run kept under `key` and its records, oldest first.
pub async fn load(key: &str) -> Result<Option<(KeptRun, Vec<KeptRecord>)>, String> {
    let db = database().await?;
    let (_t, runs, records) = transaction(&db, IdbTransactionMode::Readonly)?;
    let run = runs.get(&key.into()).map_err(refused)?;
    let all = records.get_all_with_key(&records_of(key)?).map_err(refused)?;
    let run = finished(&run).await?;
    let all = finished(&all).await?;
    if run.is_undefined() {
        return Ok(None);
    }
    let unreadable = |e: serde_wasm_bindgen::Error| format!("the run kept in this browser no longer reads ({e})");
    let run: KeptRun = serde_wasm_bindgen::from_value(run).map_err(unreadable)?;
    let records = all.unchecked_into::<Array>().iter().map(serde_wasm_bindgen::from_value).collect::<Result<_, _>>().map_err(unreadable)?;
    Ok(Some((run, records)))
}

/// Forgets the run kept under `key` and its records.
pub async fn forget(key: &str) -> Result<(), String> {
    let db = database().await?;
    let (t, runs, records) = transaction(&db, IdbTransactionMode::Readwrite)?;
    runs.delete(&key.into()).map_err(refused)?;
    records.delete(&records_of(key)?).map_err(refused)?;
    committed(&t).await
}

/// How many runs are kept, and the bytes of their weights and moments.
pub async fn inventory() -> Result<(usize, usize), String> {
    let db = database().await?;
    let (_t, runs, _) = transaction(&db, IdbTransactionMode::Readonly)?;
    let all = finished(&runs.get_all().map_err(refused)?).await?;
    let bytes = |run: JsValue| js_sys::Reflect::get(&run, &"bytes".into()).ok().and_then(|b| b.as_f64()).unwrap_or(0.0) as usize;
    let all = all.unchecked_into::<Array>();
    Ok((all.length() as usize, all.iter().map(bytes).sum()))
}

/// Forgets every kept run.
pub async fn erase() -> Result<(), String> {
    let db = database().await?;
    let (t, runs, records) = transaction(&db, IdbTransactionMode::Readwrite)?;
    runs.clear().map_err(refused)?;
    records.clear().map_err(refused)?;
    committed(&t).await
}
