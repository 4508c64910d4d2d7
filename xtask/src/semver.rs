//! `cargo xtask semver-check`: an independent check of the diff's verdicts.
//! For some rows of the table of change kinds (generator/src/diff/tests.rs)
//! it generates the crate before and after the change, runs
//! cargo-semver-checks on the pair, and prints a table of where the two
//! agree. Ours may be stricter (it sees wire changes that keep the Rust API);
//! a change cargo-semver-checks finds needs more than we say is a bug in the
//! diff, and makes the command fail.
//!
//! The two scales are lined up as release levels: our breaking ↔ its
//! "major", compatible ↔ "minor", patch or no change ↔ "no semver update
//! required". cargo-semver-checks runs with `--release-type patch`, so it
//! reports both its major and its minor lints.
//!
//! Not in .ci/run: cargo-semver-checks is a large install, and each case
//! builds the rustdoc of two whole crates.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use dealpos_generator::CrateInfo;
use dealpos_generator::diff::{Impact, diff};
use dealpos_generator::load;

use crate::files::write_atomic;

/// A small description in DealPOS's style: a request type, a response type
/// with an enum, a union and an amount, three operations (one of them
/// could be paged), an event.
const BASE: &str = r##"
openapi: 3.1.0
info: {title: Shop, version: '1'}
tags: [{name: Invoice}]
paths:
  /Invoice:
    get:
      operationId: getInvoice
      tags: [Invoice]
      parameters:
        - {name: Number, in: query, required: true, schema: {type: string}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Invoice'}}}}
  /Invoice/Void:
    post:
      operationId: voidInvoice
      tags: [Invoice]
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/VoidRequest'}}}}
      responses: {'200': {description: ok}}
  /Invoice/List:
    get:
      operationId: listInvoices
      tags: [Invoice]
      parameters:
        - {name: PageNumber, in: query, schema: {type: integer}}
        - {name: PageSize, in: query, schema: {type: integer}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/InvoicePage'}}}}
webhooks:
  invoiceCreated:
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Invoice'}}}}
      responses: {'200': {description: ok}}
components:
  schemas:
    InvoicePage:
      type: object
      properties:
        Data: {type: array, items: {$ref: '#/components/schemas/Invoice'}}
        TotalCount: {type: integer}
    Invoice:
      description: A sale.
      type: object
      required: [Number]
      properties:
        Number: {type: string}
        Status: {$ref: '#/components/schemas/Status'}
        Total: {type: number}
        Payment: {$ref: '#/components/schemas/Payment'}
    Status: {type: string, enum: [Paid, Void]}
    Payment:
      oneOf:
        - {$ref: '#/components/schemas/Cash'}
        - {type: string}
    Cash: {type: object, required: [Amount], properties: {Amount: {type: number}}}
    VoidRequest:
      type: object
      required: [Number]
      properties:
        Number: {type: string}
        Note: {type: string}
"##;

/// One row: a change of BASE, and why ours is stricter where it is expected
/// to be.
struct Case {
    /// The row of the table of change kinds.
    name: &'static str,
    /// Text replaced in BASE.
    from: &'static str,
    /// Its replacement.
    to: &'static str,
    /// Why our verdict is above cargo-semver-checks' (empty where they agree).
    stricter: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "operation removed",
        from: "  /Invoice/Void:\n    post:\n      operationId: voidInvoice\n      tags: [Invoice]\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/VoidRequest'}}}}\n      responses: {'200': {description: ok}}\n",
        to: "",
        stricter: "",
    },
    Case {
        name: "request field now required",
        from: "      required: [Number]\n      properties:\n        Number: {type: string}\n        Note:",
        to: "      required: [Number, Note]\n      properties:\n        Number: {type: string}\n        Note:",
        stricter: "a field's type changes (`Option<String>` → `String`): cargo-semver-checks 0.51 does not compare field types",
    },
    Case {
        name: "enum value added",
        from: "enum: [Paid, Void]",
        to: "enum: [Paid, Void, Refunded]",
        stricter: "a new variant of a `#[non_exhaustive]` enum: cargo-semver-checks has no lint for additions",
    },
    Case {
        name: "path changed",
        from: "  /Invoice/Void:",
        to: "  /Invoice/Cancel:",
        stricter: "a wire change only: the method keeps its name and signature and sends to the new path (the diff \
                   pairs operations by path and method, so it reads as one removed and one added)",
    },
    Case {
        name: "type added",
        from: "\n    Status: {",
        to: "\n    Refund: {type: object, properties: {Amount: {type: number}}}\n    Status: {",
        stricter: "an addition: cargo-semver-checks has no lint for additions",
    },
    Case {
        name: "optional parameter added",
        from: "        - {name: Number, in: query, required: true, schema: {type: string}}\n",
        to: "        - {name: Number, in: query, required: true, schema: {type: string}}\n        - {name: Outlet, in: query, schema: {type: string}}\n",
        stricter: "a new setter on the request builder: an addition",
    },
    Case {
        name: "field type changed",
        from: "        Total: {type: number}",
        to: "        Total: {type: string}",
        stricter: "a field's type changes (`Option<Decimal>` → `Option<String>`): cargo-semver-checks 0.51 does not compare field types",
    },
    Case {
        name: "union variant added",
        from: "        - {type: string}",
        to: "        - {type: string}\n        - {type: boolean}",
        stricter: "",
    },
    Case {
        name: "optional field added to a request type",
        from: "        Note: {type: string}",
        to: "        Note: {type: string}\n        Reason: {type: string}",
        stricter: "",
    },
    Case {
        name: "field added to a response type",
        from: "        Total: {type: number}",
        to: "        Total: {type: number}\n        Tax: {type: number}",
        stricter: "a new field of a `#[non_exhaustive]` struct: an addition",
    },
    Case { name: "enum value removed", from: "enum: [Paid, Void]", to: "enum: [Paid]", stricter: "" },
    Case {
        name: "operationId with the same method name",
        from: "operationId: voidInvoice",
        to: "operationId: voidInvoices",
        stricter: "",
    },
    Case {
        name: "operationId with the same Rust names",
        from: "operationId: voidInvoice",
        to: "operationId: void_invoice",
        stricter: "",
    },
    Case {
        name: "operation deprecated",
        from: "operationId: voidInvoice",
        to: "operationId: voidInvoice\n      deprecated: true",
        stricter: "",
    },
    Case {
        name: "required parameter added",
        from: "        - {name: Number, in: query, required: true, schema: {type: string}}\n",
        to: "        - {name: Number, in: query, required: true, schema: {type: string}}\n        - {name: Outlet, in: query, required: true, schema: {type: string}}\n",
        stricter: "",
    },
    Case {
        name: "answer type changed",
        from: "'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Invoice'}}}}",
        to: "'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/InvoicePage'}}}}",
        stricter: "`send()` returns `InvoicePage`, was `Invoice`: cargo-semver-checks 0.51 does not compare return types",
    },
    Case {
        name: "error response documented",
        from: "'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Invoice'}}}}",
        to: "'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Invoice'}}}}\n        '404': {description: gone}",
        stricter: "",
    },
    Case {
        name: "paging added",
        from: "      operationId: listInvoices\n",
        to: "      operationId: listInvoices\n      x-dealpos-paged: {page: PageNumber, size: PageSize, items: Data}\n",
        stricter: "",
    },
    Case {
        name: "webhook added",
        from: "\ncomponents:",
        to: "\n  invoiceVoided:\n    post:\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Invoice'}}}}\n      responses: {'200': {description: ok}}\ncomponents:",
        stricter: "new variants of the `#[non_exhaustive]` `WebhookKind` and `WebhookEvent`: an addition",
    },
    Case {
        name: "response field now optional",
        from: "      required: [Number]\n      properties:\n        Number: {type: string}\n        Status:",
        to: "      properties:\n        Number: {type: string}\n        Status:",
        stricter: "",
    },
    Case {
        name: "optional field of a response type now nullable",
        from: "        Total: {type: number}",
        to: "        Total: {type: [number, 'null']}",
        stricter: "",
    },
    Case {
        name: "field deprecated",
        from: "        Total: {type: number}",
        to: "        Total: {type: number, deprecated: true}",
        stricter: "",
    },
    Case {
        name: "description changed",
        from: "description: A sale.",
        to: "description: A sale or a return.",
        stricter: "",
    },
];

/// A release level, on the scale both tools share: 0 none or patch, 1
/// minor (our compatible), 2 major (our breaking).
fn level(ours: Option<Impact>) -> u8 {
    match ours {
        None | Some(Impact::Patch) => 0,
        Some(Impact::Compatible) => 1,
        Some(Impact::Breaking) => 2,
    }
}

fn ours_name(ours: Option<Impact>) -> &'static str {
    match ours {
        None => "no change",
        Some(Impact::Patch) => "patch",
        Some(Impact::Compatible) => "compatible",
        Some(Impact::Breaking) => "breaking",
    }
}

