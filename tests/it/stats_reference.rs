//! SPEC §14's figures against an independent implementation (`scripts/reference_stats.py`:
//! a literal jackknife that rescores the team n times, scipy's t quantiles, Python's
//! `krippendorff`), on generated teams of 3 to 40 respondents with custom scales, `n/a`,
//! skipped answers, sole answerers and weights. Skipped, with a note, where Python or its
//! modules are missing; `tests/stats.rs` has hand-computed fixtures that always run.

use crate::common;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use common::selfaudit;

/// xorshift64*: repeatable teams without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

/// A scale as (name, keys); custom ones are declared in the checklist.
struct Scale {
    name: String,
    keys: Vec<String>,
}

struct ItemSpec {
    id: String,
    scale: usize,
    na: bool,
    /// How often the item is skipped, in percent: some items have one answer or none.
    skip: u64,
}

struct ChecklistSpec {
    id: String,
    scales: Vec<Scale>,
    items: Vec<ItemSpec>,
}

const WEIGHTS: [&str; 6] = ["1", "2", "0.5", "3.7", "0.01", "12"];

/// Writes 1–3 checklists into `dir/checklists` and returns what the respondents answer.
fn checklists(rng: &mut Rng, dir: &Path) -> Vec<ChecklistSpec> {
    std::fs::create_dir_all(dir.join("checklists")).unwrap();
    let mut out = Vec::new();
    for c in 0..1 + rng.below(3) {
        let id = format!("list-{c}");
        let mut text = format!(
            "id = \"{id}\"\ntitle = \"List {c}\"\nversion = \"1\"\nweight = {}\n",
            rng.pick(&WEIGHTS)
        );
        let mut scales: Vec<Scale> = [
            ("yes-no", vec!["no", "yes"]),
            ("yes-partly-no", vec!["no", "partly", "yes"]),
            ("agreement", vec!["1", "2", "3", "4", "5"]),
            ("0-10", (0..=10).map(|_| "").collect()),
        ]
        .into_iter()
        .map(|(name, keys)| Scale {
            name: name.to_string(),
            keys: if name == "0-10" {
                (0..=10).map(|k| k.to_string()).collect()
            } else {
                keys.into_iter().map(String::from).collect()
            },
        })
        .collect();
        // Custom scales: unsorted, negative and fractional values, two choices sharing a value.
        let customs: [&[(&str, &str)]; 3] = [
            &[("b", "3"), ("a", "-1"), ("c", "1"), ("d", "1")],
            &[("lo", "0.25"), ("hi", "0.75")],
            &[
                ("x", "-2.5"),
                ("y", "0"),
                ("z", "0"),
                ("w", "7"),
                ("v", "1.5"),
            ],
        ];
        for (k, choices) in customs.iter().enumerate() {
            let name = format!("custom{k}");
            let list: Vec<String> = choices
                .iter()
                .map(|(key, v)| format!("{{ key = \"{key}\", label = \"{key}\", value = {v} }}"))
                .collect();
            let _ = writeln!(text, "[scales.{name}]\nchoices = [{}]", list.join(", "));
            scales.push(Scale {
                name,
                keys: choices.iter().map(|(k, _)| k.to_string()).collect(),
            });
        }
        let mut items = Vec::new();
        for s in 0..1 + rng.below(4) {
            let _ = write!(
                text,
                "\n[[sections]]\nid = \"s{s}\"\ntitle = \"Section {s}\"\nweight = {}\n",
                rng.pick(&WEIGHTS)
            );
            for i in 0..1 + rng.below(5) {
                let item = ItemSpec {
                    id: format!("i{s}-{i}"),
                    scale: rng.below(scales.len() as u64) as usize,
                    na: rng.chance(80),
                    skip: *rng.pick(&[0, 10, 30, 60, 95, 100]),
                };
                let _ = write!(
                    text,
                    "\n[[sections.items]]\nid = \"{}\"\ntext = \"Q {s} {i}\"\nweight = {}\nscale = \"{}\"\nna = {}\n",
                    item.id,
                    rng.pick(&WEIGHTS),
                    scales[item.scale].name,
                    item.na
                );
                items.push(item);
            }
        }
        std::fs::write(dir.join("checklists").join(format!("{id}.toml")), text).unwrap();
        out.push(ChecklistSpec { id, scales, items });
    }
    out
}

