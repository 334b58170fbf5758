//! Which parts of two reports are the same part: checklists and sections by id, items by id
//! and through renames. Shared by `diff` and by a report's changes since a baseline.

use std::collections::{HashMap, HashSet};

use crate::model::report::{ChecklistReport, ItemReport, Report, SectionReport};

/// A part of two reports matched: BASE's and NEW's, `None` on a side whose report lacks it.
pub type Pair<'r, T> = (Option<&'r T>, Option<&'r T>);

/// The checklists of two reports paired by id: NEW's in its order, then those only BASE has.
pub fn pair_checklists<'r>(base: &'r Report, new: &'r Report) -> Vec<Pair<'r, ChecklistReport>> {
    pair_by_id(&base.checklists, &new.checklists, |c| &c.id)
}

/// The sections of one checklist in two reports paired by id: NEW's in its order, then those
/// only BASE has.
pub fn pair_sections<'r>(
    base: Option<&'r ChecklistReport>,
    new: Option<&'r ChecklistReport>,
) -> Vec<Pair<'r, SectionReport>> {
    let sections = |c: Option<&'r ChecklistReport>| c.map_or(&[][..], |c| &c.sections);
    pair_by_id(sections(base), sections(new), |s| &s.id)
}

fn pair_by_id<'r, T>(base: &'r [T], new: &'r [T], id: fn(&T) -> &String) -> Vec<Pair<'r, T>> {
    let base_by_id: HashMap<&str, &T> = base.iter().map(|b| (id(b).as_str(), b)).collect();
    let new_ids: HashSet<&str> = new.iter().map(|n| id(n).as_str()).collect();
    new.iter()
        .map(|n| (base_by_id.get(id(n).as_str()).copied(), Some(n)))
        .chain(
            base.iter()
                .filter(|b| !new_ids.contains(id(b).as_str()))
                .map(|b| (Some(b), None)),
        )
        .collect()
}

/// An item and the section it sits in.
pub type Located<'r> = (&'r SectionReport, &'r ItemReport);

/// Pairs the items of one checklist in two reports, whatever section they sit in: by id first,
/// then through renames, read forwards in NEW's `renamed` (BASE is older) or backwards in
/// BASE's (NEW is older), chains (a → b → c) included. Each item is paired once at most.
/// NEW's items come in NEW's order, then the items only BASE has.
pub fn pair_items<'r>(
    base: Option<&'r ChecklistReport>,
    new: Option<&'r ChecklistReport>,
) -> Vec<(Option<Located<'r>>, Option<Located<'r>>)> {
    fn flat(c: Option<&ChecklistReport>) -> Vec<Located<'_>> {
        c.iter()
            .flat_map(|c| &c.sections)
            .flat_map(|s| s.items.iter().map(move |i| (s, i)))
            .collect()
    }
    let (b, n) = (flat(base), flat(new));
    let new_index: HashMap<&str, usize> = n
        .iter()
        .enumerate()
        .map(|(j, (_, i))| (i.id.as_str(), j))
        .collect();
    let mut base_of: Vec<Option<usize>> = vec![None; n.len()];
    let mut matched = vec![false; b.len()];
    for (k, (_, item)) in b.iter().enumerate() {
        if let Some(&j) = new_index.get(item.id.as_str())
            && base_of[j].is_none()
        {
            base_of[j] = Some(k);
            matched[k] = true;
        }
    }
    let mut backwards: HashMap<&str, Vec<&str>> = HashMap::new();
    for (old, current) in base.iter().flat_map(|c| &c.renamed) {
        backwards
            .entry(current.as_str())
            .or_default()
            .push(old.as_str());
    }
    let forwards: HashMap<&str, &str> = new
        .iter()
        .flat_map(|c| &c.renamed)
        .map(|(old, current)| (old.as_str(), current.as_str()))
        .collect();
    let mut forward_walk = Walk::default();
    let mut backward_walk = Walk::default();
    for (k, (_, item)) in b.iter().enumerate() {
        if matched[k] {
            continue;
        }
        let id = item.id.as_str();
        let free = |c: &str| new_index.get(c).is_some_and(|&j| base_of[j].is_none());
        let found = forward_walk
            .first(
                id,
                |x| forwards.get(x).copied().into_iter().collect(),
                &free,
            )
            .or_else(|| {
                backward_walk.first(id, |x| backwards.get(x).cloned().unwrap_or_default(), &free)
            });
        if let Some(candidate) = found {
            let j = new_index[candidate];
            base_of[j] = Some(k);
            matched[k] = true;
        }
    }
    let mut out: Vec<_> = n
        .iter()
        .zip(&base_of)
        .map(|(ni, k)| (k.map(|k| b[k]), Some(*ni)))
        .collect();
    out.extend(
        b.iter()
            .zip(&matched)
            .filter(|(_, m)| !**m)
            .map(|(bi, _)| (Some(*bi), None)),
    );
    out
}

