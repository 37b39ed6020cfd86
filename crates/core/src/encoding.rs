//! How a pair (a, b) becomes the model's input tokens: the operand tokens, an optional `=` or
//! operator token, and the positions they take.

use burn::prelude::*;
use burn::tensor::TensorData;
use serde::{Deserialize, Serialize};

use crate::task::{MAX_MIXED, Operation, Task};

/// Whose input convention the model follows (docs/operations.md).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// Zhong et al.: `[a, b]` with a learned position embedding and MLP biases, bidirectional
    /// attention (docs/science.md §2).
    #[default]
    ClockPizza,
    /// Furuta et al.: `[a, op, b]` over p + 5 tokens (`=`, `+`, `−`, `·`, `/` after the numbers),
    /// no position embedding, no MLP biases, causal attention, read out at b.
    Furuta,
}

impl Scheme {
    pub const ALL: [Scheme; 2] = [Scheme::ClockPizza, Scheme::Furuta];

    /// The name links, configs and `--encoding` use.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::ClockPizza => "clock_pizza",
            Scheme::Furuta => "furuta",
        }
    }

    /// What the page shows.
    pub fn label(self) -> &'static str {
        match self {
            Scheme::ClockPizza => "[a, b] (Clock & Pizza)",
            Scheme::Furuta => "[a, op, b] (Furuta et al.)",
        }
    }
}

impl std::str::FromStr for Scheme {
    type Err = String;
    fn from_str(name: &str) -> Result<Self, String> {
        let wanted = name.replace('-', "_").to_lowercase();
        Self::ALL.into_iter().find(|s| s.name() == wanted).ok_or_else(|| format!("unknown encoding `{name}` (clock_pizza or furuta)"))
    }
}

/// The model's input: the scheme, and for the Clock & Pizza one the appendix's two variants.
/// Read as part of `TransformerConfig`, whose reader names these keys (`model/mod.rs`): keep the
/// two in step.
/// The position embedding, where there is one, is the model's.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Encoding {
    /// Absent from the JSON for the Clock & Pizza scheme, so links and configs written before
    /// the other scheme existed read and write unchanged.
    #[serde(default, rename = "encoding", skip_serializing_if = "is_clock_pizza")]
    pub scheme: Scheme,
    /// b is token b + p, so the two operands have separate embeddings (vocabulary 2p).
    #[serde(default)]
    pub diff_vocab: bool,
    /// A third token `=` (the last id) is appended.
    #[serde(default)]
    pub eqn_sign: bool,
}

fn is_clock_pizza(scheme: &Scheme) -> bool {
    *scheme == Scheme::ClockPizza
}

/// Furuta's special tokens (+ − · / =) follow the p numbers in this order: an operator token for
/// each operation a mixture may hold.
pub(crate) const FURUTA_SPECIAL_TOKENS: usize = MAX_MIXED;

impl Encoding {
    pub fn furuta() -> Self {
        Encoding { scheme: Scheme::Furuta, ..Default::default() }
    }

    /// Token ids in use: the numbers, then b's own copies with `diff_vocab` and `=`, or
    /// Furuta's five special tokens.
    pub fn vocab(&self, p: usize) -> usize {
        match self.scheme {
            Scheme::ClockPizza => p * (1 + self.diff_vocab as usize) + self.eqn_sign as usize,
            Scheme::Furuta => p + FURUTA_SPECIAL_TOKENS,
        }
    }

    /// Tokens per input, the model reading out at the last.
    pub fn n_ctx(&self) -> usize {
        match self.scheme {
            Scheme::ClockPizza => 2 + self.eqn_sign as usize,
            Scheme::Furuta => 3,
        }
    }

    /// The positions of a and b in the input.
    pub fn operand_positions(&self) -> (usize, usize) {
        match self.scheme {
            Scheme::ClockPizza => (0, 1),
            Scheme::Furuta => (0, 2),
        }
    }

    /// Furuta's model has neither a position embedding nor MLP biases, and masks attention
    /// causally; the Clock & Pizza one has both and attends both ways.
    pub fn has_positions_and_biases(&self) -> bool {
        self.scheme == Scheme::ClockPizza
    }

    pub fn is_causal(&self) -> bool {
        self.scheme == Scheme::Furuta
    }

    /// Furuta's operator token for the operation `task` asks: `+`, `−`, `·` and `/` for the four
    /// arithmetic operations, `=` for a polynomial (their code's "_short" tasks). Their code
    /// gives every polynomial `=`, which in a mixture of several would ask two questions with one
    /// input: there the first polynomial (in `Operation::all` order, so the order the mixture is
    /// written in does not matter) keeps `=` and the others take, in turn, the operator tokens
    /// no operation of the mixture uses.
    fn operator_token(task: &Task) -> u32 {
        let arithmetic = |op: Operation| match op {
            Operation::Add => Some(1),
            Operation::Subtract => Some(2),
            Operation::Multiply => Some(3),
            Operation::Divide => Some(4),
            _ => None,
        };
        let offset = arithmetic(task.operation).unwrap_or_else(|| {
            let taken: Vec<usize> = task.operations().filter_map(arithmetic).collect();
            let free = (1..FURUTA_SPECIAL_TOKENS).filter(|t| !taken.contains(t));
            let nth_polynomial = Operation::all()
                .into_iter()
                .filter(|op| arithmetic(*op).is_none() && task.operations().any(|o| o == *op))
                .position(|op| op == task.operation)
                .expect("the task's own operation is one of its operations");
            std::iter::once(0).chain(free).nth(nth_polynomial).expect("a valid mixture has at most as many operations as operator tokens")
        });
        (task.p + offset) as u32
    }

