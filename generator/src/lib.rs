//! The DealPOS SDK generator.
//!
//! `load` (YAML/JSON, OpenAPI 3.0 and 3.1) → `overlay` (OpenAPI Overlay 1.0
//! corrections) → `ir` (resolved, merged, named) → `emit` (Rust via quote and
//! prettyplease, other files via askama). Each stage is a module; emission
//! reads only the IR.

pub mod diff;
pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod overlay;
pub mod runtime;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use emit::{CrateInfo, Module};
pub use error::{Diagnostic, Error, Location, Result, Severity};
use load::Source;

/// What to generate from.
#[derive(Debug, Clone)]
pub struct Config {
    /// The generated crate's name and version.
    pub crate_info: CrateInfo,
    /// The descriptions, each becoming one module.
    pub specs: Vec<SpecInput>,
    /// Overlay files; each applies to the description its `extends` names.
    pub overlays: Vec<PathBuf>,
}

impl Config {
    /// A crate `name` at `version` from `specs`, any descriptions, without
    /// overlays: what `cargo xtask generate` runs. Each description is a
    /// `(file, module)` pair; a module left `None` is named by
    /// [`default_modules`].
    pub fn new(name: &str, version: &str, specs: Vec<(PathBuf, Option<String>)>) -> Self {
        let modules = default_modules(&specs);
        let specs = specs.into_iter().zip(modules).map(|((path, _), module)| SpecInput { path, module }).collect();
        Config { crate_info: CrateInfo { name: name.into(), version: version.into() }, specs, overlays: Vec::new() }
    }
}

/// The module each description becomes: the one given, else `models` for
/// the first description and its file stem (snake case) for the others;
/// a name already taken gets a number (`models_2`).
pub fn default_modules(specs: &[(PathBuf, Option<String>)]) -> Vec<String> {
    let mut taken: Vec<String> = specs.iter().filter_map(|(_, m)| m.clone()).collect();
    let mut out = Vec::new();
    for (i, (path, module)) in specs.iter().enumerate() {
        if let Some(module) = module {
            out.push(module.clone());
            continue;
        }
        let stem = path.file_stem().map(|s| ir::snake(&s.to_string_lossy())).unwrap_or_default();
        let base = if i == 0 || stem.is_empty() { "models".to_string() } else { stem };
        let mut name = base.clone();
        let mut n = 1;
        while taken.contains(&name) {
            n += 1;
            name = format!("{base}_{n}");
        }
        taken.push(name.clone());
        out.push(name);
    }
    out
}

/// A description and the module it becomes.
#[derive(Debug, Clone)]
pub struct SpecInput {
    /// The file.
    pub path: PathBuf,
    /// The module name in the generated crate.
    pub module: String,
}

/// The generated crate, in memory.
#[derive(Debug, Clone)]
pub struct Generated {
    /// File contents by path relative to the crate root.
    pub files: BTreeMap<String, String>,
    /// The analysed modules.
    pub modules: Vec<Module>,
    /// Warnings (approximations) from every stage.
    pub warnings: Vec<Diagnostic>,
    /// How many nodes the overlays changed.
    pub overlay_changes: usize,
}

/// Runs the whole pipeline from files.
pub fn generate(config: &Config) -> Result<Generated> {
    let specs =
        config.specs.iter().map(|s| Ok((load::load(&s.path)?, s.module.clone()))).collect::<Result<Vec<_>>>()?;
    let overlays = config.overlays.iter().map(|p| load::load(p)).collect::<Result<Vec<_>>>()?;
    generate_from(&config.crate_info, specs, &overlays)
}

/// Runs the pipeline on documents already loaded (tests, fuzzing).
pub fn generate_from(info: &CrateInfo, specs: Vec<(Source, String)>, overlays: &[Source]) -> Result<Generated> {
    for o in overlays {
        let target = overlay::extends(o)?;
        if !specs.iter().any(|(s, _)| file_name(&s.name) == target) {
            return Err(Error::at(
                Location::root(&o.name).join("extends"),
                format!("`{target}` is not one of the descriptions"),
            ));
        }
    }
    let mut overlay_changes = 0;
    let mut specs = specs;
    for (source, _) in &mut specs {
        let mine = overlays_for(&source.name, overlays)?;
        overlay_changes += apply_overlays(source, &mine)?;
    }
    // Together, since a description may `$ref` another's types (`ir::build_all`).
    let apis = ir::build_all(&specs.iter().map(|(s, m)| (s, m.as_str())).collect::<Vec<_>>(), &ir::from_disk)?;
    let mut modules = Vec::new();
    let mut warnings = Vec::new();
    for ((source, module), api) in specs.into_iter().zip(apis) {
        warnings.extend(api.diagnostics.iter().cloned());
        modules.push(Module { name: module, spec: source.name, api });
    }
    // Operations are grouped by tag across descriptions: their names are crate-wide.
    ir::name_operations(&mut modules.iter_mut().map(|m| &mut m.api).collect::<Vec<_>>());
    let files = emit::emit(info, &modules)?;
    Ok(Generated { files, modules, warnings, overlay_changes })
}

/// The overlays among `overlays` whose `extends` names the file `file` (by
/// file name, as [`generate`] matches them).
pub fn overlays_for<'a>(file: &str, overlays: &'a [Source]) -> Result<Vec<&'a Source>> {
    let name = file_name(file);
    let mut out = Vec::new();
    for o in overlays {
        if overlay::extends(o)? == name {
            out.push(o);
        }
    }
    Ok(out)
}

/// Analyses one description after `overlays`: the IR that [`generate`]
/// would emit from it.
pub fn analyse(mut source: Source, overlays: &[&Source]) -> Result<ir::Api> {
    apply_overlays(&mut source, overlays)?;
    ir::build(&source)
}

/// Analyses the description `which` of `specs` (the crate's descriptions,
/// each with its module and the overlays to apply to it): the IR that
/// [`generate`] would emit from it, its `$ref`s into the other descriptions
/// linked to their modules' types (so `diff` sees `models::X` where the
/// crate has it).
pub fn analyse_among(specs: Vec<(Source, String, Vec<&Source>)>, which: usize) -> Result<ir::Api> {
    let mut described = Vec::new();
    for (mut source, module, mine) in specs {
        apply_overlays(&mut source, &mine)?;
        described.push((source, module));
    }
    let apis = ir::build_all(&described.iter().map(|(s, m)| (s, m.as_str())).collect::<Vec<_>>(), &ir::from_disk)?;
    let name = described.get(which).map(|(s, _)| s.name.clone()).unwrap_or_default();
    apis.into_iter().nth(which).ok_or_else(|| Error::at(Location::root(name), "no such description"))
}

fn apply_overlays(source: &mut Source, overlays: &[&Source]) -> Result<usize> {
    overlays.iter().map(|o| overlay::apply(source, o)).sum()
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}
