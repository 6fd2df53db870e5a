//! The loom model of the runtime's event delivery lives in `tests/loom_hub.rs`; this library
//! is empty. Run it with
//!
//! ```sh
//! RUSTFLAGS="--cfg reactive_loom" LOOM_MAX_PREEMPTIONS=3 CARGO_TARGET_DIR=target/loom \
//!     cargo test -p reactive-loom --release --test loom_hub
//! ```
