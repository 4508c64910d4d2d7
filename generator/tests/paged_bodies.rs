//! Paged operations: the IR drops from their bodies what the client sends
//! otherwise (the page it writes, the filters that are query parameters).

use dealpos_generator::ir::{TypeKind, TypeRef};

/// A GET taking its filters in the query with a body repeating them, and
/// a POST whose body holds its filters and the page.
const PAGED: &str = r#"
openapi: 3.1.0
info: {title: Paged, version: '1'}
paths:
  /Customer:
    get:
      operationId: listCustomers
      x-dealpos-paged: {}
      parameters:
        - {name: Name, in: query, schema: {type: string}}
        - {name: PageNumber, in: query, schema: {type: integer}}
        - {name: PageSize, in: query, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties: {Name: {type: string}, PageNumber: {type: integer}, PageSize: {type: integer}}
      responses: {'200': {description: ok}}
  /Invoice/List:
    post:
      operationId: listInvoices
      x-dealpos-paged: {}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/InvoiceQuery'}
            example: {From: '2024-01-01', PageNumber: 1, PageSize: 20}
      responses: {'200': {description: ok}}
  /Invoice/Other:
    post:
      operationId: notPaged
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/OtherQuery'}
      responses: {'200': {description: ok}}
components:
  schemas:
    InvoiceQuery:
      type: object
      required: [PageNumber, PageSize]
      properties: {From: {type: string}, PageNumber: {type: integer}, PageSize: {type: integer}}
    OtherQuery:
      type: object
      properties: {From: {type: string}, PageNumber: {type: integer}}
"#;

#[test]
fn paged_bodies_lose_what_the_client_sends_otherwise() {
    let api = dealpos_generator::ir::build(&dealpos_generator::load::parse("paged.yaml", PAGED).unwrap()).unwrap();
    let op = |id: &str| api.operations.iter().find(|o| o.id == id).unwrap();
    assert_eq!(op("listCustomers").request, None, "every body field is a query parameter");
    let fields = |id: &str| {
        let Some(TypeRef::Named(ty)) = op(id).request else { panic!("{id} has no named body") };
        let TypeKind::Struct { fields, .. } = &api.get(ty).kind else { panic!("{id}: not a struct") };
        fields.iter().map(|f| f.wire.as_str()).collect::<Vec<_>>()
    };
    assert_eq!(fields("listInvoices"), ["From"], "the client writes the page");
    assert_eq!(fields("notPaged"), ["From", "PageNumber"], "not paged: untouched");
    let example = api.examples.iter().find(|e| e.origin.pointer.contains("Invoice~1List")).unwrap();
    assert_eq!(example.value, serde_json::json!({"From": "2024-01-01"}));
}
