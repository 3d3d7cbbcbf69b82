//! Money on the wire: a JSON number carrying the exact stored decimal (up to 10 places),
//! never a float. Rounding is the client's display choice; answering exact digits is what
//! lets a client check that parts add up to their totals.

use kcost_domain::money::Money;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

/// An amount in US dollars, written as the shortest exact decimal with a decimal point
/// (`0.13`, `1.2345678901`, `2.0`): a whole amount still reads as a float to clients that
/// tell integers from floats (Python's `json`, as seed 2's clients use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Usd(Decimal);

impl Usd {
    pub const fn amount(self) -> Decimal {
        self.0
    }
}

impl From<Money> for Usd {
    fn from(amount: Money) -> Self {
        Self(amount.amount())
    }
}

impl Serialize for Usd {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // `Decimal`'s `Display` never uses an exponent, so its digits are a valid JSON
        // number; `normalize` drops trailing zeros and turns -0 into 0.
        let mut digits = self.0.normalize().to_string();
        if !digits.contains('.') {
            digits.push_str(".0");
        }
        let number = RawValue::from_string(digits).map_err(serde::ser::Error::custom)?;
        number.serialize(serializer)
    }
}

impl PartialSchema for Usd {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Number)
            .description(Some(
                "US dollars, the exact stored decimal (at most 10 decimal places), unrounded.",
            ))
            .examples([serde_json::json!(0.1345833333)])
            .into()
    }
}

impl ToSchema for Usd {}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn json(amount: &str) -> String {
        let money = Money::from_decimal(Decimal::from_str(amount).unwrap());
        serde_json::to_string(&Usd::from(money)).unwrap()
    }

    #[test]
    fn the_exact_decimal_is_written_as_a_json_number() {
        assert_eq!(json("0.1345833333"), "0.1345833333");
        assert_eq!(json("1234567.0000000001"), "1234567.0000000001");
        assert_eq!(json("0.1300000000"), "0.13");
        assert_eq!(json("-2.5"), "-2.5");
        assert_eq!(json("0"), "0.0");
        assert_eq!(json("-0.0000"), "0.0");
        assert_eq!(json("12.000"), "12.0");
    }

    #[test]
    fn the_number_reads_back_as_the_same_decimal() {
        let written = json("98765.4321098765");
        let read: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert!(read.is_number());
        assert_eq!(
            Decimal::from_str(&written).unwrap().to_string(),
            "98765.4321098765"
        );
    }
}
