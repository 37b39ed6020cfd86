//! The task: `(a ∘ b) mod p` over all p² ordered pairs.

use std::fmt;
use std::str::FromStr;

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

    /// The name in links, files and on the command line (also its serde name).
    pub fn name(self) -> &'static str {
        match self {
            Operation::Add => "add",
            Operation::Subtract => "subtract",
            Operation::Multiply => "multiply",
        }
    }

    /// The formula, as the page shows it.
    pub fn formula(self) -> &'static str {
        match self {
            Operation::Add => "a + b",
            Operation::Subtract => "a − b",
            Operation::Multiply => "a · b",
        }
    }

    /// The official code's `funcs` expression over `x = (a, b)`, without the `% p`.
    pub fn python(self) -> &'static str {
        match self {
            Operation::Add => "x[0]+x[1]",
            Operation::Subtract => "x[0]-x[1]",
            Operation::Multiply => "x[0]*x[1]",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Operation {
    type Err = String;
    fn from_str(name: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|op| op.name() == name).ok_or_else(|| {
            let known: Vec<_> = Self::ALL.iter().map(|op| op.name()).collect();
            format!("unknown operation `{name}` (one of {})", known.join(", "))
        })
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Task {
    pub operation: Operation,
    /// The modulus, also the number of answer classes.
    pub p: usize,
}

/// One input pair and its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    pub a: u32,
    pub b: u32,
    pub answer: u32,
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

    /// Every pair with its answer, in pair order.
    pub fn examples(&self) -> impl Iterator<Item = Example> + '_ {
        (0..self.num_pairs()).map(|i| {
            let (a, b) = self.pair(i);
            Example { a, b, answer: self.answer(a, b) }
        })
    }

    /// The answers of all pairs, in pair order.
    pub fn answers(&self) -> Vec<u32> {
        self.examples().map(|e| e.answer).collect()
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
    fn operations_parse_what_they_print() {
        for op in Operation::ALL {
            assert_eq!(op.to_string().parse::<Operation>(), Ok(op));
            assert_eq!(serde_json::to_string(&op).unwrap(), format!("\"{op}\""));
        }
        assert!("divide".parse::<Operation>().unwrap_err().contains("add, subtract, multiply"));
    }

    #[test]
    fn pairs_in_official_order() {
        let t = Task::paper();
        assert_eq!(t.pair(0), (0, 0));
        assert_eq!(t.pair(60), (1, 1));
        assert_eq!(t.answers()[60], 2);
        assert_eq!(t.answers().len(), 3481);
        assert_eq!(t.examples().nth(61), Some(Example { a: 1, b: 2, answer: 3 }));
    }
}
