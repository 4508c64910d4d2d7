//! Bad and adversarial input: every problem is a diagnostic naming file and
//! JSON pointer, approximations are warnings, and nothing panics or
//! overflows the stack. Regression tests for fuzzing findings are at the end.

use dealpos_generator::load::parse;
use dealpos_generator::{CrateInfo, Error, Generated, emit, generate_from, ir};

fn info() -> CrateInfo {
    CrateInfo { name: "fixture".into(), version: "0.0.0".into() }
}

fn generate(text: &str) -> Result<Generated, Error> {
    let source = parse("bad.yaml", text)?;
    generate_from(&info(), vec![(source, "models".into())], &[])
}

fn errors(text: &str) -> Vec<String> {
    match generate(text) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string().lines().map(str::to_string).collect(),
    }
}

const HEAD: &str = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n";

#[test]
fn alias_cycle_is_an_error_at_each_alias() {
    let errors = errors(&format!(
        "{HEAD}components:\n  schemas:\n    A: {{$ref: '#/components/schemas/B'}}\n    B: {{$ref: '#/components/schemas/A'}}\n"
    ));
    assert_eq!(
        errors,
        [
            "error: bad.yaml#/components/schemas/A: `$ref` cycle with no value in it: /components/schemas/A → /components/schemas/B",
            "error: bad.yaml#/components/schemas/B: `$ref` cycle with no value in it: /components/schemas/A → /components/schemas/B",
        ]
    );
}

/// `x-dealpos-format` names a Rust type for a wire form: only the two known
/// formats, on wire types they can read, and a yes/no flag only on a property
/// (its encoding is a field attribute, lost anywhere else).
#[test]
fn dealpos_formats_need_a_fitting_type_and_a_known_name() {
    let errors = errors(&format!(
        "{HEAD}components:\n  schemas:\n    A:\n      properties:\n        Void: {{type: integer, x-dealpos-format: yes-no}}\n        Flag: {{type: string, x-dealpos-format: yesno}}\n        Price: {{type: [string, boolean], x-dealpos-format: decimal}}\n        Ok: {{type: string, x-dealpos-format: yes-no}}\n        Amount: {{type: [number, string], x-dealpos-format: decimal}}\n        Flags: {{type: array, items: {{type: string, x-dealpos-format: yes-no}}}}\n"
    ));
    let at = "error: bad.yaml#/components/schemas/A/properties";
    assert_eq!(
        errors,
        [
            format!("{at}/Flag/x-dealpos-format: unknown `x-dealpos-format` \"yesno\": `decimal` or `yes-no` expected"),
            format!(
                "{at}/Flags/items/x-dealpos-format: `x-dealpos-format: yes-no` is a field's encoding: only on a property"
            ),
            format!(
                "{at}/Price/x-dealpos-format: `x-dealpos-format: decimal` needs `type: number` (or `[number, string]`)"
            ),
            format!(
                "{at}/Void/x-dealpos-format: `x-dealpos-format: yes-no` needs `type: string` (or `[string, boolean]`)"
            ),
        ]
    );
}

#[test]
fn self_reference_is_an_error() {
    let errors = errors(&format!("{HEAD}components:\n  schemas:\n    A: {{$ref: '#/components/schemas/A'}}\n"));
    assert_eq!(
        errors,
        ["error: bad.yaml#/components/schemas/A: `$ref` cycle with no value in it: /components/schemas/A"]
    );
}

#[test]
fn nullable_alias_cycle_is_still_an_error() {
    let errors = errors(&format!(
        "{HEAD}components:\n  schemas:\n    A: {{$ref: '#/components/schemas/B', nullable: true}}\n    B: {{allOf: [{{$ref: '#/components/schemas/A'}}]}}\n"
    ));
    assert_eq!(errors.len(), 2, "{errors:?}");
}

