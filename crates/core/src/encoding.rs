//! How a pair (a, b) becomes the model's input tokens: the operand tokens, an optional `=`
//! token, and the positions they take.

use serde::{Deserialize, Serialize};

/// The Clock & Pizza encoding (docs/science.md §2): `[a, b]`, token t for number t, with the
/// appendix's two variants. The position embedding is the model's.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Encoding {
    /// b is token b + p, so the two operands have separate embeddings (vocabulary 2p).
    #[serde(default)]
    pub diff_vocab: bool,
    /// A third token `=` (the last id) is appended.
    #[serde(default)]
    pub eqn_sign: bool,
}

impl Encoding {
    /// Token ids in use: the numbers, b's own copies with `diff_vocab`, then `=`.
    pub fn vocab(&self, p: usize) -> usize {
        p * (1 + self.diff_vocab as usize) + self.eqn_sign as usize
    }

    /// Tokens per input, the model reading out at the last.
    pub fn n_ctx(&self) -> usize {
        2 + self.eqn_sign as usize
    }

    /// The token sequence of the pair (a, b).
    pub fn encode(&self, a: u32, b: u32, p: usize) -> Vec<u32> {
        let mut tokens = vec![a, b + if self.diff_vocab { p as u32 } else { 0 }];
        if self.eqn_sign {
            tokens.push(self.vocab(p) as u32 - 1);
        }
        tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants() {
        let plain = Encoding::default();
        assert_eq!((plain.vocab(59), plain.n_ctx(), plain.encode(3, 4, 59)), (59, 2, vec![3, 4]));
        let both = Encoding { diff_vocab: true, eqn_sign: true };
        assert_eq!((both.vocab(59), both.n_ctx(), both.encode(3, 4, 59)), (119, 3, vec![3, 63, 118]));
    }
}
