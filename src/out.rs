//! Standard output and standard error: the one place that writes to them, and never panics.
//!
//! A closed pipe (`| head`, `2>&-`) ends the writing quietly; any other failure (a full disk
//! behind `> file` or `2> file`) is remembered, so that `main` ends with exit 2 instead of
//! claiming success.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

/// Whether a write to standard error failed other than by a closed pipe.
pub fn stderr_failed() -> bool {
    STDERR_FAILED.load(Ordering::Relaxed)
}

/// Whether an error means the reader went away (a closed pipe or a closed descriptor).
pub fn is_closed(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe || e.raw_os_error() == Some(9) // EBADF
}

/// Writes text to standard error as it is (the caller made user text terminal-safe).
pub fn stderr(text: &str) {
    let mut err = io::stderr().lock();
    if let Err(e) = err.write_all(text.as_bytes()).and_then(|()| err.flush())
        && !is_closed(&e)
    {
        STDERR_FAILED.store(true, Ordering::Relaxed);
    }
}

/// Writes one line to standard error.
pub fn eline(line: &str) {
    let mut text = String::with_capacity(line.len() + 1);
    text.push_str(line);
    text.push('\n');
    stderr(&text);
}

/// Writes bytes to standard output: a closed pipe is the reader's choice and ends quietly,
/// any other failure is returned.
pub fn stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if is_closed(&e) => Ok(()),
        other => other,
    }
}

/// Prints warnings to stderr, one line each.
pub fn warn(message: &str) {
    crate::out::eline(&format!("warning: {}", crate::text::terminal_safe(message)));
}
