//! Output paths: the one place that decides where a file is written, follows or refuses
//! symbolic links, proves a folder writable and holds the one-writer lock (SPEC §9).
//!
//! - A path the *user* named (`-o FILE`) may be a symbolic link: the chain is followed to the
//!   file it names, which is the one replaced; a loop is an error.
//! - A path the *tool* chose (the default `responses/<period>/<name>.toml`, the `.partial` and
//!   `.lock` beside any output) is never a symbolic link: one found there is refused (exit 2),
//!   since a link planted there (git carries links) would send answers outside the folder.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::text::terminal_safe;

/// The most links a chain may hold, as on Linux; more is taken for a loop.
const MAX_LINKS: usize = 40;

fn shown(path: &Path) -> String {
    terminal_safe(&path.display().to_string())
}

fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn link_loop(path: &Path) -> Error {
    Error::usage_hint(
        format!(
            "{}: symbolic link loop (the link leads back to itself)",
            shown(path)
        ),
        "point the link at a file, or name another file with -o FILE",
    )
}

/// The file that writing to `path` replaces: `path` itself, or the end of its chain of
/// symbolic links (each relative target read from its link's folder). A chain that comes back
/// on itself, or holds more than 40 links, is an error.
pub fn follow_links(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    let mut seen = HashSet::new();
    for _ in 0..=MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                if !seen.insert(current.clone()) {
                    return Err(link_loop(path));
                }
                let target = fs::read_link(&current).map_err(|e| Error::io(&current, e))?;
                current = match current.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) if e.raw_os_error() == Some(40) => return Err(link_loop(path)), // ELOOP
            Err(e) => return Err(Error::io(&current, e)),
        }
    }
    Err(link_loop(path))
}

/// Refuses a symbolic link at a path the tool chose.
pub fn refuse_link(path: &Path) -> Result<()> {
    if is_link(path) {
        return Err(Error::usage_hint(
            format!(
                "{}: is a symbolic link, and selfaudit never writes through a link at a path it chose itself",
                shown(path)
            ),
            "remove the link (it may have come with a git checkout), or name the file to write with -o FILE",
        ));
    }
    Ok(())
}

/// `path` with `suffix` added to its file name: `a.toml` → `a.toml.partial`.
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.to_path_buf().into_os_string();
    p.push(suffix);
    PathBuf::from(p)
}

/// The folder a file is written in (`.` for a bare name).
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// The files of one interview, checked before the first question, and the lock that makes
/// this process the only writer of them until it ends.
#[derive(Debug)]
pub struct RunFiles {
    /// The responses file, as named (by the user, or by the tool).
    pub output: PathBuf,
    /// Whether the tool chose `output` (then it may not be a link either).
    pub chosen_by_tool: bool,
    /// The progress file beside it.
    pub partial: PathBuf,
    /// `<output>.lock`, locked exclusively while this value lives.
    pub lock_path: PathBuf,
    _lock: fs::File,
}

impl RunFiles {
    /// Saves the progress file: never through a link, always atomically.
    pub fn write_partial(&self, bytes: &[u8]) -> Result<()> {
        refuse_link(&self.partial)?;
        write_atomic(&self.partial, bytes)
    }

    /// Writes the responses file: through the user's link, never through one at a path the
    /// tool chose.
    pub fn write_output(&self, bytes: &[u8]) -> Result<()> {
        if self.chosen_by_tool {
            refuse_link(&self.output)?;
        }
        write_atomic(&self.output, bytes)
    }
}

/// Settles an interview's files before anything is asked: the folders exist (made if needed),
/// no path the tool chose is a link, the lock is ours (else exit 2: the interview is open in
/// another process), and the folder takes files of these names (a probe creates and removes
/// the progress file's name, so that a name too long or a folder not writable fails now,
/// not after the first answer).
pub fn prepare_run(output: &Path, chosen_by_tool: bool) -> Result<RunFiles> {
    match open_run(output, chosen_by_tool, true)? {
        Some(files) => Ok(files),
        None => {
            let target = if chosen_by_tool {
                output.to_path_buf()
            } else {
                follow_links(output)?
            };
            Err(Error::usage_hint(
                format!(
                    "{}: this interview is open elsewhere (another `selfaudit run` holds {})",
                    shown(output),
                    shown(&with_suffix(&target, ".lock"))
                ),
                format!(
                    "finish or stop the other interview first; its answers so far are saved in {}",
                    shown(&with_suffix(&target, ".partial"))
                ),
            ))
        }
    }
}