/// What cargo-semver-checks says of one pair of crates.
struct Theirs {
    /// 0 no update required, 1 minor, 2 major.
    level: u8,
    /// The ids of the lints that failed.
    lints: Vec<String>,
}

/// Reads cargo-semver-checks' output (colour off).
fn theirs(success: bool, text: &str) -> Result<Theirs, String> {
    let level = if text.contains("semver requires new major version") {
        2
    } else if text.contains("semver requires new minor version") {
        1
    } else if success && text.contains("no semver update required") {
        0
    } else {
        return Err(format!("cargo semver-checks failed:\n{text}"));
    };
    let mut lints: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("--- failure "))
        .filter_map(|l| l.split(':').next())
        .map(str::to_string)
        .collect();
    lints.dedup();
    Ok(Theirs { level, lints })
}

/// One row of the result.
struct Row {
    case: &'static str,
    ours: Option<Impact>,
    theirs: Theirs,
    seconds: f64,
    stricter: &'static str,
}

impl Row {
    fn agreement(&self) -> &'static str {
        match level(self.ours).cmp(&self.theirs.level) {
            std::cmp::Ordering::Equal => "agree",
            std::cmp::Ordering::Greater => "ours stricter",
            std::cmp::Ordering::Less => "BUG: ours too lenient",
        }
    }
}

