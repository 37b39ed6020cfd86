//! The one seeded random number generator on the host.
//!
//! Initial weights and the train/test split are drawn here, never on a device, so a seed gives
//! the same start on every backend and in every build (native or wasm). Normal samples use
//! Box-Muller through `libm`, a pure-Rust maths library, rather than the platform's `ln`/`cos`,
//! whose last bits differ between glibc and wasm: a shared link must reproduce the run exactly.

use rand::RngCore;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Independent streams drawn from one seed: changing the split (say, the train fraction) leaves
/// the initial weights as they were, and the other way round.
#[derive(Clone, Copy, Debug)]
pub enum Stream {
    Split = 1,
    Init = 2,
    /// A random sweep's draws of attention rate, width and seed per run.
    Sweep = 3,
    /// The permutations of a two-sample test (the manifold measures' MMD p-value).
    Permutation = 4,
}

pub struct HostRng {
    rng: ChaCha8Rng,
    /// The second value of the last Box-Muller pair, not yet handed out.
    spare_normal: Option<f64>,
}

impl HostRng {
    pub fn new(seed: u64, stream: Stream) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream as u64);
        Self { rng, spare_normal: None }
    }

    /// Uniform in [0, 1), with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal.
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        // 1 - uniform() is in (0, 1], so the logarithm is finite.
        let radius = libm::sqrt(-2.0 * libm::log(1.0 - self.uniform()));
        let angle = 2.0 * core::f64::consts::PI * self.uniform();
        self.spare_normal = Some(radius * libm::sin(angle));
        radius * libm::cos(angle)
    }

    /// `n` draws of `N(0, 1) * scale`, as f32.
    pub fn normal_vec(&mut self, n: usize, scale: f64) -> Vec<f32> {
        (0..n).map(|_| (self.normal() * scale) as f32).collect()
    }

    /// `n` draws uniform in `[-bound, bound)`, as f32.
    pub fn uniform_vec(&mut self, n: usize, bound: f64) -> Vec<f32> {
        (0..n).map(|_| ((2.0 * self.uniform() - 1.0) * bound) as f32).collect()
    }

    /// Fisher-Yates. The modulo bias is below 2^-40 for any slice we shuffle and, unlike
    /// `rand`'s range sampling, the result does not depend on the pointer width.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.rng.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers_and_streams_differ() {
        let a: Vec<f64> = {
            let mut r = HostRng::new(7, Stream::Init);
            (0..5).map(|_| r.normal()).collect()
        };
        let b: Vec<f64> = {
            let mut r = HostRng::new(7, Stream::Init);
            (0..5).map(|_| r.normal()).collect()
        };
        let c: Vec<f64> = {
            let mut r = HostRng::new(7, Stream::Split);
            (0..5).map(|_| r.normal()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut r = HostRng::new(1, Stream::Init);
        let xs: Vec<f64> = (0..200_000).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "variance {var}");
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut r = HostRng::new(3, Stream::Split);
        let mut v: Vec<u32> = (0..1000).collect();
        r.shuffle(&mut v);
        assert_ne!(v, (0..1000).collect::<Vec<_>>());
        v.sort();
        assert_eq!(v, (0..1000).collect::<Vec<_>>());
    }
}
