//! WebGPU where the notebook trains on it: in a worker (`crates/worker`), which brings the
//! device up, describes the adapter, and checks that it trains like the CPU backend before the
//! page trusts it with a run. The page's thread never touches the GPU: burn compiles a kernel
//! on first use, and on a software adapter that alone holds a thread for seconds.

use std::cell::RefCell;

use grokscope_core::device::Backend;
use grokscope_core::{Device, ModelConfig, RunConfig, Trainer};
use js_sys::{Function, Promise, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_time::Instant;

/// Steps the self-check trains on both backends from the same start.
pub const CHECK_STEPS: usize = 3;
/// Largest relative difference of the training losses the self-check accepts. f32 kernels that
/// sum in another order differ by ~1e-6 here; a broken kernel is off by far more.
pub const CHECK_TOLERANCE: f64 = 1e-3;

/// What a worker found of this browser's WebGPU.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct GpuCheck {
    /// The adapter's description.
    pub adapter: String,
    /// The largest buffer the GPU allows (WebGPU's `maxStorageBufferBindingSize`, capped by
    /// `maxBufferSize`), in bytes.
    pub max_buffer_bytes: Option<f64>,
    /// Seconds to start the device.
    pub init_s: f64,
    /// The self-check's largest relative loss difference, or why the GPU is not trusted.
    pub outcome: Result<f64, String>,
}

/// Why `run` cannot train on a GPU whose buffers hold at most `limit` bytes, estimated before
/// anything is allocated: its largest tensor would not fit in one.
pub fn too_big(run: &RunConfig, limit: Option<f64>) -> Option<String> {
    let needed = 4.0 * run.largest_tensor_values() as f64;
    let limit = limit?;
    (needed > limit).then(|| {
        format!("its largest tensor ({:.0} MiB) exceeds the {:.0} MiB this GPU allows in one buffer", needed / 1048576.0, limit / 1048576.0)
    })
}

thread_local! {
    /// burn's wgpu runtime can be initialised once per thread (here, per worker).
    static WEBGPU: RefCell<Option<Result<Device, String>>> = const { RefCell::new(None) };
}

/// This thread's WebGPU device, started on first use.
pub async fn webgpu_device() -> Result<Device, String> {
    if let Some(known) = WEBGPU.with(|d| d.borrow().clone()) {
        return known;
    }
    let result = Device::wgpu_options().init_async().await.map_err(|e| format!("{e:?}"));
    WEBGPU.with(|d| *d.borrow_mut() = Some(result.clone()));
    result
}

/// Brings WebGPU up here and checks that it trains `CHECK_STEPS` steps of `run` within
/// `CHECK_TOLERANCE` of the CPU backend (of a small model instead, where `run` is too big for
/// this GPU); or why there is no WebGPU at all.
pub async fn check(run: &RunConfig) -> Result<GpuCheck, String> {
    let started = Instant::now();
    let (adapter, max_buffer_bytes) = adapter_description().await.ok_or("this browser offers no WebGPU adapter")?;
    let device = webgpu_device().await.map_err(|e| format!("WebGPU ({adapter}) did not start: {e}"))?;
    let init_s = started.elapsed().as_secs_f64();
    let checked = if too_big(run, max_buffer_bytes).is_some() { small_check_run() } else { run.clone() };
    let outcome = self_check(&checked, &device).await;
    Ok(GpuCheck { adapter, max_buffer_bytes, init_s, outcome })
}

/// The paper's transformer at p = 31 and d_model 32: small enough for any GPU.
fn small_check_run() -> RunConfig {
    let mut run = RunConfig::paper(1.0);
    run.task.p = 31;
    if let ModelConfig::Transformer(t) = &mut run.model {
        t.d_model = 32;
    }
    run
}

/// Trains `CHECK_STEPS` steps of `run` on `gpu` and on the CPU from the same initial weights;
/// the largest relative difference of the training losses, or why it is not trusted.
async fn self_check(run: &RunConfig, gpu: &Device) -> Result<f64, String> {
    let err = |e: grokscope_core::Error| e.to_string();
    let mut cpu = Trainer::new(run, &Backend::CPU.device()).map_err(err)?;
    let mut gpu = Trainer::new(run, gpu).map_err(err)?;
    let mut worst = 0.0f64;
    for _ in 0..CHECK_STEPS {
        gpu.advance(1);
        cpu.advance(1);
        let expected = cpu.snapshot().await.map_err(err)?.train_loss;
        let found = gpu.snapshot().await.map_err(err)?.train_loss;
        let difference = (found - expected).abs() / expected.abs().max(1e-12);
        // A NaN loss fails too.
        if difference.is_nan() || difference > CHECK_TOLERANCE {
            return Err(format!("at step {} its loss was {found:.6}, the CPU's {expected:.6}", gpu.step()));
        }
        worst = worst.max(difference);
    }
    Ok(worst)
}

/// The browser's own description of its WebGPU adapter (vendor, architecture, whether it is a
/// software fallback) and its largest buffer, or `None` where there is no WebGPU. A worker's
/// `navigator` has `gpu` as a window's does.
async fn adapter_description() -> Option<(String, Option<f64>)> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let gpu = Reflect::get(&navigator, &"gpu".into()).ok().filter(|g| !g.is_undefined())?;
    let request: Function = Reflect::get(&gpu, &"requestAdapter".into()).ok()?.dyn_into().ok()?;
    let promise: Promise = request.call0(&gpu).ok()?.dyn_into().ok()?;
    let adapter = JsFuture::from(promise).await.ok().filter(|a| !a.is_null() && !a.is_undefined())?;
    let info = Reflect::get(&adapter, &"info".into()).unwrap_or(JsValue::UNDEFINED);
    let text = |key: &str| Reflect::get(&info, &key.into()).ok().and_then(|v| v.as_string()).filter(|s| !s.is_empty());
    let flag = |target: &JsValue| Reflect::get(target, &"isFallbackAdapter".into()).ok().and_then(|v| v.as_bool());
    let fallback = flag(&info).or_else(|| flag(&adapter)).unwrap_or(false);
    let mut parts: Vec<String> = ["vendor", "architecture", "description"].iter().filter_map(|k| text(k)).collect();
    if parts.is_empty() {
        parts.push("unnamed adapter".into());
    }
    if fallback {
        parts.push("software fallback adapter".into());
    }
    let limits = Reflect::get(&adapter, &"limits".into()).unwrap_or(JsValue::UNDEFINED);
    let limit = |key: &str| Reflect::get(&limits, &key.into()).ok().and_then(|v| v.as_f64());
    let max_buffer_bytes = match (limit("maxStorageBufferBindingSize"), limit("maxBufferSize")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    Some((parts.join(" · "), max_buffer_bytes))
}
