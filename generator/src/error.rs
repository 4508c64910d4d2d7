//! Errors and diagnostics. Every one names the place it is about: a file and a
//! JSON pointer into it (or a line and column when the text could not be parsed).

use std::fmt;
use std::path::PathBuf;

/// A place in an input document: the file, and a JSON pointer (RFC 6901) into it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file as given to the generator.
    pub file: String,
    /// The JSON pointer, `""` for the whole document.
    pub pointer: String,
}

impl Location {
    /// The root of `file`.
    pub fn root(file: impl Into<String>) -> Self {
        Location { file: file.into(), pointer: String::new() }
    }

    /// This location extended by one reference token (escaped per RFC 6901).
    pub fn join(&self, token: impl fmt::Display) -> Self {
        let token = token.to_string().replace('~', "~0").replace('/', "~1");
        Location { file: self.file.clone(), pointer: format!("{}/{}", self.pointer, token) }
    }

    /// The same file at another pointer.
    pub fn at(&self, pointer: impl Into<String>) -> Self {
        Location { file: self.file.clone(), pointer: pointer.into() }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() { "/" } else { &self.pointer };
        write!(f, "{}#{}", self.file, pointer)
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The input was approximated (e.g. a construct modelled as `serde_json::Value`).
    Warning,
    /// The input cannot be generated from.
    Error,
}

/// A message about a place in an input document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// Where.
    pub location: Location,
    /// How serious.
    pub severity: Severity,
    /// What, in a sentence.
    pub message: String,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Diagnostic { location, severity: Severity::Error, message: message.into() }
    }

    /// A warning at `location`.
    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Diagnostic { location, severity: Severity::Warning, message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{level}: {}: {}", self.location, self.message)
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("{}: cannot read: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not well-formed YAML or JSON.
    #[error("{file}:{line}:{column} (near #{pointer}): malformed {format}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line of the fault.
        line: usize,
        /// 1-based column of the fault.
        column: usize,
        /// JSON pointer of the innermost mapping key open at the fault.
        pointer: String,
        /// `YAML` or `JSON`.
        format: &'static str,
        /// What the parser said.
        message: String,
    },
    /// The document is well-formed but cannot be generated from.
    #[error("{}", join_lines(.0))]
    Invalid(Vec<Diagnostic>),
    /// Emitted code did not parse as Rust: a bug in the generator.
    #[error("internal error: emitted code for {what} is not valid Rust: {message}")]
    Emit {
        /// The file being emitted.
        what: String,
        /// The parser's message.
        message: String,
    },
    /// A template failed to render.
    #[error("template {name}: {source}")]
    Template {
        /// The template.
        name: &'static str,
        /// The cause.
        source: askama::Error,
    },
}

impl Error {
    /// A single-diagnostic error.
    pub fn at(location: Location, message: impl Into<String>) -> Self {
        Error::Invalid(vec![Diagnostic::error(location, message)])
    }

    /// The diagnostics carried, if this is an [`Error::Invalid`].
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Invalid(d) => d,
            _ => &[],
        }
    }
}

fn join_lines(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

/// Result alias for the generator.
pub type Result<T, E = Error> = std::result::Result<T, E>;
