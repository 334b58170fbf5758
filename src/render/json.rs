//! The JSON format: the report as SPEC §6 fixes it, pretty-printed.

use serde::Serialize;

/// Pretty JSON with a final newline. Serialising these plain data types cannot fail.
/// Characters a terminal must not see raw (C1 controls, bidi overrides, invisible marks,
/// Unicode line separators) are written as `\uXXXX` escapes, which read back the same:
/// serde_json escapes only the ASCII controls, and JSON printed to a terminal is user text too.
pub fn to_json<T: Serialize>(value: &T) -> String {
    let json =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    let mut out = String::with_capacity(json.len() + 1);
    for c in json.chars() {
        // Outside strings, pretty JSON holds only ASCII, so any such character is in a string.
        if !c.is_ascii() && crate::text::needs_escape(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_unsafe_characters_are_escaped_and_read_back() {
        let text = "a\u{9b}2J\u{202E}b\u{2028}c\u{200B}d\u{E0041}é\n\u{1b}";
        let json = to_json(&vec![text]);
        assert!(
            json.is_ascii() || json.chars().all(|c| c == 'é' || c.is_ascii()),
            "{json}"
        );
        assert!(
            json.contains("\\u202e") && json.contains("\\udb40\\udc41"),
            "{json}"
        );
        let back: Vec<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, [text]);
    }
}
