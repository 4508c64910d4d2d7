//! The files that are not built from the IR: the crate's manifest, README,
//! root module and examples (askama templates in `templates/`), and the fixed
//! runtime modules (copied from the runtime crate, `templates/runtime/src/`).

use std::collections::BTreeMap;

use askama::Template;

use super::{CrateInfo, Features, Module, header};
use crate::error::{Error, Result};
use crate::ir::tag_of;
use crate::runtime;

struct ModuleRow {
    name: String,
    /// The feature the whole module needs, if one does: a module of webhooks
    /// alone is `webhooks`, so docs.rs labels it (a module with operations
    /// holds types every tag feature may need, and is never gated whole).
    feature: Option<&'static str>,
    title: String,
    version: String,
    types: usize,
    operations: usize,
    webhooks: usize,
}

struct ExampleHook {
    variant: String,
    /// The webhook's name in the description (`shiftClose`).
    key: String,
}

#[derive(Template)]
#[template(path = "crate/Cargo.toml", escape = "none")]
struct Manifest<'a> {
    header: String,
    name: &'a str,
    version: &'a str,
    /// From the descriptions' titles, escaped for a TOML basic string.
    description: String,
    /// crates.io keywords from the titles (see [`keywords`]).
    keywords: Vec<String>,
    /// (name, required features) of each example.
    examples: &'a [(&'static str, String)],
    /// (tag, feature) for every tag with operations.
    tags: &'a [(String, String)],
    /// Every feature `full` turns on.
    full: Vec<String>,
    /// Whether there is a `webhooks` feature.
    webhooks: bool,
    /// Whether the crate has the webhook receiver (see [`has_receiver`]).
    receiver: bool,
}

#[derive(Template)]
#[template(path = "examples/sync_invoices.rs", escape = "none")]
struct SyncInvoices;

/// Examples of the crate: (name, its required features, its text). An
/// example is emitted only when the description has the operation it uses.
fn examples(modules: &[Module], features: &Features) -> Result<Vec<(&'static str, String, String)>> {
    let op = |id: &str| modules.iter().flat_map(|m| &m.api.operations).find(|o| o.id == id);
    let mut out = Vec::new();
    if let Some(feature) = op("listInvoicesWithTotalCount").and_then(|o| features.of_tag(tag_of(o))) {
        let required = format!("\"client\", \"{feature}\"");
        out.push(("sync_invoices", required, render("examples/sync_invoices.rs", &SyncInvoices)?));
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "crate/README.md", escape = "none")]
struct Readme<'a> {
    header: String,
    name: &'a str,
    crate_ident: String,
    /// What the crate is (the manifest's description, from the descriptions' titles).
    summary: String,
    /// The version requirement to depend on this version (`0.1`).
    version_req: String,
    modules: &'a [ModuleRow],
    /// A tag feature to show (`invoice` where there is one, else the first
    /// tag's) and how many tags have one.
    tag_features: Option<(String, usize)>,
    /// The module of the first description with operations (its docs list the tags).
    models_module: String,
    has_webhooks: bool,
    example_hook: Option<ExampleHook>,
    /// Whether the crate has the webhook receiver (see [`has_receiver`]).
    receiver: bool,
    /// `accessor().method` of the operation the client section calls, and of
    /// its recipes (see [`Recipes`]).
    first_call: Option<String>,
    first_call_method: &'static str,
    first_call_path: String,
    /// The answer the local-server recipe serves for `first_call`.
    first_call_answer: &'static str,
    products: Option<String>,
    invoices_window: Option<String>,
    invoice_write: Option<(String, String)>,
}

