//! The table of change kinds: each row edits a base description and names
//! the change the diff must report, with its impact.

use super::{Impact, Kind, diff, next_version};
use crate::ir::Api;
use crate::load;

const BASE: &str = r##"
openapi: 3.1.0
info: {title: Shop, version: '1'}
tags: [{name: Invoice}]
paths:
  /Invoice:
    get:
      operationId: listInvoices
      tags: [Invoice]
      x-dealpos-paged: {page: PageNumber, size: PageSize, items: Data}
      parameters:
        - {name: Outlet, in: query, schema: {type: string}}
        - {name: PageNumber, in: query, schema: {type: integer}}
        - {name: PageSize, in: query, schema: {type: integer}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/InvoicePage'}}}}
  /Invoice/Void:
    post:
      operationId: voidInvoice
      tags: [Invoice]
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/VoidRequest'}}}}
      responses: {'200': {description: ok}}
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

fn api(text: &str) -> Api {
    let source = load::parse("shop.yaml", text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    crate::ir::build_with(&source, &crate::ir::no_files).unwrap_or_else(|e| panic!("{e}"))
}

/// (what, text replaced in BASE, replacement, expected kind, expected impact)
const ROWS: &[(&str, &str, &str, Kind, Impact)] = &[
    (
        "operation added",
        "webhooks:",
        "  /Shift:\n    get:\n      operationId: listShifts\n      responses: {'200': {description: ok}}\nwebhooks:",
        Kind::OperationAdded,
        Impact::Compatible,
    ),
    (
        "operation removed",
        "  /Invoice/Void:\n    post:",
        "  /Invoice/Void:\n    put:",
        Kind::OperationRemoved,
        Impact::Breaking,
    ),
    (
        "operation renamed",
        "operationId: voidInvoice",
        "operationId: cancelInvoice",
        Kind::OperationRenamed,
        Impact::Breaking,
    ),
    (
        // The method keeps its name, its request builder type does not:
        // `operations::VoidInvoice` → `VoidInvoices` (cargo-semver-checks'
        // `struct_missing`).
        "operationId with the same method name",
        "operationId: voidInvoice",
        "operationId: voidInvoices",
        Kind::OperationRenamed,
        Impact::Breaking,
    ),
    (
        "operationId with the same Rust names",
        "operationId: voidInvoice",
        "operationId: void_invoice",
        Kind::OperationRenamed,
        Impact::Patch,
    ),
    (
        "operation deprecated",
        "operationId: voidInvoice",
        "operationId: voidInvoice\n      deprecated: true",
        Kind::OperationDeprecated,
        Impact::Compatible,
    ),
    (
        "optional parameter added",
        "        - {name: Outlet, in: query, schema: {type: string}}",
        "        - {name: Outlet, in: query, schema: {type: string}}\n        - {name: From, in: query, schema: {type: string}}",
        Kind::ParameterAdded,
        Impact::Compatible,
    ),
    (
        "required parameter added",
        "        - {name: Outlet, in: query, schema: {type: string}}",
        "        - {name: Outlet, in: query, schema: {type: string}}\n        - {name: From, in: query, required: true, schema: {type: string}}",
        Kind::ParameterAdded,
        Impact::Breaking,
    ),
    (
        "parameter removed",
        "        - {name: Outlet, in: query, schema: {type: string}}\n",
        "",
        Kind::ParameterRemoved,
        Impact::Breaking,
    ),
    (
        "parameter now required",
        "{name: Outlet, in: query,",
        "{name: Outlet, in: query, required: true,",
        Kind::ParameterRequiredChanged,
        Impact::Breaking,
    ),
    (
        "parameter type changed",
        "{name: Outlet, in: query, schema: {type: string}}",
        "{name: Outlet, in: query, schema: {type: integer}}",
        Kind::ParameterTypeChanged,
        Impact::Breaking,
    ),
    (
        "request body type changed",
        "schema: {$ref: '#/components/schemas/VoidRequest'}",
        "schema: {type: array, items: {$ref: '#/components/schemas/VoidRequest'}}",
        Kind::RequestBodyChanged,
        Impact::Breaking,
    ),
    (
        "answer type changed",
        "schema: {$ref: '#/components/schemas/InvoicePage'}",
        "schema: {$ref: '#/components/schemas/Invoice'}",
        Kind::ResponseTypeChanged,
        Impact::Breaking,
    ),
    (
        "error response documented",
        "responses: {'200': {description: ok}}\nwebhooks:",
        "responses: {'200': {description: ok}, '404': {description: gone}}\nwebhooks:",
        Kind::ResponseStatusChanged,
        Impact::Patch,
    ),
    (
        "paging removed",
        "      x-dealpos-paged: {page: PageNumber, size: PageSize, items: Data}\n",
        "",
        Kind::PagingChanged,
        Impact::Breaking,
    ),
    (
        "webhook added",
        "components:",
        "  invoiceVoided:\n    post:\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Invoice'}}}}\n      responses: {'200': {description: ok}}\ncomponents:",
        Kind::WebhookAdded,
        Impact::Compatible,
    ),
    ("webhook removed", "  invoiceCreated:", "  invoiceMade:", Kind::WebhookRemoved, Impact::Breaking),
    (
        "webhook payload changed",
        "webhooks:\n  invoiceCreated:\n    post:\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Invoice'}}}}",
        "webhooks:\n  invoiceCreated:\n    post:\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Cash'}}}}",
        Kind::WebhookPayloadChanged,
        Impact::Breaking,
    ),
    (
        "type added",
        "\n    Status: {",
        "\n    Refund: {type: object, properties: {Amount: {type: number}}}\n    Status: {",
        Kind::TypeAdded,
        Impact::Compatible,
    ),
    (
        "operation removed with its request type",
        "  /Invoice/Void:\n    post:\n      operationId: voidInvoice",
        "  /Invoice/Gone:\n    x-gone:\n      operationId: voidInvoice",
        Kind::TypeUnreferenced,
        Impact::Breaking,
    ),
    (
        "type kind changed",
        "    Status: {type: string, enum: [Paid, Void]}",
        "    Status: {type: object, properties: {Code: {type: string}}}",
        Kind::TypeKindChanged,
        Impact::Breaking,
    ),
    (
        "field added to a response type",
        "        Total: {type: number}",
        "        Total: {type: number}\n        Tax: {type: number}",
        Kind::FieldAdded,
        Impact::Compatible,
    ),
    (
        "optional field added to a request type",
        "        Note: {type: string}",
        "        Note: {type: string}\n        Reason: {type: string}",
        Kind::FieldAdded,
        Impact::Breaking,
    ),
    (
        "required field added to a request type",
        "      required: [Number]\n      properties:\n        Number: {type: string}\n        Note:",
        "      required: [Number, Reason]\n      properties:\n        Number: {type: string}\n        Reason: {type: string}\n        Note:",
        Kind::FieldAdded,
        Impact::Breaking,
    ),
    ("field removed", "        Total: {type: number}\n", "", Kind::FieldRemoved, Impact::Breaking),
    (
        "response field now optional",
        "      required: [Number]\n      properties:\n        Number: {type: string}\n        Status:",
        "      properties:\n        Number: {type: string}\n        Status:",
        Kind::FieldRequiredChanged,
        Impact::Patch,
    ),
    (
        "request field now optional",
        "      required: [Number]\n      properties:\n        Number: {type: string}\n        Note:",
        "      properties:\n        Number: {type: string}\n        Note:",
        Kind::FieldRequiredChanged,
        Impact::Breaking,
    ),
    (
        "request field now required",
        "      required: [Number]\n      properties:\n        Number: {type: string}\n        Note:",
        "      required: [Number, Note]\n      properties:\n        Number: {type: string}\n        Note:",
        Kind::FieldRequiredChanged,
        Impact::Breaking,
    ),
    (
        "optional field of a type only DealPOS sends now nullable",
        "        Total: {type: number}",
        "        Total: {type: [number, 'null']}",
        Kind::FieldNullableChanged,
        Impact::Patch,
    ),
    (
        "optional field of a request type now nullable",
        "        Note: {type: string}\n",
        "        Note: {type: [string, 'null']}\n",
        Kind::FieldNullableChanged,
        Impact::Breaking,
    ),
    (
        "field deprecated",
        "        Total: {type: number}",
        "        Total: {type: number, deprecated: true}",
        Kind::FieldDeprecated,
        Impact::Patch,
    ),
    (
        "field type changed",
        "        Total: {type: number}",
        "        Total: {type: string}",
        Kind::FieldTypeChanged,
        Impact::Breaking,
    ),
    (
        // An overlay's `x-dealpos-format` changes the Rust type, not the wire
        // type: a "Yes"/"No" text becomes a `bool`, encoded as DealPOS expects.
        "field read as a flag (x-dealpos-format: yes-no)",
        "        Note: {type: string}",
        "        Note: {type: string, x-dealpos-format: yes-no}",
        Kind::FieldTypeChanged,
        Impact::Breaking,
    ),
    (
        "field format changed",
        "        Number: {type: string}\n        Status:",
        "        Number: {type: string, format: date-time}\n        Status:",
        Kind::FieldTypeChanged,
        Impact::Breaking,
    ),
    (
        "enum value added",
        "enum: [Paid, Void]",
        "enum: [Paid, Void, Refunded]",
        Kind::EnumValueAdded,
        Impact::Compatible,
    ),
    ("enum value removed", "enum: [Paid, Void]", "enum: [Paid]", Kind::EnumValueRemoved, Impact::Breaking),
    (
        "union variant added",
        "        - {type: string}",
        "        - {type: string}\n        - {type: boolean}",
        Kind::UnionVariantAdded,
        Impact::Breaking,
    ),
    (
        "description changed",
        "description: A sale.",
        "description: A sale or a return.",
        Kind::DocsChanged,
        Impact::Patch,
    ),
];

/// Rows read the other way: the diff from the edited description back to
/// BASE (for changes BASE already has, such as paging).
const REVERSED_ROWS: &[(&str, &str, &str, Kind, Impact)] = &[(
    // The page parameters' setters (`page_number()`, `page_size_2()`) give
    // way to `page()`/`page_size()` (cargo-semver-checks'
    // `inherent_method_missing`).
    "paging added over query parameters",
    "      x-dealpos-paged: {page: PageNumber, size: PageSize, items: Data}\n",
    "",
    Kind::PagingChanged,
    Impact::Breaking,
)];

#[test]
fn each_change_kind_is_classified() {
    let base = api(BASE);
    assert!(diff(&base, &base).is_empty(), "a description differs from itself: {:#?}", diff(&base, &base));
    let mut failures = Vec::new();
    let rows = ROWS.iter().map(|row| (false, row)).chain(REVERSED_ROWS.iter().map(|row| (true, row)));
    for (reversed, (what, from, to, kind, impact)) in rows {
        assert!(BASE.contains(from), "row `{what}`: `{from}` is not in the base description");
        let edited = api(&BASE.replacen(from, to, 1));
        let changes = if reversed { diff(&edited, &base) } else { diff(&base, &edited) };
        let found: Vec<_> = changes.iter().filter(|c| c.kind == *kind).collect();
        if found.is_empty() || found.iter().any(|c| c.impact != *impact) {
            failures.push(format!("{what}: expected {kind:?} as {impact:?}, got {changes:#?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn changes_come_breaking_first_and_name_the_place() {
    let edited = BASE.replacen("enum: [Paid, Void]", "enum: [Paid, Refunded]", 1);
    let changes = diff(&api(BASE), &api(&edited));
    let list: Vec<_> = changes.iter().map(|c| (c.impact, c.subject.as_str())).collect();
    assert_eq!(list, [(Impact::Breaking, "type Status"), (Impact::Compatible, "type Status")]);
    assert!(changes[0].detail.contains("\"Void\""), "{}", changes[0].detail);
}

#[test]
fn next_versions_follow_cargo_semver() {
    assert_eq!(next_version("0.1.0", Some(Impact::Breaking)), "0.2.0");
    assert_eq!(next_version("0.1.3", Some(Impact::Compatible)), "0.1.4");
    assert_eq!(next_version("1.4.2", Some(Impact::Breaking)), "2.0.0");
    assert_eq!(next_version("1.4.2", Some(Impact::Compatible)), "1.5.0");
    assert_eq!(next_version("1.4.2", Some(Impact::Patch)), "1.4.3");
    assert_eq!(next_version("1.4.2", None), "1.4.2");
}

#[test]
fn reports_render_as_text_and_markdown() {
    use super::{Format, Report};
    let edited = BASE.replacen("enum: [Paid, Void]", "enum: [Paid, Void, Refunded]", 1);
    let report = Report {
        crate_name: "dealpos".into(),
        version: "0.1.0".into(),
        sections: vec![("Shop 1 → 2 (shop.yaml)".into(), diff(&api(BASE), &api(&edited)))],
    };
    let text = report.render(Format::Text);
    assert!(text.contains("  compatible:\n    + type Status: value \"Refunded\" added"), "{text}");
    assert!(
        text.ends_with("dealpos 0.1.0 → 0.1.1: compatible release (0 breaking, 1 compatible, 0 patch)\n"),
        "{text}"
    );
    let md = report.render(Format::Markdown);
    assert!(
        md.contains("### Shop 1 → 2 (shop.yaml)\n\n#### Compatible\n\n- `type Status`: value \"Refunded\" added"),
        "{md}"
    );
}

/// The diff names operations as the crate does: naming's accessor and
/// method, collision suffix included.
#[test]
fn operations_are_named_as_the_crate_names_them() {
    let added = "  /Invoice/Void2:\n    post:\n      operationId: voidInvoices\n      tags: [Invoice]\n      responses: {'200': {description: ok}}\nwebhooks:";
    let changes = diff(&api(BASE), &api(&BASE.replacen("webhooks:", added, 1)));
    let details: Vec<_> =
        changes.iter().filter(|c| c.kind == Kind::OperationAdded).map(|c| c.detail.as_str()).collect();
    assert_eq!(details, ["operation added (`client.invoice().void_2()`)"]);
}

/// Removing an operation reads as that: its request type, which no
/// operation uses any more, is reported as unreferenced (the emitter now
/// writes it as a type DealPOS sends), not as turned around.
#[test]
fn removing_an_operation_does_not_turn_its_request_type_around() {
    let void = "  /Invoice/Void:\n    post:\n      operationId: voidInvoice\n      tags: [Invoice]\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/VoidRequest'}}}}\n      responses: {'200': {description: ok}}\n";
    assert!(BASE.contains(void));
    let changes = diff(&api(BASE), &api(&BASE.replacen(void, "", 1)));
    let kinds: Vec<_> = changes.iter().map(|c| (c.kind, c.impact, c.subject.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (Kind::OperationRemoved, Impact::Breaking, "POST /Invoice/Void"),
            (Kind::TypeUnreferenced, Impact::Breaking, "type VoidRequest"),
        ],
        "{changes:#?}"
    );
    assert!(changes[1].detail.starts_with("no operation or event uses it any more"), "{}", changes[1].detail);

    // A type DealPOS sends that loses its last user keeps its Rust: a note.
    let hook = "webhooks:\n  invoiceCreated:\n    post:\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Invoice'}}}}\n      responses: {'200': {description: ok}}\n";
    let page = "schema: {$ref: '#/components/schemas/InvoicePage'}";
    let edited = BASE.replacen(hook, "webhooks: {}\n", 1).replacen(page, "schema: {type: string}", 1);
    let changes = diff(&api(BASE), &api(&edited));
    let invoice: Vec<_> = changes.iter().filter(|c| c.subject == "type Invoice").map(|c| (c.kind, c.impact)).collect();
    assert_eq!(invoice, [(Kind::TypeUnreferenced, Impact::Patch)], "{changes:#?}");
}

/// A REST description and a webhook one whose payload's line is `LINE`
/// (a copy of the REST type, or a `$ref` to it across descriptions).
fn hooks_among_rest(line: &str, rest_line: &str) -> Api {
    let rest = format!(
        "openapi: 3.1.0\ninfo: {{title: api, version: '1'}}\npaths:\n  /Invoice:\n    get:\n      responses:\n        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Line'}}}}}}}}\ncomponents:\n  schemas:\n    Line: {rest_line}\n"
    );
    let hooks = format!(
        "openapi: 3.1.0\ninfo: {{title: hooks, version: '1'}}\nwebhooks:\n  created:\n    post:\n      requestBody: {{content: {{application/json: {{schema: {{$ref: '#/components/schemas/Payload'}}}}}}}}\n      responses: {{'200': {{description: ok}}}}\ncomponents:\n  schemas:\n    Payload: {{type: object, properties: {{Line: {line}}}}}\n    Line: {{type: object, properties: {{Code: {{type: string}}}}}}\n"
    );
    let (rest, hooks) = (load::parse("api.yaml", &rest).unwrap(), load::parse("hooks.yaml", &hooks).unwrap());
    let mut apis = crate::ir::build_all(&[(&rest, "models"), (&hooks, "webhooks")], &crate::ir::no_files)
        .unwrap_or_else(|e| panic!("{e}"));
    apis.remove(1)
}

/// Types are compared by name within a description, and a `$ref` across
/// descriptions by the path emitted for it (`models::Line`): a field moving
/// from the webhook's own copy to the REST type is a breaking change of its
/// type even though the copy has the same name and fields; the same
/// cross-description `$ref` on both sides is no change, and a change of the
/// REST type is not one of the webhook description (its own section says it).
#[test]
fn a_ref_across_descriptions_is_judged_by_the_path_emitted() {
    let rest_line = "{type: object, properties: {Code: {type: string}}}";
    let copy = hooks_among_rest("{$ref: '#/components/schemas/Line'}", rest_line);
    let shared = hooks_among_rest("{$ref: 'api.yaml#/components/schemas/Line'}", rest_line);
    let changes = diff(&copy, &shared);
    let moved = changes.iter().find(|c| c.kind == Kind::FieldTypeChanged).unwrap_or_else(|| panic!("{changes:#?}"));
    assert_eq!((moved.impact, moved.subject.as_str()), (Impact::Breaking, "Payload.Line"));
    assert!(moved.detail.contains("`Line` → `models::Line`"), "{}", moved.detail);
    assert!(diff(&shared, &shared).is_empty());
    let grown = hooks_among_rest(
        "{$ref: 'api.yaml#/components/schemas/Line'}",
        "{type: object, properties: {Code: {type: string}, Name: {type: string}}}",
    );
    assert!(diff(&shared, &grown).is_empty(), "{:#?}", diff(&shared, &grown));
}
