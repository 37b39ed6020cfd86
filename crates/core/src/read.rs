//! Reading device tensors back to the host: always asynchronous (a synchronous read panics on
//! WebGPU in wasm) and batched into one read of one tensor (one read per tensor would stall
//! the GPU once per tensor).

use burn::prelude::*;
use burn::tensor::{TensorData, Transaction};

use crate::Error;

/// The f32 values of every tensor, in one asynchronous read. They are concatenated on the
/// device first: a transaction of n tensors still maps n staging buffers on WebGPU, one
/// tensor maps one.
pub async fn read_f32<const D: usize>(tensors: Vec<Tensor<D>>) -> Result<Vec<Vec<f32>>, Error> {
    if tensors.is_empty() {
        return Ok(Vec::new());
    }
    let lengths: Vec<usize> = tensors.iter().map(|t| t.shape().num_elements()).collect();
    let mut flat: Vec<Tensor<1>> = tensors.into_iter().zip(&lengths).map(|(t, &n)| t.reshape([n])).collect();
    // One tensor needs no copy.
    let flat = if flat.len() == 1 { flat.remove(0) } else { Tensor::cat(flat, 0) };
    let data = Transaction::default().register(flat).execute_async().await.map_err(device_error)?;
    let all = values(data.into_iter().next().expect("one tensor in, one out"))?;
    let mut rest = all.as_slice();
    Ok(lengths
        .iter()
        .map(|&n| {
            let (head, tail) = rest.split_at(n);
            rest = tail;
            head.to_vec()
        })
        .collect())
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
