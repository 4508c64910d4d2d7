//! Integration tests of `dealpos` live in `tests/`; this crate has no library code.
