//! `tools` installs the non-Rust tools the checks use (Redocly CLI and Prism
//! from npm, openapi-spec-validator from PyPI) into `target/tools`; `test`
//! installs them and runs every test; `validate` lints the descriptions.

use std::path::Path;
use std::process::Command;

const NPM_PACKAGES: &[&str] = &["@redocly/cli@2.77.0", "@stoplight/prism-cli@5.16.0"];
const PIP_PACKAGES: &[&str] = &["openapi-spec-validator==0.9.0"];
const SPECS: &[&str] = &["spec/dealpos-api.yaml", "spec/dealpos-webhooks.yaml"];

fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let status = command.status().map_err(|e| format!("{shown}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{shown} failed ({status})")) }
}

/// `cargo xtask tools`.
pub fn install(root: &Path) -> Result<(), String> {
    let tools = root.join("target/tools");
    std::fs::create_dir_all(&tools).map_err(|e| format!("{}: {e}", tools.display()))?;
    let bin = tools.join("node_modules/.bin");
    if !bin.join("redocly").exists() || !bin.join("prism").exists() {
        run(Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&tools)
            .args(NPM_PACKAGES))?;
    }
    let venv = tools.join("venv");
    if !venv.join("bin/openapi-spec-validator").exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run(Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(PIP_PACKAGES))?;
    }
    Ok(())
}

/// `cargo xtask validate`: both descriptions through both validators.
pub fn validate(root: &Path) -> Result<(), String> {
    install(root)?;
    let tools = root.join("target/tools");
    run(Command::new(tools.join("node_modules/.bin/redocly"))
        .current_dir(root)
        .args(["lint", "--config", "redocly.yaml", "--format=summary"])
        .args(SPECS))?;
    run(Command::new(tools.join("venv/bin/openapi-spec-validator")).current_dir(root).args(SPECS))
}

/// `cargo xtask test`: the tools, then `cargo test --workspace`.
pub fn test(root: &Path, extra: &[String]) -> Result<(), String> {
    install(root)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(cargo).current_dir(root).args(["test", "--workspace"]).args(extra))
}
