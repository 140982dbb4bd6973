//! What-if staffing: the smallest number of extra people of a kind that keeps every
//! queue's service target on a scenario, found by planning the variants in parallel.

use rayon::prelude::*;

use super::robust::robust_requirements;
use super::{evaluate, Scenario};
use crate::domain::{Role, Site};
use crate::plan::{plan, plan_for_requirements};
use crate::solve::SolveOptions;
use crate::Error;

/// The site with the forecast of `sc` (its multipliers; a stochastic scenario's noise has
/// mean 1, so its mean forecast is the multiplied one).
pub fn scenario_site(site: &Site, sc: &Scenario) -> Site {
    let (contacts, aht) = sc.adjusted_forecast(site);
    let mut s = site.clone();
    s.forecast.contacts = contacts;
    s.forecast.aht_seconds = aht;
    s
}

/// The site with `n` extra agents on contract `contract`, each a copy of that contract's
/// most common agent profile (skills, work mode, time zone, hourly cost: the first agent
/// with the most common skill set), with ids `EXTRA-{contract}-{k}` and no requests;
/// `skills` (queue ids), when given, replaces the copied skills.
pub fn add_people(
    site: &Site,
    contract: &str,
    skills: Option<&[String]>,
    n: usize,
) -> Result<Site, String> {
    let c = site
        .contracts
        .iter()
        .position(|x| x.id == contract)
        .ok_or_else(|| format!("no contract {contract} in site.toml"))?;
    let agents: Vec<_> = site
        .employees
        .iter()
        .filter(|e| e.contract == c && e.role == Role::Agent)
        .collect();
    let profile = agents
        .iter()
        .max_by_key(|e| {
            (
                agents.iter().filter(|o| o.skills == e.skills).count(),
                std::cmp::Reverse(site.employee_index(&e.id)),
            )
        })
        .ok_or_else(|| format!("no agent on contract {contract} to copy"))?;
    let skills: Option<Vec<usize>> = match skills {
        Some(ids) => Some(
            ids.iter()
                .map(|id| {
                    site.queue_index(id)
                        .ok_or_else(|| format!("no queue {id} in site.toml"))
                })
                .collect::<Result<_, _>>()?,
        ),
        None => None,
    };
    let mut s = site.clone();
    for k in 1..=n {
        let mut e = (*profile).clone();
        if let Some(sk) = &skills {
            e.skills = sk.clone();
        }
        e.id = format!("EXTRA-{contract}-{k:02}");
        e.name = format!("extra {contract} {k}");
        s.employees.push(e);
    }
    Ok(s)
}

/// The people a what-if adds: `counts[k]` extra people on `contract` in variant `k`, with
/// `skills` (queue ids) instead of the contract's most common agent's when given.
#[derive(Debug, Clone, Copy)]
pub struct Extra<'a> {
    /// Contract id.
    pub contract: &'a str,
    /// Queue ids, or the copied profile's skills.
    pub skills: Option<&'a [String]>,
    /// Extra people to try, one variant each.
    pub counts: &'a [usize],
}

/// One variant of a what-if run.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIfVariant {
    /// Extra people added.
    pub extra: usize,
    /// Objective of the plan (site currency).
    pub objective: f64,
    /// Labour cost of the plan.
    pub labour: f64,
    /// Per queue: id, the worst day's service level on the scenario (the mean over its
    /// samples), and the target (email: share of contacts done within the response time
    /// over the horizon, target 1).
    pub service: Vec<(String, f64, f64)>,
    /// Whether every queue meets its target on every day (email: at most 1 % late).
    pub meets: bool,
}

/// Plan `site` with each number of extra `contract` people in `counts`, on scenario
/// `sc`'s mean forecast (its multipliers), in parallel (rayon over variants; each plan
/// with one solver thread), and measure each roster with [`evaluate`] on the scenario
/// itself — `samples` samples of its noise and absenteeism from `seed` when it is
/// stochastic (a sick student is not there to answer), its forecast when deterministic.
/// With `hedge = Some(k)` each variant is planned robustly instead, on `k` samples of the
/// scenario's randomness and its absenteeism as lost supply
/// ([`super::robust::robust_requirements`], same `seed`, streams of its own), so the
/// rosters hedge against what they are judged on.
/// Results in the order of `counts`; the answer is the first variant that `meets`.
pub fn what_if(
    site: &Site,
    sc: &Scenario,
    extra: &Extra,
    opts: &SolveOptions,
    samples: usize,
    seed: u64,
    hedge: Option<usize>,
) -> Result<Vec<WhatIfVariant>, Error> {
    let Extra {
        contract,
        skills,
        counts,
    } = *extra;
    let base = scenario_site(site, sc);
    let sites: Vec<Site> = counts
        .iter()
        .map(|&n| add_people(&base, contract, skills, n))
        .collect::<Result<_, _>>()
        .map_err(Error::Usage)?;
    let one = SolveOptions {
        threads: Some(1),
        ..opts.clone()
    };
    // The forecast the variants were planned on is already the multiplied one: the
    // evaluation adds only the scenario's randomness.
    let randomness = Scenario {
        name: sc.name.clone(),
        kind: sc.kind.clone(),
        multipliers: Vec::new(),
    };
    sites
        .par_iter()
        .zip(counts.par_iter())
        .map(|(s, &n)| {
            let p = match hedge {
                Some(k) => plan_for_requirements(
                    s,
                    &one,
                    crate::model::Family::ALL,
                    robust_requirements(s, &randomness, k, seed),
                )?,
                None => plan(s, &one)?,
            };
            let ev = evaluate(
                s,
                &p.roster,
                std::slice::from_ref(&randomness),
                samples,
                seed,
            );
            let mut meets = true;
            let service = ev.scenarios[0]
                .queues
                .iter()
                .enumerate()
                .map(|(q, r)| {
                    if s.queues[q].is_deferred() {
                        let share = if r.horizon.contacts > 0.0 {
                            1.0 - r.horizon.late_contacts / r.horizon.contacts
                        } else {
                            1.0
                        };
                        meets &= share >= 0.99;
                        (r.queue.clone(), share, 1.0)
                    } else {
                        let worst = r
                            .days
                            .iter()
                            .filter(|d| d.contacts > 0.0)
                            .map(|d| d.service_level.mean)
                            .fold(1.0, f64::min);
                        meets &= worst + 1e-9 >= r.target;
                        (r.queue.clone(), worst, r.target)
                    }
                })
                .collect();
            let labour = p.summary.cost(crate::model::CostFamily::Labour);
            Ok(WhatIfVariant {
                extra: n,
                objective: p.summary.objective,
                labour,
                service,
                meets,
            })
        })
        .collect()
}
