//! The `selfaudit` binary: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use selfaudit::{app, cli, error, text};

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                error::EXIT_USAGE
            } else {
                error::EXIT_OK
            });
        }
    };
    match app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report_error(&e);
            ExitCode::from(e.exit_code())
        }
    }
}

/// Prints an error once, to stderr: `error: …`, then how to fix it when known.
fn report_error(e: &error::Error) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    match e {
        error::Error::Invalid { problems } => {
            for p in problems {
                let _ = writeln!(err, "error: {p}");
                if let Some(h) = &p.hint {
                    let _ = writeln!(err, "  hint: {}", text::terminal_safe(h));
                }
            }
        }
        _ => {
            let _ = writeln!(err, "error: {e}");
            if let Some(h) = e.hint() {
                let _ = writeln!(err, "  hint: {}", text::terminal_safe(&h));
            }
        }
    }
}
