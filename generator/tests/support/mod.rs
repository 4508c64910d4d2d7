//! What the fixture tests share (`mod support;` in each test crate that
//! needs it).

/// The construct fixtures in `tests/fixtures/`: each is snapshotted by
/// `fixtures.rs` and compiled, with its examples round-tripped, by
/// `compile.rs`. Adding one is a new file there and a line here (snapshot
/// names come from the file stem, so they stay as they are).
pub const CONSTRUCTS: &[&str] = &[
    "allof.yaml",
    "oneof.yaml",
    "anyof.yaml",
    "recursive.yaml",
    "additional.yaml",
    "nullable.yaml",
    "enums.yaml",
    "type_arrays.yaml",
    "parameters.yaml",
    "naming.yaml",
    "untagged.yaml",
    "validation.yaml",
    "markdown.yaml",
];

/// A construct fixture's name without `.yaml` (`type_arrays`), which names
/// its snapshots and its crate.
pub fn stem(name: &str) -> &str {
    name.trim_end_matches(".yaml")
}
