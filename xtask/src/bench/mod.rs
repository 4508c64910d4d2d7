//! `cargo xtask bench`: every benchmark, each beside its baseline from the
//! same run, as one table (printed, and with `--readme` written into
//! README.md's Performance section).
//!
//! - criterion benches (release): `regen` (generator), `parse` and `client`
//!   (tests crate); their results are read back from `target/criterion`.
//! - build times of `dealpos` itself for several feature sets, its
//!   dependencies built beforehand, in `target/bench-build`.
//! - progenitor's generation and rebuild of Oxide's `nexus.json` against
//!   ours ([`progenitor`]).
//! - `xtask regen` as maintainers run it (dev profile) against the same
//!   binary built with `--release`: the dev profile's overrides in the root
//!   `Cargo.toml` are what keeps the two close.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

mod progenitor;

const START: &str = "<!-- bench:start (written by `cargo xtask bench --readme`; do not edit) -->";
const END: &str = "<!-- bench:end -->";

/// Criterion's timing options: short, since the table reports ratios.
const CRITERION: &[&str] = &["--warm-up-time", "1", "--measurement-time", "5"];

/// Feature sets whose build time is measured; the first is the baseline.
const BUILDS: &[(&str, &[&str])] = &[
    ("all features", &["--all-features"]),
    ("default features (client, every tag, webhooks)", &[]),
    ("one tag (`client`, `invoice`)", &["--no-default-features", "--features", "client,invoice"]),
    ("webhooks only (`webhooks`)", &["--no-default-features", "--features", "webhooks"]),
];

/// `cargo xtask bench [--readme] [--no-criterion] [--no-build]`.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let has = |flag: &str| args.iter().any(|a| a == flag);
    if let Some(unknown) = args.iter().find(|a| !["--readme", "--no-criterion", "--no-build"].contains(&a.as_str())) {
        return Err(format!(
            "unknown argument {unknown}\nusage: cargo xtask bench [--readme] [--no-criterion] [--no-build]"
        ));
    }
    if !has("--no-criterion") {
        for (package, bench) in
            [("dealpos-generator", "regen"), ("dealpos-tests", "parse"), ("dealpos-tests", "client")]
        {
            let status = Command::new(env!("CARGO"))
                .args(["bench", "-p", package, "--bench", bench, "--"])
                .args(CRITERION)
                .current_dir(root)
                .status()
                .map_err(|e| format!("cargo bench: {e}"))?;
            if !status.success() {
                return Err(format!("cargo bench -p {package} --bench {bench} failed ({status})"));
            }
        }
    }
    let measured = if has("--no-build") {
        None
    } else {
        let builds = build_times(root)?;
        let regen = regen_profiles(root)?;
        Some(Measured { builds, regen, progenitor: progenitor::compare(root)? })
    };
    let table = table(root, measured.as_ref())?;
    println!("\n{table}");
    if has("--readme") {
        let path = root.join("README.md");
        let readme = std::fs::read_to_string(&path).map_err(|e| format!("README.md: {e}"))?;
        let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
            return Err(format!("README.md: the markers `{START}` and `{END}` are missing"));
        };
        let updated = format!("{}{START}\n\n{table}\n{}", &readme[..start], &readme[end..]);
        crate::files::write_atomic(&path, updated.as_bytes())?;
        println!("README.md: Performance table updated");
    }
    Ok(())
}

/// The time `cargo build -p dealpos --lib` takes for each feature set, with
/// its dependencies already built: the crate's own cost to its users.
fn build_times(root: &Path) -> Result<Vec<(&'static str, Duration)>, String> {
    let target = root.join("target/bench-build");
    let cargo = |args: &[&str]| -> Result<(), String> {
        let out = Command::new(env!("CARGO"))
            .args(args)
            .arg("--target-dir")
            .arg(&target)
            .current_dir(root)
            .output()
            .map_err(|e| format!("cargo {}: {e}", args.join(" ")))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("cargo {} failed:\n{}", args.join(" "), String::from_utf8_lossy(&out.stderr)))
        }
    };
    let mut out = Vec::new();
    for (name, features) in BUILDS {
        let build: Vec<&str> =
            ["build", "--quiet", "-p", "dealpos", "--lib"].iter().chain(*features).copied().collect();
        cargo(&build)?;
        // The better of two clean builds of the crate alone.
        let mut best = Duration::MAX;
        for _ in 0..2 {
            cargo(&["clean", "--quiet", "-p", "dealpos"])?;
            let start = Instant::now();
            cargo(&build)?;
            best = best.min(start.elapsed());
        }
        println!("build of dealpos, {name}: {best:.1?}");
        out.push((*name, best));
    }
    Ok(out)
}

