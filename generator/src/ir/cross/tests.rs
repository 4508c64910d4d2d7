//! Cross-description `$ref`s: linked whatever the order, errors naming the
//! `$ref`, cycles across modules broken or refused, features counted across.

use super::*;
use crate::ir::no_files;
use crate::load::parse;

/// A REST-like description: a line type an answer uses, and a customer.
const API: &str = "openapi: 3.1.0
info: {title: api, version: '1'}
paths:
  /Invoice:
    get:
      tags: [Invoice]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Invoice'}}}}
components:
  schemas:
    Invoice: {type: object, properties: {Lines: {type: array, items: {$ref: '#/components/schemas/Line'}}}}
    Line: {type: object, properties: {Code: {type: string}, Note: {$ref: '#/components/schemas/Note'}}}
    Note: {type: object, properties: {Text: {type: string}}}
";

/// A webhook description whose payload's lines are the REST description's,
/// `REF` standing for the `$ref` written.
const HOOKS: &str = "openapi: 3.1.0
info: {title: hooks, version: '1'}
webhooks:
  created:
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Payload'}}}}
      responses: {'200': {description: ok}}
components:
  schemas:
    Payload: {type: object, properties: {Lines: {type: array, items: {$ref: 'REF'}}, Own: {$ref: '#/components/schemas/Own'}}}
    Own: {type: object, properties: {X: {type: string}}}
";

fn hooks(reference: &str) -> Source {
    parse("spec/hooks.yaml", &HOOKS.replace("REF", reference)).unwrap_or_else(|e| panic!("{e}"))
}

fn api() -> Source {
    parse("spec/api.yaml", API).unwrap_or_else(|e| panic!("{e}"))
}

fn named(api: &Api, name: &str) -> TypeId {
    TypeId(api.types.iter().position(|t| t.name == name).unwrap_or_else(|| panic!("no type {name}")))
}

/// The type of field `field` of struct `owner`, inside lists.
fn field_type(api: &Api, owner: &str, field: &str) -> TypeRef {
    let TypeKind::Struct { fields, .. } = &api.get(named(api, owner)).kind else { panic!("{owner} is not a struct") };
    let mut ty = fields.iter().find(|f| f.wire == field).unwrap_or_else(|| panic!("no {owner}.{field}")).ty.clone();
    while let TypeRef::Array(inner) = ty {
        ty = *inner;
    }
    ty
}

