//! The JSON format: the report as SPEC §6 fixes it, pretty-printed.

use serde::Serialize;

/// Pretty JSON with a final newline. Serialising these plain data types cannot fail.
pub fn to_json<T: Serialize>(value: &T) -> String {
    let mut out =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}
