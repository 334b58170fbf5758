//! Nothing written is ever half-written: a report killed at any moment leaves the old file or
//! the new one, whole.

use std::process::Command;
use std::time::Duration;

const MINI: &str = "tests/fixtures/mini";
const FILES: usize = 3000;

fn respondents_in(path: &std::path::Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not whole JSON ({e}): {text:.200}", path.display()));
    report["respondents"].as_array().unwrap().len()
}

#[test]
fn a_report_killed_mid_run_leaves_the_previous_report_whole() {
    let dir = tempfile::tempdir().unwrap();
    let responses = dir.path().join("responses");
    std::fs::create_dir(&responses).unwrap();
    for i in 0..FILES {
        let choice = ["never", "rarely", "often", "always"][i % 4];
        std::fs::write(
            responses.join(format!("r{i:05}.toml")),
            format!(
                "respondent = \"R{i}\"\nperiod = \"Q\"\n[answers.mini]\nalways = \"yes\"\nfreq = {{ choice = \"{choice}\", note = \"note {i}\" }}\n"
            ),
        )
        .unwrap();
    }
    let out = dir.path().join("report.json");
    let bin = assert_cmd::cargo::cargo_bin("selfaudit");
    let report = |input: &std::path::Path| {
        let mut cmd = Command::new(&bin);
        cmd.args(["--checklists", MINI, "report", "--format", "json", "-o"])
            .arg(&out)
            .arg(input);
        cmd
    };
    // The previous report: one respondent.
    assert!(
        report(&responses.join("r00000.toml"))
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(respondents_in(&out), 1);

    let mut outcomes = Vec::new();
    for delay_ms in [0, 1, 3, 6, 10, 20, 40, 80, 160, 320, 640] {
        let mut child = report(&responses).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let n = respondents_in(&out);
        assert!(n == 1 || n == FILES, "a partial report of {n} respondents");
        outcomes.push(n);
    }
    // Unkilled, the new report replaces the old one.
    assert!(report(&responses).status().unwrap().success());
    assert_eq!(respondents_in(&out), FILES);
    eprintln!("respondents after each kill: {outcomes:?}");
}
