//! docs/operations.md documents every configuration key, and only real ones.
//!
//! The keys come from the `Deserialize` impl of [`Settings`] itself: a probing
//! deserializer records the field names serde asks for at each level (so optional keys
//! that `Settings::default()` would not serialize, like `redis.url`, count too), and a
//! section added to the struct shows up here without touching this test. Each key must
//! have one row in the doc's configuration table, with the right environment variable
//! and, where `Settings::default()` has a value, that default.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use kcost_server::config::Settings;
use serde::Deserialize;
use serde::de::value::{BorrowedStrDeserializer, Error as DeError};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

/// What the type at a path asked the deserializer for.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Struct(Vec<&'static str>),
    Leaf,
}

/// Walks `path` through nested structs, records the shape at its end, then stops the
/// deserialization with an error.
struct Probe<'a> {
    path: &'a [&'static str],
    shape: &'a RefCell<Option<Shape>>,
}

impl<'de> Deserializer<'de> for Probe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DeError> {
        if self.path.is_empty() {
            *self.shape.borrow_mut() = Some(Shape::Leaf);
        }
        Err(de::Error::custom("probe: stop"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.path.split_first() {
            None => {
                *self.shape.borrow_mut() = Some(Shape::Struct(fields.to_vec()));
                Err(de::Error::custom("probe: stop"))
            }
            Some((key, rest)) => visitor.visit_map(OneEntry {
                key: Some(key),
                rest,
                shape: self.shape,
            }),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
        identifier ignored_any
    }
}

/// A map with the single entry `key → Probe(rest)`.
struct OneEntry<'a> {
    key: Option<&'a &'static str>,
    rest: &'a [&'static str],
    shape: &'a RefCell<Option<Shape>>,
}

impl<'de> MapAccess<'de> for OneEntry<'_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.key.take() {
            Some(key) => seed
                .deserialize(BorrowedStrDeserializer::new(key))
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        seed.deserialize(Probe {
            path: self.rest,
            shape: self.shape,
        })
    }
}

fn shape_at(path: &[&'static str]) -> Shape {
    let shape = RefCell::new(None);
    let _ = Settings::deserialize(Probe {
        path,
        shape: &shape,
    });
    shape
        .into_inner()
        .unwrap_or_else(|| panic!("no shape recorded at {path:?}"))
}

/// `section.key` for every leaf of `Settings`, in declaration order.
fn struct_keys() -> Vec<String> {
    fn walk(path: &mut Vec<&'static str>, out: &mut Vec<String>) {
        match shape_at(path) {
            Shape::Leaf => out.push(path.join(".")),
            Shape::Struct(fields) => {
                for field in fields {
                    path.push(field);
                    walk(path, out);
                    path.pop();
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&mut Vec::new(), &mut out);
    out
}

fn operations_doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/operations.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// The configuration table rows: `| `key` | default | `ENV` | what it does |`.
fn documented_rows(doc: &str) -> BTreeMap<String, Vec<String>> {
    let mut rows = BTreeMap::new();
    for line in doc.lines() {
        let cells: Vec<String> = line
            .trim()
            .trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().to_owned())
            .collect();
        let Some(key) = cells
            .first()
            .and_then(|c| c.strip_prefix('`')?.strip_suffix('`'))
        else {
            continue;
        };
        let is_key = key.split('.').count() == 2
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        if line.trim_start().starts_with('|') && is_key && cells.len() >= 4 {
            let previous = rows.insert(key.to_owned(), cells.clone());
            assert!(previous.is_none(), "{key} is documented twice");
        }
    }
    rows
}

#[test]
fn probe_sees_every_section_and_optional_keys() {
    let keys = struct_keys();
    for expected in [
        "server.port",
        "server.workers",
        "database.url",
        "timescale.url",
        "redis.url",
        "security.api_key_pepper",
        "security.admin_token",
        "pricing.cpu_core_hourly",
        "telemetry.log_format",
    ] {
        assert!(
            keys.iter().any(|k| k == expected),
            "{expected} not in {keys:?}"
        );
    }
}

#[test]
fn every_config_key_is_documented_and_no_other() {
    let keys: BTreeSet<String> = struct_keys().into_iter().collect();
    let rows = documented_rows(&operations_doc());
    let documented: BTreeSet<String> = rows.keys().cloned().collect();
    let missing: Vec<_> = keys.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&keys).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "docs/operations.md configuration table is out of date:\n  \
         keys the config struct has but the doc lacks: {missing:?}\n  \
         keys the doc lists but the config struct lacks: {unknown:?}"
    );
}

#[test]
fn documented_env_vars_and_defaults_match() {
    let rows = documented_rows(&operations_doc());
    let defaults: toml::Table = toml::from_str(
        &toml::to_string(&Settings::default()).expect("Settings::default() serializes"),
    )
    .expect("serialized defaults parse");
    for (key, cells) in &rows {
        let env = format!("KCOST_{}", key.to_ascii_uppercase().replace('.', "__"));
        assert_eq!(cells[2], format!("`{env}`"), "env var column of {key}");
        let (section, field) = key.split_once('.').expect("section.key");
        let default = defaults.get(section).and_then(|s| s.get(field));
        match default {
            Some(value) => assert_eq!(
                cells[1],
                format!("`{value}`"),
                "default column of {key} (Settings::default() has {value})"
            ),
            None => assert!(
                cells[1].starts_with("unset"),
                "default column of {key}: Settings::default() has none, so it must say `unset…`"
            ),
        }
    }
}
