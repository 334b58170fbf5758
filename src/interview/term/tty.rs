//! The terminal's modes and signals while an interview runs.
//!
//! While a [`QuietInput`] lives the terminal neither echoes nor turns Ctrl-C into a signal, so
//! Ctrl-C always arrives as a key; a `ctrlc` handler (Ctrl-C, SIGHUP, SIGTERM) shows the cursor
//! again and sets a flag. A resize (SIGWINCH) wakes a key read, which [`read`] reports as
//! [`Event::Resized`] so that the prompt is drawn again in place.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use dialoguer::console::{Key, Term};

/// Set by the signal handler: Ctrl-C, a closed terminal (SIGHUP) or SIGTERM.
static STOP: AtomicBool = AtomicBool::new(false);
/// Set when the terminal changed size (SIGWINCH).
static RESIZE_FLAG: std::sync::OnceLock<std::sync::Arc<AtomicBool>> = std::sync::OnceLock::new();

fn resized() -> bool {
    RESIZE_FLAG
        .get()
        .is_some_and(|f| f.swap(false, Ordering::SeqCst))
}

/// What a key read gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Key(Key),
    Resized,
}

/// Installs the handlers (once per process; a second install fails harmlessly).
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        STOP.store(true, Ordering::SeqCst);
        let _ = Term::stderr().show_cursor();
    });
    // The flag is set by the handler; the key read that the signal interrupts sees it.
    #[cfg(unix)]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let flag = std::sync::Arc::new(AtomicBool::new(false));
            if signal_hook::flag::register(signal_hook::consts::SIGWINCH, flag.clone()).is_ok() {
                let _ = RESIZE_FLAG.set(flag);
            }
        });
    }
}

/// Whether Ctrl-C, SIGHUP or SIGTERM came.
pub fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Reads one key. Ctrl-C comes as `Key::CtrlC`; a resize as `Event::Resized`.
pub fn read(term: &Term) -> io::Result<Event> {
    if resized() {
        return Ok(Event::Resized);
    }
    let mut key = term.read_key_raw();
    // An interrupted read (EINTR) also comes as Ctrl-C: a resize says which it was.
    if matches!(key, Ok(Key::CtrlC) | Err(_)) && resized() {
        return Ok(Event::Resized);
    }
    // Arrows in "application cursor" mode come as ESC O A / ESC O B.
    if matches!(&key, Ok(Key::UnknownEscSeq(seq)) if seq == &['O']) {
        key = Ok(match term.read_key_raw()? {
            Key::Char('A') => Key::ArrowUp,
            Key::Char('B') => Key::ArrowDown,
            _ => Key::Unknown,
        });
    }
    key.map(Event::Key)
}

/// Keeps the terminal from echoing, line-buffering or turning Ctrl-C into a signal between key
/// reads, for as long as it lives. Keys typed ahead then wait unseen for the next prompt, and a
/// Ctrl-C pressed while no prompt is reading still reaches one as a key, instead of a signal
/// that could land just before a read and leave it waiting.
pub struct QuietInput {
    #[cfg(unix)]
    saved: Option<nix::sys::termios::Termios>,
}

impl QuietInput {
    pub fn new() -> Self {
        #[cfg(unix)]
        {
            use nix::sys::termios::{LocalFlags, SetArg, tcgetattr, tcsetattr};
            let stdin = io::stdin();
            let saved = tcgetattr(&stdin).ok();
            if let Some(original) = &saved {
                let mut quiet = original.clone();
                quiet
                    .local_flags
                    .remove(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG);
                let _ = tcsetattr(&stdin, SetArg::TCSANOW, &quiet);
            }
            QuietInput { saved }
        }
        #[cfg(not(unix))]
        QuietInput {}
    }
}

impl Drop for QuietInput {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(original) = &self.saved {
            let _ = nix::sys::termios::tcsetattr(
                io::stdin(),
                nix::sys::termios::SetArg::TCSANOW,
                original,
            );
        }
    }
}
