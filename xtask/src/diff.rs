//! `cargo xtask diff OLD NEW`: what changed between two versions of a
//! description, for users of `dealpos` (see `dealpos_generator::diff`).

use std::path::Path;

use dealpos_generator::diff::{self, Change, Format, Report};
use dealpos_generator::load::{self, Source};

use crate::{git, regen};

/// One description's section of a report: its heading and its changes.
/// Each version is read through its own overlays (those of its revision),
/// picked by the old file's name (or, if none extends it, the new one's), as
/// `regen` would read them: an overlay removed since, because DealPOS fixed
/// what it corrected, then reads as no change rather than as the fix.
pub fn section(
    old: Source,
    new: Source,
    old_overlays: &[Source],
    new_overlays: &[Source],
) -> Result<(String, Vec<Change>), String> {
    let (old_name, new_name) = (old.name.clone(), new.name.clone());
    let pick = |overlays: &'_ [Source]| -> Result<Vec<Source>, String> {
        let mut mine = dealpos_generator::overlays_for(&old_name, overlays).map_err(|e| e.to_string())?;
        if mine.is_empty() {
            mine = dealpos_generator::overlays_for(&new_name, overlays).map_err(|e| e.to_string())?;
        }
        Ok(mine.into_iter().cloned().collect())
    };
    let (old_mine, new_mine) = (pick(old_overlays)?, pick(new_overlays)?);
    let old = dealpos_generator::analyse(old, &old_mine.iter().collect::<Vec<_>>())
        .map_err(|e| format!("old description: {e}"))?;
    let new = dealpos_generator::analyse(new, &new_mine.iter().collect::<Vec<_>>())
        .map_err(|e| format!("new description: {e}"))?;
    let files = if old_name == new_name { old_name } else { format!("{old_name} → {new_name}") };
    let heading = format!("{} {} → {} ({files})", new.title, old.version, new.version);
    Ok((heading, diff::diff(&old, &new)))
}

/// A report on `sections`, for the crate at its released version.
pub fn report(root: &Path, sections: Vec<(String, Vec<Change>)>) -> Result<Report, String> {
    let info = regen::crate_info(root)?;
    Ok(Report { crate_name: info.name, version: info.version, sections })
}

/// `cargo xtask diff OLD NEW [--format text|md] [--no-overlays]`.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut format = Format::Text;
    let mut with_overlays = true;
    let mut files = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--format" => {
                format = match rest.next().map(String::as_str) {
                    Some("md" | "markdown") => Format::Markdown,
                    Some("text") => Format::Text,
                    other => return Err(format!("--format: `md` or `text` expected, found {other:?}")),
                }
            }
            "--no-overlays" => with_overlays = false,
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ => files.push(arg.as_str()),
        }
    }
    let [old, new] = files[..] else {
        return Err("usage: cargo xtask diff OLD NEW [--format text|md] [--no-overlays]\n  OLD and NEW are files, or REV:path (e.g. HEAD~3:spec/dealpos-api.yaml)".into());
    };
    let here = std::env::current_dir().map_err(|e| format!("the current directory: {e}"))?;
    print!("{}", compare(root, &here, old, new, with_overlays)?.render(format));
    Ok(())
}

/// The report comparing `old` and `new` (files relative to `here`, or
/// `REV:path`). A side read from a revision uses the overlays of that
/// revision when it has `spec/overlays/`, and today's otherwise.
pub fn compare(root: &Path, here: &Path, old: &str, new: &str, with_overlays: bool) -> Result<Report, String> {
    let today = if with_overlays { regen::overlays(root)? } else { Vec::new() };
    let overlays_of = |side: &Side| -> Result<Vec<Source>, String> {
        match (&side.rev, with_overlays) {
            (Some(rev), true) => Ok(git::overlays_at(root, rev)?.unwrap_or_else(|| today.clone())),
            _ => Ok(today.clone()),
        }
    };
    let (old, new) = (read(here, old)?, read(here, new)?);
    let (old_overlays, new_overlays) = (overlays_of(&old)?, overlays_of(&new)?);
    let section = section(old.source, new.source, &old_overlays, &new_overlays).map_err(|e| {
        if with_overlays {
            format!("{e}\n(a description may not fit its overlays: --no-overlays compares them as published)")
        } else {
            e
        }
    })?;
    report(root, vec![section])
}

/// One side of a comparison: the description, and the revision it was read
/// from (`None` for a file).
struct Side {
    source: Source,
    rev: Option<String>,
}

/// A description from a file, or from git when written `REV:path` and no
/// such file exists.
fn read(here: &Path, arg: &str) -> Result<Side, String> {
    let file = here.join(arg);
    if file.exists() {
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{arg}: cannot read: {e}"))?;
        let source = load::parse(arg, &text).map_err(|e| e.to_string())?;
        return Ok(Side { source, rev: None });
    }
    let Some((rev, path)) = arg.split_once(':') else {
        return Err(format!("{arg}: no such file (and not a REV:path)"));
    };
    let source = git::parse(arg, git::show(here, rev, path)?)?;
    Ok(Side { source, rev: Some(rev.to_string()) })
}
