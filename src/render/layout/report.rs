//! `selfaudit report` in the terminal and Markdown: the headline, scores, the team (response
//! rate, groups side by side, perception gaps), the weakest, split and critical items, actions
//! and targets, each respondent's scores, the notes, and (folded away) every item.

use super::{Align, Block, Cell, Column, Grid, Medium, Remark, Span, heading, title};
use crate::model::report::Report;
use crate::render::actions::{
    by_part, open_count, overdue_count, part_label, progress, status_text,
};
use crate::render::team::{Places, label, no_gaps, rate_text, role_title, rows, unlisted_text};
use crate::render::{HONEST_LEGEND, Located, agreement_label, alpha_label, has_honest_figures};
use crate::render::{distribution, score, score_moe, split_items, weakest};
use crate::text::plural;

/// The report; `top` caps the weakest items, `unanswered` names the checklists that no file
/// answered (so no critical gap among them is known).
pub fn report(report: &Report, top: usize, unanswered: &[String], m: Medium) -> Vec<Block> {
    let mut blocks = headline(report, m);
    blocks.extend(scores(report));
    blocks.extend(team(report, m));
    blocks.extend(weakest_items(report, top, m));
    blocks.extend(split(report));
    blocks.extend(critical_gaps(report, unanswered, m));
    blocks.extend(actions(report, m));
    blocks.extend(targets(report));
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

/// Names as a line's parts, each escaped on its own.
fn names(list: &[String]) -> Vec<Span> {
    let mut spans = Vec::new();
    for (i, n) in list.iter().enumerate() {
        if i > 0 {
            spans.push(Span::Ours(", ".to_string()));
        }
        spans.push(Span::User(n.clone()));
    }
    spans
}

/// SPEC §10: the response rate and who is missing, the groups side by side and the
/// perception gaps; nothing without a team list or groups.
fn team(report: &Report, m: Medium) -> Vec<Block> {
    use crate::model::report::Unlisted;
    let mut blocks = Vec::new();
    if report.response_rate.is_some() || report.unlisted.is_some() {
        blocks.push(Block::Caption("Response rate"));
    }
    if let Some(r) = &report.response_rate {
        blocks.push(Block::Line(match m {
            Medium::Terminal => vec![Span::Ours(format!("Response rate: {}", rate_text(r)))],
            Medium::Markdown => vec![Span::Strong(rate_text(r))],
        }));
        if let Some(missing) = &r.missing
            && !missing.is_empty()
        {
            let mut line = vec![Span::Ours("Not answered yet: ".to_string())];
            line.extend(names(missing));
            blocks.push(Block::Line(line));
        }
    }
    if let Some(u) = &report.unlisted {
        let mut line = vec![Span::Ours(
            "Not on the team list (scored all the same): ".to_string(),
        )];
        match u {
            Unlisted::Names(list) => line.extend(names(list)),
            Unlisted::Count(_) => line.push(Span::Ours(unlisted_text(u))),
        }
        blocks.push(Block::Line(line));
    }
    if report.groups.is_empty() {
        return blocks;
    }

    blocks.push(heading("Groups side by side"));
    let mut columns = vec![Column::Tree, Column::Ours("All", Align::Right)];
    columns.extend(
        report
            .groups
            .iter()
            .map(|g| Column::User(label(g), Align::Right)),
    );
    let rows = rows(report)
        .into_iter()
        .map(|r| {
            let all = Cell::Score(r.all);
            let mut row = vec![
                Cell::Name {
                    text: r.title.to_string(),
                    section: !r.checklist,
                },
                if r.checklist {
                    Cell::Strong(Box::new(all))
                } else {
                    all
                },
            ];
            row.extend(r.groups.iter().map(|g| match g {
                Some(s) => Cell::Score(*s),
                None => Cell::Absent("withheld"),
            }));
            row
        })
        .collect();
    blocks.push(Block::Table(Grid { columns, rows }));
    if report.groups.iter().any(|g| g.withheld) {
        blocks.push(Block::Note(vec![
            Span::Em("Withheld".to_string()),
            Span::Ours(
                ": groups too small to show without revealing who answered what.".to_string(),
            ),
        ]));
    }

    if report.perception_gaps.is_empty() {
        let why = no_gaps(report);
        blocks.push(Block::Heading {
            title: "Perception gaps".to_string(),
            note: vec![Span::Ours(match m {
                Medium::Terminal => format!("none ({why})"),
                Medium::Markdown => format!("none: {why}"),
            })],
        });
        return blocks;
    }
    blocks.push(Block::Section {
        title: "Perception gaps".to_string(),
        aside: "group scores 25 points or more apart".to_string(),
        intro: "Items whose group scores lie 25 points or more apart: where the groups see the business differently".to_string(),
    });
    let columns = vec![
        Column::Ours("Gap", Align::Right),
        Column::Ours("Item", Align::Left),
        Column::Ours("Checklist", Align::Left),
        Column::Ours("Highest", Align::Left),
        Column::Ours("Lowest", Align::Left),
    ];
    let places = Places::new(report);
    let rows = report
        .perception_gaps
        .iter()
        .map(|g| {
            let group = |role: &str, s: f64| {
                Cell::Text(format!("{} {}", role_title(report, role), score(Some(s))))
            };
            vec![
                Cell::Figure(score(Some(g.gap))),
                Cell::Text(places.text(g).to_string()),
                Cell::Text(g.checklist.clone()),
                group(&g.high.role, g.high.score),
                group(&g.low.role, g.low.score),
            ]
        })
        .collect();
    blocks.push(Block::Table(Grid { columns, rows }));
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
fn critical_gaps(report: &Report, unanswered: &[String], m: Medium) -> Vec<Block> {
    if report.critical_gaps.is_empty() {
        let note = if unanswered.is_empty() {
            vec![Span::Ours(
                match m {
                    Medium::Terminal => "none",
                    Medium::Markdown => "none: every critical item scored 100",
                }
                .to_string(),
            )]
        } else {
            vec![
                Span::Ours("none among the checklists answered; no answers to ".to_string()),
                Span::User(unanswered.join(", ")),
            ]
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

/// SPEC §12: each part's actions under it, with the part's score; nothing without an
/// actions file.
fn actions(report: &Report, m: Medium) -> Vec<Block> {
    let Some(actions) = &report.actions else {
        return Vec::new();
    };
    let (open, overdue) = (open_count(actions), overdue_count(actions));
    let mut blocks = vec![Block::Section {
        title: "Actions".to_string(),
        aside: format!("{open} open, {overdue} overdue, {} in all", actions.len()),
        intro: format!(
            "{open} open, {overdue} overdue, {} in all",
            plural(actions.len(), "action", "actions")
        ),
    }];
    for group in by_part(actions, |a| &a.part) {
        let first = &group[0];
        let said = group
            .iter()
            .map(|a| {
                let ours = |s: &str| Span::Ours(s.to_string());
                let status = status_text(a.status.as_str(), a.overdue);
                let mut said = match m {
                    Medium::Terminal => vec![
                        ours(&format!("[{status}] ")),
                        Span::User(a.id.clone()),
                        ours(": "),
                        Span::User(a.what.clone()),
                    ],
                    Medium::Markdown => vec![
                        Span::Strong(status),
                        ours(" · "),
                        Span::User(a.id.clone()),
                        ours(" · "),
                        Span::User(a.what.clone()),
                    ],
                };
                // A page has room for who, since when, and the evidence.
                let page = m == Medium::Markdown;
                if let Some(o) = &a.owner {
                    said.extend([
                        ours(if page { " · owner " } else { " · " }),
                        Span::User(o.clone()),
                    ]);
                }
                if let Some(d) = &a.due {
                    said.extend([ours(" · due "), Span::User(d.clone())]);
                }
                if page {
                    said.extend([ours(" · opened "), Span::User(a.opened.clone())]);
                    if let Some(e) = &a.evidence {
                        said.extend([ours(" · evidence: "), Span::User(e.clone())]);
                    }
                }
                Remark {
                    urgent: a.overdue,
                    said,
                }
            })
            .collect();
        blocks.push(Block::Remarks {
            subject: part_label(&first.part, &first.title),
            figure: score(first.score),
            said,
        });
    }
    blocks
}

/// SPEC §12: each target with where its part stands now and stood then.
fn targets(report: &Report) -> Vec<Block> {
    let Some(targets) = report.targets.as_ref().filter(|t| !t.is_empty()) else {
        return Vec::new();
    };
    let columns = vec![
        Column::Ours("Part", Align::Left),
        Column::Ours("Target", Align::Right),
        Column::Ours("Now", Align::Right),
        Column::Ours("Met", Align::Left),
        Column::Ours("Due", Align::Left),
        Column::Ours("Overdue", Align::Left),
        Column::Ours("Then", Align::Right),
        Column::Ours("Progress", Align::Right),
    ];
    let yes_no = |b: bool| Cell::Ours(if b { "yes" } else { "no" }.to_string());
    let rows = targets
        .iter()
        .map(|t| {
            vec![
                Cell::Text(part_label(&t.part, &t.title)),
                Cell::Figure(score(Some(t.score))),
                Cell::Figure(score(t.now)),
                yes_no(t.met),
                Cell::Text(t.due.clone().unwrap_or_else(|| "—".to_string())),
                if t.overdue {
                    Cell::Strong(Box::new(Cell::Ours("overdue".to_string())))
                } else {
                    yes_no(false)
                },
                Cell::Figure(score(t.then)),
                Cell::Figure(progress(t.progress)),
            ]
        })
        .collect();
    vec![heading("Targets"), Block::Table(Grid { columns, rows })]
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
        Block::Heading {
            title: "Per respondent".to_string(),
            note: Vec::new(),
        },
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
        blocks.insert(
            0,
            Block::Heading {
                title: "Notes".to_string(),
                note: Vec::new(),
            },
        );
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
