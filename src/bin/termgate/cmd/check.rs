//! `termgate check --set S.tgs [--json] [TEXT]`: one text's verdict and matches.

use std::io::{self, Read, Write};

use anyhow::{anyhow, bail, Context, Result};
use termgate::{Engine, Scanner, TermSet, Verdict};

use crate::util::{parse_engine, write_verdict_fields, Arg, Parser, SetArgs};

const USAGE: &str = "\
Usage: termgate check (--set S.tgs | --list L.txt)... [--json] [--engine E] [TEXT]

Checks TEXT, or stdin when TEXT is absent, against every set at once and prints the verdict
(block, flag, warn, hide, collapse or allow) and every match.

      --set FILE     a compiled set; repeat for several
      --list FILE    a term list, compiled on the fly; repeat for several
      --json         one JSON object: {\"verdict\":...,\"matches\":[{\"start\":N,\"end\":N,
                     \"text\":...,\"rule\":...,\"action\":...,\"category\":...}]}
                     with byte offsets into the text (stdin as read, newline included)
      --engine E     auto (default), walk or automaton
";

struct Args {
    sets: SetArgs,
    json: bool,
    engine: Engine,
    text: Option<String>,
}

pub fn run(mut p: Parser) -> Result<()> {
    let mut sets = SetArgs::default();
    let mut json = false;
    let mut engine = Engine::Auto;
    let mut text = None;
    while let Some(arg) = p.next()? {
        match arg {
            Arg::Long(f) if sets.parse(&mut p, &f)? => {}
            Arg::Long(f) if f == "json" => json = true,
            Arg::Long(f) if f == "engine" => engine = parse_engine(&p.string()?)?,
            Arg::Short('h') => return crate::print(USAGE),
            Arg::Long(f) if f == "help" => return crate::print(USAGE),
            Arg::Value(v) if text.is_none() => {
                let v = v
                    .into_string()
                    .map_err(|_| anyhow!("TEXT is not valid UTF-8"))?;
                text = Some(v);
            }
            Arg::Value(v) => bail!(
                "unexpected argument '{}': check takes one TEXT (quote it)",
                v.to_string_lossy()
            ),
            arg => return Err(p.unexpected(arg)),
        }
    }
    Args {
        sets,
        json,
        engine,
        text,
    }
    .run()
}

impl Args {
    fn run(self) -> Result<()> {
        let sets = self.sets.load("check")?;
        let text = match self.text {
            Some(text) => text,
            None => read_stdin()?,
        };
        let refs: Vec<&TermSet> = sets.iter().collect();
        let verdict = Scanner::new(&refs).engine(self.engine).check(&text);
        let mut out = io::stdout().lock();
        if self.json {
            out.write_all(b"{")?;
            write_verdict_fields(&mut out, &text, &verdict)?;
            out.write_all(b"}\n")?;
        } else {
            write_human(&mut out, &text, &verdict, sets.len() > 1)?;
        }
        out.flush()?;
        Ok(())
    }
}

fn read_stdin() -> Result<String> {
    let mut bytes = Vec::new();
    io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .context("cannot read stdin")?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "stdin is not valid UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// `warn` and then one line per match: span, the original slice, rule, action, category.
fn write_human(
    out: &mut impl Write,
    text: &str,
    verdict: &Verdict,
    several_sets: bool,
) -> io::Result<()> {
    writeln!(out, "{}", verdict.name())?;
    for m in &verdict.matches {
        write!(
            out,
            "  {}..{}  {:?}  rule {:?}  {}",
            m.start,
            m.end,
            text.get(m.start..m.end).unwrap_or(""),
            m.rule,
            m.action
        )?;
        if let Some(c) = m.category {
            write!(out, " {c}")?;
        }
        if several_sets {
            write!(out, "  (set {})", m.set + 1)?;
        }
        writeln!(out)?;
    }
    Ok(())
}
