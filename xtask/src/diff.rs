//! `cargo xtask diff OLD NEW`: what changed between two versions of a
//! description, for users of `dealpos` (see `dealpos_generator::diff`).

use std::path::Path;

use dealpos_generator::diff::{self, Change, Format, Report};
use dealpos_generator::load::{self, Source};

use crate::lock::{self, Lock};
use crate::{git, regen};

/// The crate a description is diffed in: its module and, for each side, the
/// crate's other descriptions with their modules, so that `$ref`s from one
/// description to another link to the other module's types as `regen` links
/// them (a webhook payload's `models::InvoiceDetailVariant`). Empty: the
/// description alone.
#[derive(Debug, Clone, Default)]
pub struct Among {
    /// The module the description becomes (`models` when empty).
    pub module: String,
    /// The other descriptions beside the old version, with their modules.
    pub old: Vec<(Source, String)>,
    /// The other descriptions beside the new version.
    pub new: Vec<(Source, String)>,
}

impl Among {
    /// The descriptions of `lock` other than `file` (by file name), each read
    /// by `read` from its file name (`None`: not there, left out), and the
    /// module of `file`.
    pub fn of(
        lock: &Lock,
        file: &str,
        read: impl Fn(&str) -> Result<Option<Source>, String>,
    ) -> Result<(String, Vec<(Source, String)>), String> {
        let module = lock.descriptions.iter().find(|e| e.file == file).map(|e| e.module.clone()).unwrap_or_default();
        let mut others = Vec::new();
        for entry in lock.descriptions.iter().filter(|e| e.file != file) {
            if let Some(source) = read(&entry.file)? {
                others.push((source, entry.module.clone()));
            }
        }
        Ok((module, others))
    }
}

/// One description's section of a report: its heading and its changes.
/// Each version is read through its own overlays (those of its revision),
/// picked by the old file's name (or, if none extends it, the new one's), as
/// `regen` would read them: an overlay removed since, because DealPOS fixed
/// what it corrected, then reads as no change rather than as the fix. The
/// other descriptions of `among` are read through their overlays of the same
/// side.
pub fn section(
    old: Source,
    new: Source,
    old_overlays: &[Source],
    new_overlays: &[Source],
    among: &Among,
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
    let module = if among.module.is_empty() { "models".to_string() } else { among.module.clone() };
    let analyse = |source: Source, mine: &[Source], others: &[(Source, String)], overlays: &[Source]| {
        let mut specs = vec![(source, module.clone(), mine.iter().collect::<Vec<_>>())];
        for (other, other_module) in others {
            let theirs = dealpos_generator::overlays_for(&other.name, overlays).map_err(|e| e.to_string())?;
            specs.push((other.clone(), other_module.clone(), theirs));
        }
        dealpos_generator::analyse_among(specs, 0).map_err(|e| e.to_string())
    };
    let old = analyse(old, &old_mine, &among.old, old_overlays).map_err(|e| format!("old description: {e}"))?;
    let new = analyse(new, &new_mine, &among.new, new_overlays).map_err(|e| format!("new description: {e}"))?;
    let files = if old_name == new_name { old_name } else { format!("{old_name} → {new_name}") };
    let heading = format!("{} {} → {} ({files})", new.title, old.version, new.version);
    Ok((heading, diff::diff(&old, &new)))
}

/// `name` with its file name replaced by `file`: a sibling of the description
/// named `name`, named so that its `$ref`s by file name resolve to it.
pub fn beside(name: &str, file: &str) -> String {
    match name.rfind(['/', '\\']) {
        Some(i) => format!("{}{file}", &name[..=i]),
        None => file.to_string(),
    }
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
    let among = among(root, &old, &new)?;
    let section = section(old.source, new.source, &old_overlays, &new_overlays, &among).map_err(|e| {
        if with_overlays {
            format!("{e}\n(a description may not fit its overlays: --no-overlays compares them as published)")
        } else {
            e
        }
    })?;
    report(root, vec![section])
}

