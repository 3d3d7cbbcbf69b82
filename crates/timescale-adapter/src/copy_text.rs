//! PostgreSQL's COPY text format, written into one buffer: fields separated by tabs, rows
//! ended by newlines, `\N` for NULL, and backslash escapes for the characters that would
//! otherwise break the framing (backslash, tab, newline, carriage return). Pure; no I/O.

use std::fmt::{Display, Write};

use rust_decimal::Decimal;

/// A COPY text payload under construction.
#[derive(Debug, Default)]
pub(crate) struct CopyText {
    buf: String,
    row_started: bool,
}

impl CopyText {
    pub fn with_capacity(bytes: usize) -> Self {
        Self {
            buf: String::with_capacity(bytes),
            row_started: false,
        }
    }

    /// A field already in COPY text form (see [`escape`]), written as is.
    pub fn encoded(&mut self, field: &str) -> &mut Self {
        self.separate();
        self.buf.push_str(field);
        self
    }

    /// A text field, escaped.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.separate();
        escape_into(&mut self.buf, value);
        self
    }

    pub fn optional_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.text(value),
            None => self.encoded(NULL),
        }
    }

    /// A number (integer or decimal): its `Display` form never needs escaping.
    pub fn number(&mut self, value: impl Display) -> &mut Self {
        self.separate();
        // Writing into a String cannot fail.
        let _ = write!(self.buf, "{value}");
        self
    }

    /// A decimal, as its `Display` form writes it (every digit of its scale, no exponent),
    /// from the mantissa's digits: formatting through `Display` was a tenth of ingest's
    /// CPU in kcost (seven decimals per pod sample).
    pub fn decimal(&mut self, value: Decimal) -> &mut Self {
        self.separate();
        let mantissa = value.mantissa();
        let scale = value.scale() as usize;
        // The magnitude's digits, least significant first (u128: at most 39 of them).
        let mut digits = [0u8; 40];
        let mut len = 0;
        let mut rest = mantissa.unsigned_abs();
        loop {
            digits[len] = b'0' + (rest % 10) as u8;
            len += 1;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if mantissa < 0 {
            self.buf.push('-');
        }
        let whole = len.saturating_sub(scale);
        if whole == 0 {
            self.buf.push('0');
        }
        for &digit in digits[scale.min(len)..len].iter().rev() {
            self.buf.push(char::from(digit));
        }
        if scale > 0 {
            self.buf.push('.');
            for _ in len..scale {
                self.buf.push('0');
            }
            for &digit in digits[..scale.min(len)].iter().rev() {
                self.buf.push(char::from(digit));
            }
        }
        self
    }

    pub fn optional_number(&mut self, value: Option<impl Display>) -> &mut Self {
        match value {
            Some(value) => self.number(value),
            None => self.encoded(NULL),
        }
    }

    pub fn end_row(&mut self) {
        self.buf.push('\n');
        self.row_started = false;
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf.into_bytes()
    }

    fn separate(&mut self) {
        if self.row_started {
            self.buf.push('\t');
        }
        self.row_started = true;
    }
}

/// COPY text's NULL.
const NULL: &str = "\\N";

/// `value` in COPY text form.
pub(crate) fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    escape_into(&mut out, value);
    out
}

fn escape_into(out: &mut String, value: &str) {
    if !value.contains(['\\', '\t', '\n', '\r']) {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rows_are_tab_separated_with_null_and_escapes() {
        let mut copy = CopyText::default();
        copy.text("a\tb\\c\nd\re")
            .optional_text(None)
            .number(-42)
            .optional_number(Some(Decimal::new(-12_345, 4)))
            .optional_number(None::<i64>);
        copy.end_row();
        copy.encoded("x").text("plain");
        copy.end_row();
        assert_eq!(
            String::from_utf8(copy.into_bytes()).unwrap(),
            "a\\tb\\\\c\\nd\\re\t\\N\t-42\t-1.2345\t\\N\nx\tplain\n"
        );
    }

    #[test]
    fn decimals_keep_every_digit_without_exponents() {
        let mut copy = CopyText::default();
        copy.number(Decimal::new(1, 10))
            .number(Decimal::from_i128_with_scale(
                12_345_678_901_234_567_890,
                10,
            ));
        assert_eq!(
            String::from_utf8(copy.into_bytes()).unwrap(),
            "0.0000000001\t1234567890.1234567890"
        );
    }

    proptest! {
        #[test]
        fn decimals_are_written_as_their_display_form(
            mantissa in any::<i64>(),
            wide in any::<bool>(),
            scale in 0u32..=28,
        ) {
            // Wide mantissas reach the 96-bit limit of `Decimal`.
            let mantissa = if wide { i128::from(mantissa) << 30 } else { i128::from(mantissa) };
            let value = Decimal::from_i128_with_scale(mantissa, scale);
            let mut copy = CopyText::default();
            copy.decimal(value).decimal(Decimal::ZERO);
            let written = String::from_utf8(copy.into_bytes()).unwrap();
            prop_assert_eq!(written, format!("{value}\t0"));
        }
    }
}
