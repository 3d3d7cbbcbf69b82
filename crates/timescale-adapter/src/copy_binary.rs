//! PostgreSQL's binary COPY format, written into one buffer: a signature and header, then
//! per row a field count and each field as a length and the type's binary form (`-1` for
//! NULL), then a trailer. Pure; no I/O.
//!
//! Used for the pod samples, the bulk of every snapshot: PostgreSQL reads binary fields
//! without parsing them, where the text form made it parse the same tenant id and
//! timestamp on every row and seven decimals digit by digit.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

/// `PGCOPY\n\377\r\n\0`, then the flags (no OIDs) and the header extension length.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// Microseconds from the unix epoch to PostgreSQL's (2000-01-01T00:00:00Z).
const POSTGRES_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// `numeric`'s base: four decimal digits per digit.
const NBASE: u128 = 10_000;

/// A binary COPY payload under construction.
#[derive(Debug)]
pub(crate) struct CopyBinary {
    buf: Vec<u8>,
}

impl CopyBinary {
    pub fn with_capacity(bytes: usize) -> Self {
        let mut buf = Vec::with_capacity(bytes + HEADER.len() + 2);
        buf.extend_from_slice(HEADER);
        Self { buf }
    }

    /// Starts a row of `fields` fields.
    pub fn row(&mut self, fields: i16) -> &mut Self {
        self.buf.extend_from_slice(&fields.to_be_bytes());
        self
    }

    fn field(&mut self, bytes: &[u8]) -> &mut Self {
        // Every field kcost writes is a few bytes long.
        let len = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(bytes);
        self
    }

    pub fn null(&mut self) -> &mut Self {
        self.buf.extend_from_slice(&(-1i32).to_be_bytes());
        self
    }

    pub fn uuid(&mut self, value: &Uuid) -> &mut Self {
        self.field(value.as_bytes())
    }

    pub fn timestamptz(&mut self, value: DateTime<Utc>) -> &mut Self {
        let micros = value.timestamp_micros() - POSTGRES_EPOCH_MICROS;
        self.field(&micros.to_be_bytes())
    }

    pub fn int4(&mut self, value: i32) -> &mut Self {
        self.field(&value.to_be_bytes())
    }

    pub fn int8(&mut self, value: i64) -> &mut Self {
        self.field(&value.to_be_bytes())
    }

    pub fn optional_int8(&mut self, value: Option<i64>) -> &mut Self {
        match value {
            Some(value) => self.int8(value),
            None => self.null(),
        }
    }

    pub fn text(&mut self, value: &str) -> &mut Self {
        self.field(value.as_bytes())
    }

    /// `numeric`: digit count, weight (of the first digit, in powers of 10,000), sign,
    /// display scale, then the base-10,000 digits, most significant first.
    pub fn numeric(&mut self, value: Decimal) -> &mut Self {
        let (weight, digits) = base_10000(value);
        let sign: u16 = if value.is_sign_negative() && !value.is_zero() {
            0x4000
        } else {
            0
        };
        // At most 10 digits: a 96-bit mantissa has 29 decimal digits, plus padding.
        let mut bytes = [0u8; 8 + 2 * 10];
        let count = digits.len().min(10);
        bytes[0..2].copy_from_slice(&(count as i16).to_be_bytes());
        bytes[2..4].copy_from_slice(&weight.to_be_bytes());
        bytes[4..6].copy_from_slice(&sign.to_be_bytes());
        bytes[6..8].copy_from_slice(&(value.scale() as i16).to_be_bytes());
        for (i, digit) in digits.iter().take(count).enumerate() {
            bytes[8 + 2 * i..10 + 2 * i].copy_from_slice(&digit.to_be_bytes());
        }
        self.field(&bytes[..8 + 2 * count])
    }

    /// The payload, trailer included.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
        self.buf
    }
}