/// The operations the README's recipes call, each by its `operationId`: a
/// recipe is written only when the description has its operation, with the
/// Rust names naming gave it, so the recipes compile (they are doctests)
/// whatever description the crate comes from.
struct Recipes {
    /// `listPaymentMethods`: a call with no arguments, in the client section
    /// and the local-server recipe; (call, method, path).
    first_call: Option<(String, &'static str, String)>,
    /// `listProducts`: every page of a list.
    products: Option<String>,
    /// `listInvoicesWithTotalCount`: a date window, paged.
    invoices_window: Option<String>,
    /// `createInvoice` and `voidInvoice`: the most common write and its undo.
    invoice_write: Option<(String, String)>,
}

impl Recipes {
    fn new(modules: &[Module], features: &Features) -> Self {
        let find = |id: &str| {
            let op = modules.iter().flat_map(|m| &m.api.operations).find(|o| o.id == id)?;
            let names = features.names.iter().find(|n| n.tag == tag_of(op))?;
            Some((op, format!("{}().{}", names.accessor, op.rust_name)))
        };
        Recipes {
            first_call: find("listPaymentMethods")
                .map(|(op, call)| (call, op.method.as_str(), op.path.trim_start_matches('/').to_string())),
            products: find("listProducts").map(|(_, call)| call),
            invoices_window: find("listInvoicesWithTotalCount").map(|(_, call)| call),
            invoice_write: find("createInvoice")
                .zip(find("voidInvoice"))
                .map(|((_, create), (_, void))| (create, void)),
        }
    }
}

/// The requirement that accepts this version and its semver-compatible
/// successors: `0.1` for 0.1.x, `1` for 1.x (Cargo's caret rules).
fn version_req(version: &str) -> String {
    let mut parts = version.split(['.', '-', '+']);
    match (parts.next(), parts.next()) {
        (Some("0"), Some(minor)) => format!("0.{minor}"),
        (Some(major), _) => major.to_string(),
        (None, _) => version.to_string(),
    }
}

#[derive(Template)]
#[template(path = "crate/lib.rs", escape = "none")]
struct LibRs<'a> {
    header: String,
    modules: &'a [ModuleRow],
    /// Whether the crate has the webhook receiver (see [`has_receiver`]).
    receiver: bool,
}

#[derive(Template)]
#[template(path = "examples/webhook_receiver.rs", escape = "none")]
struct WebhookReceiverExample<'a> {
    name: &'a str,
    crate_ident: &'a str,
}

#[derive(Template)]
#[template(path = "examples/inbox.rs", escape = "none")]
struct InboxExample<'a> {
    name: &'a str,
    crate_ident: &'a str,
}

/// When a runtime file is part of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// In every crate.
    Always,
    /// Only with the webhook receiver (see [`has_receiver`]): its code names
    /// `crate::webhooks::WebhookKind`.
    Receiver,
}

/// One file of the runtime crate (`templates/runtime/`) copied into the
/// generated crate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuntimeFile {
    /// Its path under `templates/runtime/`, which is also its path in the
    /// generated crate: the runtime crate's layout is the generated crate's.
    pub path: &'static str,
    /// When it is included.
    pub when: When,
    /// Its text, embedded in the generator at build time.
    pub text: &'static str,
}

macro_rules! runtime_files {
    ($($path:literal: $when:ident),* $(,)?) => {
        /// The runtime files, in the order they are written. Adding a module
        /// to the runtime is one line here (and its `mod` line in both
        /// `lib.rs`, which a test compares).
        pub(crate) const RUNTIME_FILES: &[RuntimeFile] = &[$(
            RuntimeFile {
                path: $path,
                when: When::$when,
                text: include_str!(concat!("../../../templates/runtime/", $path)),
            },
        )*];
    };
}

runtime_files! {
    "src/decimal.rs": Always,
    "src/decimal/wire.rs": Always,
    "src/decode.rs": Always,
    "src/decode/yes_no.rs": Always,
    "src/nullable.rs": Always,
    "src/timestamp.rs": Always,
    "src/client/mod.rs": Always,
    "src/client/auth.rs": Always,
    "src/client/builder.rs": Always,
    "src/client/error.rs": Always,
    "src/client/limit.rs": Always,
    "src/client/paging.rs": Always,
    "src/client/request.rs": Always,
    "src/client/response.rs": Always,
    "src/client/retry.rs": Always,
    "src/receiver/mod.rs": Receiver,
    "src/receiver/http.rs": Receiver,
    "src/receiver/inbox.rs": Receiver,
    "src/receiver/worker.rs": Receiver,
    "src/receiver/sqlite.rs": Receiver,
    "src/receiver/postgres.rs": Receiver,
}

