//! The coverage table in README.md, written by `regen` and checked by `check`
//! so that it always says what the generated crate holds.

use dealpos_generator::Generated;

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
            out.push_str(
                "| tag | operations | paged | partial | observed only | types used |\n|---|---:|---:|---:|---:|---:|\n",
            );
            for tag in &api.tags {
                let ops: Vec<_> =
                    api.operations.iter().filter(|o| o.tag.as_deref() == Some(tag.name.as_str())).collect();
                let used = users.iter().filter(|u| u.tags.contains(&tag.name)).count();
                let count = |f: &dyn Fn(&&&dealpos_generator::ir::Operation) -> bool| ops.iter().filter(f).count();
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    tag.name,
                    ops.len(),
                    count(&|o| o.dealpos.paged.is_some()),
                    count(&|o| o.dealpos.partial),
                    count(&|o| o.dealpos.observed),
                    used
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
