//! `refresh` against a real HTTP server on loopback: a changed description is
//! taken in; a 404, a refused connection, a body that is not YAML and a
//! description the overlays no longer fit each leave spec/ untouched.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

use dealpos_generator::diff::{Impact, Kind};
use serde_json::Value;

use super::{Options, run};
use crate::testing::{scratch, tree, workspace};

const WEBHOOKS: &str = "dealpos-webhooks.yaml";

/// Serves `status` and `body` to every request, over real HTTP on loopback.
fn serve(status: &'static str, body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let address = listener.local_addr().expect("local address");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/yaml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).and_then(|()| stream.write_all(&body));
        }
    });
    format!("http://{address}/_bundle/webhook/webhook.yaml")
}

fn from(url: String) -> Options {
    Options { urls: BTreeMap::from([(WEBHOOKS.to_string(), url)]), ..Options::default() }
}

/// The webhook description with `shiftClose` gone and a field added to a payload.
fn changed_webhooks() -> Vec<u8> {
    let text = std::fs::read_to_string(workspace().join("spec").join(WEBHOOKS)).expect("the description");
    let mut doc: Value = yaml_serde::from_str(&text).expect("YAML");
    doc["webhooks"].as_object_mut().expect("webhooks").remove("shiftClose");
    doc["components"]["schemas"]["SalesOrderDeletedPayload"]["properties"]["Channel"] =
        serde_json::json!({"type": "string"});
    yaml_serde::to_string(&doc).expect("YAML").into_bytes()
}

fn assert_untouched(root: &Path, before: &BTreeMap<String, Vec<u8>>) {
    let after = tree(root, &["spec", "generated"]);
    let changed: Vec<&String> = after.keys().filter(|k| before.get(*k) != after.get(*k)).collect();
    assert!(changed.is_empty() && after.len() == before.len(), "refresh wrote {changed:?}");
}

#[test]
fn a_changed_description_is_taken_in_and_reported() {
    let dir = scratch();
    let body = changed_webhooks();
    let url = serve("200 OK", body.clone());
    let report = run(dir.path(), &from(url.clone())).expect("refresh succeeds").report;

    assert_eq!(std::fs::read(dir.path().join("spec").join(WEBHOOKS)).expect("written"), body);
    let lock = crate::lock::read(&dir.path().join("spec")).expect("lock");
    let entry = lock.descriptions.iter().find(|e| e.file == WEBHOOKS).expect("entry");
    assert_eq!(entry.sha256, crate::lock::sha256(&body));
    assert_eq!((entry.source.as_deref(), entry.origin.as_str()), (Some(url.as_str()), "downloaded"));
    assert_eq!(entry.date, crate::files::today());
    // generated/ follows, and is what `check` expects.
    crate::regen::check(dir.path()).expect("generated/ is up to date after refresh");
    let webhooks = std::fs::read_to_string(dir.path().join("generated/src/webhooks.rs")).expect("generated");
    assert!(
        webhooks.contains("SalesOrderCreated,") && !webhooks.contains("ShiftClose,"),
        "shiftClose is still generated"
    );

    let found =
        |kind, subject: &str| report.changes().find(|c| c.kind == kind && c.subject == subject).map(|c| c.impact);
    assert_eq!(found(Kind::WebhookRemoved, "webhook shiftClose"), Some(Impact::Breaking));
    assert_eq!(found(Kind::FieldAdded, "SalesOrderDeletedPayload.Channel"), Some(Impact::Compatible));
    assert_eq!(report.verdict(), Some(Impact::Breaking));
    assert!(report.summary().starts_with("dealpos 0.1.0 → 0.2.0: breaking release"), "{}", report.summary());

    // The same bytes again: nothing to do.
    let again = run(dir.path(), &from(serve("200 OK", body))).expect("second refresh");
    assert_eq!(again.report.changes().count(), 0);
}

#[test]
fn check_says_upstream_differs_and_writes_nothing() {
    let dir = scratch();
    let before = tree(dir.path(), &["spec", "generated"]);
    let mut options = from(serve("200 OK", changed_webhooks()));
    options.check = true;
    let error = run(dir.path(), &options).expect_err("upstream differs");
    assert!(error.contains("differ upstream"), "{error}");
    assert_untouched(dir.path(), &before);

    let same = std::fs::read(dir.path().join("spec").join(WEBHOOKS)).expect("description");
    let mut options = from(serve("200 OK", same));
    options.check = true;
    assert!(run(dir.path(), &options).is_ok());
}

fn fails_untouched(options: &Options, expected: &[&str]) {
    let dir = scratch();
    let before = tree(dir.path(), &["spec", "generated"]);
    let error = run(dir.path(), options).expect_err("refresh fails");
    for part in expected {
        assert!(error.contains(part), "`{part}` is not in: {error}");
    }
    assert!(error.contains("spec/ is unchanged"), "{error}");
    assert_untouched(dir.path(), &before);
}

