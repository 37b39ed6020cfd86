//! The task: `(a ∘ b) mod p` over all p² ordered pairs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The binary operation: addition (Clock & Pizza) and every two-operand task of Furuta et al.
/// (docs/operations.md). They are the same problem with a different table, so they share
/// everything but `apply`. Powers `n` run over `POWERS`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(into = "String", try_from = "String")]
pub enum Operation {
    #[default]
    Add,
    Subtract,
    Multiply,
    /// a · b⁻¹ over the pairs with b ≠ 0, for a prime p (`Task::pair`).
    Divide,
    /// 2a + b
    TwoAPlusB,
    /// 2a − b
    TwoAMinusB,
    /// 2a + 3b
    TwoAPlusThreeB,
    /// 2a − 3b
    TwoAMinusThreeB,
    /// ab + b
    AbPlusB,
    /// ab − b
    AbMinusB,
    /// ab + a + b
    AbPlusAPlusB,
    /// a² + b
    SquarePlusB,
    /// a² − b
    SquareMinusB,
    /// a³ + 2b
    CubePlusTwoB,
    /// a³ − 2b
    CubeMinusTwoB,
    /// aⁿ + bⁿ
    PowerSum(u32),
    /// a² − b²
    SquareDifference,
    /// (a + b)ⁿ
    SumPower(u32),
    /// (a − b)ⁿ
    DifferencePower(u32),
    /// (a + b)² + a + b
    SumSquarePlusAPlusB,
    /// a² + ab + b²
    Quadratic,
    /// a² + ab + b² + a
    QuadraticPlusA,
    /// a³ + ab
    CubePlusAb,
    /// a³ + ab² + b
    CubePlusAbSquarePlusB,
    /// A fixed random table (the same for every seed, a function of p, a and b): the control
    /// with no structure to find.
    Random,
}

/// The powers of the `n` families: Furuta et al. train n = 2..7.
pub const POWERS: std::ops::RangeInclusive<u32> = 2..=7;

impl Operation {
    /// Every operation, in the order the page lists them.
    pub fn all() -> Vec<Operation> {
        use Operation::*;
        let mut all = vec![
            Add,
            Subtract,
            Multiply,
            Divide,
            TwoAPlusB,
            TwoAMinusB,
            TwoAPlusThreeB,
            TwoAMinusThreeB,
            AbPlusB,
            AbMinusB,
            AbPlusAPlusB,
            SquarePlusB,
            SquareMinusB,
            CubePlusTwoB,
            CubeMinusTwoB,
        ];
        all.extend(POWERS.map(PowerSum));
        all.push(SquareDifference);
        all.extend(POWERS.map(SumPower));
        all.extend(POWERS.map(DifferencePower));
        all.extend([SumSquarePlusAPlusB, Quadratic, QuadraticPlusA, CubePlusAb, CubePlusAbSquarePlusB, Random]);
        all
    }

    pub fn apply(self, a: u32, b: u32, p: u32) -> u32 {
        use Operation::*;
        let p = p as u64;
        let (a, b) = (a as u64 % p, b as u64 % p);
        // Every intermediate stays below p² + 3p (p ≤ `config::MAX_P`): no u64 overflows.
        let pow = |x: u64, n: u32| (0..n).fold(1 % p, |acc, _| acc * x % p);
        let neg = |x: u64| (p - x % p) % p;
        let ab = a * b % p;
        (match self {
            Add => a + b,
            Subtract => a + neg(b),
            Multiply => ab,
            // b⁻¹ = b^(p−2) (Fermat; p prime, b ≠ 0).
            Divide => a * pow(b, p as u32 - 2),
            TwoAPlusB => 2 * a + b,
            TwoAMinusB => 2 * a + neg(b),
            TwoAPlusThreeB => 2 * a + 3 * b,
            TwoAMinusThreeB => 2 * a + neg(3 * b),
            AbPlusB => ab + b,
            AbMinusB => ab + neg(b),
            AbPlusAPlusB => ab + a + b,
            SquarePlusB => pow(a, 2) + b,
            SquareMinusB => pow(a, 2) + neg(b),
            CubePlusTwoB => pow(a, 3) + 2 * b,
            CubeMinusTwoB => pow(a, 3) + neg(2 * b),
            PowerSum(n) => pow(a, n) + pow(b, n),
            SquareDifference => pow(a, 2) + neg(pow(b, 2)),
            SumPower(n) => pow(a + b, n),
            DifferencePower(n) => pow(a + neg(b), n),
            SumSquarePlusAPlusB => pow(a + b, 2) + a + b,
            Quadratic => pow(a, 2) + ab + pow(b, 2),
            QuadraticPlusA => pow(a, 2) + ab + pow(b, 2) + a,
            CubePlusAb => pow(a, 3) + ab,
            CubePlusAbSquarePlusB => pow(a, 3) + a * pow(b, 2) + b,
            Random => splitmix64((p << 40) ^ (a << 20) ^ b),
        } % p) as u32
    }

