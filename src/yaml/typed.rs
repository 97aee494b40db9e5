//! Reading the tool's own files into types: a serde deserializer over a read JSON value
//! that knows each value's line, so that an error names the line at fault.

use serde::de::{self, IntoDeserializer};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

/// Deserializing a read value into a Rust type, remembering which value was being read
/// when an error came up.
pub(super) struct Context {
    pub(super) positions: HashMap<String, (usize, usize)>,
    pub(super) current: RefCell<String>,
}

#[derive(Debug)]
pub(super) struct DeError(pub(super) String);

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError(msg.to_string())
    }
}

#[derive(Clone)]
pub(super) struct Node<'a> {
    pub(super) value: &'a Value,
    pub(super) path: String,
    pub(super) context: &'a Context,
}

impl<'a> Node<'a> {
    pub(super) fn enter(&self) {
        self.context.current.replace(self.path.clone());
    }
    pub(super) fn child(&self, segment: &str, value: &'a Value) -> Node<'a> {
        Node {
            value,
            path: format!(
                "{}/{}",
                self.path,
                segment.replace('~', "~0").replace('/', "~1")
            ),
            context: self.context,
        }
    }
}

impl<'de, 'a> de::Deserializer<'de> for Node<'a> {
    type Error = DeError;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.enter();
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or_default())
                }
            }
            Value::String(s) => visitor.visit_str(s),
            Value::Array(items) => visitor.visit_seq(Items {
                node: self.clone(),
                items: items.iter().enumerate(),
            }),
            Value::Object(map) => visitor.visit_map(Entries {
                node: self.clone(),
                entries: map.iter(),
                next: None,
            }),
        }
    }

    fn deserialize_option<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.enter();
        if self.value.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: de::Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.enter();
        match self.value {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => Err(de::Error::custom("expected a string")),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

pub(super) struct Items<'a, I> {
    pub(super) node: Node<'a>,
    pub(super) items: I,
}

impl<'de, 'a, I: Iterator<Item = (usize, &'a Value)>> de::SeqAccess<'de> for Items<'a, I> {
    type Error = DeError;
    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some((i, value)) => seed
                .deserialize(self.node.child(&i.to_string(), value))
                .map(Some),
            None => {
                self.node.enter();
                Ok(None)
            }
        }
    }
}

pub(super) struct Entries<'a, I> {
    pub(super) node: Node<'a>,
    pub(super) entries: I,
    pub(super) next: Option<Node<'a>>,
}

impl<'de, 'a, I: Iterator<Item = (&'a String, &'a Value)>> de::MapAccess<'de> for Entries<'a, I> {
    type Error = DeError;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.entries.next() {
            Some((key, value)) => {
                let child = self.node.child(key, value);
                child.enter();
                self.next = Some(child);
                seed.deserialize(key.as_str().into_deserializer()).map(Some)
            }
            None => {
                self.node.enter();
                Ok(None)
            }
        }
    }
    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DeError> {
        match self.next.take() {
            Some(child) => seed.deserialize(child),
            None => Err(de::Error::custom("value without a key")),
        }
    }
}