#[test]
fn http_404_leaves_spec_untouched() {
    fails_untouched(
        &from(serve("404 Not Found", b"no such file".to_vec())),
        &["spec/dealpos-webhooks.yaml", "HTTP 404"],
    );
}

#[test]
fn refused_connection_leaves_spec_untouched() {
    let address = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port");
    fails_untouched(
        &from(format!("http://{address}/webhook.yaml")),
        &["spec/dealpos-webhooks.yaml", "connection refused"],
    );
}

#[test]
fn invalid_yaml_leaves_spec_untouched() {
    let body = b"openapi: 3.1.0\ninfo:\n  title: [unclosed\nwebhooks: {}\n".to_vec();
    fails_untouched(
        &from(serve("200 OK", body)),
        &["spec/dealpos-webhooks.yaml:", "YAML", "as served by http://127.0.0.1"],
    );
}

#[test]
fn a_description_the_overlays_no_longer_fit_leaves_spec_untouched() {
    let text = String::from_utf8(changed_webhooks()).expect("UTF-8");
    let mut doc: Value = yaml_serde::from_str(&text).expect("YAML");
    doc["components"]["schemas"].as_object_mut().expect("schemas").remove("SalesOrderDeletedPayload");
    doc["webhooks"].as_object_mut().expect("webhooks").remove("salesOrderDeleted");
    let body = yaml_serde::to_string(&doc).expect("YAML").into_bytes();
    fails_untouched(
        &from(serve("200 OK", body)),
        &["do not generate", "spec/overlays/dealpos-webhooks.yaml", "matches nothing"],
    );
}

/// Points the lock's source of the API description at a port nothing listens
/// on: what a maintainer offline sees for every URL but loopback.
fn unreachable_api(root: &Path) -> String {
    let address = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port");
    let url = format!("http://{address}/_bundle/api.yaml");
    let mut lock = crate::lock::read(&root.join("spec")).expect("lock");
    lock.descriptions.iter_mut().filter(|e| e.file == "dealpos-api.yaml").for_each(|e| e.source = Some(url.clone()));
    crate::lock::write(&root.join("spec"), &lock).expect("write the lock");
    url
}

#[test]
fn a_file_for_one_description_leaves_the_unreachable_other_alone() {
    let dir = scratch();
    unreachable_api(dir.path());
    let new = dir.path().join("new-webhooks.yaml");
    std::fs::write(&new, changed_webhooks()).expect("write the new description");
    let options =
        Options { files: BTreeMap::from([(WEBHOOKS.to_string(), new.display().to_string())]), ..Options::default() };
    let done = run(dir.path(), &options).expect("the named description is taken in, offline");
    assert_eq!(done.skipped.len(), 1, "{:?}", done.skipped);
    assert_eq!(done.skipped[0].0, "spec/dealpos-api.yaml");
    assert!(done.skipped[0].1.contains("not named"), "{:?}", done.skipped);
    assert_eq!(done.report.verdict(), Some(Impact::Breaking));
    assert_eq!(std::fs::read(dir.path().join("spec").join(WEBHOOKS)).expect("written"), changed_webhooks());
    crate::regen::check(dir.path()).expect("generated/ is up to date after refresh");
}

#[test]
fn only_refreshes_the_description_named_and_skips_the_unreachable_other() {
    let dir = scratch();
    unreachable_api(dir.path());
    let mut lock = crate::lock::read(&dir.path().join("spec")).expect("lock");
    let url = serve("200 OK", changed_webhooks());
    lock.descriptions.iter_mut().filter(|e| e.file == WEBHOOKS).for_each(|e| e.source = Some(url.clone()));
    crate::lock::write(&dir.path().join("spec"), &lock).expect("write the lock");
    let before = tree(dir.path(), &["spec", "generated"]);

    // Without --only, the unreachable URL fails the whole refresh, as before.
    let error = run(dir.path(), &Options { check: true, ..Options::default() }).expect_err("the API is unreachable");
    assert!(error.contains("spec/dealpos-api.yaml") && error.contains("connection refused"), "{error}");
    assert_untouched(dir.path(), &before);

    // With it (by module name), only the webhooks are fetched: --check says they differ.
    let only = Options { only: vec!["webhooks".into()], check: true, ..Options::default() };
    let error = run(dir.path(), &only).expect_err("upstream differs");
    assert!(error.starts_with("1 description(s) differ upstream"), "{error}");
    let done = run(dir.path(), &Options { check: false, ..only }).expect("refresh of the webhooks");
    assert_eq!(done.skipped.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(), ["spec/dealpos-api.yaml"]);
    assert_eq!(done.report.verdict(), Some(Impact::Breaking));
}

#[test]
fn only_an_unknown_name_is_an_error() {
    let dir = scratch();
    let error = run(dir.path(), &Options { only: vec!["orders".into()], ..Options::default() }).expect_err("unknown");
    assert_eq!(error, "orders: not a description of spec/lock.json");
    let parsed = super::options(&["--only".into(), "models".into(), "--check".into()]).expect("options");
    assert_eq!((parsed.only, parsed.check), (vec!["models".to_string()], true));
}
