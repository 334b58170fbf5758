//! Generates a synthetic team for benchmarks: one checklist of N items and R responses files.
//!
//! cargo run --release --example gen-team -- OUT_DIR RESPONDENTS [ITEMS]
//! writes OUT_DIR/checklists/bench.toml and OUT_DIR/responses/r00000.toml …
//! (BENCH_SEED=N varies the answers.) scripts/bench.sh uses it.

use std::fmt::Write as _;
use std::path::PathBuf;

/// A small deterministic generator (xorshift64*), so runs are repeatable without a dependency.
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
}

const SCALES: [(&str, &[&str]); 4] = [
    ("yes-no", &["no", "yes"]),
    ("yes-partly-no", &["no", "partly", "yes"]),
    (
        "frequency",
        &["never", "rarely", "sometimes", "often", "always"],
    ),
    ("agreement", &["1", "2", "3", "4", "5"]),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), Some(respondents)) = (args.first(), args.get(1)) else {
        eprintln!("usage: gen-team OUT_DIR RESPONDENTS [ITEMS]");
        std::process::exit(2);
    };
    let out = PathBuf::from(out);
    let respondents: usize = respondents.parse()?;
    let items: usize = args.get(2).map_or(Ok(100), |s| s.parse())?;
    let sections = items.div_ceil(10);

    let mut checklist = String::from(
        "id = \"bench\"\ntitle = \"Benchmark\"\nversion = \"1\"\nscale = \"frequency\"\n",
    );
    for s in 0..sections {
        let _ = write!(
            checklist,
            "\n[[sections]]\nid = \"s{s}\"\ntitle = \"Section {s}\"\nweight = {}\n",
            1 + s % 3
        );
        for i in (s * 10)..((s + 1) * 10).min(items) {
            let (scale, _) = SCALES[i % SCALES.len()];
            let _ = write!(
                checklist,
                "\n[[sections.items]]\nid = \"item-{i}\"\ntext = \"Question number {i}?\"\nscale = \"{scale}\"\ncritical = {}\nweight = {}\n",
                i % 17 == 0,
                1 + i % 2
            );
        }
    }
    std::fs::create_dir_all(out.join("checklists"))?;
    std::fs::create_dir_all(out.join("responses"))?;
    std::fs::write(out.join("checklists/bench.toml"), checklist)?;

    // BENCH_SEED varies the answers, e.g. for a second quarter to diff against.
    let seed: u64 = std::env::var("BENCH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mut file = String::new();
    for r in 0..respondents {
        file.clear();
        let _ = write!(
            file,
            "respondent = \"Respondent {r:05}\"\nperiod = \"2026-Q4\"\nsubmitted = 2026-11-20T10:00:00Z\n\n[checklists.bench]\nversion = \"1\"\n\n[answers.bench]\n"
        );
        for i in 0..items {
            let (_, keys) = SCALES[i % SCALES.len()];
            match rng.below(40) {
                0 => continue,
                1 => file.push_str(&format!("item-{i} = \"n/a\"\n")),
                2 => {
                    let key = keys[rng.below(keys.len() as u64) as usize];
                    let _ = writeln!(
                        file,
                        "item-{i} = {{ choice = \"{key}\", note = \"Note {r} on {i}\" }}"
                    );
                }
                _ => {
                    let key = keys[rng.below(keys.len() as u64) as usize];
                    let _ = writeln!(file, "item-{i} = \"{key}\"");
                }
            }
        }
        std::fs::write(out.join(format!("responses/r{r:05}.toml")), &file)?;
    }
    eprintln!(
        "wrote {respondents} responses of {items} items to {}",
        out.display()
    );
    Ok(())
}