#[test]
fn all_of_cycle_is_an_error() {
    let errors = errors(&format!(
        "{HEAD}components:\n  schemas:\n    A: {{allOf: [{{$ref: '#/components/schemas/B'}}, {{properties: {{a: {{type: string}}}}}}]}}\n    B: {{allOf: [{{$ref: '#/components/schemas/A'}}, {{properties: {{b: {{type: string}}}}}}]}}\n"
    ));
    assert!(errors.iter().all(|e| e.contains("bad.yaml#/components/schemas/") && e.contains("a cycle?")), "{errors:?}");
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
    let depth = 120;
    let schema = format!("{}{{type: string}}{}", "{type: array, items: ".repeat(depth), "}".repeat(depth));
    let errors = errors(&format!("{HEAD}components:\n  schemas:\n    Deep: {schema}\n"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("error: bad.yaml#/components/schemas/Deep/items/items/"), "{errors:?}");
    assert!(errors[0].ends_with("schemas nest more than 48 levels deep"), "{errors:?}");
}

#[test]
fn a_long_chain_of_references_does_not_overflow_the_stack() {
    // Each type holds the next: building them one at a time (not by recursing
    // into each `$ref`) keeps the stack flat however long the chain.
    let n = 1500;
    let mut text = format!("{HEAD}components:\n  schemas:\n");
    for i in 0..n {
        text.push_str(&format!(
            "    T{i}: {{properties: {{next: {{$ref: '#/components/schemas/T{}'}}}}}}\n",
            (i + 1) % n
        ));
    }
    let out = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || generate(&text).map(|g| g.modules[0].api.types.len()))
        .expect("a thread")
        .join()
        .expect("no stack overflow");
    assert_eq!(out.unwrap(), n);
}

#[test]
fn reference_cycle_among_responses_is_an_error() {
    let errors = errors(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200': {{$ref: '#/components/responses/R'}}\ncomponents:\n  responses:\n    R: {{$ref: '#/components/responses/R'}}\n"
    ));
    assert_eq!(
        errors,
        ["error: bad.yaml#/components/responses/R: `$ref`s lead to `$ref`s more than 32 times (a cycle?)"]
    );
}

#[test]
fn url_references_are_refused_not_fetched() {
    let errors = errors(&format!("{HEAD}components:\n  schemas:\n    A: {{$ref: 'https://example.com/a.yaml#/A'}}\n"));
    assert_eq!(
        errors,
        [
            "error: bad.yaml#/components/schemas/A/$ref: `$ref: https://example.com/a.yaml#/A`: only file paths and JSON pointers are supported (no URLs or anchors)"
        ]
    );
}

#[test]
fn other_files_can_be_refused() {
    let source = parse("bad.yaml", &format!("{HEAD}components:\n  schemas:\n    A: {{$ref: 'b.yaml#/B'}}\n")).unwrap();
    let err = ir::build_with(&source, &ir::no_files).unwrap_err().to_string();
    assert_eq!(
        err,
        "error: bad.yaml#/components/schemas/A/$ref: `$ref: b.yaml#/B`: error: b.yaml#/: reading other files is disabled"
    );
}

