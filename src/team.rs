//! The team: who a respondent is. The identity rule lives here, once, for every comparison of names.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfc_and_nfd_are_one_person() {
        assert!(same_person("Jos\u{e9}", "Jose\u{301}"));
    }

    #[test]
    fn case_is_folded_fully() {
        assert!(same_person("ANA LIMA", "ana lima"));
        assert!(same_person("Straße", "STRASSE"));
        assert!(same_person("ΣΊΣΥΦΟΣ", "σίσυφος"));
    }

    #[test]
    fn invisible_characters_are_dropped() {
        assert!(same_person("Ana\u{200B} Lima", "Ana Lima"));
        assert!(same_person("\u{202E}Ana Lima\u{202C}", "Ana Lima"));
        assert!(same_person("Ana\u{FEFF}\u{200D} Lima\u{7}", "Ana Lima"));
        assert!(same_person("An\u{AD}a Lima", "Ana Lima"));
    }

    #[test]
    fn white_space_is_collapsed_and_trimmed() {
        assert!(same_person("  Ana \t\u{A0} Lima\n", "Ana Lima"));
        assert_eq!(identity("  Ana \t Lima "), "ana lima");
    }

    #[test]
    fn different_people_stay_different() {
        assert!(!same_person("Ana Lima", "Ana Lim"));
        assert!(!same_person("Ana Lima", "AnaLima"));
        assert!(!same_person("José", "Jose"));
    }

    #[test]
    fn folding_then_normalising_is_stable() {
        for name in ["Jos\u{e9}", "ǅemal", "ﬁona", "İlker", "Ǆ\u{301}"] {
            let once = identity(name);
            assert_eq!(identity(&once), once, "{name:?}");
        }
    }
}
