//! AdamW with decoupled weight decay, computed as burn's `AdamW` computes it (the same
//! operations in the same order, so the same bits on the CPU), with its state in our hands: the
//! two moments of each parameter, by the model's parameter table. A run saved at a record
//! (the notebook keeps one in the browser's storage) then resumes exactly where it stood; burn
//! keeps its optimizer's state private and loads a saved one onto its default device.

use burn::module::{Module, ModuleMapper, Param};
use burn::optim::GradientsParams;
use burn::prelude::*;

use crate::Error;
use crate::config::TrainConfig;
use crate::weights::{HostTensor, Parameter, Weights};

/// AdamW's state after some steps, on the host: both moments of every parameter by its official
/// name, and the steps they have taken (which set the bias correction). No moments before the
/// first step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AdamWState {
    pub time: usize,
    pub moment_1: Weights,
    pub moment_2: Weights,
}

pub struct AdamW {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    weight_decay: f32,
    /// Steps taken. Every parameter gets a gradient at every full-batch step, so one count serves
    /// them all (burn keeps one per parameter).
    time: usize,
    /// `[first, second]` moment of each parameter in table order (the order a model visits its
    /// parameters), flattened; empty before the first step.
    moments: Vec<Option<[Tensor<1>; 2]>>,
}

impl AdamW {
    /// A fresh optimizer with the recipe's betas, epsilon and weight decay.
    pub fn new(t: &TrainConfig) -> Self {
        AdamW {
            beta_1: t.beta1 as f32,
            beta_2: t.beta2 as f32,
            epsilon: t.epsilon as f32,
            weight_decay: t.weight_decay as f32,
            time: 0,
            moments: Vec::new(),
        }
    }

    /// The optimizer as it stood at `state`, for the parameters of `table`, on `device` (the
    /// model's device without autodiff, where gradients arrive).
    pub fn resume(t: &TrainConfig, state: &AdamWState, table: &[Parameter], device: &Device) -> Result<Self, Error> {
        let mut adamw = AdamW::new(t);
        if state.time == 0 {
            return Ok(adamw);
        }
        let flat = |moment: &Weights, p: &Parameter| -> Result<Tensor<1>, Error> {
            let m = moment.with_shape(&p.name, &p.shape)?;
            Ok(m.reshaped(vec![m.values.len()]).to_device(device))
        };
        adamw.moments =
            table.iter().map(|p| Ok(Some([flat(&state.moment_1, p)?, flat(&state.moment_2, p)?]))).collect::<Result<_, Error>>()?;
        adamw.time = state.time;
        Ok(adamw)
    }

    /// One step of `model` down the gradient of `loss` at learning rate `lr`.
    pub fn step<M: Module>(&mut self, lr: f64, model: M, loss: Tensor<1>) -> M {
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        self.time += 1;
        model.map(&mut Update { adamw: self, lr, grads, index: 0 })
    }

    /// The moments as device tensors, all first moments then all second ones, in table order
    /// (none before the first step): what `state` reads back.
    pub fn moments(&self) -> Vec<Tensor<1>> {
        let [first, second]: [Vec<Tensor<1>>; 2] = std::array::from_fn(|k| self.moments.iter().flatten().map(|m| m[k].clone()).collect());
        first.into_iter().chain(second).collect()
    }

    /// The host state from the values `moments` read, named by `table`.
    pub fn state(&self, table: &[Parameter], mut values: Vec<Vec<f32>>) -> AdamWState {
        if values.is_empty() {
            return AdamWState::default();
        }
        assert_eq!(values.len(), 2 * table.len(), "two moments per parameter");
        let second = values.split_off(table.len());
        let named = |values: Vec<Vec<f32>>| {
            Weights(table.iter().zip(values).map(|(p, v)| (p.name.clone(), HostTensor::new(p.shape.clone(), v))).collect())
        };
        AdamWState { time: self.time, moment_1: named(values), moment_2: named(second) }
    }
}

/// One AdamW step of each parameter, visited in table order.
struct Update<'a> {
    adamw: &'a mut AdamW,
    lr: f64,
    grads: GradientsParams,
    index: usize,
}

impl ModuleMapper for Update<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let index = self.index;
        self.index += 1;
        let (id, tensor, mapper) = param.consume();
        let Some(grad) = self.grads.remove::<D>(id) else {
            return Param::from_mapped_value(id, tensor, mapper);
        };
        let require_grad = tensor.is_require_grad();
        let parameter = tensor.inner();
        let dims: [usize; D] = parameter.dims();
        let n = dims.iter().product::<usize>();
        // Elementwise arithmetic, so on flat tensors: one moment type for every rank.
        let (parameter, grad) = (parameter.reshape([n]), grad.reshape([n]));
        let AdamW { beta_1, beta_2, epsilon, weight_decay, time, ref mut moments } = *self.adamw;
        if moments.len() <= index {
            moments.resize(index + 1, None);
        }
        // burn's `AdaptiveMomentumW::transform`, then `AdamW::step`.
        let [m1, m2] = match moments[index].take() {
            Some([m1, m2]) => [
                m1.mul_scalar(beta_1).add(grad.clone().mul_scalar(1.0 - beta_1)),
                m2.mul_scalar(beta_2).add(grad.square().mul_scalar(1.0 - beta_2)),
            ],
            None => [grad.clone().mul_scalar(1.0 - beta_1), grad.square().mul_scalar(1.0 - beta_2)],
        };
        let corrected_1 = m1.clone().div_scalar(1f32 - beta_1.powi(time as i32));
        let corrected_2 = m2.clone().div_scalar(1f32 - beta_2.powi(time as i32));
        let delta = corrected_1.div(corrected_2.sqrt().add_scalar(epsilon));
        moments[index] = Some([m1, m2]);
        let decay_rate = self.lr * weight_decay as f64;
        let decayed = if decay_rate == 0.0 { parameter } else { parameter.mul_scalar(1.0 - decay_rate) };
        let updated = decayed - delta.mul_scalar(self.lr);
        let mut updated = Tensor::from_inner(updated.reshape(dims));
        if require_grad {
            updated = updated.require_grad();
        }
        Param::from_mapped_value(id, updated, mapper)
    }
}
