//! `termgate inspect S.tgs [--list]`: what a compiled set holds.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{bail, Result};
use termgate::{Action, TermSet};

use crate::util::{load_set, Arg, Parser};

const USAGE: &str = "\
Usage: termgate inspect S.tgs [--list]

Prints a set's header (format and normalization versions, checksum), counts of rules and keys,
rules per action, the normalization profile and the size.

      --list    print the rules instead, as a term list that compiles to the same rules
";

struct Args {
    set: PathBuf,
    list: bool,
}

pub fn run(mut p: Parser) -> Result<()> {
    let mut set = None;
    let mut list = false;
    while let Some(arg) = p.next()? {
        match arg {
            Arg::Long(f) if f == "list" => list = true,
            Arg::Short('h') => return crate::print(USAGE),
            Arg::Long(f) if f == "help" => return crate::print(USAGE),
            Arg::Value(v) if set.is_none() => set = Some(PathBuf::from(v)),
            arg => return Err(p.unexpected(arg)),
        }
    }
    let Some(set) = set else {
        bail!("inspect needs a set (termgate inspect S.tgs)");
    };
    Args { set, list }.run()
}

impl Args {
    fn run(&self) -> Result<()> {
        let set = load_set(&self.set)?;
        let mut out = io::stdout().lock();
        if self.list {
            out.write_all(set.to_list().as_bytes())?;
        } else {
            self.summary(&mut out, &set)?;
        }
        out.flush()?;
        Ok(())
    }

    fn summary(&self, out: &mut impl Write, set: &TermSet) -> io::Result<()> {
        let info = set.info();
        let mut per_action = [0usize; Action::ALL.len()];
        let mut exceptions = 0;
        let mut expiring = 0;
        for rule in set.rules() {
            if let Some(k) = Action::ALL.iter().position(|&a| a == rule.action) {
                per_action[k] += 1;
            }
            exceptions += usize::from(rule.text.starts_with('!'));
            expiring += usize::from(rule.expires.is_some());
        }
        let actions: Vec<String> = Action::ALL
            .iter()
            .zip(per_action)
            .filter(|&(_, n)| n > 0)
            .map(|(a, n)| format!("{a} {n}"))
            .collect();
        writeln!(out, "set            {}", self.set.display())?;
        writeln!(
            out,
            "format         {} (normalization {})",
            info.format_version, info.normalization_version
        )?;
        writeln!(out, "checksum       {:016x}", info.checksum)?;
        writeln!(out, "profile        {}", info.profile.names())?;
        writeln!(
            out,
            "rules          {} (exceptions {exceptions}, with an expiry {expiring})",
            info.rules
        )?;
        if !actions.is_empty() {
            writeln!(out, "actions        {}", actions.join(", "))?;
        }
        writeln!(
            out,
            "keys           {} word, {} inner, {} host",
            info.word_keys, info.inner_keys, info.host_keys
        )?;
        writeln!(out, "size           {} bytes", info.bytes)?;
        Ok(())
    }
}