/// The only change made to a runtime file when it is copied: doc examples
/// name the generated crate (`crate_ident`) instead of the runtime crate.
fn copy_runtime(text: &str, crate_ident: &str) -> String {
    let mut text = text.replace(&format!("{}::", runtime::CRATE_IDENT), &format!("{crate_ident}::"));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The manifest's `description`: what the crate is for, from the titles of
/// the descriptions (`info`), whichever API they describe.
fn description(modules: &[Module]) -> String {
    // Titles only: a version in the text would change the manifest with every release.
    let apis: Vec<&str> = modules.iter().map(|m| m.api.title.trim()).filter(|a| !a.is_empty()).collect();
    match apis.as_slice() {
        [] => "Typed Rust SDK generated from an OpenAPI description.".to_string(),
        [one] => format!("Typed Rust SDK for {one}, generated from its OpenAPI description."),
        [first @ .., last] => {
            format!("Typed Rust SDK for {} and {last}, generated from their OpenAPI descriptions.", first.join(", "))
        }
    }
}

/// At most five crates.io keywords (letters, digits, `-`, `_`; a letter
/// first; 20 characters at most): the words of the titles that say what
/// the API is, then `openapi` and `sdk`.
fn keywords(modules: &[Module]) -> Vec<String> {
    const GENERIC: &[&str] = &[
        "api", "apis", "the", "and", "for", "of", "to", "in", "on", "with", "that", "from", "rest", "http", "service",
        "openapi", "sdk",
    ];
    let mut out: Vec<String> = Vec::new();
    let words = modules.iter().flat_map(|m| m.api.title.split(|c: char| !c.is_ascii_alphanumeric()));
    for word in words.map(str::to_ascii_lowercase) {
        let version_like = word.starts_with('v') && word[1..].bytes().all(|b| b.is_ascii_digit());
        let usable = (2..=20).contains(&word.len()) && word.starts_with(|c: char| c.is_ascii_alphabetic());
        if usable && !version_like && !GENERIC.contains(&word.as_str()) && !out.contains(&word) && out.len() < 3 {
            out.push(word);
        }
    }
    out.extend(["openapi".to_string(), "sdk".to_string()]);
    out
}

/// `text` as the inside of a TOML basic string: `"` and `\` escaped,
/// control characters (a title over several lines) as spaces.
fn toml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Whether the crate gets the webhook receiver: it has a `webhooks` module
/// with at least one webhook.
fn has_receiver(modules: &[Module]) -> bool {
    modules.iter().any(|m| m.name == "webhooks" && !m.api.webhooks.is_empty())
}

fn render(name: &'static str, template: &impl Template) -> Result<String> {
    template
        .render()
        .map(|mut text| {
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text
        })
        .map_err(|source| Error::Template { name, source })
}

/// The templated files of the crate.
pub fn fixed(info: &CrateInfo, modules: &[Module], features: &Features) -> Result<BTreeMap<String, String>> {
    let rows: Vec<ModuleRow> = modules
        .iter()
        .enumerate()
        .map(|(index, m)| ModuleRow {
            name: m.name.clone(),
            // Not when another module's operations use one of its types (a `$ref` across descriptions).
            feature: (!m.api.webhooks.is_empty() && m.api.operations.is_empty() && features.only_webhooks(index))
                .then_some("webhooks"),
            title: m.api.title.clone(),
            version: m.api.version.clone(),
            types: m.api.types.len(),
            operations: m.api.operations.len(),
            webhooks: m.api.webhooks.len(),
        })
        .collect();
    let example_hook = modules.iter().filter(|m| m.name == "webhooks").find_map(|m| {
        let hook = m.api.webhooks.first()?;
        // The README's doctest calls `example()` on it and expects one.
        super::webhooks::example(&m.api, hook)?;
        Some(ExampleHook { variant: hook.name.clone(), key: hook.key.clone() })
    });
    let crate_ident = info.name.replace('-', "_");
    let mut out = BTreeMap::new();
    let toml_header = header("#", "templates/crate/Cargo.toml").trim_start_matches("# ").to_string();
    let examples = examples(modules, features)?;
    let names: Vec<(&'static str, String)> =
        examples.iter().map(|(name, required, _)| (*name, required.clone())).collect();
    let manifest = Manifest {
        header: toml_header,
        name: &info.name,
        version: &info.version,
        description: toml_escape(&description(modules)),
        keywords: keywords(modules),
        examples: &names,
        tags: &features.tags,
        full: features.all(),
        webhooks: features.webhooks,
        receiver: has_receiver(modules),
    };
    out.insert("Cargo.toml".into(), render("crate/Cargo.toml", &manifest)?);
    for (name, _, text) in examples {
        out.insert(
            format!("examples/{name}.rs"),
            format!("{}\n{text}", header("//", &format!("templates/examples/{name}.rs"))),
        );
    }
    let recipes = Recipes::new(modules, features);
    let (first_call, first_call_method, first_call_path) = recipes.first_call.unwrap_or_default();
    let readme = Readme {
        header: "generated by dealpos-generator from templates/crate/README.md; run `cargo xtask regen`".into(),
        name: &info.name,
        crate_ident: crate_ident.clone(),
        summary: description(modules),
        version_req: version_req(&info.version),
        modules: &rows,
        tag_features: features
            .tags
            .iter()
            .find(|(_, f)| f == "invoice")
            .or(features.tags.first())
            .map(|(_, feature)| (feature.clone(), features.tags.len())),
        models_module: modules
            .iter()
            .find(|m| !m.api.operations.is_empty())
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        has_webhooks: features.webhooks,
        example_hook,
        receiver: has_receiver(modules),
        first_call: (!first_call.is_empty()).then_some(first_call),
        first_call_method,
        first_call_path,
        first_call_answer: r#"[{"ID": 1, "Name": "Cash", "Type": 0, "Suspended": false}]"#,
        products: recipes.products,
        invoices_window: recipes.invoices_window,
        invoice_write: recipes.invoice_write,
    };
    out.insert("README.md".into(), render("crate/README.md", &readme)?);
    let lib_header = header("//", "templates/crate/lib.rs").trim_start_matches("// ").to_string();
    out.insert(
        "src/lib.rs".into(),
        render("crate/lib.rs", &LibRs { header: lib_header, modules: &rows, receiver: has_receiver(modules) })?,
    );
    let receiver = has_receiver(modules);
    if receiver {
        let example = WebhookReceiverExample { name: &info.name, crate_ident: &crate_ident };
        let text = render("examples/webhook_receiver.rs", &example)?;
        let head = header("//", "templates/examples/webhook_receiver.rs");
        out.insert("examples/webhook_receiver.rs".into(), format!("{head}\n{text}"));
        let text = render("examples/inbox.rs", &InboxExample { name: &info.name, crate_ident: &crate_ident })?;
        let head = header("//", "templates/examples/inbox.rs");
        out.insert("examples/inbox.rs".into(), format!("{head}\n{text}"));
    }
    for file in RUNTIME_FILES.iter().filter(|f| f.when == When::Always || receiver) {
        let head = header("//", &format!("templates/runtime/{}", file.path));
        out.insert(file.path.to_string(), format!("{head}\n{}", copy_runtime(file.text, &crate_ident)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    fn runtime_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates/runtime")
    }

    fn rust_files(dir: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path.strip_prefix(runtime_dir()).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }

    #[test]
    fn every_runtime_source_is_registered_once() {
        let mut found = Vec::new();
        rust_files(&runtime_dir().join("src"), &mut found);
        // The runtime's own root and the stand-in for generated code are never copied.
        found.retain(|p| p != "src/lib.rs" && !p.starts_with("src/stand_in/"));
        let mut registered: Vec<String> = RUNTIME_FILES.iter().map(|f| f.path.to_string()).collect();
        registered.sort();
        found.sort();
        assert_eq!(registered, found, "register each runtime file in RUNTIME_FILES (and nothing else)");
    }

    #[test]
    fn copies_name_the_generated_crate_in_doc_examples() {
        let text = "/// use dealpos_runtime::receiver::{handler_fn, Receiver};\nuse crate::DecodeError;\n";
        assert_eq!(
            copy_runtime(text, "my_pos"),
            "/// use my_pos::receiver::{handler_fn, Receiver};\nuse crate::DecodeError;\n"
        );
        assert_eq!(copy_runtime("fn f() {}", "x"), "fn f() {}\n");
        let receiver = RUNTIME_FILES.iter().find(|f| f.path == "src/receiver/mod.rs").unwrap();
        assert!(
            receiver.text.contains("dealpos_runtime::receiver::"),
            "the doc example is written against the runtime"
        );
        for file in RUNTIME_FILES {
            let copy = copy_runtime(file.text, "dealpos");
            assert!(!copy.contains(runtime::CRATE_IDENT), "{}: the runtime crate's name survives the copy", file.path);
            assert!(!copy.contains("{{") && !copy.contains("{%"), "{}: runtime files are not templates", file.path);
        }
    }

    /// A root's declarations that the other root must repeat: inner
    /// attributes other than docs, `mod` items and `use` items, each with its
    /// visibility and cfgs, leaving out the modules only one crate has.
    fn declarations(text: &str, only_here: &[&str]) -> Vec<String> {
        let file = syn::parse_file(text).unwrap();
        let cfgs = |attrs: &[syn::Attribute]| {
            attrs.iter().filter(|a| a.path().is_ident("cfg")).map(|a| quote::quote!(#a).to_string()).collect::<String>()
        };
        let mut out: Vec<String> =
            file.attrs.iter().filter(|a| !a.path().is_ident("doc")).map(|a| quote::quote!(#a).to_string()).collect();
        for item in &file.items {
            match item {
                syn::Item::Mod(m) if !only_here.contains(&m.ident.to_string().as_str()) => {
                    let vis = &m.vis;
                    out.push(format!("{} {} mod {}", cfgs(&m.attrs), quote::quote!(#vis), m.ident));
                }
                syn::Item::Use(u) => {
                    let (vis, tree) = (&u.vis, &u.tree);
                    out.push(format!("{} {} use {}", cfgs(&u.attrs), quote::quote!(#vis), quote::quote!(#tree)));
                }
                _ => {}
            }
        }
        out.sort();
        out
    }

    #[test]
    fn the_generated_root_declares_the_runtime_modules_as_the_runtime_root_does() {
        let rows: Vec<ModuleRow> = ["models", "webhooks"]
            .iter()
            .map(|name| ModuleRow {
                name: name.to_string(),
                feature: None,
                title: String::new(),
                version: String::new(),
                types: 0,
                operations: 0,
                webhooks: 0,
            })
            .collect();
        let generated =
            render("crate/lib.rs", &LibRs { header: "header".into(), modules: &rows, receiver: true }).unwrap();
        let runtime_root = std::fs::read_to_string(runtime_dir().join("src/lib.rs")).unwrap();
        assert_eq!(
            declarations(&generated, &["operations", "models", "webhooks"]),
            declarations(&runtime_root, &["webhooks"]),
            "templates/crate/lib.rs and templates/runtime/src/lib.rs must declare the runtime modules alike"
        );
        // Every registered top-level module is declared.
        for file in RUNTIME_FILES {
            let module = file.path.trim_start_matches("src/").split(['/', '.']).next().unwrap();
            assert!(runtime_root.contains(&format!("mod {module};")), "{} has no `mod {module};`", file.path);
        }
    }
}

#[cfg(test)]
mod manifest_tests {
    use super::*;

    #[test]
    fn the_version_requirement_accepts_the_compatible_releases() {
        assert_eq!(version_req("0.1.0"), "0.1");
        assert_eq!(version_req("0.12.3-beta.1"), "0.12");
        assert_eq!(version_req("1.4.2"), "1");
        assert_eq!(version_req("2.0.0+build"), "2");
    }

    /// The `name = …` lines of a manifest's `[section]`, sorted.
    fn section(manifest: &str, name: &str) -> Vec<String> {
        let header = format!("[{name}]");
        let mut lines: Vec<String> = manifest
            .lines()
            .skip_while(|l| l.trim() != header)
            .skip(1)
            .take_while(|l| !l.starts_with('['))
            .filter(|l| !l.starts_with('#') && l.contains(" = "))
            .map(str::to_string)
            .collect();
        lines.sort();
        lines
    }

    #[test]
    fn the_runtime_has_the_dependencies_of_the_generated_crate() {
        let manifest = Manifest {
            header: String::new(),
            name: "dealpos",
            version: "0.1.0",
            description: String::new(),
            keywords: Vec::new(),
            examples: &[],
            tags: &[],
            full: Vec::new(),
            webhooks: true,
            receiver: true,
        };
        let generated = render("crate/Cargo.toml", &manifest).unwrap();
        let runtime = include_str!("../../../templates/runtime/Cargo.toml");
        assert_eq!(section(runtime, "dependencies"), section(&generated, "dependencies"));
        // The generated crate adds `full` and one feature per tag; the rest agree.
        let features = |m: &str| {
            section(m, "features")
                .into_iter()
                .filter(|l| !l.starts_with("default") && !l.starts_with("full"))
                .collect::<Vec<_>>()
        };
        assert_eq!(features(runtime), features(&generated));
    }
}
