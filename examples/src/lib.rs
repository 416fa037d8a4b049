//! Programs to copy from, one file each beside this crate's `Cargo.toml`:
//! see `README.md` there. This library is empty: Cargo needs a target, and
//! the examples depend only on what a consumer would.