    /// The name in links, files and on the command line (also its serde name): the first three
    /// as words, as they always were; the others as their formula in ASCII.
    pub fn name(self) -> String {
        self.spelled(Spelling::Ascii)
    }

    /// The formula, as the page shows it.
    pub fn formula(self) -> String {
        self.spelled(Spelling::Page)
    }

    /// The official code's expression over `x = (a, b)` modulo `p`, without the `% p` (Clock &
    /// Pizza's `funcs`, for the checkpoints it reads and writes).
    pub fn python(self, p: usize) -> String {
        match self {
            Operation::Divide => format!("x[0]*pow(x[1],{},{p})", p - 2),
            _ => self.spelled(Spelling::Python),
        }
    }

    /// Division pairs a only with b ≠ 0: the second operand's smallest value.
    fn smallest_b(self) -> u32 {
        (self == Operation::Divide) as u32
    }

    /// Operations of the multiplicative group (Z/pZ)*, which the character basis diagonalises.
    pub fn is_multiplicative(self) -> bool {
        matches!(self, Operation::Multiply | Operation::Divide)
    }

    fn spelled(self, s: Spelling) -> String {
        use Operation::*;
        let power = |x: &str, n: u32| match s {
            Spelling::Ascii => format!("{x}^{n}"),
            Spelling::Page => format!("{x}{}", superscript(n)),
            Spelling::Python => format!("{x}**{n}"),
        };
        let (a, b) = match s {
            Spelling::Python => ("x[0]", "x[1]"),
            _ => ("a", "b"),
        };
        let times = |x: &str, y: &str| match s {
            Spelling::Ascii => format!("{x}{y}"),
            Spelling::Page => format!("{x}·{y}"),
            Spelling::Python => format!("{x}*{y}"),
        };
        let scaled = |k: u32, x: &str| match s {
            Spelling::Python => format!("{k}*{x}"),
            _ => format!("{k}{x}"),
        };
        let ab = times(a, b);
        let terms: Vec<String> = match self {
            Add if s == Spelling::Ascii => return "add".into(),
            Subtract if s == Spelling::Ascii => return "subtract".into(),
            Multiply if s == Spelling::Ascii => return "multiply".into(),
            Divide if s == Spelling::Ascii => return "divide".into(),
            Random if s != Spelling::Page => return "random".into(),
            Random => return "random(a, b)".into(),
            Add => vec![a.into(), "+".into(), b.into()],
            Subtract => vec![a.into(), "-".into(), b.into()],
            Multiply => vec![ab],
            // The page's spelling: the others are `divide` and `Operation::python`'s.
            Divide => vec![times(a, &format!("{b}⁻¹"))],
            TwoAPlusB => vec![scaled(2, a), "+".into(), b.into()],
            TwoAMinusB => vec![scaled(2, a), "-".into(), b.into()],
            TwoAPlusThreeB => vec![scaled(2, a), "+".into(), scaled(3, b)],
            TwoAMinusThreeB => vec![scaled(2, a), "-".into(), scaled(3, b)],
            AbPlusB => vec![ab, "+".into(), b.into()],
            AbMinusB => vec![ab, "-".into(), b.into()],
            AbPlusAPlusB => vec![ab, "+".into(), a.into(), "+".into(), b.into()],
            SquarePlusB => vec![power(a, 2), "+".into(), b.into()],
            SquareMinusB => vec![power(a, 2), "-".into(), b.into()],
            CubePlusTwoB => vec![power(a, 3), "+".into(), scaled(2, b)],
            CubeMinusTwoB => vec![power(a, 3), "-".into(), scaled(2, b)],
            PowerSum(n) => vec![power(a, n), "+".into(), power(b, n)],
            SquareDifference => vec![power(a, 2), "-".into(), power(b, 2)],
            SumPower(n) => vec![power(&bracket(s, a, "+", b), n)],
            DifferencePower(n) => vec![power(&bracket(s, a, "-", b), n)],
            SumSquarePlusAPlusB => vec![power(&bracket(s, a, "+", b), 2), "+".into(), a.into(), "+".into(), b.into()],
            Quadratic => vec![power(a, 2), "+".into(), ab, "+".into(), power(b, 2)],
            QuadraticPlusA => vec![power(a, 2), "+".into(), ab, "+".into(), power(b, 2), "+".into(), a.into()],
            CubePlusAb => vec![power(a, 3), "+".into(), ab],
            CubePlusAbSquarePlusB => vec![power(a, 3), "+".into(), times(a, &power(b, 2)), "+".into(), b.into()],
        };
        match s {
            Spelling::Page => terms.iter().map(|t| if t == "-" { "−" } else { t }).collect::<Vec<_>>().join(" "),
            _ => terms.concat(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Spelling {
    Ascii,
    Page,
    Python,
}

fn bracket(s: Spelling, a: &str, op: &str, b: &str) -> String {
    match s {
        Spelling::Page => format!("({a} {} {b})", if op == "-" { "−" } else { op }),
        _ => format!("({a}{op}{b})"),
    }
}

fn superscript(n: u32) -> String {
    n.to_string().chars().map(|c| "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().nth(c.to_digit(10).unwrap_or(0) as usize).unwrap_or(c)).collect()
}

pub fn is_prime(n: usize) -> bool {
    n >= 2 && !(2..n).take_while(|d| d * d <= n).any(|d| n.is_multiple_of(d))
}

/// A 64-bit mixer (SplitMix64's finaliser): the random table's entries, the same on every platform.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Operation {
    type Err = String;
    /// A name (`add`, `a^2+b^2`, `(a+b)^3`), spaces and `*` ignored.
    fn from_str(name: &str) -> Result<Self, String> {
        let wanted: String = name.chars().filter(|c| !c.is_whitespace() && *c != '*').collect::<String>().to_lowercase();
        Self::all().into_iter().find(|op| op.name() == wanted).ok_or_else(|| {
            let known: Vec<_> = Self::all().iter().map(|op| op.name()).collect();
            format!("unknown operation `{name}` (one of {})", known.join(", "))
        })
    }
}

impl From<Operation> for String {
    fn from(op: Operation) -> String {
        op.name()
    }
}

impl TryFrom<String> for Operation {
    type Error = String;
    fn try_from(name: String) -> Result<Self, String> {
        name.parse()
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub operation: Operation,
    /// The modulus, also the number of answer classes.
    pub p: usize,
    /// The operations trained with `operation` in one model (Furuta et al.'s multi-task
    /// mixtures): the input's operator token says which is asked, every operation sees the same
    /// split of the pairs, and the loss is the sum of their mean losses. Absent from the JSON of a
    /// single task.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mixed_with: Vec<Operation>,
}

/// One input pair and its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    pub a: u32,
    pub b: u32,
    pub answer: u32,
}

/// A mixture holds at most this many operations: Furuta's encoding has an operator token for
/// each (`encoding::FURUTA_SPECIAL_TOKENS`, this count; the encoding reads the task, not the
/// other way round).
pub const MAX_MIXED: usize = 5;

/// The mixtures Furuta et al. train, as `Task::with_operations` reads them.
pub const FURUTA_MIXTURES: [&str; 4] = ["add,subtract", "add,multiply", "add,subtract,multiply", "a^2+b^2,a^2+ab+b^2,(a+b)^2"];

impl Task {
    /// One operation modulo p.
    pub fn new(operation: Operation, p: usize) -> Self {
        Task { operation, p, mixed_with: Vec::new() }
    }

    /// The paper's task: (a + b) mod 59.
    pub fn paper() -> Self {
        Task::new(Operation::Add, 59)
    }

    /// Every operation the model is trained on, `operation` first.
    pub fn operations(&self) -> impl Iterator<Item = Operation> + '_ {
        std::iter::once(self.operation).chain(self.mixed_with.iter().copied())
    }

    pub fn is_mixture(&self) -> bool {
        !self.mixed_with.is_empty()
    }

    /// The mixture's tasks one by one, in `operations()` order: each asks its own operation and
    /// keeps the others as `mixed_with`, so it encodes its pairs as the mixture does.
    pub fn each(&self) -> Vec<Task> {
        let all: Vec<Operation> = self.operations().collect();
        (0..all.len())
            .map(|i| {
                let mut others = all.clone();
                let operation = others.remove(i);
                Task { operation, p: self.p, mixed_with: others }
            })
            .collect()
    }

    /// Examples in a full pass over the pairs: every pair once per operation.
    pub fn num_examples(&self) -> usize {
        self.num_pairs() * (1 + self.mixed_with.len())
    }

    /// The operations' names joined by commas, as `parse_operations` reads them (`add`,
    /// `add,subtract,multiply`).
    pub fn operations_name(&self) -> String {
        self.operations().map(|op| op.name()).collect::<Vec<_>>().join(",")
    }

    /// The page's formula of each operation, in `operations()` order.
    pub fn formulas(&self) -> Vec<String> {
        self.operations().map(|op| op.formula()).collect()
    }

    /// One operation or a comma-separated mixture (`add,subtract,multiply`), as the CLI's
    /// `--operation` takes them.
    pub fn with_operations(&self, names: &str) -> Result<Task, String> {
        let mut operations = names.split(',').map(str::parse::<Operation>);
        let operation = operations.next().expect("split yields at least one item")?;
        let task = Task { operation, p: self.p, mixed_with: operations.collect::<Result<_, _>>()? };
        match task.invalid_mixture() {
            Some(why) => Err(why),
            None => Ok(task),
        }
    }

    /// Why the operations cannot be trained together, if they cannot.
    pub fn invalid_mixture(&self) -> Option<String> {
        let all: Vec<Operation> = self.operations().collect();
        if all.len() > MAX_MIXED {
            return Some(format!("{} operations: a mixture holds at most {MAX_MIXED}", all.len()));
        }
        if let Some(op) = all.iter().enumerate().find_map(|(i, op)| all[..i].contains(op).then_some(op)) {
            return Some(format!("{op} appears twice in the mixture"));
        }
        (self.is_mixture() && all.contains(&Operation::Divide))
            .then(|| "division trains alone: its pairs (b ≠ 0) are not the other operations' pairs".into())
    }

    /// The pairs of the task: all p², or the p(p − 1) with b ≠ 0 for division.
    pub fn num_pairs(&self) -> usize {
        self.p * self.bs()
    }

    /// Pair number `i` in the official order (a major, b minor): for all p² pairs, a = i / p and
    /// b = i % p.
    pub fn pair(&self, i: usize) -> (u32, u32) {
        ((i / self.bs()) as u32, (i % self.bs()) as u32 + self.operation.smallest_b())
    }

    /// The number of the pair (a, b), if it is one of the task's.
    pub fn pair_number(&self, a: u32, b: u32) -> Option<usize> {
        let b = b.checked_sub(self.operation.smallest_b())? as usize;
        (b < self.bs() && (a as usize) < self.p).then(|| a as usize * self.bs() + b)
    }

    /// How many values b takes.
    fn bs(&self) -> usize {
        self.p - self.operation.smallest_b() as usize
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
    fn furutas_operations_compute_their_formulas() {
        let p = 97;
        let (a, b) = (5u32, 90u32);
        let (ai, bi, pi) = (a as i64, b as i64, p as i64);
        let m = |x: i64| x.rem_euclid(pi) as u32;
        let cases = [
            ("2a-3b", m(2 * ai - 3 * bi)),
            ("ab+a+b", m(ai * bi + ai + bi)),
            ("a^3-2b", m(ai.pow(3) - 2 * bi)),
            ("a^5+b^5", m(ai.pow(5) + bi.pow(5))),
            ("a^2-b^2", m(ai * ai - bi * bi)),
            ("(a+b)^7", m((ai + bi).pow(7))),
            ("(a-b)^3", m((ai - bi).pow(3))),
            ("(a+b)^2+a+b", m((ai + bi).pow(2) + ai + bi)),
            ("a^2+ab+b^2+a", m(ai * ai + ai * bi + bi * bi + ai)),
            ("a^3+ab^2+b", m(ai.pow(3) + ai * bi * bi + bi)),
        ];
        for (name, expected) in cases {
            assert_eq!(name.parse::<Operation>().unwrap().apply(a, b, p), expected, "{name}");
        }
    }

    #[test]
    fn the_random_table_fills_every_class_and_is_not_a_formula() {
        let t = Task::new(Operation::Random, 31);
        let answers = t.answers();
        let mut seen = [0usize; 31];
        answers.iter().for_each(|&c| seen[c as usize] += 1);
        assert!(seen.iter().all(|&n| n > 10), "{seen:?}");
        // Not a function of a + b: two pairs with the same sum disagree somewhere.
        assert!((1..31).any(|a| t.answer(a, 30 - a) != t.answer(0, 30)));
    }

    #[test]
    fn operations_parse_what_they_print() {
        let all = Operation::all();
        assert_eq!(all.len(), 15 + 6 + 1 + 6 + 6 + 6);
        for op in all {
            assert_eq!(op.to_string().parse::<Operation>(), Ok(op));
            assert_eq!(serde_json::to_string(&op).unwrap(), format!("\"{op}\""));
            assert_eq!(serde_json::from_str::<Operation>(&format!("\"{op}\"")).unwrap(), op);
        }
        assert_eq!("A^2 + B^2".parse(), Ok(Operation::PowerSum(2)));
        assert_eq!("a*b+b".parse(), Ok(Operation::AbPlusB));
        assert_eq!(Operation::SumPower(3).formula(), "(a + b)³");
        assert_eq!(Operation::TwoAMinusThreeB.formula(), "2a − 3b");
        assert_eq!(Operation::CubePlusAbSquarePlusB.python(97), "x[0]**3+x[0]*x[1]**2+x[1]");
        assert!("a/b".parse::<Operation>().unwrap_err().contains("add, subtract, multiply, divide, 2a+b"));
        assert_eq!((Operation::Divide.formula(), Operation::Divide.python(59)), ("a·b⁻¹".into(), "x[0]*pow(x[1],57,59)".into()));
    }

    /// Division runs over b ≠ 0, in the official order, and its answer times b is a.
    #[test]
    fn division_pairs_have_a_nonzero_divisor() {
        let t = Task::new(Operation::Divide, 7);
        assert_eq!(t.num_pairs(), 42);
        assert_eq!((t.pair(0), t.pair(5), t.pair(6), t.pair(41)), ((0, 1), (0, 6), (1, 1), (6, 6)));
        for (i, e) in t.examples().enumerate() {
            assert_ne!(e.b, 0);
            assert_eq!(e.answer * e.b % 7, e.a, "{e:?}");
            assert_eq!(t.pair_number(e.a, e.b), Some(i));
        }
        assert_eq!(t.pair_number(3, 0), None);
        assert_eq!(Task::paper().pair_number(1, 1), Some(60));
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
