//! Every released checkpoint analysed, against an independent PyTorch implementation of the
//! official arithmetic (`tests/reference/clock_pizza.py`, whose output for Models A, B and β
//! reproduces the paper's tables: docs/science.md §4.5, §7), to 1e-3: accuracy, GS, both DIs,
//! circularity, circle steps, the parameter norm and, for circular models, the isolated circles'
//! steps and four FVEs. Models A and B read Pizza and Clock, β has GS 1, and A and B keep their
//! computation in their key frequencies (restricted loss < 1e-5, excluded > 4; low FFD, high FCR).

#[path = "../../core/tests/common/mod.rs"]
mod common;

use common::checkpoint;
use grokscope_analysis::{Algorithm, analyze};
use grokscope_core::device::Backend;
use pollster::block_on;

struct Reference {
    run: &'static str,
    correct_pairs: usize,
    gradient_symmetricity: f64,
    distance_irrelevance: f64,
    distance_irrelevance_top_wrong: f64,
    circularity: f64,
    circle_steps: [usize; 4],
    parameter_norm: f64,
    /// Per PC pair (1,2), (3,4), …: the first component's circle step and the FVE of the
    /// Clock, Pizza, Pizza′ and accompanying-Pizza templates.
    circles: &'static [(usize, [f64; 4])],
}

