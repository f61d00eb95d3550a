//! The small condition language of the data file: conditions on earlier
//! answers, written so a clinician can read them.
//!
//! ```text
//! rf_fever_or_very_unwell = yes and (rf_spreading_redness = yes or one_leg_swollen_warm_red = yes)
//! ecq_location = calf and both_legs != yes and vte_risk_factors in [long_journey, previous_clot]
//! not ecq_positive            # a named condition from the [conditions] table
//! always
//! ```
//!
//! `item = value` holds when the item was answered `value` (for a
//! pick-all-that-apply item: when `value` is among the picks); `item != value`
//! is `not (item = value)`; `item in [a, b]` holds when any of them is
//! (among) the answer. An item that was not asked is never equal to anything,
//! so `item != value` holds for it. `not` binds tighter than `and`, `and`
//! tighter than `or`.
//!
//! This file owns parsing ([`parse`], with byte positions for problems),
//! and the resolved form [`Expr`] the machine evaluates: every item and value
//! replaced by an index and a bit mask, named conditions inlined. An answer
//! is then one `u32` per question (a bit per choice, "not sure" included;
//! 0 for "not asked"), which makes [`Expr::eval`] and the validator's
//! [`Expr::partial`] cheap.

/// A condition as written, before names are resolved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ast {
    /// `always`.
    Always,
    /// A named condition (or a misspelt item).
    Name {
        name: String,
        pos: usize,
    },
    /// `item = value` or `item != value`.
    Compare {
        item: String,
        item_pos: usize,
        equal: bool,
        value: String,
        value_pos: usize,
    },
    /// `item in [values]`.
    In {
        item: String,
        item_pos: usize,
        values: Vec<(String, usize)>,
    },
    Not(Box<Ast>),
    And(Vec<Ast>),
    Or(Vec<Ast>),
}

/// A condition ready to evaluate: items are question indexes, values bits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Expr {
    Const(bool),
    /// Holds when the answer to question `question` has any bit of `mask`.
    Atom {
        question: usize,
        mask: u32,
    },
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

impl Expr {
    /// Evaluates against one answer mask per question (0 = not asked).
    pub(crate) fn eval(&self, masks: &[u32]) -> bool {
        match self {
            Expr::Const(value) => *value,
            Expr::Atom { question, mask } => masks.get(*question).is_some_and(|m| m & mask != 0),
            Expr::Not(inner) => !inner.eval(masks),
            Expr::And(items) => items.iter().all(|e| e.eval(masks)),
            Expr::Or(items) => items.iter().any(|e| e.eval(masks)),
        }
    }

    /// What is left of the condition once the answers given so far are
    /// known: atoms on answered questions, and on questions that can no
    /// longer be asked (`open(q)` is false), become constants. Two paths
    /// with the same residuals behave the same from here on.
    /// Whether an atom of a question for which `of` holds is read under
    /// `not` (or `!=`): then answering that question can make the
    /// expression false again, so it is not monotone in those answers.
    pub(crate) fn reads_negated(&self, of: &dyn Fn(usize) -> bool) -> bool {
        fn walk(expr: &Expr, of: &dyn Fn(usize) -> bool, negated: bool) -> bool {
            match expr {
                Expr::Const(_) => false,
                Expr::Atom { question, .. } => negated && of(*question),
                Expr::Not(inner) => walk(inner, of, !negated),
                Expr::And(items) | Expr::Or(items) => items.iter().any(|e| walk(e, of, negated)),
            }
        }
        walk(self, of, false)
    }

    pub(crate) fn partial(&self, masks: &[u32], open: &dyn Fn(usize) -> bool) -> Expr {
        match self {
            Expr::Const(value) => Expr::Const(*value),
            Expr::Atom { question, mask } => {
                let answer = masks.get(*question).copied().unwrap_or(0);
                if answer != 0 || !open(*question) {
                    Expr::Const(answer & mask != 0)
                } else {
                    self.clone()
                }
            }
            Expr::Not(inner) => match inner.partial(masks, open) {
                Expr::Const(value) => Expr::Const(!value),
                other => Expr::Not(Box::new(other)),
            },
            Expr::And(items) => {
                let mut kept = Vec::new();
                for item in items {
                    match item.partial(masks, open) {
                        Expr::Const(false) => return Expr::Const(false),
                        Expr::Const(true) => {}
                        other => kept.push(other),
                    }
                }
                match kept.len() {
                    0 => Expr::Const(true),
                    1 => kept.pop().unwrap_or(Expr::Const(true)),
                    _ => Expr::And(kept),
                }
            }
            Expr::Or(items) => {
                let mut kept = Vec::new();
                for item in items {
                    match item.partial(masks, open) {
                        Expr::Const(true) => return Expr::Const(true),
                        Expr::Const(false) => {}
                        other => kept.push(other),
                    }
                }
                match kept.len() {
                    0 => Expr::Const(false),
                    1 => kept.pop().unwrap_or(Expr::Const(false)),
                    _ => Expr::Or(kept),
                }
            }
        }
    }

