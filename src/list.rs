//! The term-list syntax: parsing the text users write into rules.
//!
//! ```text
//! # a comment
//! [block spam]              section: action, optional category, optional until=INSTANT
//! baka                      bare term: whole word, or substring if it contains CJK/kana/Hangul/Thai
//! *ass*                     substring anywhere
//! ass*                      word prefix
//! *ass                      word suffix
//! buy && followers          every part somewhere in the post, any order
//! host:example.com          a link or bare domain on example.com or a subdomain
//! !assessment               exception: matches lying inside an occurrence of this term do not count
//! \!important               a backslash keeps a leading `!`, `#`, `[` or `\` literal
//! ```

use crate::action::{Action, Category};
use crate::error::CompileError;
use crate::time::parse_instant;

/// The longest term, in characters, as written.
pub const MAX_TERM_CHARS: usize = 256;
/// The most parts one `&&` rule may have.
pub const MAX_AND_PARTS: usize = 16;
/// The longest host name in a `host:` rule.
pub const MAX_HOST_CHARS: usize = 253;

/// A term list to compile, and the name its errors are reported under.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// The name used in error messages, usually the file name.
    pub name: &'a str,
    /// The term list.
    pub text: &'a str,
}

/// How a term's position in the text is constrained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pattern {
    /// Bare: whole word, or substring for terms in scripts without spaces (decided after
    /// normalization).
    Bare,
    Substring,
    Prefix,
    Suffix,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Term {
    pub text: String,
    pub pattern: Pattern,
    /// Column of the term in its line, for errors found later (such as an empty normalization).
    pub column: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Body {
    Term(Term),
    Exception(Term),
    All(Vec<Term>),
    Host(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParsedRule {
    pub action: Action,
    pub category: Option<Category>,
    pub expires: Option<i64>,
    pub body: Body,
    /// The rule as the user wrote it (the trimmed line).
    pub written: String,
    pub line: usize,
}

#[derive(Clone, Copy)]
struct Section {
    action: Action,
    category: Option<Category>,
    expires: Option<i64>,
}

/// Parses one list, giving each rule to `each` as it is read: a large list's parsed rules, all
/// held at once, were a third of a compile's peak memory. Stops at the first error, the parser's
/// or `each`'s.
pub(crate) fn parse(
    source: &Source<'_>,
    mut each: impl FnMut(ParsedRule) -> Result<(), CompileError>,
) -> Result<(), CompileError> {
    let mut section: Option<Section> = None;
    for (idx, raw) in source.text.lines().enumerate() {
        let line_no = idx + 1;
        let err = |col: usize, msg: String| CompileError::new(source.name, line_no, col, msg);
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // Column (1-based, in characters) of the first non-blank character.
        let col0 = raw[..raw.len() - raw.trim_start().len()].chars().count() + 1;
        if line.starts_with('[') {
            section = Some(parse_header(line).map_err(|(off, msg)| err(col0 + off, msg))?);
            continue;
        }
        let Some(sec) = section else {
            return Err(err(
                col0,
                "rule before any section header: start the list with one, such as [block] or [hide]"
                    .into(),
            ));
        };
        let body = parse_body(line, col0).map_err(|(col, msg)| err(col, msg))?;
        each(ParsedRule {
            action: sec.action,
            category: sec.category,
            expires: sec.expires,
            body,
            written: line.to_string(),
            line: line_no,
        })?;
    }
    Ok(())
}

/// `[action category until=...]`; errors carry a character offset into `line`.
fn parse_header(line: &str) -> Result<Section, (usize, String)> {
    let Some(inner) = line.strip_suffix(']') else {
        return Err((
            line.chars().count(),
            "section header must end with ']'".into(),
        ));
    };
    let inner = &inner[1..];
    let mut words = Vec::new();
    let mut offset = 1;
    for piece in inner.split(char::is_whitespace) {
        if !piece.is_empty() {
            words.push((offset, piece));
        }
        offset += piece.chars().count() + 1;
    }
    let Some(&(aoff, aname)) = words.first() else {
        return Err((
            1,
            "empty section header: name an action such as [block]".into(),
        ));
    };
    let action = aname.parse::<Action>().map_err(|_| {
        (
            aoff,
            format!("unknown action '{aname}': expected one of block, flag, warn, hide, collapse"),
        )
    })?;
    let mut sec = Section {
        action,
        category: None,
        expires: None,
    };
    for &(off, word) in &words[1..] {
        if let Some((key, value)) = word.split_once('=') {
            match key {
                "until" => {
                    if sec.expires.is_some() {
                        return Err((off, "'until' given twice".into()));
                    }
                    let t = parse_instant(value)
                        .map_err(|m| (off + 6, format!("bad instant '{value}': {m}")))?;
                    sec.expires = Some(t);
                }
                _ => return Err((off, format!("unknown attribute '{key}': expected 'until'"))),
            }
        } else if sec.category.is_none() {
            let cat = word.parse::<Category>().map_err(|_| {
                let all: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                (
                    off,
                    format!(
                        "unknown category '{word}': expected one of {}",
                        all.join(", ")
                    ),
                )
            })?;
            sec.category = Some(cat);
        } else {
            return Err((
                off,
                format!("unexpected '{word}': a section has one category"),
            ));
        }
    }
    Ok(sec)
}

fn parse_body(line: &str, col0: usize) -> Result<Body, (usize, String)> {
    if let Some(rest) = line.strip_prefix('!') {
        if rest.contains("&&") || rest.starts_with("host:") {
            return Err((col0, "an exception is a single term".into()));
        }
        return Ok(Body::Exception(parse_term(rest, col0 + 1)?));
    }
    if let Some(host) = line.strip_prefix("host:") {
        return parse_host(host.trim(), col0 + 5).map(Body::Host);
    }
    let line = line.strip_prefix('\\').unwrap_or(line);
    if line.contains("&&") {
        let mut parts = Vec::new();
        let mut col = col0;
        for part in line.split("&&") {
            let lead = part.len() - part.trim_start().len();
            parts.push(parse_term(part.trim(), col + part[..lead].chars().count())?);
            col += part.chars().count() + 2;
        }
        if parts.len() > MAX_AND_PARTS {
            return Err((
                col0,
                format!(
                    "{} parts joined by '&&' exceed the limit of {MAX_AND_PARTS}",
                    parts.len()
                ),
            ));
        }
        return Ok(Body::All(parts));
    }
    Ok(Body::Term(parse_term(line, col0)?))
}

fn parse_term(s: &str, col: usize) -> Result<Term, (usize, String)> {
    let (s, lead) = match s.strip_prefix('*') {
        Some(rest) => (rest, true),
        None => (s, false),
    };
    let (s, trail) = match s.strip_suffix('*') {
        Some(rest) => (rest, true),
        None => (s, false),
    };
    let col = col + usize::from(lead);
    if s.trim().is_empty() {
        return Err((col, "empty term".into()));
    }
    if let Some(pos) = s.find('*') {
        return Err((
            col + s[..pos].chars().count(),
            "'*' is only allowed at the start or end of a term".into(),
        ));
    }
    let chars = s.chars().count();
    if chars > MAX_TERM_CHARS {
        return Err((
            col,
            format!("term of {chars} characters exceeds the limit of {MAX_TERM_CHARS}"),
        ));
    }
    let pattern = match (lead, trail) {
        (true, true) => Pattern::Substring,
        (false, true) => Pattern::Prefix,
        (true, false) => Pattern::Suffix,
        (false, false) => Pattern::Bare,
    };
    Ok(Term {
        text: s.to_string(),
        pattern,
        column: col,
    })
}

/// Validates a host and returns its canonical form: lower case, no leading `*.`, no trailing dot.
fn parse_host(s: &str, col: usize) -> Result<String, (usize, String)> {
    let s = s.strip_prefix("*.").unwrap_or(s);
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.is_empty() {
        return Err((col, "empty host".into()));
    }
    if s.chars().count() > MAX_HOST_CHARS {
        return Err((
            col,
            format!("host exceeds the limit of {MAX_HOST_CHARS} characters"),
        ));
    }
    let host = crate::hosts::canonical_host(s);
    for (i, label) in host.split('.').enumerate() {
        if label.is_empty() {
            return Err((col, format!("empty label in host '{s}'")));
        }
        if let Some(bad) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err((
                col,
                format!(
                    "'{bad}' cannot appear in a host name (label {}); write internationalized names in their xn-- form",
                    i + 1
                ),
            ));
        }
    }
    Ok(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Vec<ParsedRule>, String> {
        let mut out = Vec::new();
        parse(
            &Source {
                name: "t.txt",
                text,
            },
            |rule| {
                out.push(rule);
                Ok(())
            },
        )
        .map_err(|e| e.to_string())?;
        Ok(out)
    }

    #[test]
    fn syntax() {
        let rules = parse_str(
            "# comment\n[block spam]\nbaka\n*ass*\nass*\n*ass\nbuy && followers\nhost:Example.COM.\n!assessment\n\\!diot\n[hide until=2026-12-31T00:00Z]\nラーメン\n",
        )
        .unwrap();
        assert_eq!(rules.len(), 9);
        assert_eq!(rules[0].action, Action::Block);
        assert_eq!(rules[0].category, Some(Category::Spam));
        assert!(
            matches!(&rules[1].body, Body::Term(t) if t.pattern == Pattern::Substring && t.text == "ass")
        );
        assert!(matches!(&rules[2].body, Body::Term(t) if t.pattern == Pattern::Prefix));
        assert!(matches!(&rules[3].body, Body::Term(t) if t.pattern == Pattern::Suffix));
        assert!(matches!(&rules[4].body, Body::All(p) if p.len() == 2 && p[1].text == "followers"));
        assert_eq!(rules[5].body, Body::Host("example.com".into()));
        assert!(matches!(&rules[6].body, Body::Exception(t) if t.text == "assessment"));
        assert!(matches!(&rules[7].body, Body::Term(t) if t.text == "!diot"));
        assert_eq!(rules[8].action, Action::Hide);
        assert_eq!(rules[8].expires, Some(1_798_675_200));
        assert_eq!(rules[8].written, "ラーメン");
        assert_eq!(rules[8].line, 12);
    }

    #[test]
    fn errors_name_the_place() {
        let cases: &[(&str, &str)] = &[
            ("baka", "t.txt:1:1: rule before any section header"),
            ("[ban]\nx", "t.txt:1:2: unknown action 'ban'"),
            ("[block spamm]", "t.txt:1:8: unknown category 'spamm'"),
            ("[block", "t.txt:1:7: section header must end with ']'"),
            ("[block]\n  a*b", "t.txt:2:4: '*' is only allowed"),
            ("[block]\n**", "t.txt:2:2: empty term"),
            ("[block]\nbuy && ", "t.txt:2:7: empty term"),
            ("[block]\nhost:exa mple.com", "t.txt:2:6: ' ' cannot appear"),
            (
                "[hide until=2026-12-31]\n[hide until=soon]",
                "t.txt:2:13: bad instant 'soon'",
            ),
            ("[hide color=red]", "t.txt:1:7: unknown attribute 'color'"),
            ("[block spam phishing]", "t.txt:1:13: unexpected 'phishing'"),
        ];
        for (text, want) in cases {
            let got = parse_str(text).unwrap_err();
            assert!(
                got.starts_with(want),
                "{text:?}: got {got:?}, want {want:?}"
            );
        }
        let long = format!("[block]\n{}", "a".repeat(MAX_TERM_CHARS + 1));
        assert!(parse_str(&long)
            .unwrap_err()
            .contains("exceeds the limit of 256"));
        assert!(parse_str(&format!("[block]\n{}", "a".repeat(MAX_TERM_CHARS))).is_ok());
        let many = format!("[block]\n{}", vec!["a"; MAX_AND_PARTS + 1].join(" && "));
        assert!(parse_str(&many).unwrap_err().contains("limit of 16"));
    }
}