/// `prepare_run` for a writer that holds the lock only while it handles one request (`serve`):
/// `None`, not an error, while another process holds the lock; `probe` proves the folder takes
/// the progress file's name (once per interview is enough).
pub fn open_run(output: &Path, chosen_by_tool: bool, probe: bool) -> Result<Option<RunFiles>> {
    // A link the user named stands for the file it leads to: the progress file and the lock go
    // beside that file, so that two names of one file share one lock.
    let target = if chosen_by_tool {
        output.to_path_buf()
    } else {
        follow_links(output)?
    };
    let partial = with_suffix(&target, ".partial");
    let lock_path = with_suffix(&target, ".lock");
    let folder = folder_of(&target);
    if chosen_by_tool {
        for dir in output.ancestors().skip(1) {
            if !dir.as_os_str().is_empty() {
                refuse_link(dir)?;
            }
        }
        refuse_link(output)?;
    }
    ensure_dir(folder)?;
    if chosen_by_tool {
        refuse_link(folder)?;
    }
    refuse_link(&lock_path)?;
    let lock = open_lock(&lock_path)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => return Ok(None),
        Err(fs::TryLockError::Error(e)) => return Err(Error::io(&lock_path, e)),
    }
    refuse_link(&partial)?;
    if probe && fs::symlink_metadata(&partial).is_err() {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&partial)
            .map_err(|e| Error::io(&partial, e))?;
        fs::remove_file(&partial).map_err(|e| Error::io(&partial, e))?;
    }
    Ok(Some(RunFiles {
        output: output.to_path_buf(),
        chosen_by_tool,
        partial,
        lock_path,
        _lock: lock,
    }))
}

/// Opens (creating) a lock file without following a link planted at its name. The lock file
/// stays, so after the first time it is opened without `O_CREAT`, which does not take the
/// folder's lock in the kernel (a server opens it on every request of every respondent).
fn open_lock(path: &Path) -> Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(nix::libc::O_NOFOLLOW);
    }
    let opened = match options.open(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => options.create(true).open(path),
        other => other,
    };
    opened.map_err(|e| {
        if e.raw_os_error() == Some(40) {
            // ELOOP from O_NOFOLLOW: a link appeared since the check.
            refuse_link(path)
                .err()
                .unwrap_or_else(|| Error::io(path, e))
        } else {
            Error::io(path, e)
        }
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn writers_in_one_folder_share_its_syncs_and_all_return() {
        let dir = tempfile::tempdir().unwrap();
        std::thread::scope(|s| {
            for t in 0..8 {
                let d = dir.path();
                s.spawn(move || {
                    for i in 0..25 {
                        write_atomic(&d.join(format!("f{t}.toml")), i.to_string().as_bytes())
                            .unwrap();
                    }
                });
            }
        });
        for t in 0..8 {
            let text = fs::read_to_string(dir.path().join(format!("f{t}.toml"))).unwrap();
            assert_eq!(text, "24");
        }
    }

    #[test]
    fn a_lock_file_is_made_once_and_opened_after() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("a.toml.lock");
        drop(open_lock(&lock).unwrap());
        assert!(lock.is_file());
        drop(open_lock(&lock).unwrap());
        std::os::unix::fs::symlink("elsewhere", dir.path().join("b.toml.lock")).unwrap();
        assert!(open_lock(&dir.path().join("b.toml.lock")).is_err());
    }
    use std::os::unix::fs::symlink;

    #[test]
    fn chains_are_followed_to_their_end_and_loops_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        symlink("b", d.join("a")).unwrap();
        symlink("c", d.join("b")).unwrap();
        assert_eq!(follow_links(&d.join("a")).unwrap(), d.join("c"));
        symlink("self", d.join("self")).unwrap();
        let err = follow_links(&d.join("self")).unwrap_err().to_string();
        assert!(err.contains("symbolic link loop"), "{err}");
        symlink("y", d.join("x")).unwrap();
        symlink("x", d.join("y")).unwrap();
        assert!(follow_links(&d.join("x")).is_err());
        assert_eq!(follow_links(&d.join("plain")).unwrap(), d.join("plain"));
    }

    #[test]
    fn a_second_run_of_the_same_output_is_refused_while_the_first_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r/p/ana.toml");
        let first = prepare_run(&out, true).unwrap();
        let err = prepare_run(&out, true).unwrap_err().to_string();
        assert!(err.contains("open elsewhere"), "{err}");
        drop(first);
        prepare_run(&out, true).unwrap();
    }

    #[test]
    fn links_at_chosen_paths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ana.toml");
        symlink("/tmp/elsewhere.toml", &out).unwrap();
        assert!(prepare_run(&out, true).is_err());
        let out2 = dir.path().join("bob.toml");
        symlink("/tmp/elsewhere.partial", with_suffix(&out2, ".partial")).unwrap();
        assert!(prepare_run(&out2, false).is_err());
    }

    #[test]
    fn two_names_of_one_file_share_one_lock() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.toml");
        let link = dir.path().join("link.toml");
        symlink("real.toml", &link).unwrap();
        let first = prepare_run(&real, false).unwrap();
        let err = prepare_run(&link, false).unwrap_err().to_string();
        assert!(err.contains("open elsewhere"), "{err}");
        assert_eq!(first.partial, dir.path().join("real.toml.partial"));
    }

    #[test]
    fn a_name_too_long_for_its_progress_file_fails_before_any_question() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join(format!("{}.toml", "a".repeat(244)));
        let err = prepare_run(&out, false).unwrap_err().to_string();
        assert!(err.contains(".partial"), "{err}");
    }
}

