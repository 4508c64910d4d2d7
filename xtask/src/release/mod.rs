//! `cargo xtask release`: the next version of `dealpos`, from what changed
//! in the descriptions since the last release.
//!
//! Where the last release is recorded, and why in two places: its version and
//! the sha256 of the descriptions it was generated from are in
//! `spec/lock.json` (`released`), so that `regen` has the crate's version
//! with no git at all (one home: the manifest template only prints it); the
//! released *files*, which the diff needs, and the overlays of that day are
//! read from the git tag `dealpos-v<version>` on the release commit, and
//! checked against the recorded sha256 so that a misplaced tag is caught
//! rather than diffed against. `--since REV` names the release commit when
//! it is not tagged (yet).

mod changelog;
#[cfg(test)]
mod tests;

use std::path::Path;

use dealpos_generator::diff::{Format, Impact, Report, next_version};

use crate::{diff, files, git, lock, regen};

/// What the command line asked for.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `--dry-run`: print what would be done, write nothing.
    pub dry_run: bool,
    /// `--bump major|minor|patch`: the part of the version to bump at least;
    /// it can raise the diff's verdict, never lower it.
    pub bump: Option<Bump>,
    /// `--since REV`: the commit of the last release, when it has no tag.
    pub since: Option<String>,
}

/// A part of a semver version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    /// `X+1.0.0`.
    Major,
    /// `X.Y+1.0`.
    Minor,
    /// `X.Y.Z+1`.
    Patch,
}

const USAGE: &str = "usage: cargo xtask release [--dry-run] [--bump major|minor|patch] [--since REV]";

