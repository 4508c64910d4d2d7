//! The coverage table in README.md, written by `regen` and checked by `check`
//! so that it always says what the generated crate holds.

use dealpos_generator::Generated;
use dealpos_generator::ir::Provenance;

/// The provenance columns' header cells and the count of each among `sources`
/// (`none` counts what has no `x-dealpos-source`; the spec's provenance test keeps it 0).
fn provenance_cells(sources: &[Option<Provenance>]) -> String {
    let mut cells: Vec<String> =
        Provenance::ALL.iter().map(|p| sources.iter().filter(|s| **s == Some(*p)).count().to_string()).collect();
    cells.push(sources.iter().filter(|s| s.is_none()).count().to_string());
    cells.join(" | ")
}

const PROVENANCE_HEADER: &str = "seed | reference | observed | inferred | unmarked";
const PROVENANCE_ALIGN: &str = "---:|---:|---:|---:|---:";

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
            let users = dealpos_generator::ir::users(api);
            out.push_str(&format!(
                "\n**{} {}** (`{}`): {} operations, {} types.\n\n",
                api.title,
                api.version,
                module.name,
                api.operations.len(),
                api.types.len()
            ));
            out.push_str(&format!(
                "| tag | operations | paged | partial | {PROVENANCE_HEADER} | types used |\n|---|---:|---:|---:|{PROVENANCE_ALIGN}|---:|\n"
            ));
            for tag in &api.tags {
                let ops: Vec<_> =
                    api.operations.iter().filter(|o| o.tag.as_deref() == Some(tag.name.as_str())).collect();
                let used = users.iter().filter(|u| u.tags.contains(&tag.name)).count();
                let count = |f: &dyn Fn(&&&dealpos_generator::ir::Operation) -> bool| ops.iter().filter(f).count();
                let sources: Vec<_> = ops.iter().map(|o| o.dealpos.source).collect();
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    tag.name,
                    ops.len(),
                    count(&|o| o.dealpos.paged.is_some()),
                    count(&|o| o.dealpos.partial),
                    provenance_cells(&sources),
                    used
                ));
            }
            let sources: Vec<_> = api.operations.iter().map(|o| o.dealpos.source).collect();
            out.push_str(&format!(
                "| **all** | {} | {} | {} | {} | {} |\n",
                api.operations.len(),
                api.operations.iter().filter(|o| o.dealpos.paged.is_some()).count(),
                api.operations.iter().filter(|o| o.dealpos.partial).count(),
                provenance_cells(&sources),
                api.types.len()
            ));
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
            out.push_str(&format!("| tag | events | {PROVENANCE_HEADER} |\n|---|---|{PROVENANCE_ALIGN}|\n"));
            for tag in &api.tags {
                let hooks: Vec<_> =
                    api.webhooks.iter().filter(|w| w.tag.as_deref() == Some(tag.name.as_str())).collect();
                let events: Vec<String> = hooks.iter().map(|w| format!("`{}`", w.key)).collect();
                let events = if events.is_empty() { "—".to_string() } else { events.join(", ") };
                let sources: Vec<_> = hooks.iter().map(|w| w.source).collect();
                out.push_str(&format!("| {} | {events} | {} |\n", tag.name, provenance_cells(&sources)));
            }
            let sources: Vec<_> = api.webhooks.iter().map(|w| w.source).collect();
            out.push_str(&format!("| **all** | {} events | {} |\n", api.webhooks.len(), provenance_cells(&sources)));
        }
    }
    out.push('\n');
    out
}