/// Writes a file atomically: a temp file in the same folder, synced, then renamed over the
/// target, so a crash leaves the old file or the new, never half.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// `write_atomic` with the contents written by `fill`; if `fill` fails (or the process dies
/// while it runs), the target is untouched and the temp file is removed (or, after a kill, left
/// as a hidden `.selfaudit-*.tmp` beside it).
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut fs::File) -> io::Result<()>,
) -> Result<()> {
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(Error::usage_hint(
                format!("{}: is a folder", path.display()),
                "name a file to write, e.g. -o reports/2026-Q4.json",
            ));
        }
        // Devices and pipes (`-o /dev/stdout`, a FIFO) are written in place: renaming a file
        // over them would replace the device itself.
        Ok(m) if !m.is_file() => {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| Error::io(path, e))?;
            return fill(&mut file)
                .and_then(|()| file.flush())
                .map_err(|e| Error::io(path, e));
        }
        _ => {}
    }
    // A symlink stays a link: the file its chain ends at is the one replaced.
    let resolved = follow_links(path)?;
    let path = resolved.as_path();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    ensure_dir(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".selfaudit-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    fill(tmp.as_file_mut()).map_err(|e| Error::io(path, e))?;
    // Temp files are private (0600); the result keeps the old file's mode, or is readable like
    // any new file, since reports are made to be shared.
    let mode = fs::metadata(path)
        .map(|m| m.permissions())
        .ok()
        .or_else(new_file_permissions);
    if let Some(mode) = mode {
        tmp.as_file()
            .set_permissions(mode)
            .map_err(|e| Error::io(tmp.path(), e))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    // Make the rename itself durable; not every platform can open a folder to sync it.
    sync_dir(dir);
    Ok(())
}

/// A folder exists: a look first (no lock in the kernel), made only when it is missing.
fn ensure_dir(dir: &Path) -> Result<()> {
    if fs::metadata(dir).is_ok_and(|m| m.is_dir()) {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
}

/// The syncs of one folder: how many renames asked for one, and how many a finished sync
/// covers.
#[derive(Default)]
struct DirSyncs {
    asked: u64,
    covered: u64,
    running: bool,
}

/// Syncs `dir` so that a rename done in it before the call is on disk when it returns. Writers
/// that rename in one folder at once share syncs (a group commit): one of them syncs for all
/// whose renames came before the sync began, the others wait for it; a rename that comes
/// while a sync runs waits for the next one. One writer alone syncs at once, as before.
fn sync_dir(dir: &Path) {
    use std::collections::HashMap;
    use std::sync::{Arc, Condvar, Mutex, OnceLock};
    type Shared = Arc<(Mutex<DirSyncs>, Condvar)>;
    static FOLDERS: OnceLock<Mutex<HashMap<PathBuf, Shared>>> = OnceLock::new();
    let shared = {
        let mut folders = FOLDERS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        folders.entry(dir.to_path_buf()).or_default().clone()
    };
    let (state, turn) = &*shared;
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    s.asked += 1;
    let mine = s.asked;
    loop {
        if s.covered >= mine {
            return;
        }
        if !s.running {
            // Every rename counted so far happened before this sync begins.
            let upto = s.asked;
            s.running = true;
            drop(s);
            if let Ok(d) = fs::File::open(dir) {
                let _ = d.sync_all();
            }
            s = state.lock().unwrap_or_else(|p| p.into_inner());
            s.covered = s.covered.max(upto);
            s.running = false;
            turn.notify_all();
            continue;
        }
        s = turn.wait(s).unwrap_or_else(|p| p.into_inner());
    }
}

/// The mode of a newly written file: what an editor would give it.
#[cfg(unix)]
fn new_file_permissions() -> Option<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<fs::Permissions> {
    None
}
