//! Integration tests of `dealpos` live in `tests/`; this crate has no library
//! code. It includes the workspace README so that its examples are compiled
//! (and run, where they can be) as doctests.
#![doc = include_str!("../../README.md")]
