//! The secrets of `serve` (SPEC §11): the links file, random secrets, CSRF tokens, and the rate
//! limit on wrong secrets.

use std::collections::HashMap;
use std::fs;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Problem, Result};
use crate::model::Source;

/// The file's name, beside the responses of one period; not `*.toml`, so `report` never reads it.
pub const LINKS_FILE: &str = ".selfaudit-links";
const FORMAT: &str = "selfaudit-links/1";

/// Random bytes in a secret: 144 bits, 24 URL-safe characters.
const SECRET_BYTES: usize = 18;

/// A new secret: random, URL-safe, 144 bits.
pub fn new_secret() -> Result<String> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::usage(format!(
            "could not get random numbers from the system for the links: {e}"
        ))
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether a string has the shape of a secret; anything else is not even looked up.
pub fn looks_like_secret(s: &str) -> bool {
    s.len() >= 22
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The links of one period, as kept in `.selfaudit-links`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Links {
    pub format: String,
    pub period: String,
    pub owner: String,
    pub team: String,
    /// The key of the CSRF tokens: kept, so that a page loaded before a restart still submits.
    pub csrf: String,
    #[serde(default)]
    pub people: Vec<PersonLink>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PersonLink {
    pub name: String,
    pub secret: String,
}

impl Links {
    pub fn new(period: &str) -> Result<Links> {
        Ok(Links {
            format: FORMAT.to_string(),
            period: period.to_string(),
            owner: new_secret()?,
            team: new_secret()?,
            csrf: new_secret()?,
            people: Vec::new(),
        })
    }

    /// Reads the links file of a period, or `None` when there is none yet.
    pub fn read(path: &Path) -> Result<Option<Links>> {
        crate::paths::refuse_link(path)?;
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(path, e)),
        };
        let name = crate::load::display(path);
        let source = Source {
            name: &name,
            text: &text,
        };
        let unusable = |p: Problem| {
            Error::Invalid {
            problems: vec![p.hint(
                "this file holds the secret links of `selfaudit serve`; remove it to make new links (the old ones stop working)",
            )],
        }
        };
        let links: Links = toml::from_str(&text).map_err(|e| unusable(source.toml_problem(&e)))?;
        let all = [&links.owner, &links.team, &links.csrf]
            .into_iter()
            .chain(links.people.iter().map(|p| &p.secret));
        let mut seen = std::collections::HashSet::new();
        for s in all {
            if !looks_like_secret(s) || !seen.insert(s.as_str()) {
                return Err(unusable(Problem::new(
                    &name,
                    "a secret is too short, malformed or given twice",
                )));
            }
        }
        if links.format != FORMAT {
            return Err(unusable(Problem::new(
                &name,
                format!("format is `{}`, not `{FORMAT}`", links.format),
            )));
        }
        Ok(Some(links))
    }

    /// Writes the links file atomically, readable by its owner only (0600), synced to disk.
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut text = String::from(
            "# selfaudit serve: the secret links of this period. Whoever holds a link can answer as\n\
             # that person (or, with the owner's, see everyone's answers): keep this file private.\n",
        );
        text.push_str(&toml::to_string(self).map_err(|e| Error::usage(e.to_string()))?);
        write_private(path, text.as_bytes())
    }

    pub fn secret_of(&self, name: &str) -> Option<&str> {
        let key = crate::team::identity(name);
        self.people
            .iter()
            .find(|p| crate::team::identity(&p.name) == key)
            .map(|p| p.secret.as_str())
    }
}

/// A file only its owner may read (0600 before the first byte is written), replaced atomically
/// and synced by the shared writer (which keeps the file's mode), never through a link.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::paths::refuse_link(path)?;
    match fs::symlink_metadata(path) {
        Ok(m) if !m.is_file() => {
            return Err(Error::usage_hint(
                format!("{}: is not a regular file", crate::load::display(path)),
                "remove it; `selfaudit serve` keeps its links there",
            ));
        }
        Ok(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(path, fs::Permissions::from_mode(0o600))
                    .map_err(|e| Error::io(path, e))?;
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            options.open(path).map_err(|e| Error::io(path, e))?;
        }
        Err(e) => return Err(Error::io(path, e)),
    }
    crate::paths::write_atomic(path, bytes)
}

