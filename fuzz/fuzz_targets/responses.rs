//! Any bytes as a responses file against the built-in checklists: never a panic, and the fast
//! reader, whenever it accepts a file, agrees exactly with the full TOML parser.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use selfaudit::load::Registry;
use selfaudit::model::Source;
use selfaudit::model::responses::Responses;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry::builtin().expect("built-in checklists are valid"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let registry = registry();
    let source = Source { name: "fuzz.toml", text };
    let either = Responses::parse(&source, |id| registry.get(id), || registry.ids());
    let full = Responses::parse_full(&source, |id| registry.get(id), || registry.ids());
    match (&either, &full) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(_), Err(_)) => {}
        _ => panic!("fast and full readers disagree:\n{text:?}\n{either:?}\n{full:?}"),
    }
});