/// The search for the nearest id that `start` became through renames (`step`: one rename
/// each), breadth first, each id once, a cycle ending where it began. Searches share what
/// they learn, so that a long chain is walked about once in all, not once per item: ids from
/// which nothing free can be reached any more (`dead`: nothing becomes free again), and, along
/// chains without branches, jumps past ids that were no candidate (`jump`).
#[derive(Default)]
struct Walk<'r> {
    dead: HashSet<&'r str>,
    jump: HashMap<&'r str, &'r str>,
}

impl<'r> Walk<'r> {
    fn first(
        &mut self,
        start: &'r str,
        step: impl Fn(&str) -> Vec<&'r str>,
        free: &impl Fn(&str) -> bool,
    ) -> Option<&'r str> {
        let mut seen: HashSet<&'r str> = HashSet::from([start]);
        let mut queue: std::collections::VecDeque<&'r str> = std::collections::VecDeque::new();
        // The nodes passed on a chain without branches, for jumps once the search ends.
        let mut chain: Vec<&'r str> = Vec::new();
        let mut branched = false;
        let mut current = start;
        loop {
            let next = match self.jump.get(current) {
                Some(&far) => vec![far],
                None => step(current),
            };
            if next.len() > 1 {
                branched = true;
            }
            for id in next {
                if self.dead.contains(id) || !seen.insert(id) {
                    continue;
                }
                if free(id) {
                    if !branched {
                        for &passed in &chain {
                            self.jump.insert(passed, id);
                        }
                    }
                    return Some(id);
                }
                queue.push_back(id);
            }
            let Some(id) = queue.pop_front() else {
                // Nothing free is reachable from any id seen: nor will it ever be.
                seen.remove(start);
                self.dead.extend(seen);
                return None;
            };
            if !branched && queue.is_empty() {
                chain.push(id);
            }
            current = id;
        }
    }
}

/// BASE's counterpart of each checklist, section and item of NEW, matched as [`Diff::new`]
/// matches them; for showing a report's changes since an earlier one.
pub struct Counterparts<'r> {
    checklists: HashMap<&'r str, &'r ChecklistReport>,
    sections: HashMap<(&'r str, &'r str), &'r SectionReport>,
    items: HashMap<(&'r str, &'r str), &'r ItemReport>,
}

impl<'r> Counterparts<'r> {
    pub fn new(base: &'r Report, new: &'r Report) -> Self {
        let mut parts = Counterparts {
            checklists: HashMap::new(),
            sections: HashMap::new(),
            items: HashMap::new(),
        };
        for (b, n) in pair_checklists(base, new) {
            let (Some(b), Some(n)) = (b, n) else { continue };
            parts.checklists.insert(&n.id, b);
            for (bs, ns) in pair_sections(Some(b), Some(n)) {
                if let (Some(bs), Some(ns)) = (bs, ns) {
                    parts.sections.insert((&n.id, &ns.id), bs);
                }
            }
            for (bi, ni) in pair_items(Some(b), Some(n)) {
                if let (Some((_, bi)), Some((_, ni))) = (bi, ni) {
                    parts.items.insert((&n.id, &ni.id), bi);
                }
            }
        }
        parts
    }

