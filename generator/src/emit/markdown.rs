//! Descriptions as doc comments. Descriptions are Markdown written for a web
//! renderer, which forgives what rustdoc and clippy's doc lints do not: a
//! list item that goes on over a line without indentation (clippy's
//! `doc_lazy_continuation`), nested items indented by whatever the author
//! liked (`doc_overindented_list_items`), a quote continued without `>`,
//! tabs (`tabs_in_doc_comments`), and code blocks that rustdoc would run as
//! doctests. The lines are normalised here so that the generated crate is
//! clippy-clean whatever a description contains.

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
/// and fences marked `text` (closed if the text leaves one open), so nothing
/// in a description becomes a doctest.
pub(super) fn lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    // The column of the text of the list item being continued, if any.
    let mut item: Option<usize> = None;
    let mut quote = false;
    for raw in text.lines() {
        let line = raw.trim().replace('\t', "    ");
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
