//! `termgate compile LIST... -o OUT.tgs`: term lists into one compiled set.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use termgate::{Compiler, Fold, Profile, TermSet};

use crate::util::{compile_lists, Arg, Parser};

const USAGE: &str = "\
Usage: termgate compile LIST... -o OUT.tgs [--no-fold FOLD,...] [--quiet]

Compiles term lists, in order, into one set and prints its counts, size, and size relative to
the lists.

  -o, --out FILE       where to write the set (required)
      --no-fold FOLDS  switch normalization folds off, comma-separated: compat, invisible,
                       diacritics, homoglyphs, case, kana, leet, separators, repeats
  -q, --quiet          print nothing on success
";

/// Lists bigger than this get a progress bar (when stderr is a terminal).
const PROGRESS_FROM_BYTES: usize = 1 << 20;

struct Args {
    lists: Vec<PathBuf>,
    out: PathBuf,
    profile: Profile,
    quiet: bool,
}

pub fn run(mut p: Parser) -> Result<()> {
    let mut lists = Vec::new();
    let mut out = None;
    let mut profile = Profile::FULL;
    let mut quiet = false;
    while let Some(arg) = p.next()? {
        match arg {
            Arg::Short('o') => out = Some(PathBuf::from(p.value()?)),
            Arg::Long(f) if f == "out" => out = Some(PathBuf::from(p.value()?)),
            Arg::Long(f) if f == "no-fold" => {
                for name in p.string()?.split(',').filter(|n| !n.is_empty()) {
                    profile = profile.with(fold(name)?, false);
                }
            }
            Arg::Short('q') => quiet = true,
            Arg::Long(f) if f == "quiet" => quiet = true,
            Arg::Short('h') => return crate::print(USAGE),
            Arg::Long(f) if f == "help" => return crate::print(USAGE),
            Arg::Value(v) => lists.push(PathBuf::from(v)),
            arg => return Err(p.unexpected(arg)),
        }
    }
    if lists.is_empty() {
        bail!("compile needs at least one term list (termgate compile LIST... -o OUT.tgs)");
    }
    let Some(out) = out else {
        bail!("compile needs -o OUT.tgs: where to write the set");
    };
    Args {
        lists,
        out,
        profile,
        quiet,
    }
    .run()
}

fn fold(name: &str) -> Result<Fold> {
    Fold::ALL
        .into_iter()
        .find(|f| f.as_str() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = Fold::ALL.iter().map(|f| f.as_str()).collect();
            anyhow!("unknown fold '{name}': use {}", names.join(", "))
        })
}

impl Args {
    fn run(&self) -> Result<()> {
        let total: u64 = self
            .lists
            .iter()
            .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
            .sum();
        let bar = (io::stderr().is_terminal() && total > PROGRESS_FROM_BYTES as u64).then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "compiling {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        let mut progress = |done: usize, _total: usize| {
            if let Some(bar) = &bar {
                bar.set_position(done as u64);
            }
        };
        let mut compiler = Compiler::new().profile(self.profile);
        // Only with a bar to move: progress reports cost the compiler some work per rule.
        if bar.is_some() {
            compiler = compiler.on_progress(&mut progress);
        }
        let result = compile_lists(&self.lists, compiler);
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        let (set, list_bytes) = result?;
        write_atomically(&self.out, set.as_bytes())?;
        if !self.quiet {
            self.report(&set, list_bytes)?;
        }
        Ok(())
    }

    fn report(&self, set: &TermSet, list_bytes: usize) -> Result<()> {
        let info = set.info();
        let ratio = if list_bytes == 0 {
            "-".to_string()
        } else {
            format!("{:.1}%", 100.0 * info.bytes as f64 / list_bytes as f64)
        };
        let mut out = io::stdout().lock();
        writeln!(
            out,
            "wrote {} from {} list{} ({} bytes)",
            self.out.display(),
            self.lists.len(),
            if self.lists.len() == 1 { "" } else { "s" },
            list_bytes
        )?;
        writeln!(out, "rules    {}", info.rules)?;
        writeln!(
            out,
            "keys     {} word, {} inner, {} host",
            info.word_keys, info.inner_keys, info.host_keys
        )?;
        writeln!(out, "profile  {}", info.profile.names())?;
        writeln!(out, "size     {} bytes, {ratio} of the lists", info.bytes)?;
        out.flush()?;
        Ok(())
    }
}

/// Writes `bytes` next to `path`, then renames: a reader never sees half a set.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.with_context(|| format!("cannot write '{}'", path.display()))
}
