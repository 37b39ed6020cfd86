//! The released checkpoints read by the verdict, and the parallel circles of those that hold
//! several (docs/science.md §4.5): each circle's own accuracy and reading, and the accuracy with
//! the first n kept.

#[path = "../../core/tests/common/mod.rs"]
mod common;

use common::checkpoint;
use grokscope_analysis::isolation::CircleReading;
use grokscope_analysis::{Algorithm, Report, analyze};
use grokscope_core::device::Backend;
use pollster::block_on;

fn report(run: &str) -> Report {
    let c = checkpoint(run);
    block_on(analyze(&c.run, &c.weights, None, &Backend::CPU.device())).unwrap_or_else(|e| panic!("{run}: {e}")).report
}

/// Each released checkpoint's reading and whether it passes the paper's filter. Every accurate
/// one has a reading; the four inaccurate ones (accuracy 0.018, 0.27, 0.58 and 0.968) are
/// unclassified; the diff_vocab Pizza `18c9ev5v5p` is circular by each operand's own vocabulary
/// (0.9996 and 0.9992) where its official circularity is 0.528.
#[test]
fn every_released_checkpoint_has_its_reading() {
    use Algorithm::*;
    let expected = [
        ("18c9ev5v5p", Pizza, true),
        ("2fsoiei4o2", Mixed, false),
        ("2k4ohj6bhd", Clock, false),
        ("4asyr7ht1p", Mixed, false),
        ("7r4zst7evs", Clock, false),
        ("amw6ox6bzn", Mixed, false),
        ("dy65ktpiij", Unclassified, false),
        ("f5dh675z97", Unclassified, false),
        ("h9m153uuh9", Pizza, true),
        ("hpv2jgskwe", Unclassified, false),
        ("kboioj4ulz", Mixed, false),
        ("l8k1hzciux", Clock, true),
        ("n9n7h3p965", Unclassified, false),
        ("p71frej8t7", Pizza, true),
        ("p99zdpze5l", Pizza, true),
        ("q9rsl94xlv", Clock, false),
        ("qlvxqhkvit", Clock, true),
        ("w386br1duh", Mixed, false),
    ];
    for (run, algorithm, circular) in expected {
        let r = report(run);
        let v = &r.verdict;
        assert_eq!((v.algorithm, v.circular), (algorithm, circular), "{run}: {}", v.reason);
        assert_eq!(r.operand_circularity.is_some(), run == "18c9ev5v5p", "{run}: only the diff_vocab model is read per operand");
    }
    let diff_vocab = report("18c9ev5v5p");
    let o = diff_vocab.operand_circularity.unwrap();
    assert!((o.a - 0.99964).abs() < 1e-4 && (o.b - 0.99923).abs() < 1e-4, "{o:?}");
    assert!(diff_vocab.circularity < 0.53 && diff_vocab.verdict.reason.contains("each operand's own vocabulary"));
}

/// The models with several circles: each circle alone reads as its template says and computes
/// only part of the answer, and the first few together compute all of it.
#[test]
fn parallel_circles_of_the_released_models() {
    use CircleReading::*;
    // (run, each circle's reading, its accuracy alone, accuracy with the first n kept)
    type Expected = (&'static str, [Option<CircleReading>; 6], [f64; 6], [f64; 6]);
    let expected: [Expected; 4] = [
        // Model A: three Pizzas and their accompanying Pizzas. The fourth circle alone lowers
        // the accuracy of the first three (0.9966 → 0.9845) until its partners join.
        (
            "p99zdpze5l",
            [Some(Pizza), Some(Pizza), Some(Pizza), Some(AccompanyingPizza), Some(AccompanyingPizza), Some(AccompanyingPizza)],
            [0.3482, 0.3284, 0.2600, 0.0991, 0.0850, 0.0796],
            [0.3482, 0.9144, 0.9966, 0.9845, 1.0, 1.0],
        ),
        // Model B: one circle reads Clock alone; its second circle matches no template alone, yet
        // the two together answer every pair.
        (
            "l8k1hzciux",
            [Some(Clock), None, None, None, None, None],
            [0.1350, 0.1454, 0.0440, 0.0218, 0.0169, 0.0169],
            [0.1350, 1.0, 1.0, 1.0, 1.0, 1.0],
        ),
        // Model β (MLP-only, type B): four Pizzas and two accompanying ones.
        (
            "p71frej8t7",
            [Some(Pizza), Some(Pizza), Some(Pizza), Some(Pizza), Some(AccompanyingPizza), Some(AccompanyingPizza)],
            [0.3042, 0.2660, 0.3275, 0.2588, 0.0879, 0.0770],
            [0.3042, 0.8972, 0.9977, 1.0, 1.0, 1.0],
        ),
        // The MLP-only type D Clock: six Clock circles, all four first needed.
        ("qlvxqhkvit", [Some(Clock); 6], [0.1606, 0.1296, 0.1500, 0.1172, 0.0937, 0.1046], [0.1606, 0.7659, 0.8986, 1.0, 1.0, 1.0]),
    ];
    for (run, readings, alone, kept) in expected {
        let r = report(run);
        if run == "p99zdpze5l" {
            // As the page says it.
            let words = grokscope_analysis::isolation::in_words(&r.circles, &r.top_circles_accuracy);
            assert!(
                words.starts_with("each circle alone: k = 17 Pizza-like 34.8 %") && words.contains("kept: 34.8 %, 91.4 %, 99.7 %"),
                "{words}"
            );
        }
        assert_eq!(r.circles.iter().map(|c| c.reading).collect::<Vec<_>>(), readings, "{run}");
        // Accuracies are counts of 3481 pairs: 2e-3 is 7 pairs.
        for (c, a) in r.circles.iter().zip(alone) {
            assert!((c.accuracy - a).abs() < 2e-3, "{run} circle {:?}: {} alone, expected {a}", c.components, c.accuracy);
        }
        assert_eq!(r.top_circles_accuracy.len(), r.circles.len(), "{run}");
        for (n, (&ours, a)) in r.top_circles_accuracy.iter().zip(kept).enumerate() {
            assert!((ours - a).abs() < 2e-3, "{run}: {ours} with circles 1..{} kept, expected {a}", n + 1);
        }
        assert_eq!(r.top_circles_accuracy[0], r.circles[0].accuracy, "{run}: the first point is the first circle alone");
    }
}
