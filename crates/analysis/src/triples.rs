//! The (a, b, c) triples gradient symmetricity averages over, drawn exactly as the official
//! notebook draws them: every triple in lexicographic order, shuffled by Python's
//! `random.Random(42).shuffle`, the first 100 kept. Reimplementing CPython's Mersenne Twister
//! and shuffle gives the paper's sample for p = 59 (listed in docs/science.md §4.1) and, for any other
//! p, the sample the official code would have drawn.

/// How many triples the paper averages over.
pub const COUNT: usize = 100;
const SEED: u32 = 42;

/// The first `COUNT` triples (all of them when there are fewer).
pub fn paper_triples(p: usize) -> Vec<(u32, u32, u32)> {
    let n = p * p * p;
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut rng = PythonRandom::new(SEED);
    // random.shuffle: for i from n-1 down to 1, swap x[i] with x[randbelow(i + 1)].
    for i in (1..n).rev() {
        let j = rng.randbelow(i as u32 + 1) as usize;
        order.swap(i, j);
    }
    let p = p as u32;
    order.into_iter().take(COUNT).map(|m| (m / (p * p), m / p % p, m % p)).collect()
}

/// CPython's `random.Random`: MT19937 seeded through `init_by_array`, integers drawn by
/// rejection from `getrandbits`.
struct PythonRandom {
    state: [u32; N],
    index: usize,
}

const N: usize = 624;
const M: usize = 397;

impl PythonRandom {
    /// `random.Random(seed)` for a seed below 2³²: the key is the seed's one 32-bit word.
    fn new(seed: u32) -> Self {
        let mut mt = [0u32; N];
        mt[0] = 19_650_218;
        for i in 1..N {
            mt[i] = 1_812_433_253u32.wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_add(i as u32);
        }
        let key = [seed];
        let (mut i, mut j) = (1, 0);
        for _ in 0..N.max(key.len()) {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_664_525)).wrapping_add(key[j]).wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
        PythonRandom { state: mt, index: N }
    }

    fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            for k in 0..N {
                let y = (self.state[k] & 0x8000_0000) | (self.state[(k + 1) % N] & 0x7fff_ffff);
                let odd = if y & 1 == 1 { 0x9908_b0df } else { 0 };
                self.state[k] = self.state[(k + M) % N] ^ (y >> 1) ^ odd;
            }
            self.index = 0;
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `_randbelow_with_getrandbits(n)`, for 1 ≤ n < 2³².
    fn randbelow(&mut self, n: u32) -> u32 {
        let bits = 32 - n.leading_zeros();
        loop {
            let r = self.next_u32() >> (32 - bits);
            if r < n {
                return r;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_papers_triples_for_p_59() {
        // docs/science.md §4.1: the first ten and the last of the list.
        let t = paper_triples(59);
        assert_eq!(t.len(), 100);
        let first = [
            (29, 1, 57),
            (49, 36, 24),
            (40, 38, 8),
            (13, 17, 16),
            (57, 34, 36),
            (4, 3, 42),
            (55, 39, 31),
            (16, 0, 25),
            (4, 51, 6),
            (26, 22, 56),
        ];
        assert_eq!(t[..10], first);
        assert_eq!(t[99], (26, 20, 11));
    }

    #[test]
    fn small_p_keeps_every_triple_once() {
        let mut t = paper_triples(3);
        assert_eq!(t.len(), 27);
        t.sort();
        t.dedup();
        assert_eq!(t.len(), 27);
    }
}