/// The crate the compared description belongs to, by its file name in
/// `spec/lock.json` (none: it is diffed alone): each side's other
/// descriptions are those of `spec/` at the side's revision (today's for a
/// file), named beside the side's description so its `$ref`s reach them.
fn among(root: &Path, old: &Side, new: &Side) -> Result<Among, String> {
    let Ok(lock) = lock::read(&root.join("spec")) else { return Ok(Among::default()) };
    let file = |side: &Side| side.source.name.rsplit(['/', '\\', ':']).next().unwrap_or_default().to_string();
    let file = [file(old), file(new)].into_iter().find(|f| lock.descriptions.iter().any(|e| e.file == *f));
    let Some(file) = file else { return Ok(Among::default()) };
    let others = |side: &Side| {
        Among::of(&lock, &file, |other| {
            let name = beside(&side.source.name, other);
            let relative = format!("spec/{other}");
            match &side.rev {
                Some(rev) => match git::show(root, rev, &relative) {
                    Ok(bytes) => git::parse(&name, bytes).map(Some),
                    Err(_) => Ok(None),
                },
                None => {
                    let text = std::fs::read_to_string(root.join(&relative))
                        .map_err(|e| format!("{relative}: cannot read: {e}"))?;
                    load::parse(&name, &text).map(Some).map_err(|e| e.to_string())
                }
            }
        })
    };
    let ((module, old_others), (_, new_others)) = (others(old)?, others(new)?);
    Ok(Among { module, old: old_others, new: new_others })
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

#[cfg(test)]
mod tests {
    use dealpos_generator::diff::Kind;

    use crate::testing::{commit_all, init, write};

    const SHOP: &str = "openapi: 3.1.0
info: {title: Shop, version: '1'}
paths:
  /Invoice:
    get:
      operationId: getInvoice
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Invoice'}}}}
components:
  schemas:
    Invoice: {type: object, properties: {Total: {type: integer}}}
";

    const OVERLAY: &str = "overlay: 1.0.0
info: {title: Corrections, version: 1.0.0}
extends: ../shop.yaml
actions:
  - target: $.info
    description: a harmless action, so that the file stays
    update: {description: Shop}
";

    const LOCK: &str = r#"{"descriptions": [], "released": {"version": "0.1.0", "date": "2026-12-01", "sha256": {}}}"#;

    /// DealPOS fixes what an overlay corrected (`Total` integer → number) and
    /// the overlay goes: with the overlays of each revision nothing changed
    /// for users; with today's on both sides, the fix reads as a new type.
    #[test]
    fn a_revision_is_read_through_its_own_overlays() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let root = dir.path();
        init(root);
        write(root, "spec/lock.json", LOCK);
        write(root, "spec/shop.yaml", SHOP);
        let fix = "  - target: $.components.schemas.Invoice.properties.Total\n    description: decimals arrive\n    update: {type: number}\n";
        write(root, "spec/overlays/shop.yaml", &format!("{OVERLAY}{fix}"));
        commit_all(root, "the overlay corrects Total");
        write(root, "spec/shop.yaml", &SHOP.replace("Total: {type: integer}", "Total: {type: number}"));
        write(root, "spec/overlays/shop.yaml", OVERLAY);
        commit_all(root, "DealPOS fixed Total; the overlay goes");

        let report = super::compare(root, root, "HEAD~1:spec/shop.yaml", "spec/shop.yaml", true).expect("diff");
        assert_eq!(report.changes().count(), 0, "{}", report.render(super::Format::Text));
        let report = super::compare(root, root, "HEAD~1:spec/shop.yaml", "HEAD:spec/shop.yaml", true).expect("diff");
        assert_eq!(report.changes().count(), 0, "{}", report.render(super::Format::Text));

        // Without the overlays, the fix is what the published files show.
        let bare = super::compare(root, root, "HEAD~1:spec/shop.yaml", "spec/shop.yaml", false).expect("diff");
        assert!(bare.changes().any(|c| c.kind == Kind::FieldTypeChanged), "{}", bare.render(super::Format::Text));
    }

    #[test]
    fn a_revision_without_spec_overlays_uses_todays() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let root = dir.path();
        init(root);
        write(root, "spec/shop.yaml", SHOP);
        commit_all(root, "no overlays yet");
        write(root, "spec/lock.json", LOCK);
        write(root, "spec/overlays/shop.yaml", OVERLAY);
        let report = super::compare(root, root, "HEAD:spec/shop.yaml", "spec/shop.yaml", true).expect("diff");
        assert_eq!(report.changes().count(), 0, "{}", report.render(super::Format::Text));
        let error = super::compare(root, root, "HEAD:spec/none.yaml", "spec/shop.yaml", true).expect_err("missing");
        assert!(error.starts_with("HEAD:spec/none.yaml: "), "{error}");
    }

    /// The webhook description refers to the REST one's types: each side is
    /// read among the crate's other descriptions of that side (spec/lock.json),
    /// so both link (alone, its `$ref` to the REST overlay's `Gender` would
    /// dangle), nothing changed reads as nothing, and a field pointed at
    /// another REST type reads as that type's path.
    #[test]
    fn a_description_referring_to_another_is_read_among_the_crates() {
        let dir = crate::testing::scratch();
        let root = dir.path();
        init(root);
        commit_all(root, "the workspace");
        let (old, new) = ("HEAD:spec/dealpos-webhooks.yaml", "spec/dealpos-webhooks.yaml");
        let report = super::compare(root, root, old, new, true).expect("diff");
        assert_eq!(report.changes().count(), 0, "{}", report.render(super::Format::Text));

        let overlay = root.join("spec/overlays/dealpos-webhooks.yaml");
        let text = std::fs::read_to_string(&overlay).expect("the webhook overlay");
        let from = "update: {$ref: 'dealpos-api.yaml#/components/schemas/InvoiceDetailVariant'}";
        assert!(text.contains(from), "the overlay points the invoice lines at InvoiceDetailVariant");
        write(root, "spec/overlays/dealpos-webhooks.yaml", &text.replace(from, &from.replace("Variant'", "Payment'")));
        let report = super::compare(root, root, old, new, true).expect("diff");
        let changes: Vec<_> = report.changes().collect();
        assert!(
            changes.iter().any(|c| c.kind == Kind::FieldTypeChanged
                && c.detail == "`Vec<models::InvoiceDetailVariant>` → `Vec<models::InvoiceDetailPayment>`"),
            "{}",
            report.render(super::Format::Text)
        );
    }
}
