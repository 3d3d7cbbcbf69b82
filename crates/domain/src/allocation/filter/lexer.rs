//! Splits a filter expression into tokens, as OpenCost's scanner does
//! (`core/pkg/filter/ast/lexer.go`): names of `[A-Za-z0-9_-]`, `[key]`s and `"strings"` taken
//! verbatim up to their closing character (there are no escapes), the operators, `,` `+`
//! `|` `(` `)`; spaces, tabs and line breaks between tokens are ignored.
//!
//! Tokens are produced on demand so the parser reports the leftmost mistake.

use std::iter::Peekable;
use std::str::Chars;

use super::error::{FilterError, echo};
use super::op::Op;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    /// A field name (or any other run of name characters).
    Name(String),
    /// `[key]`, without the brackets.
    Key(String),
    /// `"value"`, without the quotes.
    Str(String),
    Op(Op),
    Comma,
    Plus,
    Pipe,
    Open,
    Close,
    End,
}

impl Tok {
    /// How an error message names the token.
    pub(super) fn describe(&self) -> String {
        match self {
            Tok::Name(name) => format!("\"{}\"", echo(name)),
            Tok::Key(key) => format!("\"[{}]\"", echo(key)),
            Tok::Str(value) => format!("the string \"{}\"", echo(value)),
            Tok::Op(op) => format!("\"{}\"", op.symbol()),
            Tok::Comma => "','".to_owned(),
            Tok::Plus => "'+'".to_owned(),
            Tok::Pipe => "'|'".to_owned(),
            Tok::Open => "'('".to_owned(),
            Tok::Close => "')'".to_owned(),
            Tok::End => "the end".to_owned(),
        }
    }
}

/// A token and the character offset where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub tok: Tok,
    pub at: usize,
}

#[derive(Debug)]
pub(super) struct Lexer<'a> {
    chars: Peekable<Chars<'a>>,
    /// Character offset of the next character.
    pos: usize,
}

/// Characters of field names: Kubernetes name characters plus `_` (Prometheus-sanitized).
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Characters operators are made of.
fn is_operator_char(c: char) -> bool {
    matches!(c, '!' | '~' | '<' | '>' | ':')
}

impl<'a> Lexer<'a> {
    pub(super) fn new(expr: &'a str) -> Self {
        Lexer {
            chars: expr.chars().peekable(),
            pos: 0,
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        self.pos += 1;
        Some(c)
    }

    /// Consumes characters while `keep` accepts them and returns them.
    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let mut taken = String::new();
        while let Some(&c) = self.chars.peek() {
            if !keep(c) {
                break;
            }
            taken.push(c);
            self.bump();
        }
        taken
    }

    /// Consumes up to and including `close`; `None` when the input ends first.
    fn take_until(&mut self, close: char) -> Option<String> {
        let taken = self.take_while(|c| c != close);
        self.bump().map(|_| taken)
    }

    pub(super) fn next_token(&mut self) -> Result<Token, FilterError> {
        while self
            .chars
            .peek()
            .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            self.bump();
        }
        let at = self.pos;
        let Some(&c) = self.chars.peek() else {
            return Ok(Token { tok: Tok::End, at });
        };
        let tok = match c {
            '"' => {
                self.bump();
                Tok::Str(
                    self.take_until('"')
                        .ok_or(FilterError::UnterminatedString { at })?,
                )
            }
            '[' => {
                self.bump();
                Tok::Key(
                    self.take_until(']')
                        .ok_or(FilterError::UnterminatedKey { at })?,
                )
            }
            c if is_operator_char(c) => {
                // The longest run of operator characters, so `::` or `>~:` is reported
                // whole rather than as a valid prefix followed by garbage.
                let symbol = self.take_while(is_operator_char);
                Tok::Op(
                    Op::from_symbol(&symbol).ok_or_else(|| FilterError::UnknownOperator {
                        found: echo(&symbol),
                        at,
                    })?,
                )
            }
            c if is_name_char(c) => Tok::Name(self.take_while(is_name_char)),
            _ => {
                self.bump();
                match c {
                    ',' => Tok::Comma,
                    '+' => Tok::Plus,
                    '|' => Tok::Pipe,
                    '(' => Tok::Open,
                    ')' => Tok::Close,
                    found => return Err(FilterError::UnexpectedCharacter { found, at }),
                }
            }
        };
        Ok(Token { tok, at })
    }
}
