//! `CHANGELOG.md`: a `# ` header, then one `## VERSION (DATE)` entry per
//! release, newest first. `release` inserts an entry above the newest. Changes
//! the spec diff cannot see (the runtime's types and behaviour) are written by
//! hand under `## Unreleased`, which the next release takes into its entry.

use std::path::Path;

/// The header a new CHANGELOG.md starts with.
pub const HEADER: &str = "# Changelog

What changed in `dealpos` for its users, release by release, newest first. Each entry is
written by `cargo xtask release` from the semantic diff of DealPOS's descriptions since the
previous release (README.md, \"Refreshing the spec\"); breaking changes come first.
";

/// `text` with `entry` inserted above the newest entry (below the header).
/// `file` names the changelog in errors.
pub fn prepend(file: &str, text: &str, version: &str, entry: &str) -> Result<String, String> {
    if !text.starts_with("# ") {
        return Err(format!(
            "{file}: the first line is not a `# ` header; release entries go below it (start the file with `# Changelog`)"
        ));
    }
    if text.lines().any(|l| l.starts_with(&format!("## {version} ")) || l == format!("## {version}")) {
        return Err(format!("{file}: already has an entry for {version}: was it released already?"));
    }
    // Entries start at the first `## `; everything above is the header.
    let at = text.match_indices("\n## ").next().map_or(text.len(), |(i, _)| i + 1);
    let (head, mut rest) = text.split_at(at);
    let mut out = head.trim_end().to_string();
    out.push_str("\n\n");
    out.push_str(entry.trim_end());
    out.push('\n');
    if let Some(unreleased) = rest.strip_prefix("## Unreleased\n") {
        let end = unreleased.match_indices("\n## ").next().map_or(unreleased.len(), |(i, _)| i + 1);
        let notes = unreleased[..end].trim();
        if !notes.is_empty() {
            out.push_str("\n### Beyond the descriptions\n\n");
            out.push_str(notes);
            out.push('\n');
        }
        rest = &unreleased[end..];
    }
    if !rest.is_empty() {
        out.push('\n');
        out.push_str(rest);
    }
    Ok(out)
}

/// CHANGELOG.md at `root`, or a new one with only the header.
pub fn read(root: &Path) -> Result<String, String> {
    match std::fs::read_to_string(root.join("CHANGELOG.md")) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HEADER.to_string()),
        Err(e) => Err(format!("CHANGELOG.md: cannot read: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::{HEADER, prepend};

    #[test]
    fn entries_go_above_the_newest_and_below_the_header() {
        let one = prepend("CHANGELOG.md", HEADER, "0.1.0", "## 0.1.0 (d)\n\nfirst\n").expect("first entry");
        assert_eq!(one, format!("{}\n\n## 0.1.0 (d)\n\nfirst\n", HEADER.trim_end()));
        let two = prepend("CHANGELOG.md", &one, "0.2.0", "## 0.2.0 (e)\n\nsecond").expect("second entry");
        assert_eq!(two, format!("{}\n\n## 0.2.0 (e)\n\nsecond\n\n## 0.1.0 (d)\n\nfirst\n", HEADER.trim_end()));
    }

    #[test]
    fn the_unreleased_notes_go_into_the_next_entry() {
        let text = format!("{HEADER}\n## Unreleased\n\n- Decimal is exact.\n\n## 0.1.0 (d)\n\nfirst\n");
        let two = prepend("CHANGELOG.md", &text, "0.2.0", "## 0.2.0 (e)\n\nsecond").expect("second entry");
        let expected = format!(
            "{}\n\n## 0.2.0 (e)\n\nsecond\n\n### Beyond the descriptions\n\n- Decimal is exact.\n\n## 0.1.0 (d)\n\nfirst\n",
            HEADER.trim_end()
        );
        assert_eq!(two, expected);
    }

    #[test]
    fn a_changelog_without_a_header_or_with_the_version_is_refused() {
        let error = prepend("CHANGELOG.md", "## 0.1.0\n", "0.2.0", "## 0.2.0").expect_err("no header");
        assert!(error.starts_with("CHANGELOG.md: the first line is not a `# ` header"), "{error}");
        let text = format!("{HEADER}\n## 0.2.0 (d)\n");
        let error = prepend("CHANGELOG.md", &text, "0.2.0", "## 0.2.0").expect_err("twice");
        assert!(error.contains("already has an entry for 0.2.0"), "{error}");
    }
}
