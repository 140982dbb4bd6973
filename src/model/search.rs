//! Large-neighbourhood search (LNS) with HiGHS as the sub-solver: the primal heuristic
//! that gets a good roster quickly on sites where the full MILP's own heuristics stall.
//!
//! 1. *Construction*: the greedy roster ([`super::greedy`]), priced exactly by HiGHS with
//!    every shift fixed. If it breaks a hard rule (greedy could not meet a minimum),
//!    sub-models make hard rules elastic (a slack costing 10⁶ per unit) so every block has a
//!    solution; the caller re-checks the final roster against the hard model.
//! 2. *Improvement*: repeatedly free a block of employees (seeded shuffle), keep everybody
//!    else's shifts fixed, and re-solve; accept strictly better rosters. A sub-model
//!    contains every rule and cost, so its objective is the whole roster's objective
//!    (breaks counted by their expected time, see [`super::Builder`]).
//!
//! 3. *Relaxation-guided neighbourhood* (RINS): once the caller's LP relaxation has arrived
//!    (the descent's iterated local search gives way to it), one sub-MILP frees the
//!    incumbent's shifts the relaxation does not confirm and the candidates it uses
//!    ([`SubModels::guided`]); it runs between the descent and the blocks. Before the
//!    descent with breaks placed ([`SearchScope::BeforePlaced`]) the search stops after the
//!    descent, and the plan runs this step beside that descent ([`guided_restart`]).
//!
//! Blocks are sized by candidate count, so each sub-MILP solves in about one to a few
//! seconds; sub-MILPs stop on a node limit, not on time. The order of blocks depends only
//! on the seed: when the search ends by convergence or its round limit it is
//! deterministic; when the overall time limit stops it, how far it got depends on the
//! machine.

use std::time::Instant;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::greedy::greedy_roster;
use super::{Builder, Candidate, Family};
use crate::domain::Site;
use crate::solve::{solve, SolveOptions};
use crate::staffing::Requirements;
use crate::Error;

/// What the search did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SearchStats {
    /// Objective after construction.
    pub constructed_objective: f64,
    /// Objective after improvement.
    pub objective: f64,
    /// Sub-MILPs solved.
    pub subproblems: usize,
    /// Accepted improvements.
    pub improvements: usize,
    /// Improvement rounds run.
    pub rounds: usize,
    /// Seconds spent.
    pub seconds: f64,
    /// Whether the time budget ended the search (rather than convergence or the round limit).
    pub stopped_by_time: bool,
    /// The best-response descent after construction, when it applies.
    pub descent: Option<super::descent::DescentStats>,
    /// The day neighbourhoods with exact breaks after the search, when they ran
    /// ([`super::days`]).
    pub days: Option<super::days::DayStats>,
    /// The descent with breaks placed exactly after the search, when it ran
    /// ([`super::descent::descend_placed`]).
    pub placed: Option<super::descent::DescentStats>,
}

fn log_enabled() -> bool {
    std::env::var_os("SHIFTWISE_LOG_SEARCH").is_some()
}

/// Candidate budget of one block (sub-MILP size).
const BLOCK_CANDIDATES: usize = 800;
/// Most employees in one block.
const BLOCK_EMPLOYEES: usize = 4;
/// Most of the search budget the descent may use.
const DESCENT_SHARE: f64 = 0.8;
/// Improvement rounds at most.
const MAX_ROUNDS: usize = 6;
/// Node limit of one sub-MILP: a deterministic effort limit (HiGHS keeps its incumbent, so
/// a sub-MILP stopped early still returns any improvement found at the root).
const SUB_MAX_NODES: u32 = 10;
/// Safety time limit of one sub-MILP, seconds (only reached on pathological blocks).
const SUB_TIME_LIMIT: f64 = 30.0;
/// In the relaxation-guided neighbourhood, incumbent shifts the LP relaxation takes at
/// least this much stay fixed.
const GUIDED_KEEP: f64 = 0.5;
/// In the relaxation-guided neighbourhood, candidates the LP relaxation takes at least this
/// much are free.
const GUIDED_ADD: f64 = 0.1;
/// The relaxation-guided sub-MILP is skipped when it would have more free candidates than
/// this: on gen-1000 (17,736 free) HiGHS took 418 s against a 30-s time limit, and the plan
/// ended 118 s late; gen-300's (5,486 free) kept to its limit.
const GUIDED_MAX_FREE: usize = 10_000;
/// Node limit of the relaxation-guided sub-MILP (it mostly ends on time: HiGHS's root cut
/// loop on it takes tens of seconds on Tokyo).
const GUIDED_MAX_NODES: u32 = 10;

