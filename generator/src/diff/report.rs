//! A diff as text for the terminal, or as Markdown for a changelog.

use std::fmt::Write as _;

use super::{Change, Impact, next_version, verdict};

/// Output format of a [`Report`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text, for a terminal.
    Text,
    /// Markdown, for a changelog or a pull request.
    Markdown,
}

/// The changes of one or more descriptions, and the release they call for.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The generated crate's name and current version.
    pub crate_name: String,
    /// Its version before the changes.
    pub version: String,
    /// One section per description: a heading (`DealPOS API 3.1.0 → 3.2.0`,
    /// with the file) and its changes.
    pub sections: Vec<(String, Vec<Change>)>,
}

impl Report {
    /// Every change of every section.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.sections.iter().flat_map(|(_, c)| c)
    }

    /// The release the changes call for (`None`: no change at all).
    pub fn verdict(&self) -> Option<Impact> {
        verdict(&self.changes().cloned().collect::<Vec<_>>())
    }

    /// The one-line verdict: `dealpos 0.1.0 → 0.2.0: breaking (2 breaking, …)`.
    pub fn summary(&self) -> String {
        let count = |i: Impact| self.changes().filter(|c| c.impact == i).count();
        let verdict = self.verdict();
        let word = match verdict {
            None => "no change to the generated crate",
            Some(Impact::Patch) => "patch release",
            Some(Impact::Compatible) => "compatible release",
            Some(Impact::Breaking) => "breaking release",
        };
        format!(
            "{} {} → {}: {word} ({} breaking, {} compatible, {} patch)",
            self.crate_name,
            self.version,
            next_version(&self.version, verdict),
            count(Impact::Breaking),
            count(Impact::Compatible),
            count(Impact::Patch)
        )
    }

    /// The report in `format`.
    pub fn render(&self, format: Format) -> String {
        let mut out = String::new();
        for (heading, changes) in &self.sections {
            match format {
                Format::Text => {
                    let _ = writeln!(out, "{heading}");
                    if changes.is_empty() {
                        out.push_str("  no changes\n");
                    }
                    for (impact, group) in by_impact(changes) {
                        let _ = writeln!(out, "  {}:", title(impact).to_lowercase());
                        for c in group {
                            let _ = writeln!(out, "    {} {}: {}", mark(impact), c.subject, c.detail);
                        }
                    }
                }
                Format::Markdown => {
                    let _ = writeln!(out, "### {heading}\n");
                    if changes.is_empty() {
                        out.push_str("No changes.\n\n");
                    }
                    for (impact, group) in by_impact(changes) {
                        let _ = writeln!(out, "#### {}\n", title(impact));
                        for c in group {
                            let _ = writeln!(out, "- `{}`: {}", c.subject, escape(&c.detail));
                        }
                        out.push('\n');
                    }
                }
            }
        }
        match format {
            Format::Text => {
                let _ = writeln!(out, "{}", self.summary());
            }
            Format::Markdown => {
                let _ = writeln!(out, "**{}**", self.summary());
            }
        }
        out
    }
}

/// The changes grouped by impact, breaking first; empty groups left out.
fn by_impact(changes: &[Change]) -> impl Iterator<Item = (Impact, Vec<&Change>)> {
    [Impact::Breaking, Impact::Compatible, Impact::Patch]
        .into_iter()
        .map(|impact| (impact, changes.iter().filter(|c| c.impact == impact).collect::<Vec<_>>()))
        .filter(|(_, group)| !group.is_empty())
}

fn title(impact: Impact) -> &'static str {
    match impact {
        Impact::Breaking => "Breaking",
        Impact::Compatible => "Compatible",
        Impact::Patch => "Patch",
    }
}

fn mark(impact: Impact) -> char {
    match impact {
        Impact::Breaking => '!',
        Impact::Compatible => '+',
        Impact::Patch => '~',
    }
}

/// Keeps `<` from being read as HTML outside code spans.
fn escape(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 0 { part.replace('<', "&lt;").replace('>', "&gt;") } else { part.to_string() })
        .collect::<Vec<_>>()
        .join("`")
}
