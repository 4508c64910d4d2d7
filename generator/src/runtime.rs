//! The contract between the generator and the fixed runtime it copies into
//! the crate (`templates/runtime/`): every name the runtime defines that
//! generated code refers to or must not shadow. Naming reads the reserved
//! lists; emission reads the paths. A test parses the runtime's sources and
//! fails when a listed item is missing there.

/// Type names the generated modules use from the prelude or the runtime; a
/// schema with one of these names is renamed rather than shadowing it.
pub const RESERVED_TYPES: &[&str] = &[
    "Self",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "BTreeMap",
    "Value",
    "Decimal",
    "Timestamp",
    "Nullable",
    "Serialize",
    "Deserialize",
    "Deserializer",
    "Serializer",
    "WebhookEvent",
    "WebhookKind",
    "DecodeError",
    "UnknownWebhookKind",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
];

/// Methods of the runtime's `Client`; a tag accessor never takes one.
pub const CLIENT_METHODS: &[&str] = &["builder", "base_url", "page_size", "execute", "execute_unit"];

/// Features the manifest template defines itself; a tag's feature never takes one.
pub const RESERVED_FEATURES: &[&str] =
    &["default", "full", "client", "receiver", "inbox-sqlite", "inbox-postgres", "webhooks"];
