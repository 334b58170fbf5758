//! The `selfaudit` binary: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

use selfaudit::{app, cli, error, out, text};

fn main() -> ExitCode {
    let code = match cli::try_parse() {
        Ok(cli) => match app::run(cli) {
            Ok(code) => code,
            Err(e) => {
                report_error(&e);
                e.exit_code()
            }
        },
        Err(e) => clap_error(&e),
    };
    // A message that could not be written (stderr on a full disk) is a failure, never success.
    if out::stderr_failed() && code < error::EXIT_USAGE {
        return ExitCode::from(error::EXIT_USAGE);
    }
    ExitCode::from(code)
}

/// clap's help and version go to stdout (exit 0), its usage errors to stderr (exit 2); both are
/// written here, as plain text with every line terminal-safe, since a usage error quotes the
/// value the user gave.
fn clap_error(e: &clap::Error) -> u8 {
    let rendered = e.render().to_string();
    let mut safe = String::with_capacity(rendered.len());
    for line in rendered.lines() {
        safe.push_str(&text::terminal_safe(line));
        safe.push('\n');
    }
    if e.use_stderr() {
        out::stderr(&safe);
        error::EXIT_USAGE
    } else {
        match out::stdout(safe.as_bytes()) {
            Ok(()) => error::EXIT_OK,
            Err(err) => {
                report_error(&error::Error::io("<stdout>", err));
                error::EXIT_USAGE
            }
        }
    }
}

/// Prints an error once, to stderr: `error: …`, then how to fix it when known.
fn report_error(e: &error::Error) {
    let mut text = String::new();
    match e {
        error::Error::Invalid { problems } => {
            for p in problems {
                text.push_str(&format!("error: {p}\n"));
                if let Some(h) = &p.hint {
                    text.push_str(&format!("  hint: {}\n", text::terminal_safe(h)));
                }
            }
        }
        error::Error::Declined { message } => {
            text.push_str(&text::terminal_safe(message));
            text.push('\n');
        }
        _ => {
            text.push_str(&format!("error: {e}\n"));
            if let Some(h) = e.hint() {
                text.push_str(&format!("  hint: {}\n", text::terminal_safe(&h)));
            }
        }
    }
    out::stderr(&text);
}
