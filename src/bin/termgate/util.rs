//! What the commands share: a small argument parser, loading sets, and writing matches.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use termgate::{Engine, Match, Source, TermSet, Verdict};

/// One command-line argument, as [`Parser::next`] sees it.
#[derive(Debug)]
pub enum Arg {
    /// `--name` or `--name=value` (the value is then taken with [`Parser::value`]).
    Long(String),
    /// `-x`.
    Short(char),
    /// Anything else, including `-` and everything after `--`.
    Value(OsString),
}

/// A hand-written parser for the few flags termgate has: `--flag`, `--flag VALUE`,
/// `--flag=VALUE`, `-x VALUE`, and `--` to end the options.
pub struct Parser {
    args: std::vec::IntoIter<OsString>,
    /// The `VALUE` of a `--flag=VALUE` just returned.
    attached: Option<OsString>,
    /// The flag just returned, for messages.
    last: String,
    /// After `--`: everything is a value.
    values_only: bool,
}

impl Parser {
    pub fn new(args: Vec<OsString>) -> Parser {
        Parser {
            args: args.into_iter(),
            attached: None,
            last: String::new(),
            values_only: false,
        }
    }

    /// The next argument, or `None` at the end.
    pub fn next(&mut self) -> Result<Option<Arg>> {
        if self.attached.take().is_some() {
            bail!("{} takes no value", self.last);
        }
        let Some(arg) = self.args.next() else {
            return Ok(None);
        };
        if self.values_only {
            return Ok(Some(Arg::Value(arg)));
        }
        let Some(s) = arg.to_str() else {
            return Ok(Some(Arg::Value(arg)));
        };
        if s == "--" {
            self.values_only = true;
            return self.next();
        }
        if let Some(long) = s.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((name, value)) => (name, Some(OsString::from(value))),
                None => (long, None),
            };
            self.last = format!("--{name}");
            self.attached = value;
            return Ok(Some(Arg::Long(name.to_string())));
        }
        if let Some(short) = s.strip_prefix('-') {
            let mut chars = short.chars();
            if let (Some(c), None) = (chars.next(), chars.clone().next()) {
                self.last = format!("-{c}");
                return Ok(Some(Arg::Short(c)));
            }
            if !short.is_empty() {
                bail!("unknown flag '{s}' (flags cannot be combined; try --help)");
            }
        }
        Ok(Some(Arg::Value(arg)))
    }

    /// The value of the flag just returned: `--flag=VALUE` or the next argument.
    pub fn value(&mut self) -> Result<OsString> {
        if let Some(v) = self.attached.take() {
            return Ok(v);
        }
        self.args
            .next()
            .ok_or_else(|| anyhow!("{} needs a value", self.last))
    }

    /// The value of the flag just returned, as UTF-8.
    pub fn string(&mut self) -> Result<String> {
        let v = self.value()?;
        v.into_string()
            .map_err(|v| anyhow!("{} {}: not valid UTF-8", self.last, Path::new(&v).display()))
    }

    /// The error for an argument this command does not take.
    pub fn unexpected(&self, arg: Arg) -> anyhow::Error {
        match arg {
            Arg::Long(name) => anyhow!("unknown flag '--{name}' (try --help)"),
            Arg::Short(c) => anyhow!("unknown flag '-{c}' (try --help)"),
            Arg::Value(v) => anyhow!("unexpected argument '{}'", Path::new(&v).display()),
        }
    }
}

/// Parses the value of `--engine`.
pub fn parse_engine(name: &str) -> Result<Engine> {
    match name {
        "auto" => Ok(Engine::Auto),
        "walk" => Ok(Engine::Walk),
        "automaton" => Ok(Engine::Automaton),
        _ => bail!("unknown engine '{name}': use auto, walk or automaton"),
    }
}

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read '{}'", path.display()))
}

/// Reads a term list as UTF-8, naming the file and the first bad byte in the error.
pub fn read_list(path: &Path) -> Result<String> {
    let bytes = read(path)?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "{}: not valid UTF-8 (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// Loads a compiled set from a file.
pub fn load_set(path: &Path) -> Result<TermSet> {
    let bytes = read(path)?;
    TermSet::from_bytes(bytes).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// Compiles term lists read from files into one set.
pub fn compile_lists(
    paths: &[PathBuf],
    compiler: termgate::Compiler<'_>,
) -> Result<(TermSet, usize)> {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let texts = paths
        .iter()
        .map(|p| read_list(p))
        .collect::<Result<Vec<_>>>()?;
    let sources: Vec<Source<'_>> = names
        .iter()
        .zip(&texts)
        .map(|(name, text)| Source { name, text })
        .collect();
    let size = texts.iter().map(String::len).sum();
    // A compile error's Display is already `file:line:col: message`.
    let set = compiler.compile(&sources).map_err(|e| anyhow!("{e}"))?;
    Ok((set, size))
}

/// The sets named by `--set` and `--list`, in the order given: what `check` and `scan` scan.
#[derive(Default)]
pub struct SetArgs {
    sources: Vec<SetSource>,
}

enum SetSource {
    Set(PathBuf),
    List(PathBuf),
}

impl SetArgs {
    /// Takes `--set FILE` or `--list FILE`; returns false for any other flag.
    pub fn parse(&mut self, p: &mut Parser, flag: &str) -> Result<bool> {
        match flag {
            "set" => self.sources.push(SetSource::Set(p.value()?.into())),
            "list" => self.sources.push(SetSource::List(p.value()?.into())),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Loads every `--set` and compiles every `--list`.
    pub fn load(&self, command: &str) -> Result<Vec<TermSet>> {
        if self.sources.is_empty() {
            bail!("{command} needs at least one --set FILE.tgs (or --list FILE.txt)");
        }
        self.sources
            .iter()
            .map(|s| match s {
                SetSource::Set(path) => load_set(path),
                SetSource::List(path) => {
                    compile_lists(std::slice::from_ref(path), termgate::Compiler::new())
                        .map(|(set, _)| set)
                }
            })
            .collect()
    }
}

/// Writes `"verdict":"...","matches":[...]` (no braces) for a verdict on `text`.
pub fn write_verdict_fields(out: &mut impl Write, text: &str, verdict: &Verdict) -> io::Result<()> {
    write!(out, "\"verdict\":\"{}\",\"matches\":[", verdict.name())?;
    for (i, m) in verdict.matches.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_match(out, text, m)?;
    }
    out.write_all(b"]")
}

/// One match as a JSON object with byte offsets and the original slice.
fn write_match(out: &mut impl Write, text: &str, m: &Match) -> io::Result<()> {
    write!(out, "{{\"start\":{},\"end\":{},\"text\":", m.start, m.end)?;
    serde_json::to_writer(&mut *out, text.get(m.start..m.end).unwrap_or(""))?;
    out.write_all(b",\"rule\":")?;
    serde_json::to_writer(&mut *out, &m.rule)?;
    write!(out, ",\"action\":\"{}\",\"category\":", m.action.as_str())?;
    match m.category {
        Some(c) => write!(out, "\"{}\"", c.as_str())?,
        None => out.write_all(b"null")?,
    }
    out.write_all(b"}")
}