/// The CSRF token of the forms under one secret: a keyed hash, so that it needs no storage and
/// survives a restart.
pub fn csrf_token(key: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"selfaudit-csrf\0");
    h.update(key.as_bytes());
    h.update(b"\0");
    h.update(secret.as_bytes());
    URL_SAFE_NO_PAD.encode(h.finalize())
}

/// Compares in time that does not depend on where the strings differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A `'sha256-…'` CSP source for an inline style or style attribute.
pub fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Wrong secrets allowed per client in a window before it gets 429.
const MISSES_PER_WINDOW: u32 = 20;
const WINDOW: Duration = Duration::from_secs(60);
/// Clients remembered at most; beyond, the oldest windows are forgotten first.
const CLIENTS: usize = 4096;

/// One client as the limits count it: an IPv4 address, or an IPv6 client by its /64 (one
/// device may hold a whole /64).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut s = v6.segments();
                s[4..].fill(0);
                IpAddr::V6(s.into())
            }
        },
        v4 => v4,
    }
}

/// Counts wrong or missing secrets per client (an IPv6 client by its /64).
#[derive(Debug, Default)]
pub struct RateLimit {
    clients: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimit {
    /// Records a miss; false when the client has missed too often lately.
    pub fn miss(&self, ip: IpAddr) -> bool {
        let key = client_key(ip);
        let now = Instant::now();
        let Ok(mut clients) = self.clients.lock() else {
            return false;
        };
        if clients.len() >= CLIENTS && !clients.contains_key(&key) {
            clients.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            if clients.len() >= CLIENTS {
                return false;
            }
        }
        let entry = clients.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= MISSES_PER_WINDOW
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_url_safe() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 24);
        assert!(looks_like_secret(&a));
        assert!(!looks_like_secret("../../etc/passwd"));
    }

    #[test]
    fn the_links_file_reads_back_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LINKS_FILE);
        let mut links = Links::new("2026-Q4").unwrap();
        links.people.push(PersonLink {
            name: "Ann \"A\" Lee".into(),
            secret: new_secret().unwrap(),
        });
        links.write(&path).unwrap();
        assert_eq!(Links::read(&path).unwrap(), Some(links.clone()));
        assert!(links.secret_of("ANN \"a\"  lee").is_some());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn misses_are_limited_per_client() {
        let limit = RateLimit::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..MISSES_PER_WINDOW {
            assert!(limit.miss(ip));
        }
        assert!(!limit.miss(ip));
        assert!(limit.miss("10.0.0.2".parse().unwrap()));
    }

    #[test]
    fn the_limit_remembers_a_bounded_number_of_clients() {
        let limit = RateLimit::default();
        for i in 0..(CLIENTS as u32 + 5000) {
            limit.miss(IpAddr::V4(i.into()));
        }
        assert!(limit.clients.lock().unwrap().len() <= CLIENTS);
        // An IPv6 client is counted by its /64, however many addresses it uses.
        let limit = RateLimit::default();
        for i in 0..=MISSES_PER_WINDOW as u16 {
            let ip = std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 2, i, i, i, i);
            let allowed = limit.miss(IpAddr::V6(ip));
            assert_eq!(allowed, u32::from(i) < MISSES_PER_WINDOW);
        }
    }

    #[test]
    fn tokens_depend_on_key_and_secret() {
        assert_ne!(csrf_token("k", "a"), csrf_token("k", "b"));
        assert_ne!(csrf_token("k", "a"), csrf_token("j", "a"));
        assert!(same(&csrf_token("k", "a"), &csrf_token("k", "a")));
    }
}
