//! "Did you mean …?": the nearest known name to a misspelt one.

/// Edit distance between two strings, by characters; two neighbours swapped (`lable`) count
/// as one edit, as they are one slip of the keys.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: the one before the previous is needed for a swap.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(row[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}

/// The form two names are compared in: lower case, `_` and spaces as `-`.
fn folded(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '_' | ' ' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The known name nearest to `word`, when it is near enough to be a slip of the keys:
/// the same name in another case or with `_` for `-`, or a few edits away for its length.
pub fn nearest<'a, I, S>(word: &str, known: I) -> Option<String>
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + ?Sized + 'a,
{
    let w = folded(word);
    let limit = match w.chars().count() {
        0 => return None,
        n => (n / 4).max(1),
    };
    let mut best: Option<(usize, String)> = None;
    for k in known {
        let k = k.as_ref();
        let f = folded(k);
        let d = if f == w {
            0
        } else if f.replace('-', "") == w.replace('-', "") {
            1
        } else {
            distance(&w, &f)
        };
        if d <= limit && best.as_ref().is_none_or(|(b, _)| d < *b) {
            best = Some((d, k.to_string()));
        }
    }
    best.map(|(_, k)| k)
}

/// " Did you mean `x`?", or nothing when no known name is near.
pub fn did_you_mean<'a, I, S>(word: &str, known: I) -> String
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + ?Sized + 'a,
{
    match nearest(word, known) {
        Some(k) => format!("did you mean `{k}`? "),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn slips_of_the_keys_find_the_name_meant() {
        let ids = ["service-self-audit", "be-sure", "retention-habits"];
        assert_eq!(nearest("besure", &ids).as_deref(), Some("be-sure"));
        assert_eq!(nearest("be_sure", &ids).as_deref(), Some("be-sure"));
        assert_eq!(nearest("BE-SURE", &ids).as_deref(), Some("be-sure"));
        assert_eq!(
            nearest("retension-habits", &ids).as_deref(),
            Some("retention-habits")
        );
        assert_eq!(nearest("zzz", &ids), None);
        // Two letters swapped are one slip.
        assert_eq!(
            nearest("lable", &["key", "label", "value"]).as_deref(),
            Some("label")
        );
        assert_eq!(nearest("", &ids), None);
    }
}
