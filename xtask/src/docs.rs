//! `docs`: the generated crate's documentation as docs.rs builds it (all
//! features, `--cfg docsrs`, nightly features through `RUSTC_BOOTSTRAP`),
//! with rustdoc's warnings (broken intra-doc links) as errors, and then the
//! check that docs.rs will show what each item needs: every feature of the
//! manifest labels at least one page ("Available on crate feature …"), and
//! the gated top-level modules are labelled in the crate's index.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The modules whose label the crate's index must show, with their feature.
const MODULES: &[(&str, &str)] = &[("client", "client"), ("webhooks", "webhooks"), ("receiver", "receiver")];

/// `cargo xtask docs`.
pub fn run(root: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args(["doc", "-p", "dealpos", "--all-features", "--no-deps"])
        // As in `[package.metadata.docs.rs]` of templates/crate/Cargo.toml.
        .env("RUSTDOCFLAGS", "--cfg docsrs -D warnings")
        // docs.rs builds with nightly; `doc_cfg` is a nightly feature.
        .env("RUSTC_BOOTSTRAP", "1");
    let status = command.status().map_err(|e| format!("cargo doc: {e}"))?;
    if !status.success() {
        return Err(format!("cargo doc failed ({status}): rustdoc warnings are errors here"));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let manifest = read(&root.join("generated/Cargo.toml"))?;
    let problems = check(&target.join("doc/dealpos"), &manifest)?;
    if problems.is_empty() {
        println!("docs: no rustdoc warnings; every feature labels its items");
        Ok(())
    } else {
        Err(format!("docs.rs would not show what items need:\n  {}", problems.join("\n  ")))
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The features a manifest defines, but `default` and `full` (which gate
/// nothing themselves).
fn features(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .skip_while(|l| l.trim() != "[features]")
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.split_once(" = ").map(|(name, _)| name.trim()))
        .filter(|name| !name.is_empty() && !name.starts_with('#') && !["default", "full"].contains(name))
        .map(str::to_string)
        .collect()
}

/// What is missing from the HTML under `doc` (the crate's directory).
fn check(doc: &Path, manifest: &str) -> Result<Vec<String>, String> {
    let index = read(&doc.join("index.html"))?;
    let mut problems = Vec::new();
    for (module, feature) in MODULES {
        let label = format!("title=\"Available on crate feature `{feature}` only\"><code>{feature}</code>");
        if index.contains(&format!("href=\"{module}/index.html\"")) && !index.contains(&label) {
            problems.push(format!("index.html: the module `{module}` has no `{feature}` label"));
        }
    }
    let mut pages = Vec::new();
    html_files(doc, &mut pages)?;
    let mut unlabelled = features(manifest);
    for page in pages {
        let text = read(&page)?;
        unlabelled.retain(|f| !labelled(&text, f));
        if unlabelled.is_empty() {
            break;
        }
    }
    problems.extend(unlabelled.into_iter().map(|f| format!("no page shows \"Available on crate feature `{f}`\"")));
    Ok(problems)
}

/// Whether a page has a portability label naming `feature`: "Available on
/// crate feature(s) … only", its features as `<code>` (the item's banner) or
/// in backquotes (the `title` of an index entry).
fn labelled(page: &str, feature: &str) -> bool {
    page.split("Available on ").skip(1).any(|label| {
        let label = label.split(" only").next().unwrap_or(label);
        label.contains(&format!("<code>{feature}</code>")) || label.contains(&format!("`{feature}`"))
    })
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            html_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
    out.sort();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_read_from_the_manifest_section_only() {
        let manifest = "[package]\nname = \"x\"\n\n[features]\ndefault = [\"client\", \"full\"]\n## A doc.\nclient = []\nfull = [\"invoice\"]\ninvoice = []\n\n[dependencies]\nserde = \"1\"\n";
        assert_eq!(features(manifest), ["client", "invoice"]);
    }

    #[test]
    fn a_feature_no_page_labels_and_an_unlabelled_module_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let label = |f: &str| {
            format!(
                "<span class=\"stab portability\" title=\"Available on crate feature `{f}` only\"><code>{f}</code></span>"
            )
        };
        let index = format!(
            "<a href=\"client/index.html\">client</a>{}<a href=\"webhooks/index.html\">webhooks</a>",
            label("client")
        );
        std::fs::write(dir.path().join("index.html"), index).unwrap();
        std::fs::create_dir(dir.path().join("models")).unwrap();
        let item = "<div class=\"item-info\"><div class=\"stab portability\">Available on <strong>crate feature <code>invoice</code></strong> only.</div></div>";
        std::fs::write(dir.path().join("models/struct.Invoice.html"), item).unwrap();
        // `product` is named on a page, but in no label.
        std::fs::write(dir.path().join("models/struct.Product.html"), "<code>product</code> Available on nothing")
            .unwrap();
        let manifest = "[features]\nclient = []\ninvoice = []\nproduct = []\nwebhooks = []\n";
        let problems = check(dir.path(), manifest).unwrap();
        assert_eq!(
            problems,
            [
                "index.html: the module `webhooks` has no `webhooks` label",
                "no page shows \"Available on crate feature `product`\"",
                "no page shows \"Available on crate feature `webhooks`\"",
            ]
        );
    }
}
