//! Whole numbers on the wire: JSON Schema counts `2.0` as an integer, and so do agents
//! written in languages whose numbers are all floats, so an integral float is read as the
//! integer it is. A fraction (`2.5`) or a value outside `i64` is refused, naming the field.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// Largest float that converts to `i64` exactly (2^63 itself does not fit).
const I64_BOUND: f64 = 9_223_372_036_854_775_808.0;

struct WholeNumber;

impl<'de> Visitor<'de> for WholeNumber {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<i64, E> {
        Ok(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<i64, E> {
        i64::try_from(value).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(value), &self))
    }

    #[allow(clippy::cast_possible_truncation)] // Checked: whole and within i64.
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<i64, E> {
        if value.fract() == 0.0 && (-I64_BOUND..I64_BOUND).contains(&value) {
            Ok(value as i64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(value), &self))
        }
    }
}

/// An `i64` field that also takes integral floats.
pub fn whole<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(WholeNumber)
}

/// An optional `i64` field (`null` = absent) that also takes integral floats.
pub fn optional_whole<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    struct Optional;
    impl<'de> Visitor<'de> for Optional {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            whole(d).map(Some)
        }
    }
    deserializer.deserialize_option(Optional)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Figures {
        #[serde(deserialize_with = "super::whole")]
        count: i64,
        #[serde(default, deserialize_with = "super::optional_whole")]
        limit: Option<i64>,
    }

    fn read(json: &str) -> Result<Figures, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn integers_and_integral_floats_are_read() {
        let figures = |count, limit| Figures { count, limit };
        assert_eq!(read(r#"{"count": 3}"#), Ok(figures(3, None)));
        assert_eq!(
            read(r#"{"count": 3.0, "limit": 31637626701.0}"#),
            Ok(figures(3, Some(31_637_626_701)))
        );
        assert_eq!(
            read(r#"{"count": -2, "limit": null}"#),
            Ok(figures(-2, None))
        );
        assert_eq!(
            read(r#"{"count": 9223372036854775807}"#),
            Ok(figures(i64::MAX, None))
        );
    }

    #[test]
    fn fractions_and_out_of_range_numbers_are_refused() {
        for json in [
            r#"{"count": 2.5}"#,
            r#"{"count": 9223372036854775808}"#,
            r#"{"count": 1e300}"#,
            r#"{"count": "3"}"#,
            r#"{"count": 1, "limit": 0.5}"#,
        ] {
            let error = read(json).expect_err(json);
            assert!(
                error.contains("whole number") || error.contains("invalid type"),
                "{json}: {error}"
            );
        }
    }
}
