//! A field that can be absent, `null`, or a value, with the three kept apart.

/// Absent, `null`, or a value. Used for optional fields the description marks
/// nullable, where "leave unchanged" (absent) and "clear" (`null`) differ.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Nullable<T> {
    /// The field is not in the JSON object.
    #[default]
    Absent,
    /// The field is `null`.
    Null,
    /// The field has a value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Whether the field is absent (used to skip it when encoding).
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// Whether the field is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// The value, if there is one.
    pub fn as_ref(&self) -> Option<&T> {
        match self {
            Nullable::Value(value) => Some(value),
            _ => None,
        }
    }

    /// The value, if there is one.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(value) => Some(value),
            _ => None,
        }
    }

    /// Whether the field has a value.
    pub fn is_value(&self) -> bool {
        matches!(self, Nullable::Value(_))
    }

    /// The value, dereferenced (`&str` for a `Nullable<String>`), if there is one.
    pub fn as_deref(&self) -> Option<&T::Target>
    where
        T: std::ops::Deref,
    {
        self.as_ref().map(std::ops::Deref::deref)
    }

    /// The value mapped by `f`; absent and `null` stay what they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Nullable<U> {
        match self {
            Nullable::Value(value) => Nullable::Value(f(value)),
            Nullable::Null => Nullable::Null,
            Nullable::Absent => Nullable::Absent,
        }
    }

    /// The value, or `T::default()` when absent or `null`.
    pub fn unwrap_or_default(self) -> T
    where
        T: Default,
    {
        self.into_option().unwrap_or_default()
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl<T: serde::Serialize> serde::Serialize for Nullable<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(value) => serializer.serialize_some(value),
            // An absent field is skipped by the struct; if not, `null` is the best we can do.
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Nullable<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Only called for a present field: absence comes from `#[serde(default)]`.
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Nullable::Value(value),
            None => Nullable::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        note: Nullable<String>,
    }

    #[test]
    fn absent_null_and_value_stay_apart() {
        for (json, expected) in [
            ("{}", Nullable::Absent),
            ("{\"note\":null}", Nullable::Null),
            ("{\"note\":\"hi\"}", Nullable::Value("hi".to_string())),
        ] {
            let patch: Patch = serde_json::from_str(json).unwrap();
            assert_eq!(patch.note, expected);
            assert_eq!(serde_json::to_string(&patch).unwrap(), json);
        }
    }

    #[test]
    fn helpers_keep_absent_and_null_apart() {
        let value = Nullable::Value("hi".to_string());
        assert_eq!(value.as_deref(), Some("hi"));
        assert!(value.is_value());
        assert_eq!(value.clone().map(|s| s.len()), Nullable::Value(2));
        assert_eq!(Nullable::<String>::Null.map(|s| s.len()), Nullable::Null);
        assert_eq!(Nullable::<String>::Absent.map(|s| s.len()), Nullable::Absent);
        assert_eq!(Nullable::<u32>::Null.unwrap_or_default(), 0);
        assert_eq!(value.unwrap_or_default(), "hi");
        assert!(!Nullable::<u32>::Null.is_value());
    }
}
