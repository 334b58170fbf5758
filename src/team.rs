//! The team list (`team.toml`, SPEC §10): who was asked, in which role.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

pub use crate::identity::{identity, is_invisible, same_person};

use crate::error::Problem;
use crate::model::Source;

/// The team list file as written: strict, every value spanned for messages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamFile {
    roles: Option<Spanned<BTreeMap<Spanned<String>, Spanned<String>>>>,
    #[serde(default)]
    people: Vec<PersonFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonFile {
    name: Spanned<String>,
    role: Option<Spanned<String>>,
    email: Option<Spanned<String>>,
}

/// Who is asked (SPEC §10): people in list order, each with an optional role, and the roles'
/// titles in display order when the list gives `[roles]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    /// `(key, title)` in the file's order; `None` when the file has no `[roles]` table.
    pub roles: Option<Vec<(String, String)>>,
    pub people: Vec<Person>,
    /// Identity key → index into `people`.
    index: HashMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub name: String,
    pub role: Option<String>,
    pub email: Option<String>,
}

const TEAM_SHAPE: &str = "a team list holds [roles] (key = \"Title\") and [[people]] tables of name, role and email strings; `selfaudit team init` writes one";

/// The top-level keys that make a TOML file a team list.
pub const TEAM_KEYS: [&str; 2] = ["people", "roles"];

impl Team {
    /// Parses and checks a team list: unknown keys, empty names, two entries for one person
    /// (by the identity rule) and roles missing from `[roles]` are each a located problem.
    pub fn parse(source: &Source) -> Result<Team, Vec<Problem>> {
        let _lines = crate::text::LineIndex::scope(source.text);
        let shape = |p: Problem| {
            if p.hint.is_none() {
                p.hint(TEAM_SHAPE)
            } else {
                p
            }
        };
        crate::model::every::read_checked(source, shape, |file| Team::check(file, source))
    }

    /// The rules a team list keeps, beyond its shape.
    fn check(file: TeamFile, source: &Source) -> Result<Team, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut seen_roles = HashSet::new();
        let roles = file.roles.as_ref().map(|table| {
            let mut roles: Vec<(&Spanned<String>, &Spanned<String>)> =
                table.get_ref().iter().collect();
            roles.sort_by_key(|(k, _)| k.span().start);
            roles
                .into_iter()
                .filter_map(|(key, title)| {
                    let k = key.get_ref().trim();
                    if k.is_empty() {
                        problems.push(
                            source
                                .problem(Some(key.span()), "a role's key must not be empty")
                                .hint("write e.g. staff = \"Staff\" under [roles]"),
                        );
                        return None;
                    }
                    if !seen_roles.insert(k.to_string()) {
                        problems.push(
                            source
                                .problem(Some(key.span()), format!("role `{k}` is given twice"))
                                .hint("each role appears once in [roles]; remove one"),
                        );
                        return None;
                    }
                    let t = title.get_ref().trim();
                    Some((k.to_string(), if t.is_empty() { k } else { t }.to_string()))
                })
                .collect::<Vec<_>>()
        });
        let mut people: Vec<Person> = Vec::with_capacity(file.people.len());
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut first_at: Vec<usize> = Vec::new();
        for p in &file.people {
            let name = p.name.get_ref().trim();
            let key = identity(name);
            if key.is_empty() {
                problems.push(
                    source
                        .problem(Some(p.name.span()), "a person's name must not be empty")
                        .hint("write the name as the person writes it in their responses file"),
                );
                continue;
            }
            if let Some(&first) = index.get(&key) {
                let (line, _) = crate::text::line_col(source.text, first_at[first]);
                problems.push(
                    source
                        .problem(
                            Some(p.name.span()),
                            format!(
                                "`{name}` is already on the list (line {line}, as `{}`)",
                                people[first].name
                            ),
                        )
                        .hint("names that differ only in case, accents' encoding, invisible characters or spacing are one person; keep one entry"),
                );
                continue;
            }
            let role = match &p.role {
                None => None,
                Some(r) => {
                    let role = r.get_ref().trim();
                    if role.is_empty() {
                        problems.push(
                            source
                                .problem(Some(r.span()), "a role must not be empty")
                                .hint("leave `role` out, or name one, e.g. role = \"staff\""),
                        );
                        None
                    } else if let Some(roles) = &roles
                        && !roles.iter().any(|(k, _)| k == role)
                    {
                        problems.push(
                            source
                                .problem(Some(r.span()), format!("role `{role}` is not in [roles]"))
                                .hint(role_hint(roles)),
                        );
                        None
                    } else {
                        Some(role.to_string())
                    }
                }
            };
            index.insert(key, people.len());
            first_at.push(p.name.span().start);
            people.push(Person {
                name: name.to_string(),
                role,
                email: p.email.as_ref().map(|e| e.get_ref().trim().to_string()),
            });
        }
        if problems.is_empty() {
            Ok(Team {
                roles,
                people,
                index,
            })
        } else {
            Err(problems)
        }
    }

    /// The person on the list with this name, by the identity rule.
    pub fn find(&self, name: &str) -> Option<&Person> {
        self.index.get(&identity(name)).map(|&i| &self.people[i])
    }

    /// Whether the list says which roles there are; then every role used must be one of them.
    pub fn knows_role(&self, role: &str) -> bool {
        self.roles
            .as_ref()
            .is_none_or(|roles| roles.iter().any(|(k, _)| k == role))
    }

    /// The role's title from `[roles]`, else the role itself.
    pub fn title(&self, role: &str) -> String {
        self.roles
            .as_ref()
            .and_then(|roles| roles.iter().find(|(k, _)| k == role))
            .map_or_else(|| role.to_string(), |(_, t)| t.clone())
    }

    /// Where a role sorts among groups: `[roles]` order, then the others by name.
    pub fn rank(&self, role: &str) -> Option<usize> {
        self.roles
            .as_ref()
            .and_then(|roles| roles.iter().position(|(k, _)| k == role))
    }
}

