//! `selfaudit report` in the terminal and Markdown: the headline, scores, the team (response
//! rate, groups side by side, perception gaps), the weakest, split and critical items, actions
//! and targets, each respondent's scores, the notes, and (folded away) every item.

use super::{Align, Block, Cell, Column, Grid, Medium, Remark, Span, heading, title};
use crate::model::report::Report;
use crate::render::{HONEST_LEGEND, Located, agreement_label, alpha_label, has_honest_figures};
use crate::render::{distribution, score, score_moe, split_items, weakest};
use crate::text::plural;

/// The report; `top` caps the weakest items.
pub fn report(report: &Report, top: usize, m: Medium) -> Vec<Block> {
    let mut blocks = headline(report, m);
    blocks.extend(scores(report));
    blocks.extend(super::team::team(report, m));
    blocks.extend(weakest_items(report, top, m));
    blocks.extend(split(report));
    blocks.extend(critical_gaps(report, m));
    blocks.extend(super::actions::report_actions(report, m));
    blocks.extend(super::actions::report_targets(report));
    blocks.extend(per_respondent(report));
    blocks.extend(notes(report));
    blocks.push(all_items(report));
    blocks
}

/// The title and the overall score; a page says beside it how many answered and when.
fn headline(report: &Report, m: Medium) -> Vec<Block> {
    let respondents = plural(report.respondents.len(), "respondent", "respondents");
    let overall = format!("Overall score: {}", score_moe(report.score, report.moe));
    let line = match m {
        Medium::Terminal => vec![Span::Ours(overall)],
        Medium::Markdown => {
            let mut line = vec![
                Span::Strong(overall),
                Span::Ours(format!(" · {respondents}")),
            ];
            if !report.generated.is_empty() {
                line.push(Span::Ours(" · generated ".to_string()));
                line.push(Span::User(report.generated.clone()));
            }
            line
        }
    };
    vec![
        title(m, "Self-audit report", &report.period, &[respondents]),
        Block::Line(line),
    ]
}

fn weight(w: f64) -> String {
    if w.fract() == 0.0 && w.abs() < 1e15 {
        format!("{w:.0}")
    } else {
        format!("{w}")
    }
}

/// Each checklist and its sections: weight, score with its margin, a bar, reliability.
fn scores(report: &Report) -> Vec<Block> {
    let columns = vec![
        Column::Tree,
        Column::Ours("Weight", Align::Right),
        Column::Ours("Score", Align::Right),
        Column::Bar,
        Column::Ours("Reliability", Align::Right),
    ];
    let mut rows = Vec::new();
    for c in &report.checklists {
        rows.push(vec![
            Cell::Name {
                text: c.title.clone(),
                section: false,
            },
            Cell::Figure(weight(c.weight)),
            Cell::Strong(Box::new(Cell::ScoreMoe(c.score, c.moe))),
            Cell::Bar(c.score),
            Cell::Ours(alpha_label(c.alpha)),
        ]);
        for s in &c.sections {
            rows.push(vec![
                Cell::Name {
                    text: s.title.clone(),
                    section: true,
                },
                Cell::Figure(weight(s.weight)),
                Cell::ScoreMoe(s.score, s.moe),
                Cell::Bar(s.score),
                Cell::Ours(String::new()),
            ]);
        }
    }
    let mut blocks = vec![
        Block::Caption("Scores"),
        Block::Table(Grid { columns, rows }),
    ];
    if has_honest_figures(report) {
        blocks.push(Block::Legend(HONEST_LEGEND));
    }
    blocks
}

fn item(l: &Located) -> Cell {
    Cell::Item {
        text: l.item.text.clone(),
        critical: l.item.critical,
        split: l.item.split,
    }
}

fn answers(l: &Located) -> Cell {
    Cell::Answers {
        counts: if l.item.withheld {
            Vec::new()
        } else {
            distribution(l.item)
        },
        withheld: l.item.withheld,
    }
}

