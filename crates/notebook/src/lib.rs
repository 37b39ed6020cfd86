//! What the page and its workers share: the messages between them (`protocol`), WebGPU as the
//! workers bring it up (`webgpu`), and the start of their `main` (`run_static_constructors`). The page itself is the `grokscope-notebook` binary
//! (src/main.rs); the worker is the `grokscope-worker` package (crates/worker).

pub mod protocol;
pub mod webgpu;

/// Runs the module's static constructors (the `inventory` registrations in burn's dependencies)
/// once; both binaries call it first thing in `main`. Without an explicit call, wasm-ld links a
/// binary "command-style" and runs every constructor again at the start of every exported
/// function, that is on every call from JavaScript (each callback, each message, each resolved
/// promise): that took ~2 s of every 10 s of the page's thread while training, and was most of
/// the page's "long tasks".
pub fn run_static_constructors() {
    #[cfg(target_family = "wasm")]
    {
        unsafe extern "C" {
            fn __wasm_call_ctors();
        }
        // SAFETY: the linker's synthesized function, called once, before anything that reads
        // what the constructors register.
        unsafe { __wasm_call_ctors() }
    }
}
