//! `release` on a fixture history in a temporary git repository: a copy of
//! the workspace's spec/ and generated/, released as 0.1.0 and tagged, then a
//! breaking, a compatible and a patch change to the webhook description, each
//! taken in with `refresh --file` and released in turn (0.2.0, 0.2.1, 0.2.2).

use std::collections::BTreeMap;
use std::path::Path;

use dealpos_generator::diff::Impact;
use serde_json::Value;

use super::{Bump, Options, Plan, run};
use crate::testing::{commit_all, git, init, scratch, tree};

const WEBHOOKS: &str = "dealpos-webhooks.yaml";

const FIRST: &str = "## 0.1.0 (2026-12-02)\n\nThe first release.\n";

/// The workspace as of release 0.1.0, committed and tagged `dealpos-v0.1.0`.
fn history() -> tempfile::TempDir {
    let dir = scratch();
    // The workspace's descriptions may have moved on since its real 0.1.0:
    // the fixture's release record is of the descriptions it commits.
    let spec = dir.path().join("spec");
    let mut lock = crate::lock::read(&spec).expect("spec/lock.json");
    let shas = lock.descriptions.iter().map(|d| (d.file.clone(), d.sha256.clone())).collect();
    lock.released.as_mut().expect("a release record").sha256 = shas;
    crate::lock::write(&spec, &lock).expect("write spec/lock.json");
    let text = format!("{}\n\n{FIRST}", super::changelog::HEADER.trim_end());
    std::fs::write(dir.path().join("CHANGELOG.md"), text).expect("write CHANGELOG.md");
    init(dir.path());
    commit_all(dir.path(), "dealpos 0.1.0");
    git(dir.path(), &["tag", "dealpos-v0.1.0"]);
    dir
}

/// DealPOS publishes a new webhook description: `edit` applied to the one in
/// spec/, taken in as a maintainer would, with `refresh --file`.
fn upstream(root: &Path, edit: impl FnOnce(&mut Value)) {
    let text = std::fs::read_to_string(root.join("spec").join(WEBHOOKS)).expect("the description");
    let mut doc: Value = yaml_serde::from_str(&text).expect("YAML");
    edit(&mut doc);
    let new = root.join("upstream.yaml");
    std::fs::write(&new, yaml_serde::to_string(&doc).expect("YAML")).expect("write upstream.yaml");
    let options = crate::refresh::Options {
        files: BTreeMap::from([(WEBHOOKS.to_string(), new.display().to_string())]),
        ..crate::refresh::Options::default()
    };
    crate::refresh::run(root, &options).expect("refresh takes the description in");
    std::fs::remove_file(new).expect("remove upstream.yaml");
}

fn payload(doc: &mut Value) -> &mut Value {
    &mut doc["components"]["schemas"]["SalesOrderDeletedPayload"]
}

/// What release writes or regenerates.
fn written(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = tree(root, &["spec", "generated"]);
    files.insert("CHANGELOG.md".into(), std::fs::read(root.join("CHANGELOG.md")).expect("CHANGELOG.md"));
    files
}

/// A dry run, which must write nothing, then the release it announced.
fn release(root: &Path, options: Options) -> Plan {
    let before = written(root);
    let dry = run(root, &Options { dry_run: true, ..options.clone() }).expect("release --dry-run");
    assert!(written(root) == before, "--dry-run wrote files");
    let plan = run(root, &options).expect("release");
    assert_eq!((plan.version.as_str(), plan.entry.as_str()), (dry.version.as_str(), dry.entry.as_str()));
    let manifest = std::fs::read_to_string(root.join("generated/Cargo.toml")).expect("the manifest");
    assert!(manifest.contains(&format!("\nversion = \"{}\"\n", plan.version)), "{manifest}");
    let lock = crate::lock::read(&root.join("spec")).expect("the lock");
    let released = lock.released.expect("a release record");
    assert_eq!(released.version, plan.version);
    assert!(lock.descriptions.iter().all(|e| released.sha256.get(&e.file) == Some(&e.sha256)));
    commit_all(root, &format!("dealpos {}", plan.version));
    git(root, &["tag", &super::tag(&plan.version)]);
    plan
}