/// `|value|` as base-10,000 digits (most significant first) and the weight of the first:
/// the mantissa is padded with zeros to a whole number of fractional digit groups, then
/// cut into groups of four decimal digits. Zero has no digits.
fn base_10000(value: Decimal) -> (i16, Vec<i16>) {
    let scale = value.scale();
    let pad = (4 - scale % 4) % 4;
    // A 96-bit mantissa times 1,000 stays far below u128::MAX.
    let mut rest = value.mantissa().unsigned_abs() * 10u128.pow(pad);
    let fraction_groups = ((scale + pad) / 4) as i16;
    let mut groups = Vec::with_capacity(10);
    while rest > 0 {
        groups.push((rest % NBASE) as i16);
        rest /= NBASE;
    }
    let weight = groups.len() as i16 - fraction_groups - 1;
    // Trailing zero digits carry nothing (PostgreSQL strips them too).
    let zeros = groups.iter().take_while(|&&g| g == 0).count();
    groups.drain(..zeros);
    groups.reverse();
    (weight, groups)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The value the digits and weight stand for, as PostgreSQL reads them.
    fn value_of(weight: i16, digits: &[i16], negative: bool) -> Decimal {
        let mut value = Decimal::ZERO;
        for (i, digit) in digits.iter().enumerate() {
            let power = i32::from(weight) - i as i32;
            let base = Decimal::from(10_000);
            let unit = (0..power.unsigned_abs()).fold(Decimal::ONE, |unit, _| {
                if power >= 0 { unit * base } else { unit / base }
            });
            value += Decimal::from(*digit) * unit;
        }
        if negative { -value } else { value }
    }

    #[test]
    fn numerics_are_cut_into_groups_of_four_digits() {
        assert_eq!(base_10000(Decimal::new(15, 1)), (0, vec![1, 5000]));
        assert_eq!(base_10000(Decimal::new(1, 4)), (-1, vec![1]));
        assert_eq!(base_10000(Decimal::new(1, 8)), (-2, vec![1]));
        assert_eq!(base_10000(Decimal::new(12_345, 0)), (1, vec![1, 2345]));
        assert_eq!(base_10000(Decimal::new(1_000_000, 0)), (1, vec![100]));
        assert_eq!(base_10000(Decimal::ZERO).1, Vec::<i16>::new());
    }

    #[test]
    fn a_row_is_counted_and_every_field_is_length_prefixed() {
        let mut copy = CopyBinary::with_capacity(0);
        copy.row(3).int4(7).null().text("ab");
        let bytes = copy.finish();
        assert_eq!(&bytes[..HEADER.len()], HEADER);
        assert_eq!(
            &bytes[HEADER.len()..],
            [
                0, 3, 0, 0, 0, 4, 0, 0, 0, 7, 255, 255, 255, 255, 0, 0, 0, 2, b'a', b'b', 255, 255
            ]
        );
    }

    #[test]
    fn timestamps_count_microseconds_from_2000() {
        let mut copy = CopyBinary::with_capacity(0);
        copy.timestamptz("2000-01-01T00:00:01.5Z".parse().unwrap());
        let bytes = copy.finish();
        let field = &bytes[HEADER.len() + 4..HEADER.len() + 12];
        assert_eq!(i64::from_be_bytes(field.try_into().unwrap()), 1_500_000);
    }

    proptest! {
        #[test]
        fn numerics_stand_for_the_decimal(
            mantissa in any::<i64>(),
            wide in any::<bool>(),
            scale in 0u32..=28,
        ) {
            let mantissa = if wide { i128::from(mantissa) << 30 } else { i128::from(mantissa) };
            let value = Decimal::from_i128_with_scale(mantissa, scale);
            let (weight, digits) = base_10000(value);
            prop_assert!(digits.len() <= 10);
            prop_assert!(digits.iter().all(|d| (0..10_000).contains(d)));
            prop_assert!(digits.first() != Some(&0) && digits.last() != Some(&0));
            prop_assert_eq!(value_of(weight, &digits, value.is_sign_negative()), value);
        }
    }
}
