//! Host copies of a model's parameters, by their official names, and the table each model
//! keeps of them.
//!
//! Every model is built from `Weights` (fresh from the seeded host RNG, or loaded from a
//! checkpoint) and read back into `Weights`, so the initial weights, checkpoints and analysis
//! all go through one path. Each model lists its parameters once, in a table of
//! [`Parameter`]s (official name, shape from the config, initial distribution) that init, load
//! and read-back all follow; an ensemble of models would add its leading axis there.

use std::collections::BTreeMap;

use burn::module::{Module, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::TensorData;

use crate::Error;
use crate::read::read_f32;
use crate::rng::HostRng;

#[derive(Clone, Debug, PartialEq)]
pub struct HostTensor {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

impl HostTensor {
    pub fn new(shape: Vec<usize>, values: Vec<f32>) -> Self {
        debug_assert_eq!(shape.iter().product::<usize>(), values.len());
        HostTensor { shape, values }
    }

    pub fn zeros(shape: Vec<usize>) -> Self {
        let n = shape.iter().product();
        HostTensor { shape, values: vec![0.0; n] }
    }

    /// From little-endian f32 bytes (safetensors, the worker messages); a trailing partial
    /// value is ignored.
    pub fn from_le_bytes(shape: Vec<usize>, bytes: &[u8]) -> Self {
        let values = bytes.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes"))).collect();
        HostTensor { shape, values }
    }

    pub fn to_le_bytes(&self) -> Vec<u8> {
        self.values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// The same values under another shape of as many values.
    pub fn reshaped(&self, shape: Vec<usize>) -> HostTensor {
        assert_eq!(shape.iter().product::<usize>(), self.values.len(), "a reshape keeps the number of values");
        HostTensor { shape, values: self.values.clone() }
    }

    /// The axes reordered: axis i of the result is axis `axes[i]` of this tensor.
    pub fn permuted(&self, axes: &[usize]) -> HostTensor {
        assert_eq!(axes.len(), self.shape.len(), "a permutation names every axis");
        let shape: Vec<usize> = axes.iter().map(|&a| self.shape[a]).collect();
        let mut strides = vec![1; self.shape.len()];
        for i in (0..self.shape.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1] * self.shape[i + 1];
        }
        let mut index = vec![0; shape.len()];
        let mut values = Vec::with_capacity(self.values.len());
        for _ in 0..self.values.len() {
            values.push(self.values[index.iter().zip(axes).map(|(&i, &a)| i * strides[a]).sum::<usize>()]);
            // The next index of the result, last axis fastest.
            for axis in (0..shape.len()).rev() {
                index[axis] += 1;
                if index[axis] < shape[axis] {
                    break;
                }
                index[axis] = 0;
            }
        }
        HostTensor { shape, values }
    }

    pub fn to_device<const D: usize>(&self, device: &Device) -> Tensor<D> {
        Tensor::from_data(TensorData::new(self.values.clone(), self.shape.clone()), device)
    }
}

/// How a parameter's initial values are drawn (docs/science.md §2).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// N(0, σ²) with this σ.
    Normal(f64),
    /// U(−bound, bound): PyTorch's default for `nn.Linear`.
    Uniform(f64),
    Zeros,
}

/// One entry of a model's parameter table.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// The official code's name: `embed.W_E`, `blocks.0.attn.W_Q`, ...
    pub name: String,
    pub shape: Vec<usize>,
    pub init: Init,
}

impl Parameter {
    pub fn new(name: impl Into<String>, shape: impl Into<Vec<usize>>, init: Init) -> Self {
        Parameter { name: name.into(), shape: shape.into(), init }
    }
}

/// Fresh weights for a parameter table, drawn in table order (the official code's order of
/// creation) from the one host RNG.
pub fn init_weights(table: &[Parameter], rng: &mut HostRng) -> Weights {
    let mut weights = Weights::default();
    for parameter in table {
        let shape = parameter.shape.clone();
        let n = shape.iter().product();
        let tensor = match parameter.init {
            Init::Normal(std) => HostTensor::new(shape, rng.normal_vec(n, std)),
            Init::Uniform(bound) => HostTensor::new(shape, rng.uniform_vec(n, bound)),
            Init::Zeros => HostTensor::zeros(shape),
        };
        weights.insert(parameter.name.clone(), tensor);
    }
    weights
}

