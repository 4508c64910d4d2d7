//! The IR's data: what one analysed description is. The files of `ir/`
//! build and name it; emission and `diff` read it (re-exported by `ir`).

use serde_json::Value;

use crate::error::{Diagnostic, Location};

/// One description, analysed.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// `openapi`: `3.0.x` or `3.1.x`.
    pub openapi: String,
    /// Tags in document order.
    pub tags: Vec<Tag>,
    /// Every named type, indexed by [`TypeId`].
    pub types: Vec<TypeDef>,
    /// Operations in document order (paths, then methods in a fixed order).
    pub operations: Vec<Operation>,
    /// Webhooks in document order.
    pub webhooks: Vec<Webhook>,
    /// Examples found in the document, with the type they must fit.
    pub examples: Vec<Example>,
    /// Approximations and other warnings.
    pub diagnostics: Vec<Diagnostic>,
}

/// A tag of the description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// As written in the description.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
}

/// Index of a [`TypeDef`] in [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// A named type of the generated crate.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// The Rust name, unique in its module (set by the naming pass).
    pub name: String,
    /// Where the schema is.
    pub origin: Location,
    /// Doc comment, from the schema's title and description.
    pub doc: Option<String>,
    /// What it is.
    pub kind: TypeKind,
    /// Whether values come from DealPOS (responses, webhooks) and so must
    /// decode whatever it sends; only request-only types are strict.
    pub lenient: bool,
    /// Whether we send values of it (a request body reaches it). A type only
    /// DealPOS sends has no use for telling an absent field from a `null` one.
    pub sent: bool,
}

/// The shape of a named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct {
        /// Properties in document order.
        fields: Vec<Field>,
        /// `additionalProperties` alongside properties, kept in a map.
        additional: Option<TypeRef>,
    },
    /// A closed set of strings or integers, plus an `Unknown` fallback.
    Enum {
        /// Whether values are strings or integers.
        repr: EnumRepr,
        /// Known values in document order.
        variants: Vec<EnumVariant>,
    },
    /// `oneOf`/`anyOf` (or a 3.1 list of types).
    Union {
        /// Alternatives: in document order when tagged; when untagged, the
        /// most specific first (the first that keeps the whole value wins),
        /// then the `fallback`, if any.
        variants: Vec<UnionVariant>,
        /// The discriminator property, when the enum is internally tagged.
        tag: Option<String>,
    },
    /// A named schema that is not an object (e.g. an array): a type alias.
    Alias(TypeRef),
    /// A list or map that contains itself: a newtype, since a Rust type
    /// alias cannot be recursive.
    Newtype(TypeRef),
}

/// A property of a struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The Rust field name (snake_case, unique in the struct).
    pub name: String,
    /// The JSON property name.
    pub wire: String,
    /// Other spellings accepted when decoding (`x-aliases`), for DealPOS's casing drift.
    pub aliases: Vec<String>,
    /// Doc comment.
    pub doc: Option<String>,
    /// The value's type.
    pub ty: TypeRef,
    /// In the schema's `required` list.
    pub required: bool,
    /// The schema admits `null`.
    pub nullable: bool,
    /// Needs a `Box` to break a cycle of structs.
    pub boxed: bool,
    /// `deprecated: true` on the property.
    pub deprecated: bool,
    /// `x-dealpos-secret: true`: its value is a credential, never shown by
    /// `Debug` (the type's `Debug` is written by hand, the value redacted).
    pub secret: bool,
    /// `x-dealpos-format: yes-no` on the property: DealPOS writes the flag as
    /// the text `"Yes"`/`"No"`; the field is a `bool` read and written through
    /// the runtime's `decode::yes_no`.
    pub yes_no: bool,
}

/// Representation of an enum's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumRepr {
    /// JSON strings.
    String,
    /// JSON integers.
    Integer,
}

/// A known enum value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumVariant {
    /// The Rust variant name.
    pub name: String,
    /// The JSON value.
    pub value: Value,
}

/// An alternative of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    /// The Rust variant name.
    pub name: String,
    /// Its payload.
    pub ty: TypeRef,
    /// The discriminator value, when the union is tagged.
    pub tag: Option<String>,
    /// Needs a `Box` to break a cycle.
    pub boxed: bool,
    /// Not an alternative of the description: the raw JSON value (`TypeRef::Json`)
    /// an untagged union keeps when every alternative that fits would drop
    /// part of it (`ir/unions.rs`).
    pub fallback: bool,
}