    /// Calls `f(question, mask)` for every atom.
    pub(crate) fn for_each_atom(&self, f: &mut dyn FnMut(usize, u32)) {
        match self {
            Expr::Const(_) => {}
            Expr::Atom { question, mask } => f(*question, *mask),
            Expr::Not(inner) => inner.for_each_atom(f),
            Expr::And(items) | Expr::Or(items) => {
                for item in items {
                    item.for_each_atom(f);
                }
            }
        }
    }
}

/// A syntax error at a byte position of the condition text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub pos: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Equal,
    NotEqual,
    Open,
    Close,
    OpenList,
    CloseList,
    Comma,
}

fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, SyntaxError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        let token = match c {
            c if c.is_whitespace() => continue,
            '=' => {
                if chars.peek().is_some_and(|(_, next)| *next == '=') {
                    chars.next();
                }
                Token::Equal
            }
            '!' => {
                if chars.peek().is_some_and(|(_, next)| *next == '=') {
                    chars.next();
                    Token::NotEqual
                } else {
                    return Err(SyntaxError {
                        pos,
                        message: "`!` must be followed by `=` (write `item != value`)".into(),
                    });
                }
            }
            '(' => Token::Open,
            ')' => Token::Close,
            '[' => Token::OpenList,
            ']' => Token::CloseList,
            ',' => Token::Comma,
            c if is_word_char(c) => {
                let mut word = String::from(c);
                while let Some((_, next)) = chars.peek() {
                    if is_word_char(*next) {
                        word.push(*next);
                        chars.next();
                    } else {
                        break;
                    }
                }
                Token::Word(word)
            }
            other => {
                return Err(SyntaxError {
                    pos,
                    message: format!("unexpected character `{other}` in a condition"),
                });
            }
        };
        tokens.push((token, pos));
    }
    Ok(tokens)
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

const KEYWORDS: [&str; 5] = ["and", "or", "not", "in", "always"];

/// The deepest a condition may nest brackets and `not`s. The parser, the
/// resolver and the evaluator recurse once per level, so without a limit a
/// file of a few hundred kilobytes of `(` overflows the stack (and aborts the
/// process: a running bot dies on reload). Real conditions nest two or
/// three deep.
pub(crate) const MAX_NESTING: usize = 32;

struct Parser {
    tokens: Vec<(Token, usize)>,
    at: usize,
    end: usize,
    /// Brackets and `not`s open around the current token.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(t, _)| t)
    }

    fn pos(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end, |(_, p)| *p)
    }

    fn is_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w == keyword)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            pos: self.pos(),
            message: message.into(),
        })
    }

    fn or(&mut self) -> Result<Ast, SyntaxError> {
        let mut items = vec![self.and()?];
        while self.is_keyword("or") {
            self.at += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Ast::Or(items)
        })
    }

    fn and(&mut self) -> Result<Ast, SyntaxError> {
        let mut items = vec![self.unary()?];
        while self.is_keyword("and") {
            self.at += 1;
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Ast::And(items)
        })
    }

    /// Enters one more bracket or `not`, refusing to go past [`MAX_NESTING`].
    fn nest(&mut self) -> Result<(), SyntaxError> {
        if self.depth >= MAX_NESTING {
            return self.error(format!(
                "brackets and `not`s are nested more than {MAX_NESTING} deep here; \
                 write the condition flatter or name a part of it in [conditions]"
            ));
        }
        self.depth += 1;
        Ok(())
    }

    fn unary(&mut self) -> Result<Ast, SyntaxError> {
        if self.is_keyword("not") {
            self.nest()?;
            self.at += 1;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Ast::Not(Box::new(inner)));
        }
        if self.is_keyword("always") {
            self.at += 1;
            return Ok(Ast::Always);
        }
        match self.peek().cloned() {
            Some(Token::Open) => {
                self.nest()?;
                self.at += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return self.error("expected `)`");
                }
                self.at += 1;
                self.depth -= 1;
                Ok(inner)
            }
            Some(Token::Word(word)) if !KEYWORDS.contains(&word.as_str()) => {
                let item_pos = self.pos();
                self.at += 1;
                self.after_item(word, item_pos)
            }
            Some(_) => self.error("expected an item id, a condition name, `not`, `always` or `(`"),
            None => self.error("the condition ends too early"),
        }
    }

    fn after_item(&mut self, item: String, item_pos: usize) -> Result<Ast, SyntaxError> {
        match self.peek() {
            Some(Token::Equal) | Some(Token::NotEqual) => {
                let equal = self.peek() == Some(&Token::Equal);
                self.at += 1;
                let value_pos = self.pos();
                let value = self.value()?;
                Ok(Ast::Compare {
                    item,
                    item_pos,
                    equal,
                    value,
                    value_pos,
                })
            }
            Some(Token::Word(w)) if w == "in" => {
                self.at += 1;
                if self.peek() != Some(&Token::OpenList) {
                    return self.error("expected `[` after `in`");
                }
                self.at += 1;
                let mut values = Vec::new();
                loop {
                    let pos = self.pos();
                    values.push((self.value()?, pos));
                    match self.peek() {
                        Some(Token::Comma) => self.at += 1,
                        Some(Token::CloseList) => {
                            self.at += 1;
                            break;
                        }
                        _ => return self.error("expected `,` or `]` in the list of values"),
                    }
                }
                Ok(Ast::In {
                    item,
                    item_pos,
                    values,
                })
            }
            _ => Ok(Ast::Name {
                name: item,
                pos: item_pos,
            }),
        }
    }

    fn value(&mut self) -> Result<String, SyntaxError> {
        match self.peek().cloned() {
            Some(Token::Word(word)) if !KEYWORDS.contains(&word.as_str()) => {
                self.at += 1;
                Ok(word)
            }
            _ => self.error("expected a value (yes, no, unsure or a choice id)"),
        }
    }
}