/// `python3 tests/reference/clock_pizza.py ../shared/reference/clock-pizza/checkpoints`
const REFERENCE: [Reference; 18] = [
    Reference {
        run: "18c9ev5v5p",
        correct_pairs: 3481,
        gradient_symmetricity: 0.997373,
        distance_irrelevance: 0.173927,
        distance_irrelevance_top_wrong: 0.180793,
        circularity: 0.527588,
        circle_steps: [19, 19, 17, 17],
        parameter_norm: 23.96804,
        circles: &[
            (19, [0.76107, 0.93369, 0.93341, -1.05711]),
            (17, [0.77884, 0.23662, 0.23621, -0.99980]),
            (18, [0.76283, 0.74606, 0.74604, -1.00515]),
            (20, [-1.00000, -1.00000, -1.00000, 0.78094]),
            (21, [-1.00019, -1.00025, -1.00025, -2.97212]),
            (9, [-1.00000, -1.00000, -1.00000, -0.09424]),
        ],
    },
    Reference {
        run: "2fsoiei4o2",
        correct_pairs: 3481,
        gradient_symmetricity: 0.846878,
        distance_irrelevance: 0.735257,
        distance_irrelevance_top_wrong: 0.814216,
        circularity: 0.811916,
        circle_steps: [17, 20, 20, 12],
        parameter_norm: 25.63885,
        circles: &[
            (17, [-0.14049, -0.23304, -0.23582, -0.99998]),
            (20, [-0.60056, -0.58391, -0.58632, -1.00588]),
            (12, [-0.90031, -0.89125, -0.89191, -0.99758]),
            (7, [-0.67226, -0.83067, -0.83100, -0.99619]),
            (26, [-1.00051, -1.00093, -1.00105, -0.24952]),
            (17, [-0.99989, -0.99932, -0.99924, -0.99996]),
        ],
    },
    Reference {
        run: "2k4ohj6bhd",
        correct_pairs: 3481,
        gradient_symmetricity: 0.781316,
        distance_irrelevance: 0.720123,
        distance_irrelevance_top_wrong: 0.819558,
        circularity: 0.734219,
        circle_steps: [6, 5, 18, 6],
        parameter_norm: 25.06299,
        circles: &[
            (6, [-0.45988, -0.54454, -0.54716, -0.60139]),
            (18, [-0.58653, -0.61442, -0.65198, -1.00126]),
            (5, [-0.48281, -0.40546, -0.43033, -0.99963]),
            (12, [0.23451, 0.38649, 0.38603, -0.99637]),
            (27, [-1.00000, -1.00010, -1.00009, -0.78158]),
            (9, [-1.00000, -0.99980, -0.99981, -0.92483]),
        ],
    },
    Reference {
        run: "4asyr7ht1p",
        correct_pairs: 3481,
        gradient_symmetricity: 0.995474,
        distance_irrelevance: 0.907790,
        distance_irrelevance_top_wrong: 0.935602,
        circularity: 0.965510,
        circle_steps: [21, 21, 24, 24],
        parameter_norm: 16.21864,
        circles: &[
            (21, [0.46852, 0.66770, 0.66736, -0.75069]),
            (24, [0.46609, 0.65607, 0.65712, -0.85052]),
            (17, [-0.18012, -0.05771, -0.05965, -1.00016]),
            (11, [-0.52760, -0.46240, -0.46050, -1.00103]),
            (19, [-1.00123, -1.00142, -1.00151, 0.13631]),
            (12, [-1.00006, -0.99561, -0.99555, -0.36635]),
        ],
    },
    Reference {
        run: "7r4zst7evs",
        correct_pairs: 3481,
        gradient_symmetricity: -0.002378,
        distance_irrelevance: 0.963076,
        distance_irrelevance_top_wrong: 0.973991,
        circularity: 0.991046,
        circle_steps: [28, 28, 13, 13],
        parameter_norm: 54.08480,
        circles: &[
            (28, [0.92478, 0.72191, 0.72261, -1.01833]),
            (13, [0.94174, 0.73687, 0.73690, -0.98912]),
            (12, [-0.47855, -0.54723, -0.54885, -1.00176]),
            (12, [-0.27101, -0.33275, -0.33385, -0.99546]),
            (17, [0.76949, 0.58648, 0.58572, -1.00200]),
            (3, [0.28593, 0.13902, 0.13985, -1.00847]),
        ],
    },
    Reference {
        run: "amw6ox6bzn",
        correct_pairs: 3481,
        gradient_symmetricity: 1.000000,
        distance_irrelevance: 0.574426,
        distance_irrelevance_top_wrong: 0.723404,
        circularity: 0.972471,
        circle_steps: [3, 12, 3, 12],
        parameter_norm: 32.70209,
        circles: &[
            (3, [-0.49836, -0.43306, -0.43225, -1.04129]),
            (3, [-0.57092, -0.51727, -0.51653, -1.02978]),
            (22, [0.73792, 0.96439, 0.96434, -1.00263]),
            (1, [0.75192, 0.98036, 0.98041, -0.99151]),
            (7, [0.19357, 0.36501, 0.36837, -1.00744]),
            (28, [-0.99971, -0.99963, -0.99963, 0.72293]),
        ],
    },
    Reference {
        run: "dy65ktpiij",
        correct_pairs: 3371,
        gradient_symmetricity: 0.992772,
        distance_irrelevance: 0.473622,
        distance_irrelevance_top_wrong: 0.425540,
        circularity: 0.725920,
        circle_steps: [16, 16, 27, 23],
        parameter_norm: 41.53072,
        circles: &[
            (16, [0.44235, 0.65147, 0.65220, -0.85436]),
            (27, [-0.80189, -0.77480, -0.77455, -0.99112]),
            (26, [-0.89160, -0.87229, -0.87286, -0.87228]),
            (27, [-0.97272, -0.97265, -0.97315, -1.00024]),
            (7, [-0.96753, -1.00791, -1.00838, -0.98435]),
            (23, [-0.99478, -0.99675, -0.99665, -1.00529]),
        ],
    },
    Reference {
        run: "f5dh675z97",
        correct_pairs: 63,
        gradient_symmetricity: 0.621665,
        distance_irrelevance: 0.991913,
        distance_irrelevance_top_wrong: 0.993682,
        circularity: 0.144591,
        circle_steps: [20, 26, 10, 16],
        parameter_norm: 30.20809,
        circles: &[
            (20, [-1.00027, -1.00419, -1.00419, -1.01496]),
            (10, [-1.00044, -0.99885, -0.99874, -0.99419]),
            (12, [-1.00047, -1.00103, -1.00098, -0.98778]),
            (11, [-1.00009, -1.00109, -1.00118, -0.99529]),
            (20, [-0.99974, -0.99677, -0.99676, -0.97617]),
            (6, [-1.00030, -1.00157, -1.00166, -0.98558]),
        ],
    },
    Reference {
        run: "h9m153uuh9",
        correct_pairs: 3481,
        gradient_symmetricity: 0.997378,
        distance_irrelevance: 0.185549,
        distance_irrelevance_top_wrong: 0.236858,
        circularity: 0.999799,
        circle_steps: [4, 4, 18, 18],
        parameter_norm: 15.90116,
        circles: &[
            (4, [0.77085, 0.98672, 0.98560, -1.00006]),
            (18, [0.76430, 0.98596, 0.98585, -0.99997]),
            (20, [0.74399, 0.98156, 0.98140, -0.99878]),
            (2, [-0.99998, -0.99991, -0.99991, 0.99615]),
            (9, [-1.00000, -1.00000, -0.99999, 0.99363]),
            (10, [-1.00000, -0.99999, -1.00000, 0.98277]),
        ],
    },
    Reference {
        run: "hpv2jgskwe",
        correct_pairs: 940,
        gradient_symmetricity: 0.927307,
        distance_irrelevance: 0.983444,
        distance_irrelevance_top_wrong: 0.971619,
        circularity: 0.136491,
        circle_steps: [12, 25, 21, 13],
        parameter_norm: 54.24623,
        circles: &[
            (12, [-0.99395, -0.99724, -0.99818, -1.04821]),
            (21, [-0.99718, -1.00361, -1.00376, -0.95474]),
            (7, [-0.99133, -0.97980, -0.97980, -0.97899]),
            (26, [-0.99855, -1.01587, -1.01626, -0.98035]),
            (22, [-0.99196, -0.99310, -0.99356, -0.99665]),
            (9, [-1.00005, -1.01142, -1.01203, -1.00440]),
        ],
    },
    Reference {
        run: "kboioj4ulz",
        correct_pairs: 3481,
        gradient_symmetricity: 0.925995,
        distance_irrelevance: 0.986982,
        distance_irrelevance_top_wrong: 0.993765,
        circularity: 0.658985,
        circle_steps: [20, 20, 20, 4],
        parameter_norm: 17.45416,
        circles: &[
            (20, [-0.17479, -0.07662, -0.07444, -0.99849]),
            (20, [-0.71272, -0.66252, -0.66546, -1.00077]),
            (17, [0.04557, 0.19180, 0.19293, -1.00038]),
            (10, [-0.99967, -0.99900, -0.99906, 0.41699]),
            (21, [-1.00007, -0.99990, -0.99985, -0.36279]),
            (2, [-1.00029, -1.00011, -1.00018, -0.52270]),
        ],
    },
    Reference {
        run: "l8k1hzciux",
        correct_pairs: 3481,
        gradient_symmetricity: 0.333638,
        distance_irrelevance: 0.848260,
        distance_irrelevance_top_wrong: 0.884918,
        circularity: 0.998907,
        circle_steps: [9, 9, 11, 11],
        parameter_norm: 24.81390,
        circles: &[
            (9, [0.76619, 0.59629, 0.59662, -1.00044]),
            (11, [0.05145, -0.05252, -0.05261, -0.99872]),
            (14, [-0.59866, -0.55615, -0.55614, -0.99985]),
            (7, [-1.00000, -1.00000, -1.00000, -0.75488]),
            (25, [-1.00000, -0.99999, -1.00001, -0.97317]),
            (24, [-1.00000, -0.99999, -0.99998, -0.99709]),
        ],
    },
    Reference {
        run: "n9n7h3p965",
        correct_pairs: 2028,
        gradient_symmetricity: 0.954309,
        distance_irrelevance: 0.910022,
        distance_irrelevance_top_wrong: 0.772257,
        circularity: 0.522709,
        circle_steps: [2, 2, 10, 25],
        parameter_norm: 40.92569,
        circles: &[
            (2, [0.18084, 0.36536, 0.36584, -0.97475]),
            (10, [-0.94909, -0.94445, -0.94502, -1.00521]),
            (27, [-0.93713, -0.92163, -0.92275, -1.04919]),
            (25, [-0.98806, -0.99494, -0.99518, -1.02004]),
            (23, [-0.99206, -0.97860, -0.97897, -0.99921]),
            (7, [-0.97752, -0.98669, -0.98689, -0.99931]),
        ],
    },
    Reference {
        run: "p71frej8t7",
        correct_pairs: 3481,
        gradient_symmetricity: 1.000000,
        distance_irrelevance: 0.230205,
        distance_irrelevance_top_wrong: 0.328678,
        circularity: 0.995043,
        circle_steps: [2, 2, 27, 27],
        parameter_norm: 32.43955,
        circles: &[
            (2, [0.75270, 0.97992, 0.98031, -1.00271]),
            (27, [0.74714, 0.97478, 0.97568, -1.00365]),
            (21, [0.75462, 0.98222, 0.98131, -1.00011]),
            (7, [0.75227, 0.98514, 0.98542, -1.00221]),
            (16, [-0.99976, -0.99968, -0.99969, 0.95544]),
            (1, [-0.99967, -0.99954, -0.99954, 0.94904]),
        ],
    },
    Reference {
        run: "p99zdpze5l",
        correct_pairs: 3481,
        gradient_symmetricity: 0.993665,
        distance_irrelevance: 0.171736,
        distance_irrelevance_top_wrong: 0.221807,
        circularity: 0.997818,
        circle_steps: [7, 7, 20, 20],
        parameter_norm: 22.85382,
        circles: &[
            (7, [0.75408, 0.98315, 0.98359, -1.00377]),
            (20, [0.75616, 0.98313, 0.98299, -0.99809]),
            (4, [0.75377, 0.98415, 0.98614, -0.99688]),
            (26, [-1.00000, -1.00000, -1.00000, 0.97563]),
            (10, [-1.00000, -1.00000, -1.00000, 0.97234]),
            (2, [-1.00000, -1.00001, -1.00001, 0.97693]),
        ],
    },
    Reference {
        run: "q9rsl94xlv",
        correct_pairs: 3481,
        gradient_symmetricity: 0.597913,
        distance_irrelevance: 0.896605,
        distance_irrelevance_top_wrong: 0.935466,
        circularity: 0.778568,
        circle_steps: [5, 15, 14, 5],
        parameter_norm: 25.46977,
        circles: &[
            (5, [-0.10494, -0.27888, -0.27924, -0.99767]),
            (14, [-0.80021, -0.81548, -0.83448, -0.78793]),
            (15, [-0.78692, -0.74927, -0.74950, -1.01530]),
            (28, [-0.02813, 0.09207, 0.09488, -0.99778]),
            (27, [-1.00000, -1.00000, -1.00000, -0.97637]),
            (7, [-1.00000, -0.99988, -0.99991, -0.99651]),
        ],
    },
    Reference {
        run: "qlvxqhkvit",
        correct_pairs: 3481,
        gradient_symmetricity: 0.019067,
        distance_irrelevance: 0.929459,
        distance_irrelevance_top_wrong: 0.939144,
        circularity: 0.997701,
        circle_steps: [23, 23, 29, 29],
        parameter_norm: 53.90178,
        circles: &[
            (23, [0.94877, 0.74890, 0.74941, -1.00174]),
            (29, [0.85495, 0.64980, 0.64921, -0.97078]),
            (24, [0.93514, 0.74211, 0.74103, -1.00359]),
            (22, [0.85442, 0.65455, 0.65320, -0.99958]),
            (20, [0.74100, 0.55724, 0.55918, -0.99478]),
            (1, [0.81312, 0.66728, 0.67072, -1.01779]),
        ],
    },
    Reference {
        run: "w386br1duh",
        correct_pairs: 3481,
        gradient_symmetricity: 0.956505,
        distance_irrelevance: 0.913889,
        distance_irrelevance_top_wrong: 0.935278,
        circularity: 0.846631,
        circle_steps: [22, 17, 22, 17],
        parameter_norm: 19.44163,
        circles: &[
            (22, [-0.58482, -0.57359, -0.57475, -1.00019]),
            (22, [-0.54031, -0.51076, -0.51307, -1.00177]),
            (11, [-0.44673, -0.36136, -0.36102, -0.11658]),
            (21, [-1.00146, -1.00216, -1.00217, -0.30411]),
            (1, [-0.99995, -0.99987, -0.99984, -1.00002]),
            (4, [-0.99997, -0.99973, -0.99971, -0.99994]),
        ],
    },
];