/// The hint for a role that `[roles]` lacks.
pub fn role_hint(roles: &[(String, String)]) -> String {
    if roles.is_empty() {
        "[roles] is empty; add the role there, e.g. staff = \"Staff\"".to_string()
    } else {
        let keys: Vec<&str> = roles.iter().map(|(k, _)| k.as_str()).collect();
        format!(
            "use one of the roles of [roles] ({}), or add it there",
            keys.join(", ")
        )
    }
}

/// The role a respondent is grouped by: the team list's where it gives one, else the file's.
/// Returns the role and, when the file says otherwise, the file's role.
pub fn role_of<'a>(
    team: Option<&'a Team>,
    name: &str,
    file_role: Option<&'a str>,
) -> (Option<&'a str>, Option<&'a str>) {
    let listed = team
        .and_then(|t| t.find(name))
        .and_then(|p| p.role.as_deref());
    match (listed, file_role) {
        (Some(l), Some(f)) if l != f => (Some(l), Some(f)),
        (Some(l), _) => (Some(l), None),
        (None, f) => (f, None),
    }
}

/// Who answered against who was asked: people of the list in list order, each answered or not,
/// and the respondents the list lacks, in the order given.
pub fn roll_call<'n>(team: &Team, respondents: impl IntoIterator<Item = &'n str>) -> RollCall<'n> {
    let mut answered = vec![false; team.people.len()];
    let mut unlisted = Vec::new();
    for name in respondents {
        match team.index.get(&identity(name)) {
            Some(&i) => answered[i] = true,
            None => unlisted.push(name),
        }
    }
    RollCall {
        expected: team.people.len(),
        answered: answered.iter().filter(|a| **a).count(),
        missing: team
            .people
            .iter()
            .zip(&answered)
            .filter(|(_, a)| !**a)
            .map(|(p, _)| p.name.clone())
            .collect(),
        unlisted,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RollCall<'n> {
    pub expected: usize,
    pub answered: usize,
    /// In list order.
    pub missing: Vec<String>,
    pub unlisted: Vec<&'n str>,
}