/// The `top` weakest items with their answers and agreement.
fn weakest_items(report: &Report, top: usize, m: Medium) -> Vec<Block> {
    let weak = weakest(report, top);
    if weak.is_empty() {
        return Vec::new();
    }
    // A terminal says where in the checklist the item sits; a page, which checklist.
    let place = match m {
        Medium::Terminal => "Where",
        Medium::Markdown => "Checklist",
    };
    let columns = vec![
        Column::Ours("Score", Align::Right),
        Column::Ours("Item", Align::Left),
        Column::Ours(place, Align::Left),
        Column::Ours("n", Align::Right),
        Column::Ours("n/a", Align::Right),
        Column::Ours("missing", Align::Right),
        Column::Ours("Answers", Align::Left),
        Column::Ours("Agreement", Align::Left),
    ];
    let rows = weak
        .iter()
        .map(|l| {
            vec![
                Cell::ScoreMoe(l.item.score, l.item.moe),
                item(l),
                Cell::Text(match m {
                    Medium::Terminal => format!("{} › {}", l.checklist.id, l.section.title),
                    Medium::Markdown => l.checklist.title.clone(),
                }),
                Cell::Figure(l.item.n.to_string()),
                Cell::Figure(l.item.na.to_string()),
                Cell::Figure(l.item.missing.to_string()),
                answers(l),
                Cell::Ours(agreement_label(l.item.rwg)),
            ]
        })
        .collect();
    vec![
        Block::Section {
            title: "Weakest items".to_string(),
            aside: format!("{} of {}", weak.len(), report.items().count()),
            intro: String::new(),
        },
        Block::Table(Grid { columns, rows }),
    ]
}

/// Items whose answers lie far apart.
fn split(report: &Report) -> Vec<Block> {
    let split = split_items(report);
    if split.is_empty() {
        return Vec::new();
    }
    let columns = vec![
        Column::Ours("Item", Align::Left),
        Column::Ours("Min", Align::Right),
        Column::Ours("Max", Align::Right),
        Column::Ours("Std dev", Align::Right),
        Column::Ours("Answers", Align::Left),
        Column::Ours("Agreement", Align::Left),
    ];
    let rows = split
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.item.text.clone()),
                Cell::Score(l.item.min),
                Cell::Score(l.item.max),
                Cell::Figure(score(l.item.stddev)),
                answers(l),
                Cell::Ours(agreement_label(l.item.rwg)),
            ]
        })
        .collect();
    vec![
        Block::Section {
            title: "Split items".to_string(),
            aside: "answers 50 points or more apart".to_string(),
            intro: "Answers 50 points or more apart: worth a conversation".to_string(),
        },
        Block::Table(Grid { columns, rows }),
    ]
}

/// The critical items below 100, or why there is none to show.
fn critical_gaps(report: &Report, m: Medium) -> Vec<Block> {
    if report.critical_gaps.is_empty() {
        // A checklist named but not answered at all has no known gaps: said, not "none".
        let note = match crate::render::unanswered_parts(report) {
            None => vec![Span::Ours(
                match m {
                    Medium::Terminal => "none",
                    Medium::Markdown => "none: every critical item scored 100",
                }
                .to_string(),
            )],
            Some((names, rest)) => {
                let mut note = vec![
                    Span::Ours(
                        "none among the checklists answered. No answers at all to ".to_string(),
                    ),
                    Span::User(names),
                    Span::Ours(rest.to_string()),
                ];
                // Markdown ends the sentence itself.
                if m == Medium::Terminal {
                    note.push(Span::Ours(".".to_string()));
                }
                note
            }
        };
        return vec![Block::Heading {
            title: "Critical gaps".to_string(),
            note,
        }];
    }
    let columns = vec![
        Column::Ours("Score", Align::Right),
        Column::Ours("Item", Align::Left),
        Column::Ours("Checklist", Align::Left),
    ];
    let rows = report
        .critical_gaps
        .iter()
        .map(|g| {
            vec![
                Cell::Score(Some(g.score)),
                Cell::Text(if g.text.is_empty() { &g.item } else { &g.text }.clone()),
                Cell::Text(g.checklist.clone()),
            ]
        })
        .collect();
    vec![
        Block::Section {
            title: "Critical gaps".to_string(),
            aside: "critical items below 100".to_string(),
            intro: String::new(),
        },
        Block::Table(Grid { columns, rows }),
    ]
}

