//! `cargo xtask refresh`: download the descriptions again, and if DealPOS
//! changed them, take the new versions in (spec/, the lock, generated/) and
//! say what changed for users of `dealpos`.
//!
//! Everything that can fail — the download, parsing, the overlays, the whole
//! generation — happens in memory first; spec/ is written only when all of
//! it succeeded, each file atomically.

mod fetch;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use dealpos_generator::diff::Report;
use dealpos_generator::load::{self, Source};
use fetch::Origin;

use crate::{diff, files, lock, regen};

/// What the command line asked for.
#[derive(Debug, Default)]
pub struct Options {
    /// `--url NAME=URL`: download NAME (a file name or module of the lock) from URL.
    pub urls: BTreeMap<String, String>,
    /// `--file NAME=PATH`: take NAME from a local file.
    pub files: BTreeMap<String, String>,
    /// `--only NAME`: refresh only these descriptions (file names or modules);
    /// the others are left alone and reported as skipped. Naming a
    /// description with `--file` or `--url` implies `--only` for it, so that
    /// taking in one file offline never tries to download the other.
    pub only: Vec<String>,
    /// `--check`: only say whether upstream differs (non-zero exit if it does).
    pub check: bool,
}

/// What a refresh did: the report, and the descriptions it left alone.
#[derive(Debug, Default)]
pub struct Refreshed {
    /// What changed upstream (empty when nothing did).
    pub report: Report,
    /// `(spec/FILE, why)` for every description not fetched.
    pub skipped: Vec<(String, String)>,
}

/// Parses `refresh`'s arguments.
pub fn options(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let map = match arg.as_str() {
            "--check" => {
                options.check = true;
                continue;
            }
            "--only" => {
                let name = rest.next().ok_or_else(|| format!("--only needs NAME\n{USAGE}"))?;
                options.only.push(name.clone());
                continue;
            }
            "--url" => &mut options.urls,
            "--file" => &mut options.files,
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        };
        let value = rest.next().ok_or_else(|| format!("{arg} needs NAME=VALUE\n{USAGE}"))?;
        let (name, target) = value.split_once('=').ok_or_else(|| format!("{arg} {value}: NAME=VALUE expected"))?;
        map.insert(name.to_string(), target.to_string());
    }
    Ok(options)
}

const USAGE: &str = "usage: cargo xtask refresh [--check] [--only NAME]… [--url NAME=URL]… [--file NAME=PATH]…
  NAME is a description's file name (dealpos-api.yaml) or module (models);
  with --only, --url or --file, only the descriptions named are refreshed";

/// A description whose upstream bytes differ from spec/.
struct Update {
    index: usize,
    bytes: Vec<u8>,
    source: Source,
    origin: Origin,
}