fn blocks(order: &[usize], by_emp: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut size = 0;
    for &e in order {
        let n = by_emp[e].len();
        match out.last_mut() {
            Some(b) if size + n <= BLOCK_CANDIDATES && b.len() < BLOCK_EMPLOYEES => {
                b.push(e);
                size += n;
            }
            _ => {
                out.push(vec![e]);
                size = n;
            }
        }
    }
    out
}

/// What every sub-model of one search shares: the site, its candidates and families.
struct SubModels<'a> {
    site: &'a Site,
    req: &'a Requirements,
    cands: &'a [Candidate],
    families: &'a [Family],
    /// Candidates of each employee.
    by_emp: Vec<Vec<usize>>,
}

impl<'a> SubModels<'a> {
    fn new(
        site: &'a Site,
        req: &'a Requirements,
        cands: &'a [Candidate],
        families: &'a [Family],
    ) -> SubModels<'a> {
        let mut by_emp: Vec<Vec<usize>> = vec![Vec::new(); site.employees.len()];
        for (c, cand) in cands.iter().enumerate() {
            by_emp[cand.employee].push(c);
        }
        SubModels {
            site,
            req,
            cands,
            families,
            by_emp,
        }
    }

    /// Solve the sub-model where `free` employees may take any of their candidates, every
    /// other employee keeps the shifts in `selected`. Returns the new selection (indices
    /// into the candidates) and objective, or `None` if the sub-MILP found nothing.
    fn block(
        &self,
        selected: &[usize],
        free: &[usize],
        elastic: bool,
        opts: &SolveOptions,
    ) -> Result<Option<(Vec<usize>, f64)>, Error> {
        let mut is_free = vec![false; self.site.employees.len()];
        free.iter().for_each(|&e| is_free[e] = true);
        let mut index: Vec<usize> = selected
            .iter()
            .copied()
            .filter(|&c| !is_free[self.cands[c].employee])
            .collect();
        let fixed_count = index.len();
        for &e in free {
            index.extend(self.by_emp[e].iter().copied());
        }
        let label = format!("block of {} employees", free.len());
        self.solve(selected, (&index, fixed_count), elastic, opts, &label)
    }

    /// The relaxation-guided neighbourhood (after RINS): the incumbent `selected`'s shifts
    /// the LP relaxation's solution `relaxed` (per candidate) also takes at least
    /// [`GUIDED_KEEP`] stay; its other shifts and every candidate the relaxation takes at
    /// least [`GUIDED_ADD`] are free; the rest stay out. Returns as [`SubModels::block`].
    fn guided(
        &self,
        selected: &[usize],
        relaxed: &[f64],
        elastic: bool,
        opts: &SolveOptions,
    ) -> Result<Option<(Vec<usize>, f64)>, Error> {
        let (mut index, free): (Vec<usize>, Vec<usize>) =
            selected.iter().partition(|&&c| relaxed[c] >= GUIDED_KEEP);
        let fixed_count = index.len();
        let current: std::collections::HashSet<usize> = selected.iter().copied().collect();
        index.extend(free);
        index.extend(
            (0..self.cands.len()).filter(|&c| relaxed[c] >= GUIDED_ADD && !current.contains(&c)),
        );
        let label = "relaxation-guided neighbourhood";
        let free = index.len() - fixed_count;
        if free > GUIDED_MAX_FREE {
            if log_enabled() {
                eprintln!("lns: {label} skipped, {free} free candidates");
            }
            return Ok(None);
        }
        self.solve(selected, (&index, fixed_count), elastic, opts, label)
    }

    /// Solve the sub-model over candidates `index` whose first `fixed_count` are forced on,
    /// started from the incumbent `selected`.
    fn solve(
        &self,
        selected: &[usize],
        (index, fixed_count): (&[usize], usize),
        elastic: bool,
        opts: &SolveOptions,
        label: &str,
    ) -> Result<Option<(Vec<usize>, f64)>, Error> {
        let sub: Vec<Candidate> = index.iter().map(|&c| self.cands[c].clone()).collect();
        let fixed: Vec<bool> = (0..index.len()).map(|k| k < fixed_count).collect();
        let mut b = Builder::restricted(self.site, self.req, sub, fixed, elastic, false);
        b.build(self.families);
        // A hard rule no candidate of the sub-model takes part in, and which its constant
        // breaks (an employee left without shifts below their weekly minimum), never reaches
        // HiGHS: the sub-model has no roster keeping the hard rules.
        if !b.unsatisfiable.is_empty() {
            if log_enabled() {
                eprintln!("lns: {label} breaks {:?}", b.unsatisfiable);
            }
            return Ok(None);
        }
        // Start from the incumbent: fixed shifts plus the free employees' current shifts.
        let current: std::collections::HashSet<usize> = selected.iter().copied().collect();
        let start: Vec<_> = index
            .iter()
            .enumerate()
            .map(|(k, c)| (b.x[k], if current.contains(c) { 1.0 } else { 0.0 }))
            .collect();
        b.lm.set_start(start);
        let lm = std::mem::take(&mut b.lm);
        let out = solve(lm, opts)?;
        if log_enabled() {
            eprintln!(
                "lns: {label}, {} candidates ({} fixed): {:?} objective {:.0} in {:.2} s",
                index.len(),
                fixed_count,
                out.status,
                out.objective,
                out.seconds
            );
        }
        if !out.status.has_solution() {
            return Ok(None);
        }
        if log_enabled() {
            for (rule, label, v) in &b.slacks {
                if out.value(*v) > 1e-6 {
                    eprintln!("lns:   slack {:?} {label}: {:.2}", rule, out.value(*v));
                }
            }
        }
        let chosen = b.worked(&out).map(|k| index[k]).collect();
        Ok(Some((chosen, out.objective)))
    }
}

