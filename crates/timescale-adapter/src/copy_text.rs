//! PostgreSQL's COPY text format, written into one buffer: fields separated by tabs, rows
//! ended by newlines, `\N` for NULL. Only numbers and fields already in COPY form (an id, a
//! time) are written, so nothing needs escaping. Pure; no I/O.

use std::fmt::{Display, Write};

/// A COPY text payload under construction.
#[derive(Debug, Default)]
pub(crate) struct CopyText {
    buf: String,
    row_started: bool,
}

impl CopyText {
    /// A field already in COPY text form (nothing to escape), written as is.
    pub fn encoded(&mut self, field: &str) -> &mut Self {
        self.separate();
        self.buf.push_str(field);
        self
    }

    /// A number (integer or decimal): its `Display` form never needs escaping.
    pub fn number(&mut self, value: impl Display) -> &mut Self {
        self.separate();
        // Writing into a String cannot fail.
        let _ = write!(self.buf, "{value}");
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

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn rows_are_tab_separated_with_null() {
        let mut copy = CopyText::default();
        copy.encoded("x")
            .number(-42)
            .optional_number(Some(Decimal::new(-12_345, 4)))
            .optional_number(None::<i64>);
        copy.end_row();
        copy.number(7);
        copy.end_row();
        assert_eq!(
            String::from_utf8(copy.into_bytes()).unwrap(),
            "x\t-42\t-1.2345\t\\N\n7\n"
        );
    }
}
