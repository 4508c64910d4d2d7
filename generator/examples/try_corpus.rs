//! Generates a crate from each description given, into `<out>/<name>/`.
//! Usage: cargo run --example try_corpus -- OUT SPEC...
fn main() {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().expect("usage: try_corpus OUT SPEC..."));
    for path in args {
        let start = std::time::Instant::now();
        let stem = std::path::Path::new(&path).file_stem().unwrap().to_string_lossy().replace('.', "-");
        let name = format!("corpus-{stem}");
        let cfg = dealpos_generator::Config {
            crate_info: dealpos_generator::CrateInfo { name: name.clone(), version: "0.0.0".into() },
            specs: vec![dealpos_generator::SpecInput { path: path.clone().into(), module: "models".into() }],
            overlays: vec![],
        };
        match dealpos_generator::generate(&cfg) {
            Ok(g) => {
                for (file, text) in &g.files {
                    let p = out.join(&name).join(file);
                    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                    std::fs::write(p, text).unwrap();
                }
                println!(
                    "{path}: ok {} types, {} warnings, {:?}",
                    g.modules[0].api.types.len(),
                    g.warnings.len(),
                    start.elapsed()
                )
            }
            Err(e) => println!("{path}: ERROR {e}"),
        }
    }
}