/// Parses `release`'s arguments.
pub fn options(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--dry-run" => options.dry_run = true,
            "--bump" => {
                options.bump = Some(match rest.next().map(String::as_str) {
                    Some("major") => Bump::Major,
                    Some("minor") => Bump::Minor,
                    Some("patch") => Bump::Patch,
                    other => return Err(format!("--bump: major, minor or patch expected, found {other:?}\n{USAGE}")),
                })
            }
            "--since" => {
                options.since = Some(rest.next().ok_or_else(|| format!("--since needs REV\n{USAGE}"))?.clone())
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(options)
}

/// What a release is (or, with `--dry-run`, would be). The command prints
/// it as it goes; the tests read it.
#[derive(Debug, Clone)]
#[cfg_attr(not(test), allow(dead_code))]
pub struct Plan {
    /// The version released last.
    pub from: String,
    /// The version of this release.
    pub version: String,
    /// The diff's verdict (`None`: the descriptions did not change).
    pub verdict: Option<Impact>,
    /// The entry prepended to CHANGELOG.md.
    pub entry: String,
}

/// The tag of the release of `version`.
pub fn tag(version: &str) -> String {
    format!("dealpos-v{version}")
}

/// `cargo xtask release [--dry-run] [--bump …] [--since REV]`.
pub fn run(root: &Path, options: &Options) -> Result<Plan, String> {
    let spec = root.join("spec");
    let mut lock = lock::read(&spec)?;
    let released = lock.released()?.clone();
    let dirty = lock::verify(&spec, &lock);
    if !dirty.is_empty() {
        return Err(format!(
            "{}\nspec/ is dirty: take new descriptions in with `cargo xtask refresh` (it updates spec/lock.json), then release",
            dirty.join("\n")
        ));
    }
    let base = options.since.clone().unwrap_or_else(|| tag(&released.version));
    if !git::exists(root, &base)? {
        return Err(format!(
            "{base}: no such commit in {}; tag the commit of release {} (`git tag {} <commit>`) or name it with --since REV",
            root.display(),
            released.version,
            tag(&released.version)
        ));
    }
    let today_overlays = regen::overlays(root)?;
    let then_overlays = git::overlays_at(root, &base)?.unwrap_or_else(|| today_overlays.clone());
    let mut sections = Vec::new();
    for entry in &lock.descriptions {
        let relative = format!("spec/{}", entry.file);
        let bytes = git::show(root, &base, &relative)?;
        if let Some(recorded) = released.sha256.get(&entry.file)
            && *recorded != lock::sha256(&bytes)
        {
            return Err(format!(
                "{base}:{relative}: sha256 {} is not the {recorded} spec/lock.json records for release {}: {base} is not the release commit",
                lock::sha256(&bytes),
                released.version
            ));
        }
        // Named as in spec/ so the changelog's headings read as the files do.
        let old = git::parse(&relative, bytes).map_err(|e| format!("{e} (at {base})"))?;
        let new = regen::load(root, &relative)?;
        // The other descriptions as they were at the base and are today, for `$ref`s across them.
        let (module, then_others) = diff::Among::of(&lock, &entry.file, |other| {
            let path = format!("spec/{other}");
            git::show(root, &base, &path).ok().map(|bytes| git::parse(&path, bytes)).transpose()
        })?;
        let (_, today_others) =
            diff::Among::of(&lock, &entry.file, |other| regen::load(root, &format!("spec/{other}")).map(Some))?;
        let among = diff::Among { module, old: then_others, new: today_others };
        sections.push(diff::section(old, new, &then_overlays, &today_overlays, &among)?);
    }
    let report = Report { crate_name: "dealpos".into(), version: released.version.clone(), sections };
    let verdict = report.verdict();
    let by_diff = next_version(&released.version, verdict);
    let version = match options.bump {
        None if verdict.is_none() => {
            return Err(format!(
                "nothing to release: the descriptions are as they were at {base}; to release other changes \
                 (runtime, generator), raise the verdict by hand with --bump patch (or minor, major)"
            ));
        }
        None => by_diff.clone(),
        Some(bump) => {
            let bumped = bumped(&released.version, bump)?;
            if verdict.is_some() && parse(&bumped)? < parse(&by_diff)? {
                return Err(format!(
                    "--bump {} gives {bumped}, below the {by_diff} that the changes since {base} call for; \
                     the verdict can be raised by hand, never lowered",
                    format!("{bump:?}").to_lowercase()
                ));
            }
            bumped
        }
    };
    let date = files::today();
    let mut entry = format!("## {version} ({date})\n\nSince {} (`{base}`).\n\n", released.version);
    entry.push_str(&report.render(Format::Markdown));
    if version != by_diff || verdict.is_none() {
        entry.push_str(&format!("\nReleased as {version}: the version was raised by hand (`--bump`).\n"));
    }
    let plan = Plan { from: released.version.clone(), version: version.clone(), verdict, entry };
    let changelog = changelog::prepend("CHANGELOG.md", &changelog::read(root)?, &version, &plan.entry)?;
    if options.dry_run {
        println!("{}", plan.entry.trim_end());
        println!(
            "\n--dry-run: would release dealpos {version} (from {}): prepend the entry above to CHANGELOG.md, \
             record the release in spec/lock.json, regenerate generated/ and run check",
            plan.from
        );
        return Ok(plan);
    }
    lock.released = Some(lock::Released {
        version: version.clone(),
        date,
        sha256: lock.descriptions.iter().map(|e| (e.file.clone(), e.sha256.clone())).collect(),
    });
    lock::write(&spec, &lock)?;
    files::write_atomic(&root.join("CHANGELOG.md"), changelog.as_bytes())?;
    regen::regen(root)?;
    regen::check(root)?;
    println!(
        "\ndealpos {version} released in the tree: review and commit CHANGELOG.md, spec/lock.json and generated/, \
         then `git tag {}` on that commit and publish",
        tag(&version)
    );
    Ok(plan)
}

/// `version` with `part` bumped.
fn bumped(version: &str, part: Bump) -> Result<String, String> {
    let (major, minor, patch) = parse(version)?;
    Ok(match part {
        Bump::Major => format!("{}.0.0", major + 1),
        Bump::Minor => format!("{major}.{}.0", minor + 1),
        Bump::Patch => format!("{major}.{minor}.{}", patch + 1),
    })
}

/// `X.Y.Z` as numbers, to compare versions.
fn parse(version: &str) -> Result<(u64, u64, u64), String> {
    let bad = || format!("spec/lock.json: released version `{version}` is not X.Y.Z");
    let parts = version.split('.').map(|p| p.parse::<u64>().map_err(|_| bad())).collect::<Result<Vec<_>, _>>()?;
    match parts[..] {
        [major, minor, patch] => Ok((major, minor, patch)),
        _ => Err(bad()),
    }
}