#[test]
fn dangling_pointer_in_another_file_names_both() {
    let dir = std::env::temp_dir().join(format!("dealpos-generator-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("b.yaml"), "B: {type: string}\n").unwrap();
    let main = dir.join("main.yaml");
    std::fs::write(&main, format!("{HEAD}components:\n  schemas:\n    A: {{$ref: 'b.yaml#/C'}}\n")).unwrap();
    let source = dealpos_generator::load::load(&main).unwrap();
    let err = ir::build(&source).unwrap_err().to_string();
    let _ = std::fs::remove_dir_all(&dir);
    let main = main.display().to_string();
    let other = dir.join("b.yaml").display().to_string();
    assert_eq!(
        err,
        format!("error: {main}#/components/schemas/A/$ref: dangling `$ref`: `b.yaml#/C` does not exist in {other}")
    );
}

#[test]
fn approximations_are_warnings_with_places() {
    let out = generate(&format!(
        "{HEAD}components:\n  schemas:\n    A: {{type: [object, string]}}\n    B: {{enum: [1, a]}}\n    C: {{oneOf: [{{type: string}}, {{type: integer}}], properties: {{x: {{type: string}}}}}}\n    D: {{type: object, properties: {{a: {{type: string}}}}, frobnicate: 1}}\n    E: {{properties: {{k: {{type: string}}}}, discriminator: {{propertyName: k}}}}\n    F: {{$ref: '#/components/schemas/D', properties: {{y: {{type: string}}}}}}\n"
    ))
    .unwrap();
    let warnings: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "warning: bad.yaml#/components/schemas/A/type: several types [\"object\", \"string\"]: modelled as any JSON value",
            "warning: bad.yaml#/components/schemas/B/enum: enum values of mixed or unsupported types: modelled as any JSON value",
            "warning: bad.yaml#/components/schemas/C/properties: `properties` beside `oneOf` are not merged",
            "warning: bad.yaml#/components/schemas/D/frobnicate: unknown keyword `frobnicate` ignored",
            "warning: bad.yaml#/components/schemas/E/discriminator: `discriminator` without `oneOf`/`anyOf` is not used",
            "warning: bad.yaml#/components/schemas/F/properties: `properties` beside `$ref` is ignored",
        ]
    );
}

/// Names from anywhere in a document become valid identifiers, so emission
/// never fails (it would be a generator bug).
fn emits(text: &str) {
    let source = parse("odd.yaml", text).unwrap();
    let api = ir::build_with(&source, &ir::no_files).unwrap_or_else(|e| panic!("{e}"));
    let module = emit::Module { name: "models".into(), spec: "odd.yaml".into(), api };
    if let Err(e) = emit::emit(&info(), &[module]) {
        panic!("{e}");
    }
}

#[test]
fn odd_names_emit_valid_rust() {
    emits(&format!(
        "{HEAD}paths:\n  /x:\n    get:\n      operationId: '1 2'\n      responses:\n        4XX: {{description: d, content: {{application/json: {{schema: {{type: object, properties: {{a: {{type: string}}}}}}}}}}}}\nwebhooks:\n  self: {{post: {{requestBody: {{content: {{application/json: {{schema: {{type: string}}}}}}}}}}}}\ncomponents:\n  schemas:\n    '': {{type: object, properties: {{'': {{type: string}}, '_': {{type: string}}}}}}\n    Self: {{enum: ['Self', 'self', '', ' ', 'Unknown']}}\n    'ü': {{oneOf: [{{$ref: '#/components/schemas/%C3%BCSelf'}}, {{type: string}}]}}\n    üSelf: {{type: object, properties: {{x: {{type: string}}}}}}\n"
    ));
}

