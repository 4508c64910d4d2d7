//! No file imports a file that imports it back.
//!
//! Every `.rs` file under each of [`ROOTS`] is a module: `a.rs` and
//! `a/mod.rs` are `a`, `a/b.rs` is `a::b`, `lib.rs` and `main.rs` are the
//! crate root. The files of one root form a graph, in which a file
//! *imports* another when
//!
//! - a path in its code that starts with `crate::`, `super::` or `self::`
//!   (in a `use`, with its `{…}` groups expanded, or inline, as in
//!   `super::x::f()`) leads into the other file's module: the deepest
//!   module, along the path, that a file defines; `super` is taken from
//!   where the path is written, inline `mod tests { … }` included;
//! - or the other file is one of its children: a `mod.rs` (or `lib.rs`)
//!   declares its children and re-exports their items, so whoever imports
//!   it may depend on them.
//!
//! A path into the file itself, or into one of its ancestors (the `mod.rs`
//! or `lib.rs` that declare it, directly or not), is not an import: a child
//! reaching its parent's items (`use super::*`, `crate::ir::Api` from inside
//! `ir/`) is how Rust nests modules, and cannot close a cycle by itself.
//! Code inside `quote!`/`quote_spanned!`/`parse_quote!` is the *generated*
//! crate's, and comments and string literals are no code at all; none of
//! them is scanned. Plain paths (`build::f()` in `ir/mod.rs`) are not
//! scanned either: only a parent names a module that way, and the parent
//! already imports all its children.
//!
//! A cycle is a sequence of files each importing the next and the last the
//! first: two siblings using each other (`ir/build.rs` ↔ `ir/unions.rs`), or
//! a longer loop, through directories too (`x/a.rs` → `y.rs` → `x/mod.rs` →
//! `x/a.rs`: the `x` and `y` modules depend on each other). The test names
//! every cycle it finds, with the path behind each step.

use std::collections::BTreeMap;
use std::path::Path;

/// The trees scanned, relative to the workspace root; each is one crate's
/// module root (it holds its `lib.rs`/`main.rs`, or for the runtime
/// templates the files copied into the generated crate's `src/`). A new
/// crate is one more line.
const ROOTS: &[&str] = &["generator/src", "xtask/src", "templates/runtime/src"];

/// Cycles tolerated, each as its files from the smallest path on: none. An
/// entry that is no longer a cycle fails the test.
const KNOWN: &[&[&str]] = &[];

/// Macros whose input is code of the generated crate, not of this one.
const QUOTING: &[&str] = &["quote", "quote_spanned", "parse_quote"];

/// Files and, per import, the path written that makes it (the first one).
type Graph = BTreeMap<String, BTreeMap<String, String>>;

#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut graph = Graph::new();
    for root in ROOTS {
        let files = read_root(&workspace.join(root));
        assert!(
            files.iter().any(|(name, _)| !name.contains('/')),
            "{root}: no .rs file at its top; did the sources move? (update ROOTS)"
        );
        graph.extend(module_graph(root, &files));
    }
    let found = cycles(&graph);
    eprintln!("import cycles found today ({}):", found.len());
    for cycle in &found {
        eprintln!("  {}", describe(&graph, cycle));
    }
    if let Err(message) = check(&graph, KNOWN) {
        panic!("{message}");
    }
}

/// Every `.rs` file under `dir`, by path relative to it with `/`, and its text.
fn read_root(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current).unwrap_or_else(|e| panic!("{}: {e}", current.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let relative = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.push((relative, text));
            }
        }
    }
    out.sort();
    out
}

/// `Ok` when the cycles of `graph` are exactly `known`; otherwise a message
/// naming each new cycle and each known one that is gone.
fn check(graph: &Graph, known: &[&[&str]]) -> Result<(), String> {
    let found = cycles(graph);
    let known: Vec<Vec<String>> = known.iter().map(|c| c.iter().map(ToString::to_string).collect()).collect();
    let mut message = String::new();
    for cycle in found.iter().filter(|c| !known.contains(c)) {
        message.push_str(&format!("import cycle: {}\n", describe(graph, cycle)));
    }
    for cycle in known.iter().filter(|c| !found.contains(c)) {
        message.push_str(&format!("no longer a cycle, remove it from KNOWN: {}\n", cycle.join(" ↔ ")));
    }
    if message.is_empty() { Ok(()) } else { Err(message) }
}

