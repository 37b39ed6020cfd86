//! Host copies of a model's parameters, by their official names.
//!
//! Every model is built from `Weights` (fresh from the seeded host RNG, or loaded from a
//! checkpoint) and read back into `Weights`, so the initial weights, checkpoints and analysis
//! all go through one path with one set of names and shapes.

use std::collections::BTreeMap;

use burn::module::Param;
use burn::prelude::*;
use burn::tensor::TensorData;

use crate::Error;

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

    pub fn to_device<const D: usize>(&self, device: &Device) -> Tensor<D> {
        Tensor::from_data(TensorData::new(self.values.clone(), self.shape.clone()), device)
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

    /// The tensor `name`, which must have exactly `shape`.
    pub fn expect(&self, name: &str, shape: &[usize]) -> Result<&HostTensor, Error> {
        let tensor = self.0.get(name).ok_or_else(|| Error::MissingTensor(name.to_string()))?;
        if tensor.shape != shape {
            return Err(Error::WrongShape {
                name: name.to_string(),
                expected: shape.to_vec(),
                found: tensor.shape.clone(),
            });
        }
        Ok(tensor)
    }

    /// `name` as a device tensor of rank `D` with exactly `shape`.
    pub fn load<const D: usize>(&self, name: &str, shape: [usize; D], device: &Device) -> Result<Tensor<D>, Error> {
        Ok(self.expect(name, &shape)?.to_device(device))
    }

    /// Names present that the model does not have: a checkpoint of another model.
    pub fn unexpected_names<'a>(&'a self, expected: &'a [String]) -> impl Iterator<Item = &'a String> + 'a {
        self.0.keys().filter(move |k| !expected.contains(k))
    }

    /// Σ‖θ‖², the squared L2 norm of all parameters.
    pub fn squared_norm(&self) -> f64 {
        self.0.values().flat_map(|t| &t.values).map(|&v| (v as f64) * (v as f64)).sum()
    }
}

/// A parameter by its official name, flattened, with its shape.
pub type NamedParameter = (String, Tensor<1>, Vec<usize>);

pub fn flat<const D: usize>(name: impl Into<String>, param: &Param<Tensor<D>>) -> NamedParameter {
    let shape = param.dims().to_vec();
    (name.into(), param.val().reshape([shape.iter().product::<usize>()]), shape)
}

/// Reads many device tensors back to the host in one batched, asynchronous transaction: in
/// wasm a synchronous read panics on WebGPU, and one read per tensor would stall the GPU once
/// per tensor.
pub async fn read_back(named: Vec<NamedParameter>) -> Result<Weights, Error> {
    Ok(read_back_with(Vec::new(), named).await?.1)
}

/// As [`read_back`], with `leading` tensors (metrics, say) read in the same transaction and
/// returned first, as flat f32 values.
pub async fn read_back_with(leading: Vec<Tensor<1>>, named: Vec<NamedParameter>) -> Result<(Vec<Vec<f32>>, Weights), Error> {
    let mut transaction = burn::tensor::Transaction::default();
    let n_leading = leading.len();
    for tensor in leading {
        transaction = transaction.register(tensor);
    }
    let mut meta = Vec::with_capacity(named.len());
    for (name, tensor, shape) in named {
        transaction = transaction.register(tensor);
        meta.push((name, shape));
    }
    let data = transaction.execute_async().await.map_err(|e| Error::Device(format!("{e:?}")))?;
    let mut values = data.into_iter().map(|d| d.try_into_vec::<f32>().map_err(|e| Error::Device(format!("{e:?}"))));
    let leading = values.by_ref().take(n_leading).collect::<Result<Vec<_>, _>>()?;
    let mut weights = Weights::default();
    for ((name, shape), v) in meta.into_iter().zip(values) {
        weights.insert(name, HostTensor::new(shape, v?));
    }
    Ok((leading, weights))
}