/// A reference to a type: a primitive, a container, or a named type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    /// `string`.
    String,
    /// `integer` (`int32` format gives 32 bits).
    Integer {
        /// 32 or 64.
        bits: u8,
    },
    /// `number`: kept exact, as written.
    Number,
    /// `boolean`.
    Boolean,
    /// `string` with format `date-time` or `date`: DealPOS's loose timestamps.
    Timestamp,
    /// Anything JSON (untyped schemas, `type: 'null'`).
    Json,
    /// A list.
    Array(Box<TypeRef>),
    /// A map with string keys.
    Map(Box<TypeRef>),
    /// A named type.
    Named(TypeId),
    /// A named type of another description's module: a `$ref` into another
    /// description of the crate (`dealpos-api.yaml#/components/schemas/X` in
    /// the webhooks), one shared type rather than a copy (`ir/cross.rs`).
    Foreign(Box<ForeignRef>),
}

/// Where a [`TypeRef::Foreign`] points: known by its schema while the
/// descriptions are built one by one, linked to the other module's type once
/// all are (`ir::build_all`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ForeignRef {
    /// The module of the crate the other description becomes (`models`).
    pub module: String,
    /// The component schema referred to, in the other description.
    pub target: Location,
    /// Its type in that module's [`Api::types`] and its Rust name: `None`
    /// until linked. Linking fails rather than leaving one unset, so the
    /// IR that emission and `diff` see has every foreign reference linked.
    pub linked: Option<(TypeId, String)>,
}

/// An HTTP operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId`, or one derived from method and path.
    pub id: String,
    /// The method on its tag's group (`void` in `client.invoice().void(…)`),
    /// unique in the group; a POST twin has the method of the GET it stands
    /// for (naming).
    pub rust_name: String,
    /// The request builder type the method returns (`VoidInvoice`), unique
    /// among the crate's builders and tag groups; a POST twin's is its GET's
    /// (naming).
    pub builder: String,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path template.
    pub path: String,
    /// First tag, if any.
    pub tag: Option<String>,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub doc: Option<String>,
    /// Parameters: the path item's, then the operation's (which override by name and place).
    pub parameters: Vec<Parameter>,
    /// The JSON request body's type.
    pub request: Option<TypeRef>,
    /// Responses in document order.
    pub responses: Vec<Response>,
    /// DealPOS's notes on the operation (`x-dealpos-*`).
    pub dealpos: DealposNotes,
    /// Where it is.
    pub origin: Location,
}

/// An HTTP method an operation may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `PUT`.
    Put,
    /// `POST`.
    Post,
    /// `DELETE`.
    Delete,
    /// `OPTIONS`.
    Options,
    /// `HEAD`.
    Head,
    /// `PATCH`.
    Patch,
    /// `TRACE`.
    Trace,
}

impl HttpMethod {
    /// Every method, in the order a path item's operations are read.
    pub const ALL: [HttpMethod; 8] = [
        HttpMethod::Get,
        HttpMethod::Put,
        HttpMethod::Post,
        HttpMethod::Delete,
        HttpMethod::Options,
        HttpMethod::Head,
        HttpMethod::Patch,
        HttpMethod::Trace,
    ];

    /// The key of the operation in a path item (`get`).
    pub fn key(self) -> &'static str {
        match self {
            HttpMethod::Get => "get",
            HttpMethod::Put => "put",
            HttpMethod::Post => "post",
            HttpMethod::Delete => "delete",
            HttpMethod::Options => "options",
            HttpMethod::Head => "head",
            HttpMethod::Patch => "patch",
            HttpMethod::Trace => "trace",
        }
    }

    /// As sent on the wire (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Trace => "TRACE",
        }
    }

    /// Whether sending it twice has the effect of sending it once (RFC 9110),
    /// so a failed attempt may be retried. `TRACE` is never sent.
    pub fn idempotent(self) -> bool {
        matches!(self, HttpMethod::Get | HttpMethod::Head | HttpMethod::Options | HttpMethod::Put | HttpMethod::Delete)
    }
}

impl std::fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A documented response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The status as written: `200`, `4XX` or `default`.
    pub status: String,
    /// The JSON body's type, if it has one.
    pub body: Option<TypeRef>,
}

impl Response {
    /// Whether the status is a success (2xx).
    pub fn success(&self) -> bool {
        self.status.starts_with('2')
    }
}

impl Operation {
    /// Whether the client may send it again after an unknown outcome: the
    /// description's `x-dealpos-repeatable`, else what the method promises.
    pub fn repeatable(&self) -> bool {
        self.dealpos.repeatable.unwrap_or(self.method.idempotent())
    }

    /// The body type of the first success response: what `send()` returns.
    pub fn answer(&self) -> Option<&TypeRef> {
        self.responses.iter().find(|r| r.success()).and_then(|r| r.body.as_ref())
    }
}

/// Where a parameter is sent (`in:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParameterPlace {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// A request header.
    Header,
    /// A cookie (documented, not sent by the client).
    Cookie,
}

impl ParameterPlace {
    /// The place named by an `in:` value, if it is one of the four.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "path" => Some(ParameterPlace::Path),
            "query" => Some(ParameterPlace::Query),
            "header" => Some(ParameterPlace::Header),
            "cookie" => Some(ParameterPlace::Cookie),
            _ => None,
        }
    }

    /// The `in:` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterPlace::Path => "path",
            ParameterPlace::Query => "query",
            ParameterPlace::Header => "header",
            ParameterPlace::Cookie => "cookie",
        }
    }
}