/// `cargo xtask semver-check`.
pub fn run(root: &Path) -> Result<(), String> {
    let probe = Command::new("cargo").args(["semver-checks", "--version"]).output();
    let version = match probe {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        _ => return Err("cargo-semver-checks is not installed: `cargo install cargo-semver-checks --locked`".into()),
    };
    let started = Instant::now();
    // One target directory for every case, so dependencies build once.
    let target = root.join("target/semver-check");
    let mut rows = Vec::new();
    for case in CASES {
        if !BASE.contains(case.from) {
            return Err(format!("case `{}`: `{}` is not in the base description", case.name, case.from));
        }
        let at = Instant::now();
        let edited = BASE.replacen(case.from, case.to, 1);
        let ours = verdict(BASE, &edited)?;
        let dir = case_dir(&target, case.name)?;
        generate(&dir.join("old"), BASE)?;
        generate(&dir.join("new"), &edited)?;
        eprintln!("{}: running cargo semver-checks", case.name);
        let out = Command::new("cargo")
            .args(["semver-checks", "check-release", "--color", "never", "--release-type", "patch"])
            .args(["--default-features", "--manifest-path"])
            .arg(dir.join("new/Cargo.toml"))
            .arg("--baseline-root")
            .arg(dir.join("old"))
            .env("CARGO_TARGET_DIR", &target)
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .map_err(|e| format!("cannot run cargo semver-checks: {e}"))?;
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        write_atomic(&dir.join("semver-checks.txt"), text.as_bytes())?;
        let theirs = theirs(out.status.success(), &text).map_err(|e| format!("case `{}`: {e}", case.name))?;
        let row = Row { case: case.name, ours, theirs, seconds: at.elapsed().as_secs_f64(), stricter: case.stricter };
        eprintln!(
            "{}: ours {}, theirs {} ({:.0} s)",
            case.name,
            ours_name(ours),
            their_name(row.theirs.level),
            row.seconds
        );
        rows.push(row);
    }
    print!("{}", table(&rows));
    println!(
        "\n{} cases in {:.0} s with {version} (outputs in {})",
        rows.len(),
        started.elapsed().as_secs_f64(),
        target.join("cases").display()
    );
    let bugs: Vec<_> = rows.iter().filter(|r| level(r.ours) < r.theirs.level).map(|r| r.case).collect();
    let unexplained: Vec<_> =
        rows.iter().filter(|r| level(r.ours) > r.theirs.level && r.stricter.is_empty()).map(|r| r.case).collect();
    if !unexplained.is_empty() {
        println!("ours is stricter where no reason is recorded (add one to CASES): {}", unexplained.join(", "));
    }
    if bugs.is_empty() {
        println!("no change that cargo-semver-checks finds needs a bigger release is judged otherwise by the diff");
        Ok(())
    } else {
        Err(format!(
            "the diff is too lenient about (see {}): {}",
            target.join("cases/CASE/semver-checks.txt").display(),
            bugs.join(", ")
        ))
    }
}

fn their_name(level: u8) -> &'static str {
    ["none", "minor", "major"][usize::from(level.min(2))]
}

/// The result as a Markdown table.
fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| change | ours | cargo-semver-checks | lints failed | result |\n| --- | --- | --- | --- | --- |\n",
    );
    for r in rows {
        let lints = if r.theirs.lints.is_empty() {
            "—".to_string()
        } else {
            r.theirs.lints.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ")
        };
        let result = if r.agreement() == "ours stricter" && !r.stricter.is_empty() {
            format!("ours stricter: {}", r.stricter)
        } else {
            r.agreement().to_string()
        };
        out.push_str(&format!(
            "| {} | {} | {} | {lints} | {result} |\n",
            r.case,
            ours_name(r.ours),
            their_name(r.theirs.level)
        ));
    }
    out
}

/// The diff's verdict from `old` to `new`.
fn verdict(old: &str, new: &str) -> Result<Option<Impact>, String> {
    let api = |text: &str| {
        let source = load::parse("shop.yaml", text).map_err(|e| e.to_string())?;
        dealpos_generator::analyse(source, &[]).map_err(|e| e.to_string())
    };
    Ok(dealpos_generator::diff::verdict(&diff(&api(old)?, &api(new)?)))
}

