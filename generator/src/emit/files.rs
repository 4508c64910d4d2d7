//! Files rendered from askama templates: the crate's manifest, README and
//! root module, and the fixed runtime modules.

use std::collections::BTreeMap;

use askama::Template;

use super::{CrateInfo, Features, Module, header};
use crate::error::{Error, Result};
use crate::ir::tag_of;

struct ModuleRow {
    name: String,
    doc: String,
    title: String,
    version: String,
    types: usize,
    operations: usize,
    webhooks: usize,
}

struct ExampleHook {
    variant: String,
    body: String,
}

#[derive(Template)]
#[template(path = "crate/Cargo.toml", escape = "none")]
struct Manifest<'a> {
    header: String,
    name: &'a str,
    version: &'a str,
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
    modules: &'a [ModuleRow],
    example_hook: Option<ExampleHook>,
    /// Whether the crate has the webhook receiver (see [`has_receiver`]).
    receiver: bool,
}

#[derive(Template)]
#[template(path = "crate/lib.rs", escape = "none")]
struct LibRs<'a> {
    header: String,
    modules: &'a [ModuleRow],
    /// Whether the crate has the webhook receiver (see [`has_receiver`]).
    receiver: bool,
}

macro_rules! runtime {
    ($($ty:ident: $template:literal => $out:literal),* $(,)?) => {
        $(
            #[derive(Template)]
            #[template(path = $template, escape = "none")]
            struct $ty;
        )*

        /// The runtime modules: (template, path in the crate, text).
        fn runtime_files() -> Result<Vec<(&'static str, &'static str, String)>> {
            Ok(vec![$(($template, $out, render($template, &$ty)?)),*])
        }
    };
    // Templates that name the crate (doc examples, examples/): they get its
    // package name and its name as a Rust identifier.
    ($fn:ident(name, crate_ident); $($ty:ident: $template:literal => $out:literal),* $(,)?) => {
        $(
            #[derive(Template)]
            #[template(path = $template, escape = "none")]
            #[allow(dead_code)] // not every template names the crate
            struct $ty<'a> {
                name: &'a str,
                crate_ident: &'a str,
            }
        )*

        /// The files of this group: (template, path in the crate, text).
        fn $fn(name: &str, crate_ident: &str) -> Result<Vec<(&'static str, &'static str, String)>> {
            Ok(vec![$(($template, $out, render($template, &$ty { name, crate_ident })?)),*])
        }
    };
}

runtime! {
    DecimalRs: "runtime/decimal.rs" => "src/decimal.rs",
    DecodeRs: "runtime/decode.rs" => "src/decode.rs",
    NullableRs: "runtime/nullable.rs" => "src/nullable.rs",
    TimestampRs: "runtime/timestamp.rs" => "src/timestamp.rs",
    ClientRs: "runtime/client/mod.rs" => "src/client/mod.rs",
    ClientAuthRs: "runtime/client/auth.rs" => "src/client/auth.rs",
    ClientErrorRs: "runtime/client/error.rs" => "src/client/error.rs",
    ClientLimitRs: "runtime/client/limit.rs" => "src/client/limit.rs",
    ClientPagingRs: "runtime/client/paging.rs" => "src/client/paging.rs",
    ClientRetryRs: "runtime/client/retry.rs" => "src/client/retry.rs",
}

// The webhook receiver: emitted only when the crate has webhooks (its code
// names `crate::webhooks::WebhookKind`), compiled only with its features.
runtime! {
    receiver_files(name, crate_ident);
    ReceiverModRs: "runtime/receiver/mod.rs" => "src/receiver/mod.rs",
    ReceiverHttpRs: "runtime/receiver/http.rs" => "src/receiver/http.rs",
    ReceiverInboxRs: "runtime/receiver/inbox.rs" => "src/receiver/inbox.rs",
    ReceiverWorkerRs: "runtime/receiver/worker.rs" => "src/receiver/worker.rs",
    ReceiverSqliteRs: "runtime/receiver/sqlite.rs" => "src/receiver/sqlite.rs",
    ReceiverPostgresRs: "runtime/receiver/postgres.rs" => "src/receiver/postgres.rs",
    ReceiverExampleRs: "examples/webhook_receiver.rs" => "examples/webhook_receiver.rs",
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
        .map(|m| ModuleRow {
            name: m.name.clone(),
            doc: if m.api.webhooks.is_empty() {
                format!("Models of {} {}.", m.api.title, m.api.version)
            } else {
                format!(
                    "Webhook payloads of {} {}, and [`webhooks::WebhookEvent`] over them.",
                    m.api.title, m.api.version
                )
            },
            title: m.api.title.clone(),
            version: m.api.version.clone(),
            types: m.api.types.len(),
            operations: m.api.operations.len(),
            webhooks: m.api.webhooks.len(),
        })
        .collect();
    let example_hook = modules.iter().filter(|m| m.name == "webhooks").find_map(|m| {
        let hook = m.api.webhooks.first()?;
        let example = m
            .api
            .examples
            .iter()
            .find(|e| e.ty == hook.payload && e.origin.pointer.starts_with(&hook.origin.pointer))?;
        Some(ExampleHook { variant: hook.name.clone(), body: serde_json::to_string(&example.value).ok()? })
    });
    let mut out = BTreeMap::new();
    let toml_header = header("#", "templates/crate/Cargo.toml").trim_start_matches("# ").to_string();
    let examples = examples(modules, features)?;
    let names: Vec<(&'static str, String)> =
        examples.iter().map(|(name, required, _)| (*name, required.clone())).collect();
    let manifest = Manifest {
        header: toml_header,
        name: &info.name,
        version: &info.version,
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
    let readme = Readme {
        header: "generated by dealpos-generator from templates/crate/README.md; run `cargo xtask regen`".into(),
        name: &info.name,
        crate_ident: info.name.replace('-', "_"),
        modules: &rows,
        example_hook,
        receiver: has_receiver(modules),
    };
    out.insert("README.md".into(), render("crate/README.md", &readme)?);
    let lib_header = header("//", "templates/crate/lib.rs").trim_start_matches("// ").to_string();
    out.insert(
        "src/lib.rs".into(),
        render("crate/lib.rs", &LibRs { header: lib_header, modules: &rows, receiver: has_receiver(modules) })?,
    );
    let mut runtime = runtime_files()?;
    if has_receiver(modules) {
        runtime.extend(receiver_files(&info.name, &info.name.replace('-', "_"))?);
    }
    for (template, path, text) in runtime {
        out.insert(path.to_string(), format!("{}\n{text}", header("//", &format!("templates/{template}"))));
    }
    Ok(out)
}
