//! The task: `(a ∘ b) mod p` over all p² ordered pairs.

use serde::{Deserialize, Serialize};

/// The binary operation. Clock & Pizza study addition; the others are the same problem with a
/// different table, so they share everything but `apply`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    #[default]
    Add,
    Subtract,
    Multiply,
}

impl Operation {
    pub const ALL: [Operation; 3] = [Operation::Add, Operation::Subtract, Operation::Multiply];

    pub fn apply(self, a: u32, b: u32, p: u32) -> u32 {
        let (a, b, p) = (a as u64, b as u64, p as u64);
        (match self {
            Operation::Add => (a + b) % p,
            Operation::Subtract => (a + p - b) % p,
            Operation::Multiply => (a * b) % p,
        }) as u32
    }

    pub fn name(self) -> &'static str {
        match self {
            Operation::Add => "add",
            Operation::Subtract => "subtract",
            Operation::Multiply => "multiply",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.name() == name)
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Task {
    pub operation: Operation,
    /// The modulus, also the number of answer classes.
    pub p: usize,
}

impl Task {
    /// The paper's task: (a + b) mod 59.
    pub fn paper() -> Self {
        Task { operation: Operation::Add, p: 59 }
    }

    pub fn num_pairs(&self) -> usize {
        self.p * self.p
    }

    /// Pair number `i` in the official order: a = i / p, b = i % p.
    pub fn pair(&self, i: usize) -> (u32, u32) {
        ((i / self.p) as u32, (i % self.p) as u32)
    }

    pub fn answer(&self, a: u32, b: u32) -> u32 {
        self.operation.apply(a, b, self.p as u32)
    }

    /// The answers of all pairs, in pair order.
    pub fn answers(&self) -> Vec<u32> {
        (0..self.num_pairs()).map(|i| { let (a, b) = self.pair(i); self.answer(a, b) }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_modular() {
        assert_eq!(Operation::Add.apply(58, 3, 59), 2);
        assert_eq!(Operation::Subtract.apply(2, 5, 59), 56);
        assert_eq!(Operation::Multiply.apply(58, 58, 59), 1);
    }

    #[test]
    fn pairs_in_official_order() {
        let t = Task::paper();
        assert_eq!(t.pair(0), (0, 0));
        assert_eq!(t.pair(60), (1, 1));
        assert_eq!(t.answers()[60], 2);
        assert_eq!(t.answers().len(), 3481);
    }
}
