//! `termgate`: compile term lists into sets, check and scan text against them, inspect sets.
//!
//! Each subcommand lives in `cmd/<name>.rs` with its own `Args` and `run`. Every failure is one
//! line on stderr and exit status 2; a verdict, whatever it is, is a success (status 0).

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{bail, Result};

mod cmd {
    pub mod check;
    pub mod compile;
    pub mod inspect;
    pub mod scan;
}
mod util;

const USAGE: &str = "\
termgate: term-list filtering for social posts

Usage:
  termgate compile LIST... -o OUT.tgs [--no-fold FOLD,...] [--quiet]
  termgate check (--set S.tgs | --list L.txt)... [--json] [--engine E] [TEXT]
  termgate scan (--set S.tgs | --list L.txt)... [--engine E]   < posts.jsonl
  termgate inspect S.tgs [--list]

  compile   compile term lists into one set
  check     check TEXT (or stdin) and print the verdict and every match
  scan      check JSON Lines {\"id\":...,\"text\":\"...\"} from stdin, one result line each
  inspect   show a set's header, counts, profile and size; --list prints its rules

Run `termgate COMMAND --help` for a command's flags. Exit status: 0 on success whatever the
verdict, 2 on any bad input (the reason is one line on stderr).
";

fn main() -> ExitCode {
    match run(std::env::args_os().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let message = format!("{err:#}").replace(['\n', '\r'], " ");
            let _ = writeln!(io::stderr(), "termgate: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(mut args: Vec<OsString>) -> Result<()> {
    if args.is_empty() {
        bail!("no command given: use compile, check, scan or inspect (see termgate --help)");
    }
    let command = args.remove(0);
    let rest = util::Parser::new(args);
    match command.to_str().unwrap_or("") {
        "compile" => cmd::compile::run(rest),
        "check" => cmd::check::run(rest),
        "scan" => cmd::scan::run(rest),
        "inspect" => cmd::inspect::run(rest),
        "help" | "-h" | "--help" => print(USAGE),
        "-V" | "--version" => print(&format!(
            "termgate {} (set format {}, normalization {})\n",
            env!("CARGO_PKG_VERSION"),
            termgate::FORMAT_VERSION,
            termgate::NORMALIZATION_VERSION
        )),
        _ => bail!(
            "unknown command '{}': use compile, check, scan or inspect (see termgate --help)",
            command.to_string_lossy()
        ),
    }
}

/// Prints help text to stdout (never panicking on a closed pipe).
fn print(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Whether the error is stdout closed by the reader (`termgate scan | head`): not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