fn close(name: &str, run: &str, ours: f64, theirs: f64) {
    assert!((ours - theirs).abs() < 1e-3, "{run} {name}: ours {ours}, reference {theirs}");
}

#[test]
fn every_released_checkpoint_matches_the_official_arithmetic() {
    for r in &REFERENCE {
        let c = checkpoint(r.run);
        let a = block_on(analyze(&c.run, &c.weights, None, &Backend::CPU.device())).unwrap_or_else(|e| panic!("{}: {e}", r.run));
        let m = &a.report;
        assert_eq!((m.accuracy * 3481.0).round() as usize, r.correct_pairs, "{}", r.run);
        close("GS", r.run, m.gradient_symmetricity, r.gradient_symmetricity);
        close("DI", r.run, m.distance_irrelevance, r.distance_irrelevance);
        close("DI top wrong", r.run, m.distance_irrelevance_top_wrong, r.distance_irrelevance_top_wrong);
        close("circularity", r.run, m.circularity, r.circularity);
        close("norm", r.run, m.parameter_norm, r.parameter_norm);
        assert_eq!(m.circle_steps, r.circle_steps, "{}", r.run);
        // Circle isolation needs the PC pairs to be the same planes; that holds where the
        // embedding is circular (near-equal variances across pairs could swap them otherwise).
        if r.circularity > 0.99 {
            assert_eq!(m.circles.len(), r.circles.len(), "{}", r.run);
            for (ours, (step, fve)) in m.circles.iter().zip(r.circles) {
                assert_eq!(ours.step, *step, "{} circle {:?}", r.run, ours.components);
                let f = ours.fve.unwrap_or_else(|| panic!("{} circle {:?} has no FVE", r.run, ours.components));
                for (name, x, y) in [
                    ("clock", f.clock, fve[0]),
                    ("pizza", f.pizza, fve[1]),
                    ("pizza'", f.pizza_prime, fve[2]),
                    ("accompanying", f.accompanying_pizza, fve[3]),
                ] {
                    close(name, r.run, x, y);
                }
            }
        }
    }
}

