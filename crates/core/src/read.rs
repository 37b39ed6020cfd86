//! Reading device tensors back to the host: always asynchronous (a synchronous read panics on
//! WebGPU in wasm) and batched into one transaction (one read per tensor would stall the GPU
//! once per tensor).

use burn::prelude::*;
use burn::tensor::{TensorData, Transaction};

use crate::Error;

/// The f32 values of every tensor, in one asynchronous read.
pub async fn read_f32<const D: usize>(tensors: Vec<Tensor<D>>) -> Result<Vec<Vec<f32>>, Error> {
    let transaction = tensors.into_iter().fold(Transaction::default(), |t, tensor| t.register(tensor));
    let data = transaction.execute_async().await.map_err(device_error)?;
    data.into_iter().map(values).collect()
}

/// The f32 values of one tensor, in one asynchronous read.
pub async fn read_one<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, Error> {
    Ok(read_f32(vec![tensor]).await?.pop().expect("one tensor in, one out"))
}

fn values(data: TensorData) -> Result<Vec<f32>, Error> {
    data.try_into_vec::<f32>().map_err(device_error)
}

fn device_error(e: impl std::fmt::Debug) -> Error {
    Error::Device(format!("{e:?}"))
}