    pub fn checklist(&self, checklist: &ChecklistReport) -> Option<&'r ChecklistReport> {
        self.checklists.get(checklist.id.as_str()).copied()
    }

    pub fn section(
        &self,
        checklist: &ChecklistReport,
        section: &SectionReport,
    ) -> Option<&'r SectionReport> {
        self.sections
            .get(&(checklist.id.as_str(), section.id.as_str()))
            .copied()
    }

    pub fn item(&self, checklist: &ChecklistReport, item: &ItemReport) -> Option<&'r ItemReport> {
        self.items
            .get(&(checklist.id.as_str(), item.id.as_str()))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::tests::*;
    use crate::diff::{Diff, Gates, Status};

    #[test]
    fn renames_are_followed_forwards_and_backwards() {
        let base = simple(
            "Q3",
            vec![item("answer-phone", Some(40.0)), item("keep", Some(50.0))],
        );
        let mut new = simple(
            "Q4",
            vec![item("return-calls", Some(80.0)), item("keep", Some(50.0))],
        );
        new.checklists[0]
            .renamed
            .insert("answer-phone".to_string(), "return-calls".to_string());

        let d = Diff::new(&base, &new, &Gates::default());
        assert_eq!(d.items.len(), 2);
        let i = find(&d, "return-calls");
        assert_eq!(i.renamed_from.as_deref(), Some("answer-phone"));
        assert_eq!(
            (i.base, i.new, i.status),
            (Some(40.0), Some(80.0), Status::Improved)
        );

        // The newer report as BASE: its `renamed` is read backwards.
        let d = Diff::new(&new, &base, &Gates::default());
        assert_eq!(d.items.len(), 2);
        let i = find(&d, "answer-phone");
        assert_eq!(i.renamed_from.as_deref(), Some("return-calls"));
        assert_eq!(
            (i.base, i.new, i.status),
            (Some(80.0), Some(40.0), Status::Regressed)
        );
    }

    #[test]
    fn rename_chains_are_followed_and_cycles_end() {
        // Renamed twice since BASE: first → second in one version, second → third in the next.
        let base = simple("Q3", vec![item("first", Some(30.0))]);
        let mut new = simple("Q4", vec![item("third", Some(60.0))]);
        for (old, current) in [("first", "second"), ("second", "third"), ("third", "first")] {
            new.checklists[0]
                .renamed
                .insert(old.to_string(), current.to_string());
        }
        let d = Diff::new(&base, &new, &Gates::default());
        assert_eq!(d.items.len(), 1);
        assert_eq!(find(&d, "third").renamed_from.as_deref(), Some("first"));
        let d = Diff::new(&new, &base, &Gates::default());
        assert_eq!(d.items.len(), 1, "backwards too");
        assert_eq!(find(&d, "first").renamed_from.as_deref(), Some("third"));

        let step = |id: &str| -> Vec<&'static str> {
            match id {
                "a" => vec!["b"],
                "b" => vec!["c", "a"],
                "c" => vec!["b", "d"],
                _ => vec![],
            }
        };
        let first = |free: &[&str]| Walk::default().first("a", step, &|id| free.contains(&id));
        assert_eq!(first(&["b", "c", "d"]), Some("b"));
        assert_eq!(first(&["c", "d"]), Some("c"));
        assert_eq!(first(&["d"]), Some("d"));
        assert_eq!(first(&["a"]), None, "a cycle ends where it began");
        assert_eq!(Walk::default().first("z", step, &|_| true), None);
    }

    /// SPEC §9 cost: all the walks of one diff along a rename chain of n ids take O(n) steps
    /// together, not O(n) each. Counted, not timed.
    #[test]
    fn rename_walks_along_a_long_chain_take_linear_steps_in_all() {
        let n = 100_000;
        let ids: &'static [String] = Box::leak(
            (0..=n)
                .map(|k| format!("id-{k}"))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        );
        let index = |id: &str| -> usize { id[3..].parse().unwrap() };
        // Every 10th id starts a walk; every 1000th id is a free target, taken once found.
        let count = |backwards: bool| -> (usize, usize) {
            let steps = std::cell::Cell::new(0usize);
            let step = |id: &str| -> Vec<&'static str> {
                steps.set(steps.get() + 1);
                let k = index(id);
                let next = if backwards {
                    k.checked_sub(1)
                } else {
                    Some(k + 1)
                };
                next.and_then(|j| ids.get(j))
                    .map(String::as_str)
                    .into_iter()
                    .collect()
            };
            let taken = std::cell::RefCell::new(HashSet::new());
            let free = |id: &str| index(id) % 1000 == 999 && !taken.borrow().contains(id);
            let mut walk = Walk::default();
            let mut found = 0;
            let mut starts: Vec<usize> = (0..=n).step_by(10).collect();
            if backwards {
                starts.reverse();
            }
            for k in starts {
                if let Some(id) = walk.first(&ids[k], step, &free) {
                    taken.borrow_mut().insert(id.to_string());
                    found += 1;
                }
            }
            (found, steps.get())
        };
        for backwards in [false, true] {
            let (found, steps) = count(backwards);
            assert_eq!(found, n / 1000, "every free id is taken once");
            assert!(steps <= 4 * n, "{steps} steps for a chain of {n}");
        }
    }

    #[test]
    fn counterparts_are_the_parts_a_diff_pairs() {
        let mut base = report(
            "Q3",
            vec![checklist(
                "c",
                "1",
                vec![
                    section("a", vec![item("same", Some(10.0)), item("old", Some(20.0))]),
                    section("b", vec![item("moved", None)]),
                ],
            )],
        );
        base.checklists[0].title = "BASE".into();
        let mut new = report(
            "Q4",
            vec![
                checklist(
                    "c",
                    "2",
                    vec![section(
                        "a",
                        vec![
                            item("same", None),
                            item("cur", None),
                            item("moved", None),
                            item("fresh", None),
                        ],
                    )],
                ),
                checklist("other", "1", vec![]),
            ],
        );
        new.checklists[0]
            .renamed
            .insert("old".to_string(), "cur".to_string());
        let parts = Counterparts::new(&base, &new);
        let c = &new.checklists[0];
        assert_eq!(parts.checklist(c).map(|b| b.title.as_str()), Some("BASE"));
        assert!(parts.checklist(&new.checklists[1]).is_none());
        assert_eq!(
            parts.section(c, &c.sections[0]).map(|s| s.score),
            Some(base.checklists[0].sections[0].score)
        );
        let old = |i: usize| {
            parts
                .item(c, &c.sections[0].items[i])
                .map(|b| b.id.as_str())
        };
        assert_eq!(
            [old(0), old(1), old(2), old(3)],
            [Some("same"), Some("old"), Some("moved"), None],
            "by id across sections, through a rename, and none for a new item"
        );
    }

    #[test]
    fn an_id_match_wins_over_a_rename() {
        // BASE still has both ids; the old one is removed, not matched twice.
        let base = simple("Q3", vec![item("old", Some(10.0)), item("cur", Some(50.0))]);
        let mut new = simple("Q4", vec![item("cur", Some(60.0))]);
        new.checklists[0]
            .renamed
            .insert("old".to_string(), "cur".to_string());
        let d = Diff::new(&base, &new, &Gates::default());
        assert_eq!(find(&d, "cur").base, Some(50.0));
        assert_eq!(find(&d, "cur").renamed_from, None);
        assert_eq!(find(&d, "old").status, Status::Removed);
    }
}
