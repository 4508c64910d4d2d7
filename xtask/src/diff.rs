//! `cargo xtask diff OLD NEW`: what changed between two versions of a
//! description, for users of `dealpos` (see `dealpos_generator::diff`).

use std::path::Path;
use std::process::Command;

use dealpos_generator::diff::{self, Change, Format, Report};
use dealpos_generator::load::{self, Source};

use crate::regen;

/// One description's section of a report: its heading and its changes.
/// Both versions are read through the overlays that extend the old file's
/// name (or, if none does, the new one's), as `regen` would read them.
pub fn section(old: Source, new: Source, overlays: &[Source]) -> Result<(String, Vec<Change>), String> {
    let (old_name, new_name) = (old.name.clone(), new.name.clone());
    let mut mine = dealpos_generator::overlays_for(&old_name, overlays).map_err(|e| e.to_string())?;
    if mine.is_empty() {
        mine = dealpos_generator::overlays_for(&new_name, overlays).map_err(|e| e.to_string())?;
    }
    let old = dealpos_generator::analyse(old, &mine).map_err(|e| format!("old description: {e}"))?;
    let new = dealpos_generator::analyse(new, &mine).map_err(|e| format!("new description: {e}"))?;
    let files = if old_name == new_name { old_name } else { format!("{old_name} → {new_name}") };
    let heading = format!("{} {} → {} ({files})", new.title, old.version, new.version);
    Ok((heading, diff::diff(&old, &new)))
}

/// A report on `sections`, for the crate as it is now.
pub fn report(sections: Vec<(String, Vec<Change>)>) -> Report {
    let info = regen::crate_info();
    Report { crate_name: info.name, version: info.version, sections }
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
    let overlays = if with_overlays { regen::overlays(root)? } else { Vec::new() };
    let section = section(read(old)?, read(new)?, &overlays).map_err(|e| {
        if with_overlays {
            format!(
                "{e}\n(an older description may not fit today's overlays: --no-overlays compares them as published)"
            )
        } else {
            e
        }
    })?;
    print!("{}", report(vec![section]).render(format));
    Ok(())
}

/// A description from a file, or from git when written `REV:path` and no
/// such file exists.
fn read(arg: &str) -> Result<Source, String> {
    let text = if Path::new(arg).exists() {
        std::fs::read_to_string(arg).map_err(|e| format!("{arg}: cannot read: {e}"))?
    } else if let Some((rev, path)) = arg.split_once(':') {
        let out = Command::new("git")
            .args(["show", &format!("{rev}:{path}")])
            .output()
            .map_err(|e| format!("{arg}: cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(format!("{arg}: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        String::from_utf8(out.stdout).map_err(|e| format!("{arg}: not UTF-8: {e}"))?
    } else {
        return Err(format!("{arg}: no such file (and not a REV:path)"));
    };
    load::parse(arg, &text).map_err(|e| e.to_string())
}