/// What the build measurements (not `--no-build`) give.
struct Measured {
    builds: Vec<(&'static str, Duration)>,
    /// `xtask regen`: dev profile, release.
    regen: (Duration, Duration),
    progenitor: progenitor::Comparison,
}

/// Wall time of `xtask regen` (a no-op: `generated/` is up to date) built in
/// the dev profile and in release: the better of five runs each.
fn regen_profiles(root: &Path) -> Result<(Duration, Duration), String> {
    let mut best = [Duration::MAX; 2];
    for (slot, (profile, dir)) in [("dev", "debug"), ("release", "release")].into_iter().enumerate() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "xtask", "--profile", profile])
            .current_dir(root)
            .status()
            .map_err(|e| format!("cargo build -p xtask --profile {profile}: {e}"))?;
        if !status.success() {
            return Err(format!("cargo build -p xtask --profile {profile} failed ({status})"));
        }
        let binary = root.join("target").join(dir).join("xtask");
        for _ in 0..5 {
            let start = Instant::now();
            let out = Command::new(&binary)
                .arg("regen")
                .current_dir(root)
                .output()
                .map_err(|e| format!("{}: {e}", binary.display()))?;
            if !out.status.success() {
                return Err(format!("xtask regen ({profile}) failed:\n{}", String::from_utf8_lossy(&out.stderr)));
            }
            best[slot] = best[slot].min(start.elapsed());
        }
        println!("xtask regen, {profile} profile: {:.0?}", best[slot]);
    }
    Ok((best[0], best[1]))
}

/// A criterion result: mean time per iteration (ns) and the throughput unit
/// count per iteration.
struct Estimate {
    nanos: f64,
    per_iteration: Option<f64>,
}

fn estimate(root: &Path, id: &str) -> Result<Estimate, String> {
    let dir = root.join("target/criterion").join(id).join("new");
    let read = |file: &str| -> Result<Value, String> {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: {e} (run `cargo xtask bench` without --no-criterion)", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let nanos = read("estimates.json")?["mean"]["point_estimate"]
        .as_f64()
        .ok_or_else(|| format!("{id}: estimates.json has no mean"))?;
    let throughput = read("benchmark.json")?["throughput"].clone();
    let per_iteration = ["Bytes", "Elements"].iter().find_map(|k| throughput[k].as_f64());
    Ok(Estimate { nanos, per_iteration })
}

fn ms(e: &Estimate) -> String {
    format!("{:.1} ms", e.nanos / 1e6)
}

fn mb_per_s(e: &Estimate) -> f64 {
    e.per_iteration.unwrap_or(0.0) / e.nanos * 1e9 / 1e6
}

fn verdict(met: bool) -> &'static str {
    if met { "yes" } else { "**no**" }
}