#[test]
fn breaking_compatible_and_patch_changes_release_in_turn() {
    let dir = history();
    let root = dir.path();

    upstream(root, |doc| {
        doc["webhooks"].as_object_mut().expect("webhooks").remove("shiftClose");
    });
    let plan = release(root, Options::default());
    assert_eq!((plan.from.as_str(), plan.version.as_str(), plan.verdict), ("0.1.0", "0.2.0", Some(Impact::Breaking)));
    assert!(plan.entry.contains("- `webhook shiftClose`: event removed"), "{}", plan.entry);

    upstream(root, |doc| payload(doc)["properties"]["Channel"] = serde_json::json!({"type": "string"}));
    let plan = release(root, Options::default());
    assert_eq!((plan.version.as_str(), plan.verdict), ("0.2.1", Some(Impact::Compatible)));

    upstream(root, |doc| payload(doc)["description"] = "A sales order, deleted.".into());
    let plan = release(root, Options::default());
    assert_eq!((plan.version.as_str(), plan.verdict), ("0.2.2", Some(Impact::Patch)));

    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).expect("CHANGELOG.md");
    let headings: Vec<&str> = changelog.lines().filter(|l| l.starts_with("## ")).collect();
    let today = crate::files::today();
    assert_eq!(
        headings,
        [
            format!("## 0.2.2 ({today})"),
            format!("## 0.2.1 ({today})"),
            format!("## 0.2.0 ({today})"),
            "## 0.1.0 (2026-12-02)".into()
        ]
    );
    assert!(changelog.starts_with("# Changelog\n"), "{changelog}");
    assert!(changelog.ends_with(FIRST), "{changelog}");
    let newest = changelog.split("\n## ").nth(1).expect("an entry");
    assert_eq!(
        newest,
        format!(
            "0.2.2 ({today})\n\nSince 0.2.1 (`dealpos-v0.2.1`).\n\n\
             ### DealPOS API 3.1.0 → 3.1.0 (spec/dealpos-api.yaml)\n\nNo changes.\n\n\
             ### Product Webhook API 1.0.0 → 1.0.0 (spec/dealpos-webhooks.yaml)\n\n\
             #### Patch\n\n- `type SalesOrderDeletedPayload`: description changed\n\n\
             **dealpos 0.2.1 → 0.2.2: patch release (0 breaking, 0 compatible, 1 patch)**\n"
        )
    );
}

#[test]
fn the_verdict_can_be_raised_by_hand_never_lowered() {
    let dir = history();
    let root = dir.path();
    let error = run(root, &Options::default()).expect_err("nothing changed");
    assert!(error.starts_with("nothing to release"), "{error}");
    let dry = |bump| run(root, &Options { dry_run: true, bump: Some(bump), since: None });
    assert_eq!(dry(Bump::Patch).expect("a patch release by hand").version, "0.1.1");

    upstream(root, |doc| payload(doc)["properties"]["Channel"] = serde_json::json!({"type": "string"}));
    assert_eq!(dry(Bump::Patch).expect("the same as the verdict").version, "0.1.1");
    let plan = dry(Bump::Minor).expect("raised");
    assert_eq!(plan.version, "0.2.0");
    assert!(plan.entry.contains("Released as 0.2.0: the version was raised by hand"), "{}", plan.entry);
    assert_eq!(dry(Bump::Major).expect("raised").version, "1.0.0");

    upstream(root, |doc| {
        doc["webhooks"].as_object_mut().expect("webhooks").remove("shiftClose");
    });
    let error = dry(Bump::Patch).expect_err("lowered");
    assert!(error.contains("--bump patch gives 0.1.1, below the 0.2.0") && error.contains("never lowered"), "{error}");
}

#[test]
fn hostile_inputs_name_their_file() {
    let dir = history();
    let root = dir.path();
    let fails = |what: &str| run(root, &Options::default()).expect_err(what);

    let changelog = root.join("CHANGELOG.md");
    std::fs::write(&changelog, "## 0.1.0\n").expect("write");
    let error = run(root, &Options { bump: Some(Bump::Patch), ..Options::default() }).expect_err("no header");
    assert!(error.starts_with("CHANGELOG.md: the first line is not a `# ` header"), "{error}");

    let description = root.join("spec").join(WEBHOOKS);
    let bytes = std::fs::read(&description).expect("read");
    std::fs::write(&description, [bytes.as_slice(), b"# edited by hand\n"].concat()).expect("write");
    let error = fails("dirty");
    assert!(error.contains("dealpos-webhooks.yaml: sha256") && error.contains("spec/ is dirty"), "{error}");
    std::fs::write(&description, bytes).expect("restore");

    git(root, &["tag", "-d", "dealpos-v0.1.0"]);
    let error = fails("no tag");
    assert!(error.starts_with("dealpos-v0.1.0: no such commit") && error.contains("--since"), "{error}");
    // A revision whose descriptions are not the recorded release's.
    let mut lock = crate::lock::read(&root.join("spec")).expect("lock");
    lock.released.as_mut().expect("record").sha256.insert(WEBHOOKS.into(), "00".into());
    crate::lock::write(&root.join("spec"), &lock).expect("write the lock");
    let error = run(root, &Options { since: Some("HEAD".into()), ..Options::default() }).expect_err("misplaced");
    assert!(error.contains("HEAD:spec/dealpos-webhooks.yaml: sha256") && error.contains("not the release commit"));

    lock.released = None;
    crate::lock::write(&root.join("spec"), &lock).expect("write the lock");
    assert!(fails("no record").starts_with("spec/lock.json: no `released` record"));
}