#[test]
fn multiplying_all_of_parts_are_bounded() {
    // Each level's `allOf` names the level below twice, so merging copies
    // 2^30 properties unless the work is bounded.
    let mut text = format!("{HEAD}components:\n  schemas:\n    L0: {{properties: {{x: {{type: string}}}}}}\n");
    for i in 1..30 {
        let below = format!("{{$ref: '#/components/schemas/L{}'}}", i - 1);
        text.push_str(&format!("    L{i}: {{properties: {{p: {{allOf: [{below}, {below}]}}}}}}\n"));
    }
    let start = std::time::Instant::now();
    let errors = errors(&text);
    assert!(errors.iter().any(|e| e.contains("schemas to analyse")), "{errors:?}");
    assert!(start.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn an_alternative_that_is_the_union_itself_is_dropped() {
    let out = generate(&format!(
        "{HEAD}components:\n  schemas:\n    A: {{oneOf: [{{$ref: '#/components/schemas/B'}}, {{type: string}}]}}\n    B: {{oneOf: [{{$ref: '#/components/schemas/A'}}, {{type: integer}}]}}\n"
    ))
    .unwrap();
    let warnings: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["warning: bad.yaml#/components/schemas/A: an alternative that is the union itself is dropped"]
    );
    let errors = errors(&format!(
        "{HEAD}components:\n  schemas:\n    A: {{anyOf: [{{$ref: '#/components/schemas/A'}}, {{$ref: '#/components/schemas/A'}}]}}\n"
    ));
    assert_eq!(
        errors,
        ["error: bad.yaml#/components/schemas/A: every alternative is the union itself: it has no value"]
    );
}

#[test]
fn problems_in_another_file_are_reported_there() {
    let dir = std::env::temp_dir().join(format!("dealpos-generator-other-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/b.yaml"), "B: {type: object, properties: {x: {$dynamicRef: '#node'}}}\n").unwrap();
    let main = dir.join("main.yaml");
    std::fs::write(&main, format!("{HEAD}components:\n  schemas:\n    A: {{$ref: 'sub/b.yaml#/B'}}\n")).unwrap();
    let source = dealpos_generator::load::load(&main).unwrap();
    let err = ir::build(&source).unwrap_err().to_string();
    let other = dir.join("sub/b.yaml").display().to_string();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(err, format!("error: {other}#/B/properties/x/$dynamicRef: `$dynamicRef` is not supported"));
}

/// Keywords that only validate never refuse a description: each is a
/// warning at its pointer, and the rest of the schema gives the type.
#[test]
fn validation_only_keywords_are_warnings_and_the_rest_of_the_schema_is_the_type() {
    let out = generate(&format!(
        "{HEAD}components:\n  schemas:\n    A:\n      type: object\n      properties:\n        b: {{type: string, not: {{const: x}}}}\n        c: {{type: object, patternProperties: {{'^a': {{type: integer}}, '^b': {{type: string}}}}}}\n        d: {{type: array, prefixItems: [{{type: string}}], items: {{type: string}}}}\n      if: {{required: [b]}}\n      then: {{required: [c]}}\n      dependentSchemas: {{b: {{required: [d]}}}}\n"
    ))
    .unwrap();
    let warnings: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "warning: bad.yaml#/components/schemas/A/dependentSchemas: `dependentSchemas` only validates values: ignored",
            "warning: bad.yaml#/components/schemas/A/if: `if` only validates values: ignored",
            "warning: bad.yaml#/components/schemas/A/properties/b/not: `not` only validates values: ignored",
            "warning: bad.yaml#/components/schemas/A/properties/c/patternProperties: `patternProperties`: a map of any JSON value; key patterns are not checked",
            "warning: bad.yaml#/components/schemas/A/properties/d/prefixItems: `prefixItems`: a list of the positions' schema, positions not typed",
            "warning: bad.yaml#/components/schemas/A/then: `then` only validates values: ignored",
        ]
    );
    let models =
        out.files.iter().filter(|(p, _)| p.starts_with("src/models")).map(|(_, t)| t.as_str()).collect::<String>();
    assert!(models.contains("pub b: Option<String>"), "{models}");
    assert!(models.contains("pub c: Option<::std::collections::BTreeMap<String, serde_json::Value>>"), "{models}");
    assert!(models.contains("pub d: Option<Vec<String>>"), "{models}");
    // Malformed, they are still errors: there is nothing to read a type from.
    let errors = errors(&format!("{HEAD}components:\n  schemas:\n    A: {{type: array, prefixItems: 3}}\n"));
    assert_eq!(errors, ["error: bad.yaml#/components/schemas/A/prefixItems: `prefixItems` must be a list"]);
}

#[test]
fn an_unknown_parameter_place_is_an_error_not_a_query_parameter() {
    let errors = errors(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      parameters:\n        - {{name: Outlet, in: querystring, schema: {{type: string}}}}\n      responses: {{'200': {{description: ok}}}}\n"
    ));
    assert_eq!(
        errors,
        [
            "error: bad.yaml#/paths/~1a/get/parameters/0/in: parameter `Outlet`: `in: querystring` is not path, query, header or cookie"
        ]
    );
}
