//! The coverage table in README.md, written by `regen` and checked by `check`
//! so that it always says what the generated crate holds.

use std::collections::BTreeSet;

use dealpos_generator::Generated;
use dealpos_generator::ir::{Api, TypeId, TypeKind, TypeRef};

const START: &str = "<!-- coverage:start (written by `cargo xtask regen`; do not edit) -->";
const END: &str = "<!-- coverage:end -->";

/// `readme` with the text between the coverage markers replaced.
pub fn update(readme: &str, generated: &Generated) -> Result<String, String> {
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        return Err(format!("README.md: the markers `{START}` and `{END}` are missing"));
    };
    Ok(format!("{}{START}\n{}{}", &readme[..start], table(generated), &readme[end..]))
}

fn table(generated: &Generated) -> String {
    let mut out = String::new();
    for module in &generated.modules {
        let api = &module.api;
        if !api.operations.is_empty() {
            out.push_str(&format!(
                "\n**{} {}** (`{}`): {} operations, {} types.\n\n",
                api.title,
                api.version,
                module.name,
                api.operations.len(),
                api.types.len()
            ));
            out.push_str(
                "| tag | operations | paged | partial | observed only | types used |\n|---|---:|---:|---:|---:|---:|\n",
            );
            for tag in &api.tags {
                let ops: Vec<_> =
                    api.operations.iter().filter(|o| o.tag.as_deref() == Some(tag.name.as_str())).collect();
                let mut used = BTreeSet::new();
                for op in &ops {
                    let tys = op.request.iter().chain(op.responses.iter().filter_map(|(_, t)| t.as_ref()));
                    for ty in tys.chain(op.parameters.iter().map(|p| &p.ty)) {
                        reach(api, ty, &mut used);
                    }
                }
                let count = |f: &dyn Fn(&&&dealpos_generator::ir::Operation) -> bool| ops.iter().filter(f).count();
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    tag.name,
                    ops.len(),
                    count(&|o| o.dealpos.paged.is_some()),
                    count(&|o| o.dealpos.partial),
                    count(&|o| o.dealpos.observed),
                    used.len()
                ));
            }
        }
        if !api.webhooks.is_empty() {
            out.push_str(&format!(
                "\n**{} {}** (`{}`): {} webhook events, {} types.\n\n",
                api.title,
                api.version,
                module.name,
                api.webhooks.len(),
                api.types.len()
            ));
            out.push_str("| tag | events |\n|---|---|\n");
            for tag in &api.tags {
                let events: Vec<String> = api
                    .webhooks
                    .iter()
                    .filter(|w| w.tag.as_deref() == Some(tag.name.as_str()))
                    .map(|w| format!("`{}`", w.key))
                    .collect();
                let events = if events.is_empty() { "—".to_string() } else { events.join(", ") };
                out.push_str(&format!("| {} | {events} |\n", tag.name));
            }
        }
    }
    out.push('\n');
    out
}

fn reach(api: &Api, ty: &TypeRef, seen: &mut BTreeSet<TypeId>) {
    match ty {
        TypeRef::Array(inner) | TypeRef::Map(inner) => reach(api, inner, seen),
        TypeRef::Named(id) if seen.insert(*id) => match &api.get(*id).kind {
            TypeKind::Struct { fields, additional } => {
                fields.iter().map(|f| &f.ty).chain(additional).for_each(|t| reach(api, t, seen));
            }
            TypeKind::Union { variants, .. } => variants.iter().for_each(|v| reach(api, &v.ty, seen)),
            TypeKind::Alias(t) | TypeKind::Newtype(t) => reach(api, t, seen),
            TypeKind::Enum { .. } => {}
        },
        _ => {}
    }
}
