//! Lenient serde helpers for values that may come from TOML files or from environment
//! variables (where everything starts life as text), for `#[serde(deserialize_with = …)]`.
//!
//! Rules shared by every helper:
//! - text is trimmed; an empty (or all-whitespace) optional value means "not set";
//! - a text field also accepts a number or boolean and keeps its textual form, so a
//!   numeric-looking secret set in TOML without quotes is not rejected.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Unexpected, Visitor};

use super::{ConnectionUrl, Secret};

/// Text taken from a string, integer, float or boolean value; trimmed.
#[derive(Debug)]
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor).map(Text)
    }
}

struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.trim().to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v.trim().to_owned())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// A required text value (trimmed).
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Text::deserialize(deserializer).map(|t| t.0)
}

/// An optional text value; empty means `None`.
pub fn opt_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Text>::deserialize(deserializer)?
        .map(|t| t.0)
        .filter(|s| !s.is_empty()))
}

/// An optional secret; empty means "not set".
pub fn opt_secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Secret>, D::Error> {
    Ok(opt_text(deserializer)?.map(Secret::new))
}

/// An optional URL; empty means "not set".
pub fn opt_url<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<ConnectionUrl>, D::Error> {
    Ok(opt_text(deserializer)?.map(ConnectionUrl::new))
}

/// An optional value parsed from text with `FromStr`; empty means `None`.
/// `expected` names the accepted form in the error ("a UUID", "a positive integer").
pub fn opt_parsed<'de, D, T>(deserializer: D, expected: &str) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
{
    match opt_text(deserializer)? {
        None => Ok(None),
        Some(s) => s
            .parse::<T>()
            .map(Some)
            .map_err(|_| de::Error::invalid_value(Unexpected::Str(&s), &expected)),
    }
}

/// A list of strings given either as a list (`["a", "b"]`) or as one comma-separated
/// string (`"a, b"`). Items are trimmed; empty items are dropped.
pub fn string_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    deserializer.deserialize_any(ListVisitor)
}

struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of strings or a comma-separated string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<String>, E> {
        Ok(v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Text(item)) = seq.next_element::<Text>()? {
            if !item.is_empty() {
                out.push(item);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "opt_text")]
        s: Option<String>,
        #[serde(default, deserialize_with = "string_list")]
        list: Vec<String>,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn text_accepts_numbers_and_trims() {
        assert_eq!(probe(r#"{"s": 123}"#).s.as_deref(), Some("123"));
        assert_eq!(probe(r#"{"s": "  x  "}"#).s.as_deref(), Some("x"));
        assert_eq!(probe(r#"{"s": ""}"#).s, None);
        assert_eq!(probe("{}").s, None);
    }

    #[test]
    fn list_accepts_array_or_comma_separated_string() {
        assert_eq!(probe(r#"{"list": ["a", " b "]}"#).list, ["a", "b"]);
        assert_eq!(probe(r#"{"list": "a, b,,"}"#).list, ["a", "b"]);
        assert!(probe(r#"{"list": ""}"#).list.is_empty());
        assert!(probe(r#"{"list": []}"#).list.is_empty());
    }
}
