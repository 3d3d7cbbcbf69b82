//! CSV records as RFC 4180 writes them (the `text/csv` media type): fields separated by
//! commas, records ended by CRLF, a field quoted when it holds a comma, a quote, CR or LF
//! (its quotes doubled). A missing value (null) is an empty, unquoted field; an empty text
//! is written `""`, so a reader can tell the two apart.

/// Appends one record of `fields` to `out`, ended by CRLF.
pub fn push_record<'a>(out: &mut String, fields: impl IntoIterator<Item = Option<&'a str>>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if let Some(text) = field {
            push_field(out, text);
        }
    }
    out.push_str("\r\n");
}

fn push_field(out: &mut String, text: &str) {
    let quoted = text.is_empty() || text.contains([',', '"', '\r', '\n']);
    if !quoted {
        out.push_str(text);
        return;
    }
    out.push('"');
    for c in text.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[Option<&str>]) -> String {
        let mut out = String::new();
        push_record(&mut out, fields.iter().copied());
        out
    }

    #[test]
    fn plain_fields_are_written_as_they_are() {
        assert_eq!(
            record(&[Some("a"), Some("b c"), Some("1.5")]),
            "a,b c,1.5\r\n"
        );
    }

    #[test]
    fn special_characters_are_quoted_and_quotes_doubled() {
        assert_eq!(
            record(&[Some(r#"{"team":"a,b"}"#), Some("line\nbreak")]),
            "\"{\"\"team\"\":\"\"a,b\"\"}\",\"line\nbreak\"\r\n"
        );
    }

    #[test]
    fn null_is_an_empty_field_and_empty_text_is_quoted() {
        assert_eq!(record(&[None, Some(""), None]), ",\"\",\r\n");
    }
}