/// A report's scores by respondent, when there are several to compare.
fn per_respondent(report: &Report) -> Vec<Block> {
    if report.per_respondent.len() < 2 {
        return Vec::new();
    }
    let mut columns = vec![
        Column::Ours("Respondent", Align::Left),
        Column::Ours("Overall", Align::Right),
    ];
    columns.extend(report.checklists.iter().map(|c| {
        Column::User(
            crate::text::title_or_id(&c.title, &c.id).to_string(),
            Align::Right,
        )
    }));
    let rows = report
        .per_respondent
        .iter()
        .map(|r| {
            let mut row = vec![Cell::Text(r.respondent.clone()), Cell::Score(r.score)];
            row.extend(r.checklists.iter().map(|c| Cell::Score(c.score)));
            row
        })
        .collect();
    vec![
        heading("Per respondent"),
        Block::Table(Grid { columns, rows }),
    ]
}

/// The notes respondents left on items, under each item with its score.
fn notes(report: &Report) -> Vec<Block> {
    let mut blocks: Vec<Block> = report
        .items()
        .filter(|(_, _, i)| !i.notes.is_empty())
        .map(|(_, _, item)| Block::Remarks {
            subject: item.text.clone(),
            figure: score(item.score),
            said: item
                .notes
                .iter()
                .map(|n| Remark {
                    urgent: false,
                    said: match &n.respondent {
                        Some(who) => vec![
                            Span::User(who.clone()),
                            Span::Ours(": ".to_string()),
                            Span::User(n.note.clone()),
                        ],
                        None => vec![Span::User(n.note.clone())],
                    },
                })
                .collect(),
        })
        .collect();
    if !blocks.is_empty() {
        blocks.insert(0, heading("Notes"));
    }
    blocks
}

/// Every item with its figures, folded away: too wide for a terminal.
fn all_items(report: &Report) -> Block {
    let columns = vec![
        Column::Ours("Checklist", Align::Left),
        Column::Ours("Item", Align::Left),
        Column::Ours("Score", Align::Right),
        Column::Ours("n", Align::Right),
        Column::Ours("n/a", Align::Right),
        Column::Ours("missing", Align::Right),
        Column::Ours("Min", Align::Right),
        Column::Ours("Max", Align::Right),
        Column::Ours("Std dev", Align::Right),
        Column::Ours("Answers", Align::Left),
    ];
    let rows = report
        .items()
        .map(|(checklist, section, item)| {
            let l = Located {
                checklist,
                section,
                item,
            };
            vec![
                Cell::Text(checklist.id.clone()),
                self::item(&l),
                Cell::Score(item.score),
                Cell::Figure(item.n.to_string()),
                Cell::Figure(item.na.to_string()),
                Cell::Figure(item.missing.to_string()),
                Cell::Score(item.min),
                Cell::Score(item.max),
                Cell::Score(item.stddev),
                answers(&l),
            ]
        })
        .collect();
    Block::Folded {
        summary: "All items",
        table: Grid { columns, rows },
    }
}

