//! Arbitrary bytes through load (YAML or JSON), the IR and emission. Any
//! panic is a bug; so is emitted code that does not parse as Rust, since
//! every name the naming pass gives must be a valid identifier.
#![no_main]

use dealpos_generator::{CrateInfo, Error, emit, ir, load};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Both parsers, whatever the text looks like.
    for name in ["fuzz.yaml", "fuzz.json"] {
        let Ok(source) = load::parse(name, text) else { continue };
        // No file access: a `$ref` to another file is refused with a diagnostic.
        let Ok(api) = ir::build_with(&source, &ir::no_files) else { continue };
        let info = CrateInfo { name: "fuzz".into(), version: "0.0.0".into() };
        let module = emit::Module { name: "models".into(), spec: name.into(), api };
        if let Err(e @ Error::Emit { .. }) = emit::emit(&info, &[module]) {
            panic!("{e}");
        }
    }
});