/// A starting team list from the respondents found: each name once (by the identity rule),
/// with the role of their file where it has one, and `[roles]` from those roles.
pub fn starting_list(respondents: &[(String, Option<String>)]) -> String {
    let mut seen = HashSet::new();
    let mut people: Vec<&(String, Option<String>)> = Vec::new();
    for r in respondents {
        if seen.insert(identity(&r.0)) {
            people.push(r);
        }
    }
    let mut roles: Vec<&str> = people.iter().filter_map(|(_, r)| r.as_deref()).collect();
    roles.sort_unstable();
    roles.dedup();
    let mut out = String::new();
    out.push_str("# team.toml: who is asked (SPEC §10). Written by `selfaudit team init`.\n");
    out.push_str("# Add the people who have not answered yet, and give everyone a role, e.g.\n");
    out.push_str("# role = \"staff\". Check it with: selfaudit validate team.toml\n\n");
    if roles.is_empty() {
        // Commented out: an empty [roles] would refuse every role written in later.
        out.push_str("# [roles]\n# owner = \"Owner\"\n# staff = \"Staff\"\n");
    } else {
        out.push_str("[roles]\n");
    }
    for role in &roles {
        out.push_str(&format!(
            "{} = {}\n",
            crate::model::quote::toml_key(role),
            crate::model::quote::toml_string(&title_case(role))
        ));
    }
    for (name, role) in people {
        out.push_str("\n[[people]]\n");
        out.push_str(&format!(
            "name = {}\n",
            crate::model::quote::toml_string(name)
        ));
        match role {
            Some(r) => out.push_str(&format!("role = {}\n", crate::model::quote::toml_string(r))),
            None => out.push_str("# role = \"\"\n"),
        }
    }
    out
}

/// `staff` → `Staff`, as a first title for a role.
fn title_case(role: &str) -> String {
    let mut chars = role.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
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

    fn team(text: &str) -> Team {
        Team::parse(&Source {
            name: "team.toml",
            text,
        })
        .unwrap_or_else(|p| panic!("{p:?}"))
    }

    #[test]
    fn roles_keep_the_file_order_and_titles_default_to_the_key() {
        let t = team("[roles]\nstaff = \"Floor staff\"\nowner = \"\"\nmanager = \"Manager\"\n");
        let keys: Vec<&str> = t
            .roles
            .as_ref()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["staff", "owner", "manager"]);
        assert_eq!(t.title("owner"), "owner");
        assert_eq!(t.title("staff"), "Floor staff");
        assert_eq!(t.rank("manager"), Some(2));
        assert!(t.knows_role("owner") && !t.knows_role("Owner"));
        assert!(t.people.is_empty());
        // Without [roles], any role goes.
        assert!(team("[[people]]\nname = \"A\"\nrole = \"x\"").knows_role("y"));
    }

    #[test]
    fn the_roll_call_matches_by_identity_and_keeps_list_order() {
        let t = team(
            "[[people]]\nname = \"Zoë Adams\"\n[[people]]\nname = \"Jos\u{e9} Ruiz\"\n[[people]]\nname = \"Ann Lee\"\n[[people]]\nname = \"Bob\"\n",
        );
        let call = roll_call(&t, ["ANN\u{200B} LEE", "Jose\u{301}  ruiz", "Carl", "bob"]);
        assert_eq!((call.expected, call.answered), (4, 3));
        assert_eq!(call.missing, ["Zoë Adams"]);
        assert_eq!(call.unlisted, ["Carl"]);
    }

    #[test]
    fn the_list_role_wins_and_a_different_file_role_is_reported() {
        let t = team("[[people]]\nname = \"A\"\nrole = \"owner\"\n[[people]]\nname = \"B\"\n");
        assert_eq!(
            role_of(Some(&t), "a", Some("staff")),
            (Some("owner"), Some("staff"))
        );
        assert_eq!(role_of(Some(&t), "A", Some("owner")), (Some("owner"), None));
        assert_eq!(role_of(Some(&t), "B", Some("staff")), (Some("staff"), None));
        assert_eq!(role_of(Some(&t), "C", None), (None, None));
        assert_eq!(role_of(None, "A", Some("x")), (Some("x"), None));
    }

    #[test]
    fn a_starting_list_reads_back_as_a_team_list() {
        let text = starting_list(&[
            (
                "Ann \"The\" Lee".to_string(),
                Some("floor staff".to_string()),
            ),
            ("ann  \"the\u{200B}\" lee".to_string(), None),
            ("Bob".to_string(), None),
        ]);
        let t = team(&text);
        assert_eq!(t.people.len(), 2);
        assert_eq!(t.people[0].role.as_deref(), Some("floor staff"));
        assert_eq!(t.title("floor staff"), "Floor staff");
        assert_eq!(t.people[1].role, None);
    }
}