/// How far [`neighbourhood_search`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchScope {
    /// The descent and its iterated local search, the relaxation-guided step, then rounds of
    /// blocks until the budget or a round that improves nothing.
    Full,
    /// Construction and the descent only: no relaxation-guided step (the relaxation is not
    /// waited for) and no rounds of blocks. The caller goes on with the descent with breaks
    /// placed exactly, and runs the guided step beside it ([`guided_restart`]).
    BeforePlaced,
}

/// Seconds the relaxation-guided sub-MILP needs to be worth running beside the descent
/// with breaks placed ([`guided_restart`]). On prime-day it found nothing in 17 s and
/// 250 k yen in 24–28 s; on gen-300 nothing in 17 s.
pub const GUIDED_MIN_SECONDS: f64 = 20.0;

/// The relaxation-guided step beside the descent with breaks placed: the neighbourhood of
/// [`SubModels::guided`] around `selected` (the descent's best roster so far, its shifts as
/// indices into `cands`) solved by HiGHS within `seconds`. Returns its roster when that is
/// cheaper than `selected` by the model's count (breaks at their expected share), else
/// `None` (nothing better found, or no solution at all).
///
/// On gen-300 at 120 s it has about 60 s and finds a roster 0.5–0.8 % cheaper in most runs
/// (session 23) — a change across many employees at once (more student slots, fewer
/// on-site full-time hours) that the descent's kicks do not make; in the others it finds
/// nothing, and the descent beside it has lost no time.
#[allow(clippy::too_many_arguments)]
pub fn guided_restart(
    site: &Site,
    req: &Requirements,
    cands: &[Candidate],
    families: &[Family],
    selected: &[usize],
    relaxed: &[f64],
    opts: &SolveOptions,
    seconds: f64,
) -> Result<Option<Vec<usize>>, Error> {
    let subs = SubModels::new(site, req, cands, families);
    let priced = SolveOptions {
        time_limit: SUB_TIME_LIMIT,
        gap: 1e-4,
        verbose: std::env::var("SHIFTWISE_LOG_SEARCH").is_ok_and(|v| v == "2"),
        max_nodes: Some(SUB_MAX_NODES),
        ..opts.clone()
    };
    let Some((_, before)) = subs.block(selected, &[], false, &priced)? else {
        return Ok(None);
    };
    let guided = SolveOptions {
        time_limit: seconds,
        max_nodes: Some(GUIDED_MAX_NODES),
        ..priced
    };
    Ok(subs
        .guided(selected, relaxed, false, &guided)?
        .filter(|(_, objective)| *objective < before - 1e-6)
        .map(|(roster, _)| roster))
}