/// `a.rs (crate::b::B) → b.rs (super::a::f) → a.rs`.
fn describe(graph: &Graph, cycle: &[String]) -> String {
    let mut out = String::new();
    for (i, file) in cycle.iter().enumerate() {
        let next = &cycle[(i + 1) % cycle.len()];
        out.push_str(&format!("{file} ({}) → ", graph[file][next]));
    }
    out.push_str(&cycle[0]);
    out
}

/// Every elementary cycle of `graph`, each from its smallest file on, in
/// order. The graphs are a few dozen files, so a search from each file
/// through larger ones only is quick enough.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    fn search<'g>(graph: &'g Graph, start: &str, path: &mut Vec<&'g str>, out: &mut Vec<Vec<String>>) {
        let Some(last) = path.last().copied() else { return };
        for next in graph.get(last).into_iter().flat_map(BTreeMap::keys) {
            if next == start {
                out.push(path.iter().map(ToString::to_string).collect());
            } else if next.as_str() > start && !path.contains(&next.as_str()) {
                path.push(next);
                search(graph, start, path, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    for start in graph.keys() {
        search(graph, start, &mut vec![start.as_str()], &mut out);
    }
    out.sort();
    out
}

/// The import graph of one root's files (named `root/relative`).
fn module_graph(root: &str, files: &[(String, String)]) -> Graph {
    let modules: BTreeMap<Vec<String>, String> =
        files.iter().map(|(name, _)| (module_of(name), format!("{root}/{name}"))).collect();
    let mut graph = Graph::new();
    for (module, file) in &modules {
        graph.entry(file.clone()).or_default();
        // The parent is the nearest ancestor that has a file.
        if let Some(parent) = (0..module.len()).rev().find_map(|n| modules.get(&module[..n])) {
            graph.entry(parent.clone()).or_default().entry(file.clone()).or_insert_with(|| "mod".into());
        }
    }
    for (name, text) in files {
        let from = module_of(name);
        let file = &modules[&from];
        for (target, written) in paths(&from, text) {
            let Some(n) = (0..=target.len()).rev().find(|n| modules.contains_key(&target[..*n])) else { continue };
            // Itself or an ancestor: nesting, not importing.
            if from.starts_with(&target[..n]) {
                continue;
            }
            let to = modules[&target[..n]].clone();
            graph.get_mut(file).unwrap().entry(to).or_insert(written);
        }
    }
    graph
}

/// `ir/build.rs` → `[ir, build]`; `ir/mod.rs` → `[ir]`; `lib.rs` → `[]`.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.trim_end_matches(".rs").split('/').map(ToString::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] || parts == ["main"] {
        parts.pop();
    }
    parts
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
}

