//! What the pseudo-terminal tests share: the keys they press, waiting for the screen, and
//! reading a session to its end.

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession as Session;
use expectrl::{Eof, Expect};

pub const ENTER: &str = "\r";
pub const DOWN: &str = "\x1b[B";
pub const CTRL_C: &str = "\x03";

/// Waits for `needle` and returns the screen output before it.
pub fn wait_for(session: &mut Session, needle: &str) -> String {
    match session.expect(needle) {
        Ok(found) => String::from_utf8_lossy(found.before()).into_owned(),
        Err(e) => {
            let mut buf = vec![0; 1 << 16];
            let n = session.try_read(&mut buf).unwrap_or(0);
            panic!(
                "waiting for {needle:?}: {e}; the screen has {:?}",
                String::from_utf8_lossy(&buf[..n])
            )
        }
    }
}

/// Reads to the end and returns the rest of the output and the exit code.
pub fn finish(mut session: Session) -> (String, i32) {
    let rest = match session.expect(Eof) {
        Ok(found) => String::from_utf8_lossy(found.get(0).unwrap_or_default()).into_owned(),
        Err(e) => panic!("waiting for the end: {e}"),
    };
    match session.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => (rest, code),
        other => panic!("not a normal exit: {other:?}\n{rest}"),
    }
}