/// docs/science.md §7's table, by name.
#[test]
fn models_a_and_b_are_the_pizza_and_the_clock() {
    let device = Backend::CPU.device();
    let a = block_on(analyze(&checkpoint("p99zdpze5l").run, &checkpoint("p99zdpze5l").weights, None, &device)).unwrap().report;
    assert_eq!(a.verdict.algorithm, Algorithm::Pizza, "{}", a.verdict.reason);
    assert_eq!(a.circles.iter().take(3).map(|c| c.step).collect::<Vec<_>>(), [7, 20, 4]);
    for c in &a.circles[..3] {
        let f = c.fve.unwrap();
        assert!((f.clock - 0.754).abs() < 0.003 && (f.pizza - 0.983).abs() < 0.002, "{c:?}");
    }
    let b = block_on(analyze(&checkpoint("l8k1hzciux").run, &checkpoint("l8k1hzciux").weights, None, &device)).unwrap().report;
    assert_eq!(b.verdict.algorithm, Algorithm::Clock, "{}", b.verdict.reason);
    // Model β, MLP-only type B: sees only E_a + E_b, so exactly symmetric.
    let beta = block_on(analyze(&checkpoint("p71frej8t7").run, &checkpoint("p71frej8t7").weights, None, &device)).unwrap().report;
    assert!((beta.gradient_symmetricity - 1.0).abs() < 1e-6);

    // Both grokked: a few key frequencies carry the whole computation (Nanda et al.'s
    // restricted loss stays at the model's own ~1e-7, the excluded loss is near chance, ln 59 ≈ 4.1),
    // and FFD is low in W_E and W_L while FCR stays high (Furuta et al. on addition).
    for r in [&a, &b] {
        let m = &r.progress;
        assert!(m.restricted_loss_all.unwrap() < 1e-5 && m.excluded_loss_all.unwrap() > 4.0, "{m:?}");
        assert!(m.ffd_we <= 0.25 && m.ffd_wl.unwrap() <= 0.25 && m.fcr_we > 0.8 && m.fcr_wl.unwrap() > 0.75, "{m:?}");
        assert!(m.gini_we > 0.6 && m.gini_wl.unwrap() > 0.8, "{m:?}");
    }
    assert!((a.progress.weight_norm_sq.sqrt() - 22.854).abs() < 1e-3);
}
