//! The integration tests, one binary so that CI links once: each file is a module, named as
//! its test file was.

mod common;

mod actions;
mod actions_props;
mod cli;
mod completions;
mod conformance;
mod did_you_mean;
mod diff_cli;
mod diff_html;
mod docs;
mod durability;
mod examples;
mod file_kinds;
mod formats;
mod fuzz_regressions;
mod hardening;
mod hardening_run;
mod hostile;
mod html_pages;
mod html_report;
mod interview_keys;
mod new_user;
mod properties;
#[cfg(unix)]
mod pty;
mod review_fixes;
mod run;
mod run_actions;
mod serve;
mod serve_attack;
mod serve_terminal;
mod spreadsheets;
mod spreadsheets_team;
mod stats;
mod stats_properties;
mod stats_reference;
mod team;
mod trial;
