//! selfaudit: run a customer-service self-audit from TOML checklists: interview, score, report, compare.

pub mod app;
pub mod cli;
pub mod collect;
pub mod diff;
pub mod env;
pub mod error;
pub mod interview;
pub mod load;
pub mod model;
pub mod out;
pub mod paths;
pub mod render;
pub mod score;
pub mod team;
pub mod template;
pub mod text;
pub mod trend;