/// Writes the crate `dealpos` generated from `text` into `dir`, as its own
/// workspace (so no enclosing one claims it).
fn generate(dir: &Path, text: &str) -> Result<(), String> {
    let source = load::parse("shop.yaml", text).map_err(|e| e.to_string())?;
    let info = CrateInfo { name: "dealpos".into(), version: "0.1.0".into() };
    let generated = dealpos_generator::generate_from(&info, vec![(source, "models".into())], &[])
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    for (path, text) in &generated.files {
        let text = if path == "Cargo.toml" { format!("{text}\n[workspace]\n") } else { text.clone() };
        write_atomic(&dir.join(path), text.as_bytes())?;
    }
    Ok(())
}

/// A fresh directory for one case under `target`.
fn case_dir(target: &Path, case: &str) -> Result<std::path::PathBuf, String> {
    let dir = target.join("cases").join(case.replace(' ', "-"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use dealpos_generator::diff::Impact;

    /// Our side of each case, so a change of the diff shows here before a
    /// slow semver-check run.
    #[test]
    fn our_verdicts_on_the_cases() {
        let verdicts: Vec<_> = super::CASES
            .iter()
            .map(|c| (c.name, super::verdict(super::BASE, &super::BASE.replacen(c.from, c.to, 1)).expect("diff")))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("operation removed", Some(Impact::Breaking)),
                ("request field now required", Some(Impact::Breaking)),
                ("enum value added", Some(Impact::Compatible)),
                ("path changed", Some(Impact::Breaking)),
                ("type added", Some(Impact::Compatible)),
                ("optional parameter added", Some(Impact::Compatible)),
                ("field type changed", Some(Impact::Breaking)),
                ("union variant added", Some(Impact::Breaking)),
                ("optional field added to a request type", Some(Impact::Breaking)),
                ("field added to a response type", Some(Impact::Compatible)),
                ("enum value removed", Some(Impact::Breaking)),
                ("operationId with the same method name", Some(Impact::Breaking)),
                ("operationId with the same Rust names", Some(Impact::Patch)),
                ("operation deprecated", Some(Impact::Compatible)),
                ("required parameter added", Some(Impact::Breaking)),
                ("answer type changed", Some(Impact::Breaking)),
                ("error response documented", Some(Impact::Patch)),
                ("paging added", Some(Impact::Breaking)),
                ("webhook added", Some(Impact::Compatible)),
                ("response field now optional", Some(Impact::Patch)),
                ("optional field of a response type now nullable", Some(Impact::Patch)),
                ("field deprecated", Some(Impact::Patch)),
                ("description changed", Some(Impact::Patch)),
            ]
        );
    }

    #[test]
    fn each_case_generates() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for case in super::CASES {
            assert!(super::BASE.contains(case.from), "{}", case.name);
            let out = dir.path().join(case.name.replace(' ', "-"));
            super::generate(&out, &super::BASE.replacen(case.from, case.to, 1)).expect("generates");
            let manifest = std::fs::read_to_string(out.join("Cargo.toml")).expect("a manifest");
            assert!(manifest.ends_with("\n[workspace]\n"));
        }
    }

    /// cargo-semver-checks' summary lines, as 0.51 prints them.
    #[test]
    fn reads_cargo_semver_checks_output() {
        let failed = "--- failure enum_variant_added: enum variant added on exhaustive enum ---\n\nDescription:\n\
                      \n     Summary semver requires new major version: 1 major and 0 minor checks failed\n";
        let t = super::theirs(false, failed).expect("read");
        assert_eq!((t.level, t.lints), (2, vec!["enum_variant_added".to_string()]));
        let t = super::theirs(true, "     Summary no semver update required\n").expect("read");
        assert_eq!((t.level, t.lints.len()), (0, 0));
        assert!(super::theirs(false, "error: could not compile").is_err());
    }

    #[test]
    fn table_marks_each_direction() {
        let row = |ours, level| super::Row {
            case: "c",
            ours,
            theirs: super::Theirs { level, lints: vec![] },
            seconds: 0.0,
            stricter: "why",
        };
        assert_eq!(row(Some(Impact::Breaking), 2).agreement(), "agree");
        assert_eq!(row(Some(Impact::Patch), 0).agreement(), "agree");
        assert_eq!(row(Some(Impact::Breaking), 0).agreement(), "ours stricter");
        assert_eq!(row(Some(Impact::Compatible), 2).agreement(), "BUG: ours too lenient");
        let table = super::table(&[row(Some(Impact::Breaking), 0)]);
        assert!(table.ends_with("| c | breaking | none | — | ours stricter: why |\n"), "{table}");
    }
}
