//! WebGPU in the page: bring the device up (asynchronously: a page cannot block), describe the
//! adapter, and check that it trains like the CPU backend before trusting it with a run.

use std::cell::RefCell;

use grokscope_core::device::Backend;
use grokscope_core::{Device, RunConfig, Trainer};
use grokscope_document::options::DevicePreference;
use grokscope_sweep::Budget;
use js_sys::{Function, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::run::engine::Engine;

/// Steps the self-check trains on both backends from the same start.
pub const CHECK_STEPS: usize = 3;
/// Largest relative difference of the training losses the self-check accepts. f32 kernels that
/// sum in another order differ by ~1e-6 here; a broken kernel is off by far more.
pub const CHECK_TOLERANCE: f64 = 1e-3;

/// The device a run trains on, and what to tell the reader about it.
#[derive(Clone, Debug)]
pub struct Choice {
    pub device: Device,
    pub gpu: bool,
    /// One line: the backend and the adapter.
    pub label: String,
    /// Why this device.
    pub reason: String,
    /// The largest buffer the GPU allows (WebGPU's `maxStorageBufferBindingSize`, capped by
    /// `maxBufferSize`), in bytes.
    pub max_buffer_bytes: Option<f64>,
}

impl Choice {
    pub fn cpu(reason: impl Into<String>) -> Self {
        Choice {
            device: Backend::CPU.device(),
            gpu: false,
            label: format!("CPU · burn {} backend · WebAssembly", Backend::CPU.name()),
            reason: reason.into(),
            max_buffer_bytes: None,
        }
    }

    /// What one ensemble may hold here: as much as one run may (`RunConfig::validate`), in
    /// tensors that fit the GPU's buffers.
    pub fn budget(&self) -> Budget {
        let default = Budget::default();
        match self.max_buffer_bytes.filter(|_| self.gpu) {
            Some(bytes) => Budget { tensor_values: default.tensor_values.min((bytes / 4.0) as usize), ..default },
            None => default,
        }
    }

    /// Why `run` cannot train on this GPU, estimated before anything is allocated: its largest
    /// tensor would not fit in one of the GPU's buffers.
    pub fn too_big(&self, run: &RunConfig) -> Option<String> {
        let needed = 4.0 * run.largest_tensor_values() as f64;
        let limit = self.max_buffer_bytes.filter(|_| self.gpu)?;
        (needed > limit).then(|| {
            format!(
                "its largest tensor ({:.0} MiB) exceeds the {:.0} MiB this GPU allows in one buffer",
                needed / 1048576.0,
                limit / 1048576.0
            )
        })
    }
}

/// A started WebGPU device and what the page says about it.
pub struct Gpu {
    pub device: Device,
    /// The adapter's description.
    pub adapter: String,
    pub max_buffer_bytes: Option<f64>,
    /// Seconds to start it.
    pub init_s: f64,
}

/// The page's device, chosen once (on the first run) and shared by every experiment; what the
/// device panel shows.
#[derive(Clone, Copy)]
pub struct Devices {
    pub preference: DevicePreference,
    /// Label and reason, once chosen.
    pub chosen: RwSignal<Option<(String, String)>>,
    pub gpu: RwSignal<bool>,
    choice: StoredValue<Option<Choice>, LocalStorage>,
    choosing: StoredValue<bool, LocalStorage>,
}

impl Devices {
    pub fn new(preference: DevicePreference) -> Self {
        Devices {
            preference,
            chosen: RwSignal::new(None),
            gpu: RwSignal::new(false),
            choice: StoredValue::new_local(None),
            choosing: StoredValue::new_local(false),
        }
    }

    /// The device to train on; chosen (and self-checked on `run`) by the first caller, whom
    /// the others wait for.
    pub async fn choice(&self, run: &RunConfig) -> Choice {
        loop {
            if let Some(choice) = self.choice.get_value() {
                return choice;
            }
            if !self.choosing.get_value() {
                break;
            }
            crate::schedule::yield_to_browser().await;
        }
        self.choosing.set_value(true);
        let choice = choose(run, self.preference).await;
        self.set(choice.clone());
        self.choosing.set_value(false);
        choice
    }

    pub fn on_gpu(&self) -> bool {
        self.choice.with_value(|c| c.as_ref().is_some_and(|c| c.gpu))
    }

    /// The GPU failed during a run: the CPU from now on.
    pub fn fall_back(&self, why: &str) {
        if self.on_gpu() {
            self.set(Choice::cpu(format!("WebGPU failed during a run ({why}); the runs continue on the CPU")));
        }
    }

    fn set(&self, choice: Choice) {
        self.chosen.set(Some((choice.label.clone(), choice.reason.clone())));
        self.gpu.set(choice.gpu);
        self.choice.set_value(Some(choice));
    }
}

thread_local! {
    /// burn's wgpu runtime can be initialised once per page.
    static WEBGPU: RefCell<Option<Result<Device, String>>> = const { RefCell::new(None) };
}

async fn webgpu_device() -> Result<Device, String> {
    if let Some(known) = WEBGPU.with(|d| d.borrow().clone()) {
        return known;
    }
    let result = Device::wgpu_options().init_async().await.map_err(|e| format!("{e:?}"));
    WEBGPU.with(|d| *d.borrow_mut() = Some(result.clone()));
    result
}

/// WebGPU's device, or why there is none.
pub async fn webgpu() -> Result<Gpu, String> {
    let started = web_time::Instant::now();
    let (adapter, max_buffer_bytes) = adapter_description().await.ok_or("this browser offers no WebGPU adapter")?;
    let device = webgpu_device().await.map_err(|e| format!("WebGPU ({adapter}) did not start: {e}"))?;
    Ok(Gpu { device, adapter, max_buffer_bytes, init_s: started.elapsed().as_secs_f64() })
}

/// Chooses the device for `run`: WebGPU when it is there and trains `CHECK_STEPS` steps of
/// this very run within `CHECK_TOLERANCE` of the CPU backend, the CPU otherwise.
pub async fn choose(run: &RunConfig, preference: DevicePreference) -> Choice {
    if preference == DevicePreference::Cpu {
        return Choice::cpu("the CPU backend was asked for (backend=cpu)");
    }
    let Gpu { device, adapter, max_buffer_bytes, .. } = match webgpu().await {
        Ok(gpu) => gpu,
        Err(e) => return Choice::cpu(e),
    };
    let choice =
        Choice { device, gpu: true, label: format!("WebGPU · burn wgpu backend · {adapter}"), reason: String::new(), max_buffer_bytes };
    // A run too big for this GPU trains on the CPU; the GPU is checked on a small model instead.
    let checked = if choice.too_big(run).is_some() { small_check_run() } else { run.clone() };
    match self_check(&checked, &choice.device).await {
        Ok(worst) => Choice {
            reason: format!("it trained {CHECK_STEPS} steps like the CPU backend (largest relative loss difference {worst:.1e})"),
            ..choice
        },
        Err(e) => Choice::cpu(format!("WebGPU ({adapter}) failed its self-check: {e}")),
    }
}

/// The paper's transformer at p = 31 and d_model 32: small enough for any GPU.
fn small_check_run() -> RunConfig {
    let mut run = RunConfig::paper(1.0);
    run.task.p = 31;
    if let grokscope_core::ModelConfig::Transformer(t) = &mut run.model {
        t.d_model = 32;
    }
    run
}

/// Trains `CHECK_STEPS` steps of `run` on `gpu` and on the CPU from the same initial weights;
/// the largest relative difference of the training losses, or why it is not trusted. The CPU's
/// steps run in a worker (a step of the paper's model is ~2 s of arithmetic in wasm, which would
/// freeze the page), the GPU's are queued here; the page paints between steps.
async fn self_check(run: &RunConfig, gpu: &Device) -> Result<f64, String> {
    let (mut cpu, _) = Engine::cpu(run, None).await?;
    let mut gpu = Trainer::new(run, gpu).map_err(|e| e.to_string())?;
    let mut worst = 0.0f64;
    for _ in 0..CHECK_STEPS {
        gpu.advance(1);
        cpu.advance(1).await?;
        let expected = cpu.observe().await?.0.train_loss;
        let found = gpu.snapshot().await.map_err(|e| e.to_string())?.train_loss;
        crate::schedule::yield_to_browser().await;
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
/// software fallback) and its largest buffer, or `None` where there is no WebGPU.
async fn adapter_description() -> Option<(String, Option<f64>)> {
    let navigator: JsValue = web_sys::window()?.navigator().into();
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
