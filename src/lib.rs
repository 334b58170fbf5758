//! selfaudit: run a customer-service self-audit from TOML checklists: interview, score, report, compare.

pub mod actions;
pub mod answers;
pub mod app;
pub mod cli;
pub mod collect;
pub mod diff;
pub mod env;
pub mod error;
pub mod identity;
pub mod import;
pub mod interview;
pub mod load;
pub mod model;
pub mod out;
pub mod paths;
pub mod render;
pub mod score;
pub mod serve;
pub mod sniff;
pub mod stats;
pub mod suggest;
pub mod team;
pub mod template;
pub mod text;
pub mod trend;