/// `selfaudit run`'s closing scores for the one respondent (a terminal's only): each
/// checklist and section with a bar, the overall score, and the critical gaps.
pub fn own_scores(report: &Report) -> Vec<Block> {
    let columns = vec![
        Column::Tree,
        Column::Ours("Score", Align::Right),
        Column::Bar,
    ];
    let mut rows = Vec::new();
    for c in &report.checklists {
        rows.push(vec![
            Cell::Name {
                text: c.title.clone(),
                section: false,
            },
            Cell::Score(c.score),
            Cell::Bar(c.score),
        ]);
        for s in &c.sections {
            rows.push(vec![
                Cell::Name {
                    text: s.title.clone(),
                    section: true,
                },
                Cell::Score(s.score),
                Cell::Bar(s.score),
            ]);
        }
    }
    let note = |s: &str| Block::Note(vec![Span::Ours(s.to_string())]);
    let mut blocks = vec![
        Block::Table(Grid { columns, rows }),
        note(&format!("Overall score: {}", score(report.score))),
    ];
    if report.critical_gaps.is_empty() {
        blocks.push(note("Critical gaps: none"));
    } else {
        blocks.push(note("Critical gaps (critical items below 100):"));
        let gaps = report.critical_gaps.iter().map(|g| {
            let text = if g.text.is_empty() { &g.item } else { &g.text };
            vec![
                Span::Ours(format!("{:>5}  ", score(Some(g.score)))),
                Span::User(text.clone()),
            ]
        });
        blocks.push(Block::List(gaps.collect()));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Source;
    use crate::render::{markdown, table};

    fn quarter() -> Report {
        let text = include_str!("../../../tests/fixtures/reports/2026-Q4.json");
        Report::parse(&Source {
            name: "2026-Q4.json",
            text,
        })
        .unwrap()
    }

    const PLAIN: table::Style = table::Style {
        color: false,
        fit: false,
    };

    #[test]
    fn both_media_say_which_checklist_had_no_answers_instead_of_no_gaps() {
        let mut r = quarter();
        r.critical_gaps.clear();
        let m = markdown::blocks(&report(&r, 10, Medium::Markdown));
        assert!(m.contains("None: every critical item scored 100.\n"), "{m}");
        r.unanswered = vec![crate::model::report::Unanswered {
            id: "be-sure".to_string(),
            title: "be-*sure*".to_string(),
        }];
        let t = table::blocks(&report(&r, 10, Medium::Terminal), PLAIN);
        assert!(
            t.contains(
                "\nCritical gaps: none among the checklists answered. No answers at all to be-*sure* (be-sure): it is not in this report, and its critical items are not checked.\n"
            ),
            "{t}"
        );
        let m = markdown::blocks(&report(&r, 10, Medium::Markdown));
        assert!(
            m.contains("## Critical gaps\n\nNone among the checklists answered. No answers at all to be-\\*sure\\* (be-sure): it is not in this report, and its critical items are not checked.\n"),
            "{m}"
        );
        assert!(!m.contains("every critical item scored 100"), "{m}");
    }

    #[test]
    fn own_scores_keep_the_overall_score_and_gaps_right_under_the_table() {
        let t = table::blocks(&own_scores(&quarter()), PLAIN);
        assert!(
            t.contains(
                "┘\nOverall score: 71.0\nCritical gaps (critical items below 100):\n   25.0  "
            ),
            "{t}"
        );
        assert!(t.starts_with('┌'), "{t}");
    }

    #[test]
    fn user_text_is_escaped_once_in_each_medium() {
        let hostile = "# @team see #12 [x](http://e) *b* |\x1b[31m";
        let mut r = quarter();
        r.period = hostile.to_string();
        r.generated = hostile.to_string();
        r.checklists[0].title = hostile.to_string();
        r.checklists[0].sections[0].items[0].text = hostile.to_string();
        r.critical_gaps[0].text = hostile.to_string();
        let m = markdown::blocks(&report(&r, 10, Medium::Markdown));
        let escaped = crate::text::markdown_escape(hostile);
        assert!(!m.contains(hostile) && !m.contains('\x1b'), "{m}");
        assert!(
            m.contains(&format!("# Self-audit report: {escaped}\n")),
            "{m}"
        );
        assert!(m.contains(&format!("generated {escaped}\n")), "{m}");
        assert!(m.contains(&format!("| **{escaped}** |")), "{m}");
        assert!(m.contains(&format!("| {escaped} |")), "{m}");
        let t = table::blocks(&report(&r, 10, Medium::Terminal), PLAIN);
        assert!(!t.contains('\x1b'), "{t}");
        assert!(t.contains("Self-audit report · # @team see #12"), "{t}");
    }
}
