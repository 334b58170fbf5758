//! The integration tests, one binary so that CI links once: each file is a module, named as
//! its test file was.

mod common;

mod actions;
mod actions_props;
mod cli;
mod conformance;
mod diff_cli;
mod diff_html;
mod durability;
mod examples;
mod formats;
mod fuzz_regressions;
mod hardening;
mod hardening_run;
mod hostile;
mod html_report;
mod properties;
mod run;
mod run_actions;
mod serve;
mod serve_terminal;
mod spreadsheets;
mod spreadsheets_team;
mod stats;
mod stats_properties;
mod stats_reference;
mod team;
