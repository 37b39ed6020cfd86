//! Which burn backend a run uses, chosen at run time.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// burn's pure-Rust CPU backend.
    Flex,
    /// burn's older pure-Rust CPU backend (deprecated upstream), kept to compare.
    #[cfg(feature = "ndarray")]
    NdArray,
    /// wgpu: Vulkan, Metal or DX12 natively, WebGPU in a browser.
    #[cfg(feature = "wgpu")]
    Wgpu,
}

impl Backend {
    /// The CPU backend we use where none is named. Flex, by measurement: see ARCHITECTURE.md.
    pub const CPU: Backend = Backend::Flex;

    /// Every backend this build has.
    pub const ALL: &[Backend] = &[
        Backend::Flex,
        #[cfg(feature = "wgpu")]
        Backend::Wgpu,
        #[cfg(feature = "ndarray")]
        Backend::NdArray,
    ];

    /// `cpu` means [`Backend::CPU`].
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "cpu" => Some(Self::CPU),
            "gpu" => Self::ALL.iter().copied().find(|b| b.name() == "wgpu"),
            _ => Self::ALL.iter().copied().find(|b| b.name() == name),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Flex => "flex",
            #[cfg(feature = "ndarray")]
            Backend::NdArray => "ndarray",
            #[cfg(feature = "wgpu")]
            Backend::Wgpu => "wgpu",
        }
    }

    /// The device, without autodiff (the trainer adds it). wgpu comes up lazily on the
    /// platform's default adapter; in a browser it must be initialised asynchronously first.
    pub fn device(self) -> Device {
        match self {
            Backend::Flex => Device::flex(),
            #[cfg(feature = "ndarray")]
            #[allow(deprecated)]
            Backend::NdArray => Device::ndarray(),
            #[cfg(feature = "wgpu")]
            Backend::Wgpu => Device::wgpu(burn::tensor::DeviceKind::DefaultDevice),
        }
    }
}
