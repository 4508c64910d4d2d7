//! Descriptions as doc comments. Descriptions are Markdown written for a web
//! renderer, which forgives what rustdoc and clippy's doc lints do not: a
//! list item that goes on over a line without indentation (clippy's
//! `doc_lazy_continuation`), nested items indented by whatever the author
//! liked (`doc_overindented_list_items`), a quote continued without `>`,
//! tabs (`tabs_in_doc_comments`), code blocks that rustdoc would run as
//! doctests, and `[text]` that is not a link (a web renderer prints it as
//! is; rustdoc takes `[guess]` for an intra-doc link it cannot resolve). The
//! lines are normalised here so that the generated crate is clippy- and
//! rustdoc-clean whatever a description contains.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc]` attributes for a text, one per line (see [`lines`]).
pub(super) fn docs(text: Option<&str>) -> TokenStream {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return TokenStream::new() };
    let lines = lines(text).into_iter().map(|line| {
        let line = format!(" {line}");
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// The lines of a doc comment for `text`: unindented (so nothing becomes an
/// indented code block or an over-indented list item; nested lists are
/// flattened), a line that continues a list item indented to the item's
/// text, a line that continues a quote prefixed with `>`, tabs as spaces,
/// fences marked `text` (closed if the text leaves one open), so nothing
/// in a description becomes a doctest, and brackets that are no link
/// escaped (see [`escape_brackets`]).
pub(super) fn lines(text: &str) -> Vec<String> {
    let labels = reference_labels(text);
    let mut out = Vec::new();
    let mut in_fence = false;
    // The column of the text of the list item being continued, if any.
    let mut item: Option<usize> = None;
    let mut quote = false;
    for raw in text.lines() {
        let line = raw.trim().replace('\t', "    ");
        let line = if in_fence || line.starts_with("```") { line } else { escape_brackets(&line, &labels) };
        if line.starts_with("```") {
            out.push(if in_fence { line } else { "```text".to_string() });
            in_fence = !in_fence;
            (item, quote) = (None, false);
        } else if in_fence {
            out.push(line);
        } else if line.is_empty() {
            (item, quote) = (None, false);
            out.push(line);
        } else if let Some(width) = list_marker(&line) {
            (item, quote) = (Some(width), false);
            out.push(line);
        } else if line.starts_with('>') {
            quote = true;
            out.push(line);
        } else if quote {
            out.push(format!("> {line}"));
        } else if let Some(width) = item {
            out.push(format!("{}{line}", " ".repeat(width)));
        } else {
            out.push(line);
        }
    }
    if in_fence {
        out.push("```".to_string());
    }
    out
}

/// The labels of the text's link reference definitions (`[label]: url`),
/// lowercased: a `[label]` naming one is a link and stays.
fn reference_labels(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix('[')?;
            let (label, after) = rest.split_once(']')?;
            after.starts_with(':').then(|| label.to_lowercase())
        })
        .collect()
}

