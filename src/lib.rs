//! # shiftwise
//!
//! Workforce scheduling for customer-service contact centers: from a contact forecast
//! to staffing requirements (Erlang C, chat concurrency, email deadlines, shrinkage),
//! then to a roster that covers them at the lowest cost while keeping labour rules,
//! seats, team-lead ratios and employee requests.
//!
//! The flow: a site folder is read and validated into a [`Site`] ([`input`]), the
//! forecast becomes [`staffing::Requirements`], and the optimizer builds a roster.
//!
//! ```no_run
//! let (site, warnings) = shiftwise::load_site(std::path::Path::new("data/tokyo")).unwrap();
//! assert!(warnings.is_empty());
//! let req = shiftwise::staffing::requirements(&site);
//! println!("{} queues, {} intervals", site.queues.len(), req.agents.first().map_or(0, Vec::len));
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod curtois;
pub mod domain;
pub mod error;
pub mod generate;
pub mod input;
pub mod living;
pub mod model;
pub mod people;
pub mod plan;
pub mod report;
pub mod roster;
pub mod scenarios;
pub mod solve;
pub mod staffing;
pub mod verify;

pub use domain::Site;
pub use error::{Error, InputProblem, Result};
pub use input::{load_site, validate_site};

/// What `validate` checks once a site's files are sound: the hard rules no roster can keep
/// ([`plan::unkeepable_rules`], as `no roster can keep RULE: …`) and the problems of the
/// site's own `scenarios.toml`, when `dir` has one (read by `evaluate`, `whatif` and
/// `plan --robust`). One line each; empty when there are none.
pub fn site_problems_beyond_files(dir: &std::path::Path, site: &Site) -> Vec<String> {
    let mut out: Vec<String> = plan::unkeepable_rules(site)
        .into_iter()
        .map(|(rule, what)| format!("no roster can keep {}: {what}", rule.describe()))
        .collect();
    let scenarios = dir.join("scenarios.toml");
    if scenarios.exists() {
        match scenarios::load_scenarios(&scenarios, site) {
            Ok(_) => {}
            Err(Error::Input(problems)) => out.extend(problems.0.iter().map(ToString::to_string)),
            Err(e) => out.push(e.to_string()),
        }
    }
    out
}