    /// The token sequence of the pair (a, b) of `task`'s operation.
    pub fn encode(&self, task: &Task, a: u32, b: u32) -> Vec<u32> {
        self.encode_with(Self::operator_token(task), a, b, task.p)
    }

    fn encode_with(&self, operator: u32, a: u32, b: u32, p: usize) -> Vec<u32> {
        match self.scheme {
            Scheme::ClockPizza => {
                let mut tokens = vec![a, b + if self.diff_vocab { p as u32 } else { 0 }];
                if self.eqn_sign {
                    tokens.push(self.vocab(p) as u32 - 1);
                }
                tokens
            }
            Scheme::Furuta => vec![a, operator, b],
        }
    }

    /// The pairs of `task`'s operation as a `[pairs, n_ctx]` token batch.
    pub fn tokens(&self, task: &Task, pairs: impl IntoIterator<Item = (u32, u32)>, device: &Device) -> Tensor<2, Int> {
        let operator = Self::operator_token(task);
        let tokens: Vec<i64> = pairs.into_iter().flat_map(|(a, b)| self.encode_with(operator, a, b, task.p)).map(i64::from).collect();
        let n = tokens.len() / self.n_ctx();
        Tensor::from_data(TensorData::new(tokens, [n, self.n_ctx()]), device)
    }

    /// Why this encoding cannot train `task`, if it cannot.
    pub fn invalid_for(&self, task: &Task) -> Option<&'static str> {
        if self.scheme == Scheme::Furuta && (self.diff_vocab || self.eqn_sign) {
            return Some("diff_vocab and eqn_sign vary the Clock & Pizza encoding; Furuta's has its operator token instead");
        }
        (self.scheme == Scheme::ClockPizza && task.is_mixture())
            .then_some("a mixture of operations needs Furuta's encoding, whose operator token says which one is asked")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(names: &str, p: usize) -> Task {
        Task::new(Operation::Add, p).with_operations(names).unwrap()
    }

    #[test]
    fn variants() {
        let add = task("add", 59);
        let plain = Encoding::default();
        assert_eq!((plain.vocab(59), plain.n_ctx(), plain.encode(&add, 3, 4)), (59, 2, vec![3, 4]));
        let both = Encoding { diff_vocab: true, eqn_sign: true, ..Default::default() };
        assert_eq!((both.vocab(59), both.n_ctx(), both.encode(&add, 3, 4)), (119, 3, vec![3, 63, 118]));
    }

    #[test]
    fn furutas_tokens() {
        let f = Encoding::furuta();
        assert_eq!((f.vocab(97), f.n_ctx(), f.operand_positions()), (102, 3, (0, 2)));
        for (names, operator) in [("add", 98), ("subtract", 99), ("multiply", 100), ("divide", 101), ("a^2+ab+b^2", 97)] {
            assert_eq!(f.encode(&task(names, 97), 3, 4), vec![3, operator, 4], "{names}");
        }
    }

    /// Each operation of a mixture has a token of its own, whatever order the mixture is written in.
    #[test]
    fn a_mixtures_operator_tokens_differ() {
        let f = Encoding::furuta();
        let operators = |names: &str| -> Vec<u32> { task(names, 97).each().iter().map(|t| f.encode(t, 0, 0)[1]).collect() };
        assert_eq!(operators("add,subtract,multiply"), [98, 99, 100]);
        // `Operation::all` has (a + b)² before a² + ab + b².
        assert_eq!(operators("a^2+b^2,a^2+ab+b^2,(a+b)^2"), [97, 99, 98]);
        assert_eq!(operators("(a+b)^2,a^2+ab+b^2,a^2+b^2"), [98, 99, 97]);
        assert_eq!(operators("add,a^2+b^2,a^2+ab+b^2"), [98, 97, 99]);
        assert_eq!(operators("add,subtract,multiply,a^2+b^2,a^2+ab+b^2"), [98, 99, 100, 97, 101]);
    }

    #[test]
    fn the_clock_pizza_json_is_unchanged() {
        let json = serde_json::to_string(&Encoding::default()).unwrap();
        assert_eq!(json, r#"{"diff_vocab":false,"eqn_sign":false}"#);
        let furuta: Encoding = serde_json::from_str(r#"{"encoding":"furuta"}"#).unwrap();
        assert_eq!(furuta, Encoding::furuta());
        let add = task("add", 59);
        assert!(Encoding { eqn_sign: true, ..Encoding::furuta() }.invalid_for(&add).is_some());
        assert!(Encoding::default().invalid_for(&task("add,subtract", 59)).unwrap().contains("Furuta"));
        assert_eq!(Encoding::furuta().invalid_for(&task("add,subtract", 59)), None);
    }
}
