//! Any bytes as a responses file against the built-in checklists: never a panic, and the fast
//! reader, whenever it accepts a file, agrees exactly with the full TOML parser. The oracle
//! also reads each input again with its line endings changed (LF → CR LF, and each LF → a lone
//! CR), where the two readers must agree as well, and checks that a file both accept is
//! written back (`to_toml`) as a file both read to the same answers.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use selfaudit::load::Registry;
use selfaudit::model::Source;
use selfaudit::model::checklist::Checklist;
use selfaudit::model::responses::{Responses, VersionMismatch};

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry::builtin().expect("built-in checklists are valid"))
}

type Parsed = Result<(Responses, Vec<VersionMismatch>), Vec<selfaudit::error::Problem>>;

/// Both readers on one text; panics when they disagree.
fn agree(text: &str) -> Parsed {
    let registry = registry();
    let source = Source { name: "fuzz.toml", text };
    let either = Responses::parse(&source, |id| registry.get(id), || registry.ids());
    let full = Responses::parse_full(&source, |id| registry.get(id), || registry.ids());
    match (&either, &full) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{text:?}"),
        (Err(_), Err(_)) => {}
        _ => panic!("fast and full readers disagree:\n{text:?}\n{either:?}\n{full:?}"),
    }
    either
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = agree(text);
    if !text.contains('\r') {
        agree(&text.replace('\n', "\r\n"));
        agree(&text.replace('\n', "\r"));
    }
    if let Ok((responses, _)) = parsed {
        let registry = registry();
        let checklists: Vec<&Checklist> = responses
            .sets
            .iter()
            .filter_map(|s| registry.get(&s.checklist))
            .collect();
        let written = responses.to_toml(&checklists);
        let (again, _) = agree(&written)
            .unwrap_or_else(|p| panic!("written back but not read back:\n{written}\n{p:?}"));
        assert_eq!(again.respondent, responses.respondent);
        assert_eq!(again.period, responses.period);
        let answers = |r: &Responses| -> Vec<_> {
            r.sets
                .iter()
                .map(|s| (s.checklist.clone(), s.answers.clone()))
                .collect()
        };
        assert_eq!(answers(&again), answers(&responses), "{written}");
    }
});
