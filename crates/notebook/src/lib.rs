//! What the page and its training workers share: the messages between them (`protocol`). The
//! page itself is the `grokscope-notebook` binary (src/main.rs), the worker
//! `grokscope-worker` (src/bin/grokscope-worker.rs).

pub mod protocol;
