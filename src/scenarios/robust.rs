//! Robust planning: requirements for a sample of forecast scenarios, so the optimizer
//! prices coverage as the average penalty over the samples (sample-average
//! approximation) instead of for the mean forecast alone.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};

use super::{lognormal_params, Scenario, ScenarioKind};
use crate::domain::{Forecast, Site};
use crate::staffing::{requirements, requirements_for, Requirements, RobustPlanning};

/// Stream offset so the planning samples never coincide with `evaluate`'s samples for the
/// same seed (those use streams `scenario · 2⁴⁰ + sample`).
const PLANNING_STREAM: u64 = 1 << 62;

/// Agents required `[q][i]` in sample `k` of scenario `sc`: its multipliers, then a
/// log-normal daily factor (shared by the day's intervals and queues) and an interval
/// factor per interval and queue, as in `evaluate`. Absenteeism is not in the samples: it
/// lowers the supply instead ([`attendance`]). The random stream depends only on `(seed, k)`.
pub fn sample_agents(site: &Site, sc: &Scenario, seed: u64, k: usize) -> Vec<Vec<f64>> {
    let (mut contacts, aht) = sc.adjusted_forecast(site);
    if let ScenarioKind::Stochastic(noise) = &sc.kind {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(PLANNING_STREAM + k as u64);
        let dist = |cv: f64| {
            (cv > 0.0).then(|| {
                let (mu, sigma) = lognormal_params(cv);
                LogNormal::new(mu, sigma).expect("finite log-normal parameters")
            })
        };
        let daily: Vec<f64> = match dist(noise.daily_cv) {
            Some(d) => (0..site.grid.days).map(|_| d.sample(&mut rng)).collect(),
            None => vec![1.0; site.grid.days],
        };
        let interval = dist(noise.interval_cv);
        for per_q in contacts.iter_mut() {
            for (i, c) in per_q.iter_mut().enumerate() {
                let eps = interval.as_ref().map_or(1.0, |d| d.sample(&mut rng));
                *c *= daily[site.grid.intervals[i].day] * eps;
            }
        }
    }
    let forecast = Forecast {
        contacts,
        aht_seconds: aht,
        shrinkage: site.forecast.shrinkage.clone(),
    };
    requirements_for(
        &site.queues,
        &forecast,
        site.grid.interval_seconds(),
        site.shrinkage,
    )
    .agents
}

/// Expected share of each employee's shifts worked under `sc`: `1 − p` for an employee
/// whose contract the scenario's absenteeism `p` applies to (every contract when it names
/// none), else 1. Planning with it prices absence as an expected loss of supply — an agent
/// of a contract missing 30 % of shifts counts as 0.7 of an agent on every queue and in
/// every interval — where `evaluate` draws whole absent shifts.
pub fn attendance(site: &Site, sc: &Scenario) -> Vec<f64> {
    let ScenarioKind::Stochastic(noise) = &sc.kind else {
        return vec![1.0; site.employees.len()];
    };
    site.employees
        .iter()
        .map(|e| {
            let absent = noise
                .absenteeism_contracts
                .as_ref()
                .is_none_or(|c| c.contains(&e.contract));
            if absent {
                1.0 - noise.absenteeism
            } else {
                1.0
            }
        })
        .collect()
}

/// Requirements for robust planning: the site's own (email deadlines from the plan's
/// forecast), with `samples` forecast samples of `sc` as scenarios and their mean as
/// `agents` (what the greedy start and the allocation variables use), the scenario's
/// [`attendance`], and a note of what they were drawn from for the plan's summary.
pub fn robust_requirements(site: &Site, sc: &Scenario, samples: usize, seed: u64) -> Requirements {
    let mut req = requirements(site);
    req.attendance = attendance(site, sc);
    let k = match sc.kind {
        ScenarioKind::Deterministic => 1,
        ScenarioKind::Stochastic(_) => samples.max(1),
    };
    req.scenarios = (0..k).map(|s| sample_agents(site, sc, seed, s)).collect();
    req.robust = Some(RobustPlanning {
        scenario: sc.name.clone(),
        samples: k,
        seed,
    });
    for (q, per_q) in req.agents.iter_mut().enumerate() {
        if site.queues[q].is_deferred() {
            continue;
        }
        for (i, a) in per_q.iter_mut().enumerate() {
            *a = req.scenarios.iter().map(|s| s[q][i]).sum::<f64>() / k as f64;
        }
    }
    req
}

/// The scenario named `name`, or (no name) the first stochastic one, else the first.
pub fn pick_scenario<'a>(list: &'a [Scenario], name: Option<&str>) -> Result<&'a Scenario, String> {
    match name {
        Some(n) => list
            .iter()
            .find(|s| s.name == n)
            .ok_or_else(|| format!("no scenario named {n}")),
        None => list
            .iter()
            .find(|s| matches!(s.kind, ScenarioKind::Stochastic(_)))
            .or(list.first())
            .ok_or_else(|| "no scenarios in the file".to_string()),
    }
}