/// `cargo xtask refresh`: the report of what changed upstream (empty when
/// nothing did), and what was left alone.
pub fn run(root: &Path, options: &Options) -> Result<Refreshed, String> {
    let mut lock = lock::read(&root.join("spec"))?;
    let named: Vec<&String> = options.only.iter().chain(options.urls.keys()).chain(options.files.keys()).collect();
    for name in &named {
        if !lock.descriptions.iter().any(|e| &e.file == *name || &e.module == *name) {
            return Err(format!("{name}: not a description of spec/lock.json"));
        }
    }
    let overlays = regen::overlays(root)?;
    let mut updates = Vec::new();
    let mut sections = Vec::new();
    let mut skipped = Vec::new();
    for (index, entry) in lock.descriptions.iter().enumerate() {
        let relative = format!("spec/{}", entry.file);
        // Only what was named is fetched when anything was: a maintainer
        // taking in one file offline must not fail on the other's download.
        if !named.is_empty() && !named.iter().any(|n| **n == entry.file || **n == entry.module) {
            let why = "not named (--only, --url or --file name the descriptions to refresh)".to_string();
            println!("{relative}: skipped: {why}");
            skipped.push((relative, why));
            continue;
        }
        let pick = |map: &BTreeMap<String, String>| map.get(&entry.file).or_else(|| map.get(&entry.module)).cloned();
        let origin = match (pick(&options.files), pick(&options.urls).or_else(|| entry.source.clone())) {
            (Some(path), _) => Origin::File(path),
            (None, Some(url)) => Origin::Url(url),
            (None, None) => {
                let why = format!("spec/lock.json has no source URL (give --url {}=URL)", entry.file);
                println!("{relative}: skipped: {why}");
                skipped.push((relative, why));
                continue;
            }
        };
        let unchanged = "; spec/ is unchanged";
        let bytes = fetch::fetch(&origin).map_err(|e| format!("{relative}: {e}{unchanged}"))?;
        if lock::sha256(&bytes) == entry.sha256 {
            println!("{relative}: up to date with {origin}");
            continue;
        }
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| format!("{relative}: {origin} is not UTF-8 text: {e}{unchanged}"))?;
        let new = load::parse(&relative, text).map_err(|e| format!("{e}\n  (as served by {origin}){unchanged}"))?;
        let old = regen::load(root, &relative)?;
        // The other descriptions as they are in spec/, for `$ref`s across them.
        let (module, others) =
            diff::Among::of(&lock, &entry.file, |other| regen::load(root, &format!("spec/{other}")).map(Some))?;
        let among = diff::Among { module, old: others.clone(), new: others };
        let section = match diff::section(old.clone(), new.clone(), &overlays, &overlays, &among) {
            Ok(section) => section,
            // Most likely an overlay no longer fits; generation will say so
            // (and write nothing). Show what changed all the same.
            Err(e) => {
                println!("{relative}: {e}\n  the report compares the descriptions as published, without overlays");
                diff::section(old, new.clone(), &[], &[], &among)
                    .map_err(|e| format!("{e}\n  (as served by {origin}){unchanged}"))?
            }
        };
        println!("{relative}: changed upstream ({origin})");
        sections.push(section);
        updates.push(Update { index, bytes, source: new, origin });
    }
    let report = diff::report(root, sections)?;
    if !updates.is_empty() {
        print!("\n{}", report.render(dealpos_generator::diff::Format::Text));
    }
    if options.check {
        return match updates.len() {
            0 => Ok(Refreshed { report, skipped }),
            n => Err(format!("{n} description(s) differ upstream: run `cargo xtask refresh`")),
        };
    }
    if updates.is_empty() {
        return Ok(Refreshed { report, skipped });
    }
    // The new descriptions must generate before anything is written.
    let specs = lock
        .descriptions
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let source = match updates.iter().find(|u| u.index == i) {
                Some(u) => u.source.clone(),
                None => regen::load(root, &format!("spec/{}", e.file))?,
            };
            Ok((source, e.module.clone()))
        })
        .collect::<Result<Vec<_>, String>>()?;
    dealpos_generator::generate_from(&regen::crate_info(root)?, specs, &overlays)
        .map_err(|e| {
            format!("the new descriptions do not generate: {e}\nspec/ is unchanged; fix spec/overlays/ (or the generator) and refresh again")
        })?;
    let today = files::today();
    for update in &updates {
        let entry = &mut lock.descriptions[update.index];
        files::write_atomic(&root.join("spec").join(&entry.file), &update.bytes)?;
        entry.sha256 = lock::sha256(&update.bytes);
        entry.date.clone_from(&today);
        if let Origin::Url(url) = &update.origin {
            entry.source = Some(url.clone());
            entry.origin = "downloaded".into();
        }
    }
    lock::write(&root.join("spec"), &lock)?;
    println!();
    regen::regen(root)?;
    println!("\nspec/ and generated/ updated; review them, then `cargo xtask release` (see README.md)");
    Ok(Refreshed { report, skipped })
}
