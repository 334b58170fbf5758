//! Any bytes as a checklist file: parsing and validation never panic, and a valid checklist
//! gives a template that is itself a valid responses file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use selfaudit::model::Source;
use selfaudit::model::checklist::Checklist;
use selfaudit::model::responses::Responses;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(checklist) = Checklist::parse(&Source { name: "fuzz.toml", text }) else {
        return;
    };
    let template = selfaudit::template::template(&[&checklist], "Fuzz", "P");
    let parsed = Responses::parse(
        &Source { name: "template.toml", text: &template },
        |id| (id == checklist.id).then_some(&checklist),
        Vec::new,
    );
    assert!(parsed.is_ok(), "template of a valid checklist must parse: {parsed:?}\n{template}");
});
