//! Reading the CSV an export writes: RFC 4180 records, as a spreadsheet would read them.

/// The records of `text`: fields separated by commas, records ended by CRLF; a quoted
/// field may hold commas, quotes (doubled) and line breaks. Panics if the last record does
/// not end.
pub fn records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => record.push(std::mem::take(&mut field)),
            '\r' if !quoted && chars.peek() == Some(&'\n') => {
                chars.next();
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            c => field.push(c),
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record ends"
    );
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_commas_quotes_and_line_breaks() {
        let text = "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\r\nlines\",,x\r\n";
        assert_eq!(
            records(text),
            vec![
                vec!["a".to_owned(), "b,c".to_owned(), "say \"hi\"".to_owned()],
                vec!["two\r\nlines".to_owned(), String::new(), "x".to_owned()],
            ]
        );
    }

    #[test]
    #[should_panic(expected = "the last record ends")]
    fn an_unended_record_is_refused() {
        records("a,b");
    }
}
