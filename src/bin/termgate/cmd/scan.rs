//! `termgate scan --set S.tgs < posts.jsonl`: JSON Lines in, one verdict line out per line in.

use std::io::{self, BufRead, BufReader, BufWriter, Write};

use anyhow::{bail, Context, Result};
use serde_json::Value;
use termgate::{Engine, Scanner, TermSet};

use crate::util::{parse_engine, write_verdict_fields, Arg, Parser, SetArgs};

const USAGE: &str = "\
Usage: termgate scan (--set S.tgs | --list L.txt)... [--engine E] < posts.jsonl

Reads JSON Lines from stdin, each {\"id\":ANY,\"text\":\"...\"}, and writes one line per line
read, as it goes: {\"id\":ANY,\"verdict\":\"...\",\"matches\":[...]} (the matches as in
`check --json`, byte offsets into the text). The id is echoed back as given (null if absent);
blank lines are skipped. A line that is not a JSON object with a string \"text\" stops the scan
with exit status 2, after the results of the lines before it.

      --set FILE     a compiled set; repeat for several
      --list FILE    a term list, compiled on the fly; repeat for several
      --engine E     auto (default), walk or automaton
";

struct Args {
    sets: SetArgs,
    engine: Engine,
}

pub fn run(mut p: Parser) -> Result<()> {
    let mut sets = SetArgs::default();
    let mut engine = Engine::Auto;
    while let Some(arg) = p.next()? {
        match arg {
            Arg::Long(f) if sets.parse(&mut p, &f)? => {}
            Arg::Long(f) if f == "engine" => engine = parse_engine(&p.string()?)?,
            Arg::Short('h') => return crate::print(USAGE),
            Arg::Long(f) if f == "help" => return crate::print(USAGE),
            arg => return Err(p.unexpected(arg)),
        }
    }
    Args { sets, engine }.run()
}

impl Args {
    fn run(self) -> Result<()> {
        let sets = self.sets.load("scan")?;
        let refs: Vec<&TermSet> = sets.iter().collect();
        let scanner = Scanner::new(&refs).engine(self.engine);
        let mut input = BufReader::with_capacity(1 << 16, io::stdin().lock());
        let mut out = BufWriter::new(io::stdout().lock());
        let mut line = Vec::new();
        let mut number = 0usize;
        loop {
            // Flush whatever is pending before waiting for more input: large batches are
            // written in big blocks, and a caller feeding one line at a time gets each answer.
            if input.buffer().is_empty() {
                out.flush()?;
            }
            line.clear();
            let n = input
                .read_until(b'\n', &mut line)
                .context("cannot read stdin")?;
            if n == 0 {
                break;
            }
            number += 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let (id, text) = match parse_line(&line) {
                Ok(post) => post,
                Err(why) => {
                    out.flush()?;
                    bail!("stdin line {number}: {why}");
                }
            };
            let verdict = scanner.check(&text);
            out.write_all(b"{\"id\":")?;
            serde_json::to_writer(&mut out, &id)?;
            out.write_all(b",")?;
            write_verdict_fields(&mut out, &text, &verdict)?;
            out.write_all(b"}\n")?;
        }
        out.flush()?;
        Ok(())
    }
}

/// The id (null if absent) and text of one input line, or why the line is bad.
fn parse_line(line: &[u8]) -> Result<(Value, String), String> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let value: Value = serde_json::from_slice(line).map_err(|e| {
        let message = e.to_string();
        // serde_json appends " at line 1 column N"; say only the column.
        let message = message.split(" at line ").next().unwrap_or(&message);
        format!("invalid JSON at column {}: {message}", e.column())
    })?;
    let Value::Object(mut post) = value else {
        return Err(r#"expected a JSON object {"id":...,"text":"..."}"#.to_string());
    };
    let id = post.remove("id").unwrap_or(Value::Null);
    match post.remove("text") {
        Some(Value::String(text)) => Ok((id, text)),
        Some(_) => Err(r#""text" is not a string"#.to_string()),
        None => Err(r#"no "text" field"#.to_string()),
    }
}