/// Run construction and improvement within `budget` seconds. Returns the selected
/// candidates (indices into `cands`), or `None` when construction failed (a block had no
/// feasible roster given the earlier blocks): the caller then solves the full model.
///
/// `relaxed`, when given, delivers the LP relaxation's value of every candidate (or nothing,
/// if the relaxation failed): with [`SearchScope::Full`], after the descent the search waits
/// for it (within its budget) and re-solves the relaxation-guided neighbourhood
/// ([`SubModels::guided`]), so within that the result does not depend on when the
/// relaxation finished. Once `stop` is set (the
/// plan's full MILP has proven its roster optimal) the search ends after the sub-MILP under
/// way. `scope` says which of its steps run.
#[allow(clippy::too_many_arguments)]
pub fn neighbourhood_search(
    site: &Site,
    req: &Requirements,
    cands: &[Candidate],
    families: &[Family],
    opts: &SolveOptions,
    budget: f64,
    relaxed: Option<std::sync::mpsc::Receiver<Vec<f64>>>,
    stop: &std::sync::atomic::AtomicBool,
    scope: SearchScope,
) -> Result<Option<(Vec<usize>, SearchStats)>, Error> {
    // The relaxation's values once they have arrived (read without waiting).
    let arrived: std::cell::RefCell<Option<Vec<f64>>> = std::cell::RefCell::new(None);
    let relaxed_now = || {
        if arrived.borrow().is_none() {
            if let Some(values) = relaxed.as_ref().and_then(|rx| rx.try_recv().ok()) {
                *arrived.borrow_mut() = Some(values);
            }
        }
        arrived.borrow().is_some()
    };
    let started = Instant::now();
    let left = || {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            0.0
        } else {
            (budget - started.elapsed().as_secs_f64()).max(0.0)
        }
    };
    let n_emp = site.employees.len();
    let subs = SubModels::new(site, req, cands, families);
    let mut stats = SearchStats::default();
    let sub_opts = |limit: f64, gap: f64| SolveOptions {
        time_limit: limit,
        gap,
        threads: opts.threads,
        seed: opts.seed,
        verbose: std::env::var("SHIFTWISE_LOG_SEARCH").is_ok_and(|v| v == "2"),
        max_nodes: Some(SUB_MAX_NODES),
    };

    // Construction: greedy, then priced exactly by one sub-MILP with every shift fixed.
    let mut selected = greedy_roster(site, req, cands);
    // Price the greedy roster with the hard model; if it breaks a hard rule (greedy could not
    // meet a minimum), search with elastic hard rules so every sub-model stays feasible.
    let mut priced = None;
    let mut elastic = false;
    for relax in [false, true] {
        elastic = relax;
        priced = subs.block(&selected, &[], relax, &sub_opts(SUB_TIME_LIMIT, 1e-4))?;
        if priced.is_some() {
            break;
        }
    }
    let Some((_, mut objective)) = priced else {
        return Ok(None);
    };
    // Re-solve with `free` employees free and everybody else as in `selected`.
    let resolve = |selected: &[usize], free: &[usize], limit: f64, gap: f64| {
        subs.block(selected, free, elastic, &sub_opts(limit, gap))
    };
    stats.constructed_objective = objective;

    // Best-response descent (where its objective is the model's), priced exactly and kept
    // only if better; again after every improving sub-MILP.
    let descent_applies = super::descent::applies(site, req, families);
    let descend = |selected: &mut Vec<usize>,
                   objective: &mut f64,
                   stats: &mut SearchStats,
                   limit: f64,
                   perturb: bool|
     -> Result<(), Error> {
        if !descent_applies || limit <= 0.0 {
            return Ok(());
        }
        let how = super::descent::DescentOptions {
            seed: opts.seed,
            budget: limit,
            spread_first: perturb,
            perturb,
            kicks: None,
        };
        // The iterated local search gives way to the guided neighbourhood once the
        // relaxation has arrived.
        let (descended, d) =
            super::descent::descend_until(site, req, cands, selected, &how, &relaxed_now);
        let total = stats.descent.get_or_insert_with(Default::default);
        total.sweeps += d.sweeps;
        total.moves += d.moves;
        total.change += d.change;
        total.seconds += d.seconds;
        total.kicks += d.kicks;
        total.strongest_kick = total.strongest_kick.max(d.strongest_kick);
        total.stopped_by_time = d.stopped_by_time;
        if d.moves == 0 {
            return Ok(());
        }
        if let Some((sel, obj)) = resolve(&descended, &[], SUB_TIME_LIMIT, 1e-4)? {
            if log_enabled() {
                eprintln!(
                    "descent: {} sweeps, {} kicks, {} moves, {:.0} -> {:.0} by its own count in {:.2} s; priced {obj:.0} (was {objective:.0})",
                    d.sweeps, d.kicks, d.moves, d.start, d.end, d.seconds
                );
            }
            if obj < *objective - 1e-6 {
                *selected = sel;
                *objective = obj;
            }
        }
        Ok(())
    };
    descend(
        &mut selected,
        &mut objective,
        &mut stats,
        (budget * DESCENT_SHARE).min(left()),
        true,
    )?;

    // A sub-MILP's roster replaces the incumbent if better, and is then descended.
    let accept = |found: Option<(Vec<usize>, f64)>,
                  selected: &mut Vec<usize>,
                  objective: &mut f64,
                  stats: &mut SearchStats|
     -> Result<(), Error> {
        if let Some((sel, obj)) = found {
            stats.subproblems += 1;
            if obj < *objective - 1e-6 {
                *selected = sel;
                *objective = obj;
                stats.improvements += 1;
                descend(selected, objective, stats, left(), false)?;
            }
        }
        Ok(())
    };

    if scope == SearchScope::BeforePlaced {
        stats.objective = objective;
        stats.seconds = started.elapsed().as_secs_f64();
        stats.stopped_by_time = left() <= 0.0;
        selected.sort_unstable();
        return Ok(Some((selected, stats)));
    }

    // Rounds of block sub-MILPs over the employees in a random order, until a round gains
    // nothing, the time is up or `done()` says so.
    let mut rng = ChaCha8Rng::seed_from_u64(u64::from(opts.seed));
    let block_rounds = |selected: &mut Vec<usize>,
                        objective: &mut f64,
                        stats: &mut SearchStats,
                        rng: &mut ChaCha8Rng,
                        done: &dyn Fn() -> bool|
     -> Result<(), Error> {
        for _ in 0..MAX_ROUNDS {
            if left() <= 0.0 || done() {
                break;
            }
            stats.rounds += 1;
            let round_start = *objective;
            let mut order: Vec<usize> = (0..n_emp).collect();
            order.shuffle(rng);
            if descent_applies {
                // One employee's best week is the descent's job; sub-MILPs are for joint
                // changes, and an employee with more candidates than a block holds would
                // sit alone.
                order.retain(|&e| subs.by_emp[e].len() <= BLOCK_CANDIDATES);
            }
            for block in blocks(&order, &subs.by_emp) {
                if left() <= 0.0 || done() {
                    return Ok(());
                }
                let found = resolve(selected, &block, left().min(SUB_TIME_LIMIT), 1e-3)?;
                accept(found, selected, objective, stats)?;
            }
            if round_start - *objective <= 1e-4 * objective.abs() {
                break;
            }
        }
        Ok(())
    };
    // Without the descent (robust plans, horizon rules) nothing else improves the roster
    // while the relaxation is still coming: blocks do, instead of waiting idle for it.
    if !descent_applies && relaxed.is_some() {
        block_rounds(
            &mut selected,
            &mut objective,
            &mut stats,
            &mut rng,
            &relaxed_now,
        )?;
    }

    // The relaxation-guided neighbourhood, once the relaxation is known.
    if !relaxed_now() {
        let wait = std::time::Duration::from_secs_f64(left());
        if let Some(values) = relaxed.as_ref().and_then(|rx| rx.recv_timeout(wait).ok()) {
            *arrived.borrow_mut() = Some(values);
        }
    }
    let guide = arrived.take().filter(|values| values.len() == cands.len());
    if let Some(values) = &guide {
        if left() > 0.0 {
            let guided_opts = SolveOptions {
                max_nodes: Some(GUIDED_MAX_NODES),
                ..sub_opts(left().min(SUB_TIME_LIMIT), 1e-4)
            };
            let found = subs.guided(&selected, values, elastic, &guided_opts)?;
            let before = objective;
            accept(found, &mut selected, &mut objective, &mut stats)?;
            if objective >= before - 1e-6 {
                // The first descent may have been cut short by its share of the time (large
                // sites): finish it, as an improvement would have.
                descend(&mut selected, &mut objective, &mut stats, left(), false)?;
            }
        }
    }

    // Improvement.
    block_rounds(&mut selected, &mut objective, &mut stats, &mut rng, &|| {
        false
    })?;
    stats.objective = objective;
    stats.seconds = started.elapsed().as_secs_f64();
    stats.stopped_by_time = left() <= 0.0;
    selected.sort_unstable();
    Ok(Some((selected, stats)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::candidate_shifts;
    use crate::staffing::requirements;

    /// `data/seattle-dst` with its requirements and candidate shifts.
    fn seattle() -> (Site, Requirements, Vec<Candidate>) {
        let (site, _) = crate::load_site(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/seattle-dst"),
        )
        .unwrap();
        let req = requirements(&site);
        let cands = candidate_shifts(&site);
        (site, req, cands)
    }

    /// `data/seattle-dst`, its greedy roster, and the descent's local optimum from it.
    fn seattle_greedy_and_descended() -> (Site, Requirements, Vec<Candidate>, Vec<usize>, Vec<usize>)
    {
        let (site, req, cands) = seattle();
        let incumbent = greedy_roster(&site, &req, &cands);
        let how = crate::model::descent::DescentOptions {
            seed: 0,
            budget: 1e9,
            spread_first: true,
            perturb: false,
            kicks: None,
        };
        let (target, _) = crate::model::descent::descend(&site, &req, &cands, &incumbent, &how);
        (site, req, cands, incumbent, target)
    }

    /// One search on one thread, never stopped by its flag: its stats.
    fn searched(
        (site, req, cands): (&Site, &Requirements, &[Candidate]),
        budget: f64,
        relaxed: Option<std::sync::mpsc::Receiver<Vec<f64>>>,
        scope: SearchScope,
    ) -> SearchStats {
        let opts = SolveOptions {
            threads: Some(1),
            ..Default::default()
        };
        let flag = std::sync::atomic::AtomicBool::new(false);
        neighbourhood_search(
            site,
            req,
            cands,
            Family::ALL,
            &opts,
            budget,
            relaxed,
            &flag,
            scope,
        )
        .unwrap()
        .unwrap()
        .1
    }

    #[test]
    fn a_sub_model_leaving_an_employee_below_a_weekly_minimum_is_no_roster() {
        // Seattle's full-timers must work every week. With every shift fixed off (an empty
        // roster), no variable takes part in their minimum rows, which therefore never reach
        // HiGHS: the sub-model must still count as having no roster (it used to be priced
        // as a roster, so an elastic search's roster breaking them was written as a plan).
        let (site, req, cands) = seattle();
        let subs = SubModels::new(&site, &req, &cands, Family::ALL);
        let opts = SolveOptions {
            threads: Some(1),
            ..Default::default()
        };
        assert!(subs.block(&[], &[], false, &opts).unwrap().is_none());
        // Elastic, the same sub-model is priced (its slack pays for the rows).
        assert!(subs.block(&[], &[], true, &opts).unwrap().is_some());
        // The greedy roster keeps them: priced.
        let greedy = greedy_roster(&site, &req, &cands);
        assert!(subs.block(&greedy, &[], false, &opts).unwrap().is_some());
    }

    #[test]
    fn a_set_stop_flag_ends_the_search_after_construction() {
        let (site, req, cands) = seattle();
        let opts = SolveOptions {
            time_limit: 600.0,
            threads: Some(1),
            ..Default::default()
        };
        let flag = std::sync::atomic::AtomicBool::new(true);
        let (_, stopped) = neighbourhood_search(
            &site,
            &req,
            &cands,
            Family::ALL,
            &opts,
            600.0,
            None,
            &flag,
            SearchScope::Full,
        )
        .unwrap()
        .unwrap();
        assert_eq!(stopped.rounds, 0);
        assert!(stopped.descent.is_none(), "no descent once stopped");
        assert_eq!(stopped.objective, stopped.constructed_objective);
        assert!(stopped.stopped_by_time);
    }

    #[test]
    fn each_scope_runs_its_steps_only() {
        let (site, req, cands) = seattle();
        let run = |scope: SearchScope| searched((&site, &req, &cands), 10.0, None, scope);
        let before = run(SearchScope::BeforePlaced);
        assert_eq!(before.rounds, 0, "no block re-optimised");
        assert_eq!(before.subproblems, 0);
        assert!(before.descent.is_some_and(|d| d.kicks > 0));
        assert!(!before.stopped_by_time, "it ended before its budget");
        let full = run(SearchScope::Full);
        assert!(full.rounds >= 1 && full.subproblems > 0);
    }

    #[test]
    fn a_guided_neighbourhood_too_large_for_its_time_limit_is_skipped() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/tokyo");
        let (site, _) = crate::load_site(&dir).unwrap();
        let req = requirements(&site);
        let cands = candidate_shifts(&site);
        let incumbent = greedy_roster(&site, &req, &cands);
        // A relaxation taking every candidate frees all of them (over 30,000): skipped at
        // once rather than handed to HiGHS for its ten minutes.
        assert!(cands.len() - incumbent.len() > GUIDED_MAX_FREE);
        let opts = SolveOptions {
            threads: Some(1),
            ..Default::default()
        };
        let started = Instant::now();
        let found = guided_restart(
            &site,
            &req,
            &cands,
            Family::ALL,
            &incumbent,
            &vec![1.0; cands.len()],
            &opts,
            600.0,
        )
        .unwrap();
        assert!(found.is_none());
        assert!(started.elapsed().as_secs_f64() < 120.0, "the sub-MILP ran");
    }

    #[test]
    fn the_guided_restart_gives_a_cheaper_roster_or_none() {
        // The "relaxation" marks a better roster (the descent's from greedy): the restart
        // from greedy returns a roster cheaper by the model's count; marking greedy's own
        // roster, nothing is freed that could be better, and it returns none.
        let (site, req, cands, incumbent, target) = seattle_greedy_and_descended();
        let opts = SolveOptions {
            threads: Some(1),
            ..Default::default()
        };
        let marking = |roster: &[usize]| {
            let mut relaxed = vec![0.0; cands.len()];
            roster.iter().for_each(|&c| relaxed[c] = 1.0);
            relaxed
        };
        let restart = |relaxed: &[f64]| {
            guided_restart(
                &site,
                &req,
                &cands,
                Family::ALL,
                &incumbent,
                relaxed,
                &opts,
                60.0,
            )
            .unwrap()
        };
        let priced = |roster: &[usize]| {
            let mut b = Builder::restricted(
                &site,
                &req,
                roster.iter().map(|&c| cands[c].clone()).collect(),
                vec![true; roster.len()],
                false,
                false,
            );
            b.build(Family::ALL);
            solve(std::mem::take(&mut b.lm), &opts).unwrap().objective
        };
        let found = restart(&marking(&target)).expect("a cheaper roster");
        assert!(
            priced(&found) < priced(&incumbent) - 1.0,
            "the restart's roster is no cheaper"
        );
        assert!(restart(&marking(&incumbent)).is_none());
    }

    #[test]
    fn guided_neighbourhood_reaches_the_roster_the_relaxation_points_to() {
        // The "relaxation" is a better roster (the descent's, as 0/1 values); from the greedy
        // incumbent, the guided sub-MILP — solved exactly here — must find a roster at least
        // that good, using only shifts of the two rosters and keeping the shifts they share.
        let (site, req, cands, incumbent, target) = seattle_greedy_and_descended();
        let exact = SolveOptions {
            time_limit: 120.0,
            gap: 0.0,
            threads: Some(1),
            seed: 0,
            verbose: false,
            max_nodes: None,
        };
        let subs = SubModels::new(&site, &req, &cands, Family::ALL);
        let price = |sel: &[usize]| subs.block(sel, &[], false, &exact).unwrap().unwrap().1;
        let (start, goal) = (price(&incumbent), price(&target));
        assert!(
            goal < start - 1.0,
            "the descent should improve on greedy: {start} → {goal}"
        );
        let mut relaxed = vec![0.0; cands.len()];
        target.iter().for_each(|&c| relaxed[c] = 1.0);
        let (found, objective) = subs
            .guided(&incumbent, &relaxed, false, &exact)
            .unwrap()
            .expect("a roster");
        assert!(
            objective <= goal + 1e-6 * goal,
            "guided {objective} vs target {goal}"
        );
        for c in &found {
            assert!(
                incumbent.contains(c) || target.contains(c),
                "shift {c} from nowhere"
            );
        }
        for c in incumbent.iter().filter(|c| target.contains(c)) {
            assert!(found.contains(c), "shared shift {c} was not kept");
        }
    }
}