/// `line` with the brackets of each `[text]` that is no link escaped
/// (`\[text\]`), so rustdoc does not read it as an intra-doc link. Left as
/// they are: inline and reference links (`[a](url)`, `[a][b]`, `[a]` with a
/// definition in `labels`), a definition itself (`[a]: url`), brackets in
/// code spans, already escaped ones, and `` [`path`] ``: a description
/// never writes that, and it is how the generator's own notes link items.
fn escape_brackets(line: &str, labels: &[String]) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 4);
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                out.extend(chars.get(i..i + 2).unwrap_or(&chars[i..]));
                i += 2;
            }
            '`' => {
                // A code span: from a run of backticks to the next run as long.
                let run = chars[i..].iter().take_while(|&&c| c == '`').count();
                let close = (i + run..chars.len()).find(|&j| {
                    chars[j..].iter().take_while(|&&c| c == '`').count() == run
                        && chars[j - 1] != '`'
                        && chars.get(j + run) != Some(&'`')
                });
                let end = close.map_or(i + run, |j| j + run);
                out.extend(&chars[i..end]);
                i = end;
            }
            '[' => {
                let Some(close) = chars[i + 1..].iter().position(|&c| c == ']' || c == '[').map(|p| p + i + 1) else {
                    out.push('[');
                    i += 1;
                    continue;
                };
                let label: String = chars[i + 1..close].iter().collect();
                let after = chars.get(close + 1).copied();
                // The label of `[text][label]` follows a `]`.
                let link = chars[close] == '['
                    || (i > 0 && chars[i - 1] == ']')
                    || matches!(after, Some('(' | '['))
                    || (after == Some(':') && i == 0)
                    || label.starts_with('`')
                    || labels.contains(&label.to_lowercase());
                if link {
                    out.push('[');
                    i += 1;
                } else {
                    out.push_str("\\[");
                    out.push_str(&label);
                    out.push_str("\\]");
                    i = close + 1;
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The width of the list marker `line` starts with (`- `, `* `, `+ `, `1. `,
/// `2) `), marker and space included.
fn list_marker(line: &str) -> Option<usize> {
    if line.starts_with(['-', '*', '+']) && line[1..].starts_with(' ') {
        return Some(2);
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    // CommonMark: at most nine digits, then `.` or `)`, then a space.
    let rest = line.get(digits..)?;
    ((1..=9).contains(&digits) && (rest.starts_with(". ") || rest.starts_with(") "))).then_some(digits + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_items_continued_on_the_next_line_are_indented_to_their_text() {
        let text = "Intro:\n- one\ngoes on\n  * nested\n    over-indented\n10. ten\nmore\n\nAfter.";
        assert_eq!(
            lines(text),
            ["Intro:", "- one", "  goes on", "* nested", "  over-indented", "10. ten", "    more", "", "After."]
        );
    }

    #[test]
    fn quotes_keep_their_marker_and_tables_and_tabs_pass() {
        assert_eq!(lines("> a\nb\n\nc"), ["> a", "> b", "", "c"]);
        assert_eq!(lines("| a | b |\n|---|---|\n\tx"), ["| a | b |", "|---|---|", "x"]);
        assert_eq!(lines("a\tb"), ["a    b"]);
    }

    #[test]
    fn fences_are_text_and_closed_and_their_lines_are_not_lists() {
        assert_eq!(lines("```json\n- {}\n```\n- a\nb"), ["```text", "- {}", "```", "- a", "  b"]);
        assert_eq!(lines("```\nx"), ["```text", "x", "```"]);
    }

    #[test]
    fn brackets_that_are_no_link_are_escaped() {
        let no_labels: &[String] = &[];
        assert_eq!(escape_brackets("only a [guess] in it", no_labels), r"only a \[guess\] in it");
        assert_eq!(escape_brackets("[x] done, [ ] not", no_labels), r"\[x\] done, \[ \] not");
        for kept in [
            "a [link](https://x) and [ref][r]",
            "see [`Client::builder`] and [`Self::send`](Self::send)",
            "code `a[0]` and ``b[`i`]``",
            r"already \[escaped\]",
            "[r]: https://example.com",
            "an [unclosed bracket",
            "[outer [inner](u)]",
        ] {
            assert_eq!(escape_brackets(kept, no_labels), kept);
        }
        assert_eq!(escape_brackets("with [Docs] defined", &["docs".to_string()]), "with [Docs] defined");
        // Through `lines`: definitions anywhere in the text count; fences are left alone.
        assert_eq!(lines("See [Docs].\n\n[docs]: https://d"), ["See [Docs].", "", "[docs]: https://d"]);
        assert_eq!(lines("```\nv[0]\n```\n[y]"), ["```text", "v[0]", "```", r"\[y\]"]);
        assert_eq!(lines("- [a] item\n[b] more"), [r"- \[a\] item", r"  \[b\] more"]);
    }

    #[test]
    fn markers_need_a_space_and_few_digits() {
        assert_eq!(list_marker("- a"), Some(2));
        assert_eq!(list_marker("-a"), None);
        assert_eq!(list_marker("---"), None);
        assert_eq!(list_marker("2) b"), Some(3));
        assert_eq!(list_marker("2024 was"), None);
        assert_eq!(list_marker("1234567890. x"), None);
        assert_eq!(list_marker("é"), None);
    }
}
