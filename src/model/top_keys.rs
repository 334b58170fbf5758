//! A misspelt top-level key must not hide the file's other problems: each unknown key is
//! reported where it is, and the rest of the file is read with those lines set aside.

use crate::error::Problem;
use crate::model::Source;

/// Every problem of a file whose first read failed on `err`: each unknown top-level key (not
/// in `known`) with the nearest known one, then what `reread` finds in the file with those
/// lines commented out, byte for byte in place, so that positions still point into the file.
/// With no unknown top-level key, the first error alone.
pub fn every_problem(
    source: &Source,
    err: &toml::de::Error,
    known: &[&str],
    reread: impl Fn(&Source) -> Vec<Problem>,
) -> Vec<Problem> {
    let first = source.toml_problem(err);
    let Ok(table) = source.text.parse::<toml::Table>() else {
        return vec![first];
    };
    let unknown: Vec<&String> = table
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .collect();
    if unknown.is_empty() {
        return vec![first];
    }
    let mut problems = Vec::new();
    let mut patched = String::with_capacity(source.text.len());
    let mut offset = 0;
    let mut in_top = true;
    for line in source.text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            in_top = false;
        }
        let key = trimmed
            .split(|c: char| c == '=' || c.is_whitespace())
            .next()
            .unwrap_or("")
            .trim_matches('"');
        let found = in_top && trimmed.contains('=') && unknown.iter().any(|u| u.as_str() == key);
        if found {
            let at = offset + (line.len() - trimmed.len());
            let suggestion = crate::suggest::nearest(key, known);
            problems.push(
                source
                    .problem(Some(at..at + key.len()), format!("unknown key `{key}`"))
                    .hint(format!(
                        "{}the keys at the top are {}",
                        suggestion
                            .as_deref()
                            .map(|s| format!("did you mean `{s}`? "))
                            .unwrap_or_default(),
                        known.join(", ")
                    )),
            );
            let lead = line.len() - trimmed.len();
            // A slip that keeps the key's length (`respondnet`) is read as the key meant, so
            // that the rest of the file is checked as if it were spelt right.
            if let Some(meant) = suggestion
                .as_deref()
                .filter(|m| m.len() == key.len() && !table.contains_key(*m))
            {
                patched.push_str(&line[..lead]);
                patched.push_str(&trimmed.replacen(key, meant, 1));
                offset += line.len();
                continue;
            }
            // `#` in place of the line's first character keeps every byte offset.
            patched.push_str(&line[..lead]);
            patched.push('#');
            let mut rest = trimmed.chars();
            rest.next();
            let first_len = trimmed.chars().next().map_or(0, char::len_utf8);
            for _ in 1..first_len {
                patched.push(' ');
            }
            patched.push_str(rest.as_str());
        } else {
            patched.push_str(line);
        }
        offset += line.len();
    }
    if problems.is_empty() {
        return vec![first];
    }
    let meant: Vec<String> = unknown
        .iter()
        .filter_map(|u| crate::suggest::nearest(u, known))
        .collect();
    let rest = reread(&Source {
        name: source.name,
        text: &patched,
    });
    // A required key reported missing because it was misspelt is said once, as the misspelling.
    problems.extend(rest.into_iter().filter(|p| {
        !meant
            .iter()
            .any(|m| p.message.contains(&format!("missing field `{m}`")))
    }));
    problems.sort_by_key(|p| p.position.unwrap_or((usize::MAX, 0)));
    problems
}
