//! Scanning fleets of targets on an existing batch engine (a Kubernetes Indexed Job, a CI matrix,
//! GNU parallel …) rather than a coordinator of our own: each worker takes its [`shard`] of the
//! target list and appends results to its own [`resume`] file, so a rerun after a crash or a
//! pre-empted pod finishes the work without repeating it.

pub mod resume;
pub mod shard;