/// Writes a team of `n` responses files into `dir/name`.
fn team(rng: &mut Rng, specs: &[ChecklistSpec], dir: &Path, name: &str, n: u64) {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    // Some respondents agree more than others: a per-respondent lean makes α and r_wg vary.
    for r in 0..n {
        let lean = rng.below(3);
        let mut text = format!("respondent = \"Person {r}\"\nperiod = \"P\"\n");
        for c in specs {
            if rng.chance(10) {
                continue;
            }
            let _ = writeln!(text, "[answers.{}]", c.id);
            for item in &c.items {
                if rng.chance(item.skip) {
                    continue;
                }
                if item.na && rng.chance(10) {
                    let _ = writeln!(text, "\"{}\" = \"n/a\"", item.id);
                    continue;
                }
                let keys = &c.scales[item.scale].keys;
                let k = if rng.chance(50) {
                    (lean as usize * (keys.len() - 1)) / 2
                } else {
                    rng.below(keys.len() as u64) as usize
                };
                let _ = writeln!(text, "\"{}\" = \"{}\"", item.id, keys[k]);
            }
        }
        std::fs::write(folder.join(format!("r{r:02}.toml")), text).unwrap();
    }
}

fn python_ready() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import numpy, scipy, krippendorff"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "note: skipped: needs python3 with numpy, scipy and krippendorff (pip install krippendorff scipy numpy)"
        );
    }
    ok
}

/// Runs every check of `jobs` (each the script's arguments) in one Python process.
fn reference(dir: &Path, jobs: &[Vec<String>]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/reference_stats.py");
    let batch = dir.join("jobs.tsv");
    let lines: Vec<String> = jobs.iter().map(|j| j.join("\t")).collect();
    std::fs::write(&batch, lines.join("\n")).unwrap();
    let out = Command::new("python3")
        .arg(script)
        .arg("batch")
        .arg(&batch)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "reference disagrees:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.matches("all agree").count(), jobs.len(), "{stdout}");
    eprintln!("{stdout}");
}

fn report(dir: &Path, team: &str) -> String {
    let path = dir.join(format!("{team}.json"));
    selfaudit()
        .arg("--checklists")
        .arg(dir.join("checklists"))
        .args(["report", "--format", "json", "-o"])
        .arg(&path)
        .arg(dir.join(team))
        .assert()
        .success();
    path.to_string_lossy().into_owned()
}

#[test]
fn every_figure_matches_the_reference_on_generated_teams() {
    if !python_ready() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut jobs: Vec<Vec<String>> = Vec::new();
    for seed in 1..=24u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let dir = &tmp.path().join(seed.to_string());
        let specs = checklists(&mut rng, dir);
        let sizes = [3, 4, 5, 7, 12, 40];
        let (nb, nn) = (*rng.pick(&sizes), *rng.pick(&sizes));
        team(&mut rng, &specs, dir, "base", nb);
        team(&mut rng, &specs, dir, "new", nn);
        let base = report(dir, "base");
        let new = report(dir, "new");
        let c = dir.join("checklists").to_string_lossy().into_owned();
        let b = dir.join("base").to_string_lossy().into_owned();
        let n = dir.join("new").to_string_lossy().into_owned();
        jobs.push(vec!["report".into(), c.clone(), b.clone(), base.clone()]);
        jobs.push(vec!["report".into(), c.clone(), n.clone(), new.clone()]);
        let diff = dir.join("diff.json");
        // Gates at limits the drops straddle, so that some drops count and some do not.
        let limit = rng.pick(&["0", "2", "5", "15"]).to_string();
        let code = selfaudit()
            .args(["diff", "--format", "json", "--beyond-noise", "-o"])
            .arg(&diff)
            .args(["--max-drop", &limit, "--max-item-drop", &limit])
            .args([&base, &new])
            .output()
            .unwrap()
            .status
            .code();
        assert!(matches!(code, Some(0 | 1)), "seed {seed}: {code:?}");
        jobs.push(vec![
            "diff".into(),
            c,
            b,
            n,
            diff.to_string_lossy().into_owned(),
        ]);
    }
    reference(tmp.path(), &jobs);
    // The generated teams reach every case: a test of figures that are all null proves nothing.
    let mut seen = std::collections::BTreeSet::new();
    for job in &jobs {
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(job.last().unwrap()).unwrap()).unwrap();
        let text = json.to_string();
        for (key, what) in [
            ("\"within_noise\":[", "gate held within noise"),
            ("\"passed\":false", "gate failed"),
            ("\"beyond_noise\":true", "beyond"),
            ("\"beyond_noise\":false", "within"),
            ("\"beyond_noise\":null", "unknown"),
            ("\"se\":null", "se null"),
            ("\"rwg\":0.0", "rwg truncated"),
            ("\"rwg\":1.0", "rwg full"),
            ("\"alpha\":null", "alpha null"),
            ("\"alpha\":-", "alpha negative"),
            ("\"alpha\":0.", "alpha positive"),
            ("\"ci\":[0.0,", "ci clipped low"),
            (",100.0]", "ci clipped high"),
        ] {
            if text.contains(key) {
                seen.insert(what);
            }
        }
    }
    assert_eq!(seen.len(), 13, "cases reached: {seen:?}");
}
