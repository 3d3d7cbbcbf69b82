//! The grammar of OpenCost's filter language (`core/pkg/filter/ast/parser.go`):
//!
//! ```text
//! filter     ::= ε | group
//! group      ::= element ( '+' element )* | element ( '|' element )*
//! element    ::= '(' group ')' | comparison
//! comparison ::= field op value ( ',' value )*
//! field      ::= name | ( 'label' | 'annotation' ) [ '[' key ']' ]
//! op         ::= ':' | '!:' | '~:' | '!~:' | '<~:' | '!<~:' | '~>:' | '!~>:'
//! value      ::= '"' any characters but '"' '"'
//! ```
//!
//! `+` and `|` have no precedence over each other: one group uses one of them, and mixing
//! them needs parentheses (`a|b+c` is refused), as in OpenCost.

use super::AllocationFilter;
use super::error::{FilterError, MAX_DEPTH, echo};
use super::field::{FIELD_NAMES, Field};
use super::lexer::{Lexer, Tok, Token};

/// Parses a filter expression; an empty (or blank) one matches everything.
///
/// Errors name what is wrong and its character offset, e.g.
/// `unknown filter field "nmespace" at 0; known: cluster, node, …`.
pub fn parse(expr: &str) -> Result<AllocationFilter, FilterError> {
    let mut parser = Parser {
        lexer: Lexer::new(expr),
        peeked: None,
    };
    if parser.peek()?.tok == Tok::End {
        return Ok(AllocationFilter::All);
    }
    let filter = parser.group(0)?;
    let next = parser.next()?;
    match next.tok {
        Tok::End => Ok(filter),
        Tok::Close => Err(FilterError::UnmatchedClose { at: next.at }),
        other => Err(FilterError::Unexpected {
            expected: "'+', '|' or the end",
            found: other.describe(),
            at: next.at,
        }),
    }
}

#[derive(Debug)]
struct Parser<'a> {
    lexer: Lexer<'a>,
    peeked: Option<Token>,
}

impl Parser<'_> {
    fn peek(&mut self) -> Result<&Token, FilterError> {
        let token = match self.peeked.take() {
            Some(token) => token,
            None => self.lexer.next_token()?,
        };
        Ok(self.peeked.insert(token))
    }

    fn next(&mut self) -> Result<Token, FilterError> {
        match self.peeked.take() {
            Some(token) => Ok(token),
            None => self.lexer.next_token(),
        }
    }

    /// Elements joined by one kind of group operator; stops before anything else.
    fn group(&mut self, depth: usize) -> Result<AllocationFilter, FilterError> {
        let mut operands = vec![self.element(depth)?];
        let mut joiner: Option<Tok> = None;
        loop {
            let token = self.peek()?;
            if !matches!(token.tok, Tok::Plus | Tok::Pipe) {
                break;
            }
            match &joiner {
                Some(kind) if *kind != token.tok => {
                    return Err(FilterError::MixedOperators { at: token.at });
                }
                _ => joiner = Some(token.tok.clone()),
            }
            self.next()?;
            operands.push(self.element(depth)?);
        }
        Ok(match joiner {
            None => operands.pop().unwrap_or(AllocationFilter::All),
            Some(Tok::Plus) => AllocationFilter::And(operands),
            Some(_) => AllocationFilter::Or(operands),
        })
    }

    fn element(&mut self, depth: usize) -> Result<AllocationFilter, FilterError> {
        let token = self.peek()?;
        if token.tok != Tok::Open {
            return self.comparison();
        }
        let open_at = token.at;
        if depth >= MAX_DEPTH {
            return Err(FilterError::TooDeep { at: open_at });
        }
        self.next()?;
        let inner = self.group(depth + 1)?;
        let close = self.next()?;
        match close.tok {
            Tok::Close => Ok(inner),
            Tok::End => Err(FilterError::UnclosedOpen { at: open_at }),
            other => Err(FilterError::Unexpected {
                expected: "'+', '|' or ')'",
                found: other.describe(),
                at: close.at,
            }),
        }
    }

    fn comparison(&mut self) -> Result<AllocationFilter, FilterError> {
        let (field, written) = self.field()?;
        let token = self.next()?;
        let Tok::Op(op) = token.tok else {
            return Err(FilterError::ExpectedOperator {
                after: written,
                at: token.at,
            });
        };
        let mut values = vec![self.value(op.symbol())?];
        while self.peek()?.tok == Tok::Comma {
            self.next()?;
            values.push(self.value(",")?);
        }
        Ok(AllocationFilter::Compare { field, op, values })
    }

    /// The field and how it was written (for messages about what follows it).
    fn field(&mut self) -> Result<(Field, String), FilterError> {
        let token = self.next()?;
        let Tok::Name(name) = token.tok else {
            return Err(FilterError::ExpectedField {
                found: token.tok.describe(),
                at: token.at,
            });
        };
        if !FIELD_NAMES.contains(&name.as_str()) {
            return Err(FilterError::UnknownField {
                name: echo(&name),
                at: token.at,
            });
        }
        let key = match self.peek()? {
            Token {
                tok: Tok::Key(key),
                at,
            } => {
                let (key, at) = (key.clone(), *at);
                if !Field::is_keyed_name(&name) {
                    return Err(FilterError::UnexpectedKey { field: name, at });
                }
                if key.is_empty() {
                    return Err(FilterError::EmptyKey { field: name, at });
                }
                self.next()?;
                Some(key)
            }
            _ => None,
        };
        let written = match &key {
            Some(key) => format!("{name}[{}]", echo(key)),
            None => name.clone(),
        };
        let field =
            Field::from_name(&name, key).ok_or(FilterError::UnknownField { name, at: token.at })?;
        Ok((field, written))
    }

    fn value(&mut self, after: &str) -> Result<String, FilterError> {
        let token = self.next()?;
        match token.tok {
            Tok::Str(value) => Ok(value),
            other => Err(FilterError::ExpectedValue {
                after: after.to_owned(),
                found: other.describe(),
                at: token.at,
            }),
        }
    }
}
