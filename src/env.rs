//! The environment: every variable the tool reads, validated in one place (SPEC §9). A
//! variable set but empty counts as unset; any other unusable value is a clear error that
//! names the variable, never a message about a flag the user did not pass.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::text::terminal_safe;

/// A time zone file larger than this is no time zone file (real ones are a few KiB).
const TZ_FILE_MAX: u64 = 1 << 20;

/// The value of a variable, `None` when unset or empty (white space only counts as empty).
fn value(name: &str) -> Result<Option<String>> {
    match std::env::var_os(name) {
        None => Ok(None),
        Some(v) => match v.into_string() {
            Ok(s) if s.trim().is_empty() => Ok(None),
            Ok(s) => Ok(Some(s)),
            Err(_) => Err(Error::usage_hint(
                format!("{name} is not valid UTF-8 text"),
                format!("unset it (`unset {name}`) or give it a plain value"),
            )),
        },
    }
}

/// Checks every variable read later, so that a bad one fails before any work is done.
pub fn check() -> Result<()> {
    source_date_epoch()?;
    check_tz()?;
    Ok(())
}

/// `SELFAUDIT_CHECKLISTS`: a folder of checklists, when set and not empty.
pub fn checklists_dir() -> Result<Option<PathBuf>> {
    let Some(v) = std::env::var_os("SELFAUDIT_CHECKLISTS") else {
        return Ok(None);
    };
    if v.to_string_lossy().trim().is_empty() {
        return Ok(None);
    }
    let path = PathBuf::from(v);
    if !path.is_dir() {
        return Err(Error::usage_hint(
            format!(
                "SELFAUDIT_CHECKLISTS is `{}`, which is not a folder",
                terminal_safe(&path.display().to_string())
            ),
            "point SELFAUDIT_CHECKLISTS at a folder of checklist files, or unset it to use ./checklists/ or the built-in set",
        ));
    }
    Ok(Some(path))
}

/// The last second `SOURCE_DATE_EPOCH` may name: 9999-12-31T23:59:59Z, the last time a
/// four-digit RFC 3339 year can write.
const SOURCE_DATE_EPOCH_MAX: i64 = 253_402_300_799;

/// `SOURCE_DATE_EPOCH`: seconds since 1970 that stand in for now, for reproducible reports.
/// The time is returned in RFC 3339 UTC, as reports write it.
pub fn source_date_epoch() -> Result<Option<String>> {
    let Some(v) = value("SOURCE_DATE_EPOCH")? else {
        return Ok(None);
    };
    let bad = || {
        Error::usage_hint(
            format!(
                "SOURCE_DATE_EPOCH is `{}`, not a number of seconds since 1970",
                terminal_safe(&v)
            ),
            "set it to whole seconds such as 1767225600 (2026-01-01), or unset it",
        )
    };
    let seconds: i64 = v.trim().parse().map_err(|_| bad())?;
    if !(0..=SOURCE_DATE_EPOCH_MAX).contains(&seconds) {
        return Err(Error::usage_hint(
            format!(
                "SOURCE_DATE_EPOCH is `{}`, outside the allowed range 0 to {SOURCE_DATE_EPOCH_MAX} (1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z)",
                terminal_safe(&v)
            ),
            "set it to whole seconds such as 1767225600 (2026-01-01), or unset it",
        ));
    }
    // Civil time, not `jiff::Timestamp`: a timestamp stops a day short of year 9999's end.
    jiff::civil::date(1970, 1, 1)
        .at(0, 0, 0, 0)
        .checked_add(jiff::SignedDuration::from_secs(seconds))
        .map(|t| Some(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()))
        .map_err(|_| bad())
}

/// `TZ`, read by the clock for the current quarter: a file it names must be a small regular
/// file (not `/dev/zero`, a pipe or a folder, which would be read forever or fail oddly), a
/// name may not climb out of the time zone database, and the zone must be one the clock knows.
pub fn check_tz() -> Result<()> {
    let Some(tz) = value("TZ")? else {
        return Ok(());
    };
    let name = tz.strip_prefix(':').unwrap_or(&tz);
    let bad = |why: &str| {
        Error::usage_hint(
            format!("TZ is `{}`, {why}", terminal_safe(&tz)),
            "set TZ to a time zone name such as Europe/Paris or UTC, or unset it",
        )
    };
    if name.starts_with('/') {
        match std::fs::metadata(Path::new(name)) {
            Ok(m) if m.is_file() && m.len() <= TZ_FILE_MAX => {}
            Ok(m) if m.is_file() => return Err(bad("a file too large to be a time zone file")),
            Ok(_) => return Err(bad("which is not a time zone file")),
            Err(_) => return Err(bad("a time zone file that cannot be read")),
        }
    } else if Path::new(name)
        .components()
        .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(bad("which is not a time zone name"));
    }
    if jiff::tz::TimeZone::try_system().is_err() {
        return Err(bad("which is not a time zone this system knows"));
    }
    Ok(())
}

/// The current quarter as a period label, e.g. `2026-Q4`.
pub fn current_quarter() -> String {
    jiff::Zoned::now().strftime("%Y-Q%q").to_string()
}

/// Now, to the second, in RFC 3339 UTC; SOURCE_DATE_EPOCH (seconds since 1970), when set,
/// stands in for now, so that a report can be generated again byte for byte.
pub fn now() -> String {
    // Checked (and refused when unusable) by `env::check` before any command runs.
    let fixed = source_date_epoch().ok().flatten();
    fixed.unwrap_or_else(|| {
        jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    })
}