/// Loads a model's parameters in table order. A model declares its parameter fields in that
/// order and builds itself by calling [`Loader::param`] once per field, so the names live only
/// in the table.
pub struct Loader<'a> {
    table: std::slice::Iter<'a, Parameter>,
    weights: &'a Weights,
    device: &'a Device,
}

impl<'a> Loader<'a> {
    pub fn new(table: &'a [Parameter], weights: &'a Weights, device: &'a Device) -> Self {
        Loader { table: table.iter(), weights, device }
    }

    /// The next parameter of the table, which `weights` must hold with exactly its shape.
    pub fn param<const D: usize>(&mut self) -> Result<Param<Tensor<D>>, Error> {
        let parameter = self.table.next().expect("a model loads no more parameters than its table lists");
        let tensor = self.weights.with_shape(&parameter.name, &parameter.shape)?;
        Ok(Param::from_tensor(tensor.to_device(self.device)))
    }

    /// The next parameter if the model has this field (the table lists it exactly then).
    pub fn param_if<const D: usize>(&mut self, present: bool) -> Result<Option<Param<Tensor<D>>>, Error> {
        present.then(|| self.param()).transpose()
    }
}

/// Named parameters, sorted by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Weights(pub BTreeMap<String, HostTensor>);

impl Weights {
    pub fn insert(&mut self, name: impl Into<String>, tensor: HostTensor) {
        self.0.insert(name.into(), tensor);
    }

    pub fn get(&self, name: &str) -> Option<&HostTensor> {
        self.0.get(name)
    }

    /// The tensor `name`, or why it cannot be used: missing, or not exactly of `shape`.
    pub fn with_shape(&self, name: &str, shape: &[usize]) -> Result<&HostTensor, Error> {
        let tensor = self.0.get(name).ok_or_else(|| Error::MissingTensor(name.to_string()))?;
        if tensor.shape != shape {
            return Err(Error::WrongShape { name: name.to_string(), expected: shape.to_vec(), found: tensor.shape.clone() });
        }
        Ok(tensor)
    }

    /// A name present that `table` does not list: a checkpoint of another model.
    pub fn unexpected_name(&self, table: &[Parameter]) -> Option<&String> {
        self.0.keys().find(|k| !table.iter().any(|p| &p.name == *k))
    }

    /// The first tensor holding a NaN or an infinity, with how many such values it holds: a run
    /// that diverged, or a damaged file. Nothing measured on such weights means anything.
    pub fn non_finite(&self) -> Option<(&str, usize)> {
        self.0.iter().find_map(|(name, t)| {
            let bad = t.values.iter().filter(|v| !v.is_finite()).count();
            (bad > 0).then_some((name.as_str(), bad))
        })
    }

    /// Refuses weights with a NaN or an infinity, naming the tensor.
    pub fn check_finite(&self) -> Result<(), Error> {
        match self.non_finite() {
            Some((name, bad)) => Err(Error::NonFinite { name: name.to_string(), count: bad }),
            None => Ok(()),
        }
    }

    /// Σ‖θ‖², the squared L2 norm of all parameters.
    pub fn squared_norm(&self) -> f64 {
        self.0.values().flat_map(|t| &t.values).map(|&v| (v as f64) * (v as f64)).sum()
    }
}

/// A model's parameters as flat device tensors, in the order its fields are declared (which is
/// its table's order).
pub fn flat_parameters<M: Module>(module: &M) -> Vec<Tensor<1>> {
    struct Flatten(Vec<Tensor<1>>);
    impl ModuleVisitor for Flatten {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let n = param.dims().iter().product::<usize>();
            self.0.push(param.val().reshape([n]));
        }
    }
    let mut flatten = Flatten(Vec::new());
    module.visit(&mut flatten);
    flatten.0
}

/// Host copies of a model's parameters named by its table, in one asynchronous read, with
/// `leading` tensors (metrics, say) read in the same transaction and returned first.
pub async fn read_back(
    table: &[Parameter],
    parameters: Vec<Tensor<1>>,
    leading: Vec<Tensor<1>>,
) -> Result<(Vec<Vec<f32>>, Weights), Error> {
    assert_eq!(table.len(), parameters.len(), "the table lists every parameter");
    let n_leading = leading.len();
    let mut values = read_f32(leading.into_iter().chain(parameters).collect()).await?.into_iter();
    let leading = values.by_ref().take(n_leading).collect();
    let weights = Weights(table.iter().zip(values).map(|(p, v)| (p.name.clone(), HostTensor::new(p.shape.clone(), v))).collect());
    Ok((leading, weights))
}