/// Parses a condition; positions in the result and in errors are byte
/// offsets into `text`.
pub(crate) fn parse(text: &str) -> Result<Ast, SyntaxError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        end: text.len(),
        depth: 0,
    };
    let ast = parser.or()?;
    if parser.at < parser.tokens.len() {
        return parser
            .error("unexpected text after the end of the condition (missing `and`/`or`?)");
    }
    Ok(ast)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_is_not_and_or() {
        let ast = parse("a = yes or not b = no and c in [x, y]").ok();
        let Some(Ast::Or(items)) = ast else {
            panic!("expected or: {ast:?}");
        };
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[1], Ast::And(parts) if matches!(parts[0], Ast::Not(_))));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let err = parse("a = yes and").err();
        assert_eq!(err.map(|e| e.pos), Some(11));
        let err = parse("a = yes b = no").err();
        assert_eq!(err.map(|e| e.pos), Some(8));
        assert!(parse("a ! b").is_err());
        assert!(parse("(a = yes").is_err());
    }

    #[test]
    fn nesting_is_limited_with_an_error_at_the_bracket_too_many() {
        let depth = MAX_NESTING + 1;
        let text = format!("{}a = yes{}", "(".repeat(depth), ")".repeat(depth));
        let err = parse(&text).err();
        assert_eq!(err.as_ref().map(|e| e.pos), Some(MAX_NESTING));
        assert!(err.is_some_and(|e| e.message.contains("nested")));
        let nots = format!("{}a = yes", "not ".repeat(depth));
        assert!(parse(&nots).is_err());
        let deepest = format!(
            "{}a = yes{}",
            "(".repeat(MAX_NESTING),
            ")".repeat(MAX_NESTING)
        );
        assert!(parse(&deepest).is_ok());
        // Depth is what is open at once, not how many brackets there are.
        let long = vec!["(a = yes)"; 100].join(" and ");
        assert!(parse(&long).is_ok());
    }

    #[test]
    fn partial_evaluation_folds_known_answers() {
        let expr = Expr::And(vec![
            Expr::Atom {
                question: 0,
                mask: 1,
            },
            Expr::Not(Box::new(Expr::Atom {
                question: 1,
                mask: 2,
            })),
        ]);
        let open = |_: usize| true;
        assert_eq!(
            expr.partial(&[1, 0], &open),
            Expr::Not(Box::new(Expr::Atom {
                question: 1,
                mask: 2
            }))
        );
        assert_eq!(expr.partial(&[2, 0], &open), Expr::Const(false));
        let closed = |_: usize| false;
        assert_eq!(expr.partial(&[1, 0], &closed), Expr::Const(true));
        assert!(expr.eval(&[1, 1]));
        assert!(!expr.eval(&[1, 2]));
    }
}