impl std::fmt::Display for ParameterPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the `x-dealpos-*` extensions say of an operation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DealposNotes {
    /// `x-dealpos-paged`: the operation pages with these parameters.
    pub paged: Option<Paging>,
    /// `x-dealpos-partial`: the reference was cut off.
    pub partial: bool,
    /// `x-dealpos-source`: where the operation comes from.
    pub source: Option<Provenance>,
    /// `x-dealpos-evidence`: why an inferred operation is believed.
    pub evidence: Option<String>,
    /// `x-dealpos-post-twin`: the operationId of this GET's POST twin.
    pub post_twin: Option<String>,
    /// `x-dealpos-post-twin-of`: the operationId of the GET this POST stands for.
    pub post_twin_of: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// `x-dealpos-repeatable`: whether sending it twice has the effect of
    /// sending it once, when the description says (an overlay decides it per
    /// PUT/DELETE action); `None` leaves it to the method.
    pub repeatable: Option<bool>,
    /// `x-dealpos-method`: the method name chosen for the operation (`list`
    /// for THE list of a tag among its variants), which naming takes as the
    /// base instead of deriving one from the operationId.
    pub method: Option<String>,
    /// `x-dealpos-provenance`: how the operation was transcribed (what the
    /// portal showed or not, which clients it is modelled on), kept apart
    /// from its description so docs show it last, under `# Provenance`.
    pub provenance: Option<String>,
}

/// Where a fact of a description comes from (`x-dealpos-source`, spec/README.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Provenance {
    /// `seed`: the DealPOS pages the project started from.
    Seed,
    /// `reference`: the recovered developer portal.
    Reference,
    /// `observed`: only public clients show it.
    Observed,
    /// `inferred`: ours, with `x-dealpos-evidence` saying why.
    Inferred,
}

impl Provenance {
    /// Every provenance, in the order the coverage table shows them.
    pub const ALL: [Provenance; 4] =
        [Provenance::Seed, Provenance::Reference, Provenance::Observed, Provenance::Inferred];

    /// The provenance an `x-dealpos-source` value names.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == value)
    }

    /// The `x-dealpos-source` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Seed => "seed",
            Provenance::Reference => "reference",
            Provenance::Observed => "observed",
            Provenance::Inferred => "inferred",
        }
    }
}

impl std::fmt::Display for Provenance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a paged operation pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    /// The page-number parameter (`PageNumber`).
    pub page: String,
    /// The page-size parameter (`PageSize`).
    pub size: String,
    /// The envelope field holding the items; empty for a bare array.
    pub items: String,
    /// The envelope field announcing the total (`TotalCount`, the default);
    /// used only when the envelope has an integer field of that name.
    pub total: String,
}

/// A path, query, header or cookie parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The name on the wire.
    pub name: String,
    /// The request builder's field for it, and its setter when optional:
    /// snake_case, never a keyword, unique in its operation and never one of
    /// the builder's own members (`naming::BUILDER_MEMBERS`; `body` only when there
    /// is a request body). A paged operation's page parameters are `page` and
    /// `page_size`, the builder's own setters (naming).
    pub rust_name: String,
    /// Where it is sent.
    pub place: ParameterPlace,
    /// Whether it must be sent.
    pub required: bool,
    /// Its type.
    pub ty: TypeRef,
    /// `description`.
    pub doc: Option<String>,
    /// Where it is.
    pub origin: Location,
}

/// A webhook: an event DealPOS POSTs to a merchant's endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// The key under `webhooks` (e.g. `shiftClose`).
    pub key: String,
    /// The Rust variant name (e.g. `ShiftClose`), set by the naming pass.
    pub name: String,
    /// The path the receiver mounts it at by default (e.g. `/shift-close`),
    /// unique among the webhooks, set by the naming pass.
    pub path: String,
    /// Its tag.
    pub tag: Option<String>,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub doc: Option<String>,
    /// The payload's type.
    pub payload: TypeRef,
    /// `x-dealpos-source`: where the event comes from.
    pub source: Option<Provenance>,
    /// `x-dealpos-evidence`: why an inferred event is believed.
    pub evidence: Option<String>,
    /// Where it is.
    pub origin: Location,
}

/// An example value and the type it documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Where the example is.
    pub origin: Location,
    /// The type it must decode into.
    pub ty: TypeRef,
    /// Whether the schema admits `null` (so the example may be `null`).
    pub nullable: bool,
    /// The value.
    pub value: Value,
}

impl Api {
    /// The type behind `id`.
    ///
    /// # Panics
    /// If `id` is not from this `Api` (ids are only made by the IR builder).
    pub fn get(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }
}
