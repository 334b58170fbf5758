//! Who a respondent is: the identity rule (SPEC §9), once, for every comparison of names
//! (duplicates, the team list, progress files, file names).

use unicode_normalization::UnicodeNormalization;

/// The key under which two names are the same respondent (SPEC §9): equal after Unicode NFC,
/// case folding, removal of invisible characters (zero-width, bidi marks, other default-ignorable
/// and control characters) and collapsing of white space. Compare keys, never raw names.
pub fn identity(name: &str) -> String {
    let visible: String = name.chars().filter(|&c| !is_invisible(c)).nfc().collect();
    // Case folding can leave text unnormalised (a folded letter before a combining mark), so
    // normalise once more after it.
    let folded: String = caseless::default_case_fold_str(&visible).nfc().collect();
    let mut out = String::with_capacity(folded.len());
    for word in folded.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether two names are the same respondent.
pub fn same_person(a: &str, b: &str) -> bool {
    identity(a) == identity(b)
}

/// Characters that show nothing: Unicode's default-ignorable code points (zero-width spaces and
/// joiners, bidi marks and overrides, variation selectors, the BOM, soft hyphen, fillers, tags)
/// and control characters other than white space.
pub fn is_invisible(c: char) -> bool {
    if c.is_control() {
        return !c.is_whitespace();
    }
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}
