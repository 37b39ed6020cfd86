//! The page's device: WebGPU after a worker has brought it up and checked it
//! (`grokscope_notebook::webgpu`), else the CPU backend; what the device panel says of it.

use grokscope_core::RunConfig;
use grokscope_core::device::Backend;
use grokscope_document::options::DevicePreference;
use grokscope_notebook::webgpu::{self, GpuCheck};
use grokscope_sweep::Budget;
use leptos::prelude::*;

use crate::run::worker::Remote;

/// Where runs train (in workers: on WebGPU, or on the CPU backend), and what to tell the reader
/// about it.
#[derive(Clone, Debug)]
pub struct Choice {
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
        webgpu::too_big(run, self.max_buffer_bytes.filter(|_| self.gpu))
    }
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

    /// The CPU from now on, for `reason`, though the GPU works.
    pub fn prefer_cpu(&self, reason: String) {
        self.set(Choice::cpu(reason));
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

/// Milliseconds a step of `run` takes on the page's WebGPU device (`gpu`) or the CPU backend,
/// timed in a worker of its own.
pub async fn pace(run: &RunConfig, gpu: bool) -> Result<f64, String> {
    Remote::start(run, None, gpu).await?.pace(gpu).await
}

/// Chooses the device for `run`: WebGPU when a worker has it and it trains `run` like the CPU
/// backend (`webgpu::check`), the CPU otherwise.
pub async fn choose(run: &RunConfig, preference: DevicePreference) -> Choice {
    if preference == DevicePreference::Cpu {
        return Choice::cpu("the CPU backend was asked for (backend=cpu)");
    }
    let checked = match Remote::spawn().await {
        Ok(worker) => worker.check_gpu(run).await,
        Err(e) => Err(format!("WebGPU trains in a worker, and none started ({e})")),
    };
    match checked {
        Ok(GpuCheck { adapter, max_buffer_bytes, outcome: Ok(worst), .. }) => Choice {
            gpu: true,
            label: format!("WebGPU · burn wgpu backend · {adapter}"),
            reason: format!("it trained {} steps like the CPU backend (largest relative loss difference {worst:.1e})", webgpu::CHECK_STEPS),
            max_buffer_bytes,
        },
        Ok(GpuCheck { adapter, outcome: Err(e), .. }) => Choice::cpu(format!("WebGPU ({adapter}) failed its self-check: {e}")),
        Err(e) => Choice::cpu(e),
    }
}
