//! OpenCost's numbers as exact decimals. OpenCost writes float64s rounded to a few decimals;
//! reading them through f64 again would turn `0.408822` into `0.40882199999999998…`, so
//! each number is converted from its JSON text instead.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// A nullable OpenCost number. `None` for `null` (OpenCost's encoding of NaN and ±Inf), for
/// the strings some encoders write for those (`"NaN"`, `"+Inf"`, …) and for a missing field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WireNumber(pub Option<Decimal>);

impl WireNumber {
    /// The value, or zero where OpenCost had none.
    pub fn or_zero(self) -> Decimal {
        self.0.unwrap_or(Decimal::ZERO)
    }
}

impl<'de> Deserialize<'de> for WireNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Borrowed raw text: the response body outlives its parse, so no copy is needed.
        let raw: Option<&'de RawValue> = Option::deserialize(deserializer)?;
        match raw {
            None => Ok(Self(None)),
            Some(raw) => parse_json_number(raw.get())
                .map(Self)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// Converts the JSON text of a number (or of a string holding one) to a decimal.
fn parse_json_number(text: &str) -> Result<Option<Decimal>, String> {
    let text = text.trim();
    if let Some(quoted) = text.strip_prefix('"') {
        let unquoted: String = serde_json::from_str(text)
            .map_err(|_| format!("expected a number, found the string {quoted:.40}"))?;
        return parse_number_string(&unquoted);
    }
    if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return parse_number_text(text).map(Some);
    }
    Err(format!("expected a number or null, found {text:.40}"))
}

/// A number some encoder wrote as a string: the non-finite spellings are absent values.
fn parse_number_string(text: &str) -> Result<Option<Decimal>, String> {
    const NON_FINITE: [&str; 6] = ["nan", "inf", "+inf", "-inf", "infinity", "-infinity"];
    if NON_FINITE.contains(&text.to_ascii_lowercase().as_str()) {
        return Ok(None);
    }
    parse_number_text(text)
        .map(Some)
        .map_err(|_| format!("expected a number, found the string \"{text:.40}\""))
}

fn parse_number_text(text: &str) -> Result<Decimal, String> {
    let parsed = if text.contains(['e', 'E']) {
        // Go switches to exponents below 1e-6 and from 1e21 (`1e-07`, `1.5e+21`).
        match Decimal::from_scientific_lossy(text) {
            // Smaller than Decimal's 28 decimal places: nothing a bill could show.
            Err(rust_decimal::Error::ScaleExceedsMaximumPrecision(_))
                if is_negative_exponent(text) =>
            {
                Ok(Decimal::ZERO)
            }
            other => other,
        }
    } else {
        Decimal::from_str(text)
    };
    parsed.map_err(|e| format!("number {text:.40} does not fit a decimal: {e}"))
}

fn is_negative_exponent(text: &str) -> bool {
    text.split(['e', 'E'])
        .nth(1)
        .is_some_and(|exp| exp.starts_with('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<WireNumber, serde_json::Error> {
        serde_json::from_str(json)
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn plain_numbers_keep_their_exact_digits() {
        assert_eq!(parse("0.408822").unwrap().0, Some(dec("0.408822")));
        assert_eq!(
            parse("40855853856.91022").unwrap().0,
            Some(dec("40855853856.91022"))
        );
        assert_eq!(parse("0.000000").unwrap().0, Some(Decimal::ZERO));
        assert_eq!(parse("-1.5").unwrap().0, Some(dec("-1.5")));
        assert_eq!(parse("7").unwrap().0, Some(dec("7")));
    }

    #[test]
    fn go_exponent_forms_are_read() {
        assert_eq!(parse("1e-07").unwrap().0, Some(dec("0.0000001")));
        assert_eq!(
            parse("1.5e+21").unwrap().0,
            Some(dec("1500000000000000000000"))
        );
        assert_eq!(parse("2E3").unwrap().0, Some(dec("2000")));
    }

    #[test]
    fn numbers_below_decimal_precision_are_zero() {
        assert_eq!(parse("2e-40").unwrap().0, Some(Decimal::ZERO));
    }

    #[test]
    fn numbers_beyond_decimal_range_are_refused() {
        assert!(parse("1e+40").is_err());
    }

    #[test]
    fn null_and_non_finite_strings_are_absent() {
        assert_eq!(parse("null").unwrap().0, None);
        assert_eq!(parse("\"NaN\"").unwrap().0, None);
        assert_eq!(parse("\"+Inf\"").unwrap().0, None);
        assert_eq!(parse("\"-Inf\"").unwrap().0, None);
    }

    #[test]
    fn numeric_strings_are_read() {
        assert_eq!(parse("\"0.25\"").unwrap().0, Some(dec("0.25")));
    }

    #[test]
    fn other_types_are_refused() {
        assert!(parse("true").is_err());
        assert!(parse("{}").is_err());
        assert!(parse("\"cheap\"").is_err());
    }

    #[test]
    fn absent_value_reads_as_zero() {
        assert_eq!(WireNumber(None).or_zero(), Decimal::ZERO);
    }
}