/// The identifiers and punctuation of `text`, without comments, string,
/// character and number literals (lifetimes lose their `'`).
fn tokens(text: &str) -> Vec<Token> {
    let c: Vec<char> = text.chars().collect();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let is_ident = |ch: char| ch == '_' || ch.is_alphanumeric();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some(end) = raw_string(&c, i) {
            i = end;
        } else if ch == '"' || (matches!(ch, 'b' | 'c') && at(i + 1) == '"') {
            i += if ch == '"' { 1 } else { 2 };
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if ch == '\'' || (ch == 'b' && at(i + 1) == '\'') {
            i += if ch == '\'' { 1 } else { 2 };
            if at(i) == '\\' {
                while i < c.len() && c[i] != '\'' {
                    i += if c[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
            } else if at(i + 1) == '\'' {
                i += 2;
            }
            // Otherwise a lifetime: its name follows as an identifier.
        } else if ch.is_ascii_digit() {
            while i < c.len() && is_ident(c[i]) {
                i += 1;
            }
        } else if is_ident(ch) {
            // `r#type` is the identifier `type`.
            if ch == 'r' && at(i + 1) == '#' && is_ident(at(i + 2)) {
                i += 2;
            }
            let start = i;
            while i < c.len() && is_ident(c[i]) {
                i += 1;
            }
            out.push(Token::Ident(c[start..i].iter().collect()));
        } else if ch == ':' && at(i + 1) == ':' {
            out.push(Token::PathSep);
            i += 2;
        } else {
            out.push(Token::Punct(ch));
            i += 1;
        }
    }
    out
}

/// The end of the raw string literal (`r"…"`, `br#"…"#`, …) at `i`, if one
/// starts there.
fn raw_string(c: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if matches!(c.get(j), Some('b' | 'c')) {
        j += 1;
    }
    if c.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = c[j..].iter().take_while(|&&ch| ch == '#').count();
    j += hashes;
    if c.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < c.len() {
        if c[j] == '"' && c[j + 1..].iter().take(hashes).filter(|&&ch| ch == '#').count() == hashes {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(c.len())
}

/// Every `crate::`, `super::` and `self::` path in `text`, the code of
/// module `module`: the absolute path it names, and the path as written.
fn paths(module: &[String], text: &str) -> Vec<(Vec<String>, String)> {
    let tokens = tokens(text);
    let ident = |i: usize| match tokens.get(i) {
        Some(Token::Ident(s)) => Some(s.as_str()),
        _ => None,
    };
    let mut out = Vec::new();
    // Inline modules (`mod tests {`) and the brace depth each opened at.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Ident(m)
                if QUOTING.contains(&m.as_str())
                    && tokens.get(i + 1) == Some(&Token::Punct('!'))
                    && matches!(tokens.get(i + 2), Some(Token::Punct('(' | '[' | '{'))) =>
            {
                i = skip_group(&tokens, i + 2);
                continue;
            }
            Token::Ident(m) if m == "mod" && tokens.get(i + 2) == Some(&Token::Punct('{')) => {
                if let Some(name) = ident(i + 1) {
                    inline.push((name.to_string(), depth));
                }
                depth += 1;
                i += 3;
                continue;
            }
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Token::Ident(first)
                if matches!(first.as_str(), "crate" | "super" | "self")
                    && tokens.get(i + 1) == Some(&Token::PathSep)
                    && (i == 0 || tokens[i - 1] != Token::PathSep) =>
            {
                let here: Vec<String> = module.iter().cloned().chain(inline.iter().map(|(n, _)| n.clone())).collect();
                let mut j = i;
                for segments in use_tree(&tokens, &mut j, Vec::new()) {
                    if let Some(absolute) = absolute(&here, &segments) {
                        out.push((absolute, segments.join("::")));
                    }
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The index after the delimited group that opens at `i`.
fn skip_group(tokens: &[Token], mut i: usize) -> usize {
    let mut depth = 0;
    while i < tokens.len() {
        match tokens[i] {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(')' | ']' | '}') => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// The paths of the (use) tree at `*i`, `{…}` groups expanded, each after
/// `prefix`; `*i` ends after the tree.
fn use_tree(tokens: &[Token], i: &mut usize, prefix: Vec<String>) -> Vec<Vec<String>> {
    let mut path = prefix;
    loop {
        match tokens.get(*i) {
            Some(Token::Ident(segment)) => {
                path.push(segment.clone());
                *i += 1;
            }
            Some(Token::Punct('{')) => {
                *i += 1;
                let mut out = Vec::new();
                while *i < tokens.len() {
                    match tokens[*i] {
                        Token::Punct('}') => {
                            *i += 1;
                            break;
                        }
                        Token::Punct(',') => *i += 1,
                        Token::Ident(_) | Token::Punct('{') => out.extend(use_tree(tokens, i, path.clone())),
                        // `*`, `as` aliases and the like name no further module.
                        _ => *i += 1,
                    }
                }
                return out;
            }
            _ => return vec![path],
        }
        if tokens.get(*i) == Some(&Token::PathSep) {
            *i += 1;
        } else {
            // `as x`: the alias names nothing.
            if matches!(tokens.get(*i), Some(Token::Ident(s)) if s == "as") {
                *i += 2;
            }
            return vec![path];
        }
    }
}

/// `segments` (starting with `crate`, `super` or `self`) as an absolute
/// module path, seen from module `here`; `None` if it leaves the crate.
fn absolute(here: &[String], segments: &[String]) -> Option<Vec<String>> {
    let (first, rest) = segments.split_first()?;
    let mut base = match first.as_str() {
        "crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => here.get(..here.len().checked_sub(1)?)?.to_vec(),
        _ => return None,
    };
    let mut rest = rest.iter().peekable();
    while rest.next_if(|s| *s == "super").is_some() {
        base.pop()?;
    }
    // `use a::{self, …}`: `self` is `a`.
    base.extend(rest.filter(|s| *s != "self").cloned());
    Some(base)
}

/// The finder itself, on small in-memory crates.
mod finder {
    use super::*;

    fn graph_of(files: &[(&str, &str)]) -> Graph {
        let files: Vec<(String, String)> = files.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        module_graph("src", &files)
    }

    fn cycles_of(files: &[(&str, &str)]) -> Vec<Vec<String>> {
        cycles(&graph_of(files))
    }

    #[test]
    fn siblings_importing_each_other_are_a_cycle() {
        let files = [
            ("lib.rs", "mod a;\nmod b;\n"),
            ("a.rs", "use crate::b::B;\npub struct A;\n"),
            ("b.rs", "pub struct B;\nfn f() { super::a::g() }\n"),
        ];
        assert_eq!(cycles_of(&files), [["src/a.rs", "src/b.rs"]]);
        let message = check(&graph_of(&files), &[]).unwrap_err();
        assert_eq!(message, "import cycle: src/a.rs (crate::b::B) → src/b.rs (super::a::g) → src/a.rs\n");
        assert_eq!(check(&graph_of(&files), &[&["src/a.rs", "src/b.rs"]]), Ok(()));
    }

    #[test]
    fn a_stale_known_cycle_fails() {
        let files = [("lib.rs", "mod a;"), ("a.rs", "")];
        let message = check(&graph_of(&files), &[&["src/a.rs", "src/b.rs"]]).unwrap_err();
        assert_eq!(message, "no longer a cycle, remove it from KNOWN: src/a.rs ↔ src/b.rs\n");
    }

    #[test]
    fn longer_cycles_through_directories_are_found() {
        let files = [
            ("lib.rs", "mod x; mod y; mod z;"),
            ("x/mod.rs", "mod one;\npub struct X;"),
            ("x/one.rs", "use crate::{y::Y, z};"),
            ("y.rs", "pub fn y() -> crate::x::X { todo!() }"),
            ("z.rs", "use crate::y::{self};"),
        ];
        assert_eq!(
            cycles_of(&files),
            [
                vec!["src/x/mod.rs", "src/x/one.rs", "src/y.rs"],
                vec!["src/x/mod.rs", "src/x/one.rs", "src/z.rs", "src/y.rs"]
            ]
        );
    }

    #[test]
    fn children_using_their_parents_are_not_a_cycle() {
        let files = [
            ("lib.rs", "mod x;\npub struct Root;"),
            ("x/mod.rs", "mod a;\nmod b;\npub use a::A;\npub struct P;"),
            ("x/a.rs", "use super::*;\nuse crate::x::P;\nuse crate::Root;\npub struct A;"),
            ("x/b.rs", "use super::a::A;\n#[cfg(test)]\nmod tests {\n    use super::*;\n}"),
        ];
        assert!(cycles_of(&files).is_empty(), "{:?}", graph_of(&files));
    }

    #[test]
    fn quoted_code_comments_and_strings_are_not_imports() {
        let files = [
            ("lib.rs", "mod a; mod b;"),
            (
                "a.rs",
                "// use crate::b;\n/* crate::b::X /* nested */ crate::b::Y */\nfn f<'a>(s: &'a str) -> char {\n    let _ = \"crate::b::X\";\n    let _ = r#\"crate::b::\"X\"#;\n    let _ = quote!(crate::b::X);\n    '\"'\n}\nfn g() -> char { '{' }",
            ),
            ("b.rs", "use crate::a::f;"),
        ];
        assert!(cycles_of(&files).is_empty(), "{:?}", graph_of(&files));
    }

    #[test]
    fn super_inside_inline_modules_and_use_groups_resolve() {
        let files = [
            ("lib.rs", "mod r;"),
            ("r/mod.rs", "mod s;\nmod t;"),
            ("r/s.rs", "#[cfg(test)]\nmod tests {\n    fn f() { super::super::t::g() }\n}"),
            ("r/t.rs", "use crate::{r::{s::{self, S}}};"),
        ];
        assert_eq!(cycles_of(&files), [["src/r/s.rs", "src/r/t.rs"]]);
    }
}