fn table(root: &Path, measured: Option<&Measured>) -> Result<String, String> {
    let mut rows = vec![
        "| measure | result | baseline (same run) | ratio | target | met |".to_string(),
        "|---|---:|---|---:|---|---|".to_string(),
    ];
    let regen = estimate(root, "regen/dealpos")?;
    let parse_only = estimate(root, "regen/dealpos-parse-only")?;
    rows.push(format!(
        "| regenerate DealPOS (both descriptions, overlays) | {} | reading their YAML only: {} | {:.1}× | ≤ 250 ms | {} |",
        ms(&regen),
        ms(&parse_only),
        regen.nanos / parse_only.nanos,
        verdict(regen.nanos <= 250e6)
    ));
    let nexus = estimate(root, "regen/nexus")?;
    rows.push(format!(
        "| regenerate Oxide Nexus (`nexus.json`, 437 kB) | {} | DealPOS: {} | {:.2}× | — | — |",
        ms(&nexus),
        ms(&regen),
        nexus.nanos / regen.nanos
    ));
    if let Some(Measured { regen: (dev, release), progenitor, .. }) = measured {
        let ratio = dev.as_secs_f64() / release.as_secs_f64();
        rows.push(format!(
            "| `xtask regen` as maintainers run it (dev profile, no-op) | {:.0} ms | `--release`: {:.0} ms | {ratio:.2}× | ≤ 1.5× | {} |",
            dev.as_secs_f64() * 1e3,
            release.as_secs_f64() * 1e3,
            verdict(ratio <= 1.5)
        ));
        let secs = |d: &Duration| d.as_secs_f64();
        let (ours, theirs) = progenitor.generate;
        let ratio = secs(&ours) / secs(&theirs);
        rows.push(format!(
            "| generate a crate from `nexus.json` (whole process, release) | {:.0} ms | progenitor 0.15: {:.0} ms | {ratio:.2}× | ≤ 0.1× | {} |",
            secs(&ours) * 1e3,
            secs(&theirs) * 1e3,
            verdict(ratio <= 0.1)
        ));
        let (ours, theirs) = progenitor.rebuild;
        let ratio = secs(&ours) / secs(&theirs);
        rows.push(format!(
            "| rebuild that crate alone (dependencies built) | {:.1} s | progenitor 0.15's: {:.1} s | {ratio:.2}× | ≤ 0.5× | {} |",
            secs(&ours),
            secs(&theirs),
            verdict(ratio <= 0.5)
        ));
    }
    let one = estimate(root, "regen/scale/1")?;
    for copies in [2, 4, 8] {
        let e = estimate(root, &format!("regen/scale/{copies}"))?;
        rows.push(format!(
            "| regenerate the DealPOS API ×{copies} (size {:.1}×) | {} | ×1: {} | {:.2}× | linear | {} |",
            e.per_iteration.unwrap_or(0.0) / one.per_iteration.unwrap_or(1.0),
            ms(&e),
            ms(&one),
            e.nanos / one.nanos,
            // Linear, allowing for cache effects: under 1.5× the size ratio.
            verdict(e.nanos / one.nanos <= 1.5 * f64::from(copies))
        ));
    }
    let builds = measured.map_or(&[][..], |m| &m.builds[..]);
    if let Some(((base_name, base), rest)) = builds.split_first() {
        rows.push(format!("| build `dealpos`, {base_name} | {base:.1?} | — | 1.00× | — | — |"));
        for (name, time) in rest {
            let ratio = time.as_secs_f64() / base.as_secs_f64();
            let target =
                if name.starts_with("one tag") { ("≤ 0.30×", verdict(ratio <= 0.30)) } else { ("—", "—") };
            rows.push(format!(
                "| build `dealpos`, {name} | {time:.1?} | all features: {base:.1?} | {ratio:.2}× | {} | {} |",
                target.0, target.1
            ));
        }
    }
    let (ours, plain, value) =
        (estimate(root, "parse/dealpos")?, estimate(root, "parse/plain")?, estimate(root, "parse/value")?);
    rows.push(format!(
        "| parse webhook and list payloads into `dealpos` types | {:.0} MB/s | plain derived structs: {:.0} MB/s | {:.2}× | ≥ 0.9× | {} |",
        mb_per_s(&ours),
        mb_per_s(&plain),
        mb_per_s(&ours) / mb_per_s(&plain),
        verdict(mb_per_s(&ours) >= 0.9 * mb_per_s(&plain))
    ));
    rows.push(format!(
        "| (same) | {:.0} MB/s | `serde_json::Value`: {:.0} MB/s | {:.2}× | ≥ 2× | {} |",
        mb_per_s(&ours),
        mb_per_s(&value),
        mb_per_s(&ours) / mb_per_s(&value),
        verdict(mb_per_s(&ours) >= 2.0 * mb_per_s(&value))
    ));
    let (client, raw) = (estimate(root, "client/dealpos")?, estimate(root, "client/reqwest")?);
    let rps = |e: &Estimate| 1e9 / e.nanos;
    rows.push(format!(
        "| list products through `dealpos::Client` (loopback) | {:.0} req/s | raw reqwest, same requests: {:.0} req/s | {:.2}× | ≥ 0.9× | {} |",
        rps(&client),
        rps(&raw),
        rps(&client) / rps(&raw),
        verdict(rps(&client) >= 0.9 * rps(&raw))
    ));
    Ok(format!("{}\n\n{}\n", rows.join("\n"), machine()))
}

/// What the figures were measured on.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!("Measured on {cpu}, {cores} cores, {rustc}, {}.", crate::files::today())
}
