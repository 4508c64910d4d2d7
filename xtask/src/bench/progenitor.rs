//! Side by side with progenitor, the generator users most often compare us
//! with: both generate a crate from Oxide's `nexus.json` (whole process,
//! release builds of both tools), then each crate is rebuilt alone with its
//! dependencies built beforehand.
//!
//! `cargo-progenitor` is installed by the bench itself, pinned, into
//! `target/tools/progenitor` (like the test tools: nothing to set up by hand).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The pinned progenitor release.
const VERSION: &str = "0.15.1";
/// The description both generate from (beside the repository, like CI has it).
const NEXUS: &str = "../shared/corpus/oxide/nexus.json";

/// Same-run figures: generation (best of three) and rebuild (best of two),
/// ours then progenitor's.
pub struct Comparison {
    pub generate: (Duration, Duration),
    pub rebuild: (Duration, Duration),
}

/// Runs the comparison; `xtask` must already be built in release (the
/// regen measurement builds it).
pub fn compare(root: &Path) -> Result<Comparison, String> {
    let nexus = root.join(NEXUS);
    if !nexus.exists() {
        return Err(format!("{}: missing (the corpus lives in ../shared beside the repository)", nexus.display()));
    }
    let progenitor = install(root)?;
    let work = root.join("target/bench-progenitor");
    let ours_dir = work.join("ours");
    let theirs_dir = work.join("progenitor");
    let xtask = root.join("target/release/xtask");

    let ours_gen = best_of(3, || {
        run(Command::new(&xtask)
            .arg("generate")
            .arg(&nexus)
            .arg("--out")
            .arg(&ours_dir)
            .args(["--name", "nexus-ours"])
            .current_dir(root))
    })?;
    let theirs_gen = best_of(3, || {
        run(Command::new(&progenitor)
            .arg("progenitor")
            .arg("-i")
            .arg(&nexus)
            .arg("-o")
            .arg(&theirs_dir)
            .args(["-n", "nexus-progenitor", "-v", "0.1.0"])
            .current_dir(root))
    })?;
    println!("generate nexus.json: ours {ours_gen:.2?}, progenitor {theirs_gen:.2?}");

    let ours_build = rebuild(&ours_dir, "nexus-ours", &work)?;
    let theirs_build = rebuild(&theirs_dir, "nexus-progenitor", &work)?;
    println!("rebuild the nexus crate alone: ours {ours_build:.2?}, progenitor {theirs_build:.2?}");
    Ok(Comparison { generate: (ours_gen, theirs_gen), rebuild: (ours_build, theirs_build) })
}

/// `cargo-progenitor`, installed on first use.
fn install(root: &Path) -> Result<PathBuf, String> {
    let dir = root.join("target/tools/progenitor");
    let binary = dir.join("bin/cargo-progenitor");
    if !binary.exists() {
        run(Command::new(env!("CARGO"))
            .args(["install", "--quiet", "--locked", "cargo-progenitor", "--version", VERSION, "--root"])
            .arg(&dir))?;
    }
    Ok(binary)
}

/// The better of two builds of the crate in `dir` alone (`cargo clean -p`
/// between), its dependencies built first. One target directory for both
/// crates, so shared dependencies are built once.
fn rebuild(dir: &Path, package: &str, work: &Path) -> Result<Duration, String> {
    // The crates are not members of our workspace, which encloses them.
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    if !text.lines().any(|l| l.trim() == "[workspace]") {
        crate::files::write_atomic(&manifest, format!("{text}\n[workspace]\n").as_bytes())?;
    }
    let target = work.join("target");
    let cargo = |args: &[&str]| {
        run(Command::new(env!("CARGO"))
            .args(args)
            .arg("--manifest-path")
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target))
    };
    cargo(&["build", "--quiet", "--lib"])?;
    best_of(2, || {
        cargo(&["clean", "--quiet", "-p", package])?;
        let start = Instant::now();
        cargo(&["build", "--quiet", "--lib"])?;
        Ok(start.elapsed())
    })
}

/// The shortest of `n` timings; `f` returns its own time (or `()` timed whole).
fn best_of<T: Timed>(n: usize, mut f: impl FnMut() -> Result<T, String>) -> Result<Duration, String> {
    let mut best = Duration::MAX;
    for _ in 0..n {
        let start = Instant::now();
        let timed = f()?;
        best = best.min(timed.or(start.elapsed()));
    }
    Ok(best)
}

/// A closure's result: its own measured time, or none (time the call).
trait Timed {
    fn or(self, whole: Duration) -> Duration;
}

impl Timed for () {
    fn or(self, whole: Duration) -> Duration {
        whole
    }
}

impl Timed for Duration {
    fn or(self, _: Duration) -> Duration {
        self
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let out = command.output().map_err(|e| format!("{shown}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({}):\n{}", out.status, String::from_utf8_lossy(&out.stderr)))
    }
}