fn error_of(result: Result<Vec<Api>>) -> String {
    match result {
        Ok(_) => panic!("built, an error was expected"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_ref_into_another_description_is_its_type_whatever_the_order() {
    let (api, hooks) = (api(), hooks("api.yaml#/components/schemas/Line"));
    for order in [[(&api, "models"), (&hooks, "webhooks")], [(&hooks, "webhooks"), (&api, "models")]] {
        let built = build_all(&order, &no_files).unwrap_or_else(|e| panic!("{e}"));
        let (rest, hooks_api) = if order[0].1 == "models" { (&built[0], &built[1]) } else { (&built[1], &built[0]) };
        let line = named(rest, "Line");
        let TypeRef::Foreign(f) = field_type(hooks_api, "Payload", "Lines") else { panic!("not a foreign type") };
        assert_eq!(f.module, "models");
        assert_eq!(f.target, Location { file: "spec/api.yaml".into(), pointer: "/components/schemas/Line".into() });
        assert_eq!(f.linked, Some((line, "Line".to_string())));
        // No copy of Line (nor of the Note inside it) in the webhook module.
        assert!(hooks_api.types.iter().all(|t| t.name != "Line" && t.name != "Note"), "{:?}", hooks_api.types);
        assert_eq!(field_type(hooks_api, "Payload", "Own"), TypeRef::Named(named(hooks_api, "Own")));
    }
}

#[test]
fn the_types_a_webhook_holds_are_used_by_webhooks_too() {
    let (api, hooks) = (api(), hooks("api.yaml#/components/schemas/Line"));
    let built = build_all(&[(&api, "models"), (&hooks, "webhooks")], &no_files).unwrap_or_else(|e| panic!("{e}"));
    let users = users_across(&[("models", &built[0]), ("webhooks", &built[1])]);
    let of = |name: &str| &users[0][named(&built[0], name).0];
    // Line and, through it, Note: the invoice tag and the webhooks.
    for name in ["Line", "Note"] {
        assert!(of(name).webhooks, "{name}");
        assert_eq!(of(name).tags.iter().collect::<Vec<_>>(), ["Invoice"], "{name}");
    }
    assert!(!of("Invoice").webhooks);
    // Alone, a module knows only its own users.
    assert!(!crate::ir::users(&built[0])[named(&built[0], "Line").0].webhooks);
}

#[test]
fn a_missing_file_is_an_error_naming_the_ref() {
    let (api, hooks) = (api(), hooks("nope.yaml#/components/schemas/Line"));
    let error = error_of(build_all(&[(&api, "models"), (&hooks, "webhooks")], &no_files));
    let site = "spec/hooks.yaml#/components/schemas/Payload/properties/Lines/items/$ref";
    assert!(error.contains(site) && error.contains("nope.yaml"), "{error}");
}

#[test]
fn a_missing_schema_is_an_error_naming_the_ref() {
    let (api, hooks) = (api(), hooks("api.yaml#/components/schemas/Nope"));
    let error = error_of(build_all(&[(&api, "models"), (&hooks, "webhooks")], &no_files));
    let site = "spec/hooks.yaml#/components/schemas/Payload/properties/Lines/items/$ref";
    assert!(error.contains(site) && error.contains("/components/schemas/Nope"), "{error}");
    assert!(error.contains("dangling"), "{error}");
}

#[test]
fn only_component_schemas_can_be_referred_to() {
    let (api, hooks) = (api(), hooks("api.yaml#/components/schemas/Line/properties/Note"));
    let error = error_of(build_all(&[(&api, "models"), (&hooks, "webhooks")], &no_files));
    assert!(error.contains("Payload/properties/Lines/items/$ref") && error.contains("component schemas"), "{error}");
}

#[test]
fn a_ref_to_its_own_file_is_a_local_ref() {
    let (api, hooks) = (api(), hooks("hooks.yaml#/components/schemas/Own"));
    let built = build_all(&[(&api, "models"), (&hooks, "webhooks")], &no_files).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(field_type(&built[1], "Payload", "Lines"), TypeRef::Named(named(&built[1], "Own")));
}

/// Two descriptions that refer to each other, `A.b: B` and `B.a: A`: both
/// link, and the struct cycle through both modules gets one box.
#[test]
fn descriptions_may_refer_to_each_other() {
    let doc = |name: &str, other: &str| {
        let text = format!(
            "openapi: 3.1.0\ninfo: {{title: {name}, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    {name}: {{type: object, properties: {{{other}: {{$ref: '{other_file}.yaml#/components/schemas/{other}'}}}}}}\n",
            other_file = other.to_lowercase()
        );
        parse(&format!("{}.yaml", name.to_lowercase()), &text).unwrap_or_else(|e| panic!("{e}"))
    };
    let (a, b) = (doc("A", "B"), doc("B", "A"));
    let built = build_all(&[(&a, "a"), (&b, "b")], &no_files).unwrap_or_else(|e| panic!("{e}"));
    let boxed = |api: &Api| match &api.types[0].kind {
        TypeKind::Struct { fields, .. } => {
            assert!(matches!(&fields[0].ty, TypeRef::Foreign(f) if f.linked.is_some()), "{:?}", fields[0]);
            fields[0].boxed
        }
        other => panic!("{other:?}"),
    };
    assert_eq!([boxed(&built[0]), boxed(&built[1])], [true, false], "one box breaks the cycle");
}

/// `A = B`, `B = A` across two files describes no value: an error at each.
#[test]
fn an_alias_cycle_across_descriptions_is_an_error() {
    let doc = |name: &str, other: &str| {
        let text = format!(
            "openapi: 3.1.0\ninfo: {{title: {name}, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    {name}: {{$ref: '{}.yaml#/components/schemas/{other}'}}\n",
            other.to_lowercase()
        );
        parse(&format!("{}.yaml", name.to_lowercase()), &text).unwrap_or_else(|e| panic!("{e}"))
    };
    let (a, b) = (doc("A", "B"), doc("B", "A"));
    let error = error_of(build_all(&[(&a, "a"), (&b, "b")], &no_files));
    assert!(
        error.contains("a.yaml#/components/schemas/A") && error.contains("b.yaml#/components/schemas/B"),
        "{error}"
    );
    assert!(error.contains("cycle"), "{error}");
}

/// Through a list, the same cycle is a fine recursive type: one alias becomes a newtype.
#[test]
fn an_alias_cycle_through_a_list_becomes_a_newtype() {
    let a = parse(
        "a.yaml",
        "openapi: 3.1.0\ninfo: {title: a, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {type: array, items: {$ref: 'b.yaml#/components/schemas/B'}}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let b = parse(
        "b.yaml",
        "openapi: 3.1.0\ninfo: {title: b, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    B: {$ref: 'a.yaml#/components/schemas/A'}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let built = build_all(&[(&a, "a"), (&b, "b")], &no_files).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(built[0].types[0].kind, TypeKind::Newtype(_)), "{:?}", built[0].types[0]);
    assert!(matches!(built[1].types[0].kind, TypeKind::Alias(TypeRef::Foreign(_))), "{:?}", built[1].types[0]);
}

/// A REST type reached only from a request body (strict) that a webhook
/// payload also holds decodes what DealPOS sends: lenient.
#[test]
fn a_request_type_a_webhook_holds_becomes_lenient() {
    let rest = parse(
        "api.yaml",
        "openapi: 3.1.0\ninfo: {title: api, version: '1'}\npaths:\n  /x:\n    post:\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/In'}}}}\n      responses: {'200': {description: ok}}\ncomponents:\n  schemas:\n    In: {type: object, required: [A], properties: {A: {type: string}}}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let alone = build_all(&[(&rest, "models")], &no_files).unwrap_or_else(|e| panic!("{e}"));
    assert!(!alone[0].types[0].lenient);
    let hooks = hooks("api.yaml#/components/schemas/In");
    let hooks = Source { name: "hooks.yaml".into(), value: hooks.value };
    let built = build_all(&[(&rest, "models"), (&hooks, "webhooks")], &no_files).unwrap_or_else(|e| panic!("{e}"));
    assert!(built[0].types[0].lenient && built[0].types[0].sent);
}
