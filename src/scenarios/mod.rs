//! Scenario evaluation: hold a roster fixed and measure it under forecast scenarios.
//!
//! A scenario file (`scenarios.toml`, read by [`load_scenarios`]) lists scenarios:
//!
//! - **deterministic** ones change the forecast by [`Multiplier`]s (contacts and AHT, on
//!   chosen dates, local time windows and queues) and are evaluated once;
//! - **stochastic** ones apply their multipliers, then random noise ([`Noise`]): one
//!   log-normal factor per day shared by every interval and queue of the day, one
//!   independent log-normal factor per interval and queue, and whole-shift absenteeism.
//!   They are evaluated `samples` times.
//!
//! [`evaluate`] runs every sample in parallel with rayon. Each sample's random numbers come
//! only from `(seed, scenario index, sample index)` ([`sample_rng`]) and results are added
//! up in sample order, so the output is bit-identical whatever the number of threads.
//!
//! Per sample: the adjusted forecast gives the requirements ([`requirements_for`]); the
//! roster's agents on duty net of breaks (absent shifts removed) are allocated to the
//! real-time queues exactly as [`crate::verify::verify`] does (maximum flow capped at the
//! requirement, [`crate::verify::Allocator`]); the real-time work of email-skilled agents
//! is handed to other agents where the flow allows ([`crate::verify::Allocator::relieve`]),
//! what is left of each skill group works the email backlog, and any rest is spread over
//! the group's real-time queues in proportion to their requirements. Phone and chat get Erlang C figures on the productive
//! agents (`agents × (1 − shrinkage)`, times the concurrency for chat); email gets the
//! deadline form of [`crate::staffing::deferred_work`]: backlog, work overdue, and the
//! share of emails done within the response time. The report ([`Evaluation`]) gives per
//! queue and day the mean and percentiles ([`percentile`]) of the service level over
//! samples, the share of intervals meeting the target, contacts answered late, agents short
//! and the worst intervals.
//!
//! [`requirements_for`]: crate::staffing::requirements_for

mod engine;
mod load;
mod report;
pub mod robust;
mod stats;
pub mod whatif;

pub use engine::{
    evaluate, sample_rng, Cells, Evaluation, Period, QueueResult, ScenarioResult, WorstInterval,
    WORST_INTERVALS,
};
pub use load::{load_scenarios, parse_scenarios};
pub use report::{summary_table, write_scenarios_csv, SCENARIO_COLUMNS};
pub use stats::{percentile, Distribution};

use crate::domain::Site;

/// A forecast change: contacts and AHT multiplied on some dates, times and queues.
#[derive(Debug, Clone, PartialEq)]
pub struct Multiplier {
    /// Day indices (into the site's grid) it applies on; `None` = every day.
    pub days: Option<Vec<usize>>,
    /// Site-local window `[from, to)` in minutes from midnight, matched against each
    /// interval's local start; `None` = the whole day.
    pub window: Option<(u32, u32)>,
    /// Queue indices it applies to; `None` = every queue.
    pub queues: Option<Vec<usize>>,
    /// Factor on contacts (≥ 0).
    pub volume: f64,
    /// Factor on average handle time (≥ 0).
    pub aht: f64,
}

impl Multiplier {
    /// Volume × `volume` and AHT × `aht` on every day, time and queue.
    pub fn everywhere(volume: f64, aht: f64) -> Multiplier {
        Multiplier {
            days: None,
            window: None,
            queues: None,
            volume,
            aht,
        }
    }

    /// Whether it applies to queue `q` in interval `i` of `site`.
    pub fn applies(&self, site: &Site, q: usize, i: usize) -> bool {
        let iv = &site.grid.intervals[i];
        if let Some(days) = &self.days {
            if !days.contains(&iv.day) {
                return false;
            }
        }
        if let Some(queues) = &self.queues {
            if !queues.contains(&q) {
                return false;
            }
        }
        if let Some((from, to)) = self.window {
            use chrono::Timelike;
            let m = iv.start_local.time().num_seconds_from_midnight() / 60;
            if m < from || m >= to {
                return false;
            }
        }
        true
    }
}

/// The random part of a stochastic scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Noise {
    /// Coefficient of variation of the daily factor on contacts (one log-normal draw per
    /// day, shared by all intervals and queues of the day); 0 = none.
    pub daily_cv: f64,
    /// Coefficient of variation of the factor on contacts drawn independently per interval
    /// and queue; 0 = none.
    pub interval_cv: f64,
    /// Probability that an agent shift is absent as a whole, independently per shift.
    pub absenteeism: f64,
    /// Contract indices whose shifts can be absent; `None` = every contract.
    pub absenteeism_contracts: Option<Vec<usize>>,
}

impl Noise {
    /// No noise at all.
    pub fn none() -> Noise {
        Noise {
            daily_cv: 0.0,
            interval_cv: 0.0,
            absenteeism: 0.0,
            absenteeism_contracts: None,
        }
    }
}

/// `(mu, sigma)` of the log-normal with mean 1 and coefficient of variation `cv`:
/// `sigma² = ln(1 + cv²)`, `mu = −sigma² / 2`.
pub fn lognormal_params(cv: f64) -> (f64, f64) {
    let var = (1.0 + cv * cv).ln();
    (-var / 2.0, var.sqrt())
}

/// Deterministic (evaluated once) or stochastic (sampled).
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioKind {
    /// Multipliers only.
    Deterministic,
    /// Multipliers, then noise.
    Stochastic(Noise),
}

/// One scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Unique name.
    pub name: String,
    /// Deterministic or stochastic.
    pub kind: ScenarioKind,
    /// Forecast changes, composed multiplicatively where several apply.
    pub multipliers: Vec<Multiplier>,
}

impl Scenario {
    /// A deterministic scenario with no multipliers (the plan's own forecast).
    pub fn deterministic(name: &str) -> Scenario {
        Scenario {
            name: name.into(),
            kind: ScenarioKind::Deterministic,
            multipliers: Vec::new(),
        }
    }

    /// A stochastic scenario with no multipliers.
    pub fn stochastic(name: &str, noise: Noise) -> Scenario {
        Scenario {
            name: name.into(),
            kind: ScenarioKind::Stochastic(noise),
            multipliers: Vec::new(),
        }
    }

    /// The same scenario with one more multiplier.
    pub fn with(mut self, m: Multiplier) -> Scenario {
        self.multipliers.push(m);
        self
    }

    /// `kind` as written in the file.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            ScenarioKind::Deterministic => "deterministic",
            ScenarioKind::Stochastic(_) => "stochastic",
        }
    }

    /// The site's forecast under the multipliers: `(contacts[q][i], aht_seconds[q][i])`.
    pub fn adjusted_forecast(&self, site: &Site) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let mut contacts = site.forecast.contacts.clone();
        let mut aht = site.forecast.aht_seconds.clone();
        for m in &self.multipliers {
            for q in 0..site.queues.len() {
                for i in 0..site.grid.len() {
                    if m.applies(site, q, i) {
                        contacts[q][i] *= m.volume;
                        aht[q][i] *= m.aht;
                    }
                }
            }
        }
        (contacts, aht)
    }
}
