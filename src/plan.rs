//! Planning: requirements → candidates → MILP → HiGHS → roster, coverage and summary.

use serde::Serialize;

use crate::domain::Site;
use crate::model::greedy::greedy_roster;
use crate::model::search::{neighbourhood_search, SearchStats};
use crate::model::{candidate_shifts, Builder, Candidate, CostFamily, Family};
use crate::roster::{PlacedBreak, Roster, Shift};
use crate::solve::{solve, solve_relaxation_to, LpEffort, SolveOptions, SolveStatus};
use crate::staffing::{requirements, Requirements};
use crate::Error;

/// The placement of the searched roster's breaks (its pricing) stops at this share of the
/// plan's gap.
pub const PRICING_GAP_SHARE: f64 = 0.1;
/// Seconds the search must leave before the limit for the day neighbourhoods with exact
/// breaks to run ([`crate::model::days`]; one day of Tokyo takes 30–70 s).
pub const DAYS_MIN_SECONDS: f64 = 30.0;
/// Above this many candidate shifts, [`plan`] runs the neighbourhood search first.
pub const SEARCH_THRESHOLD: usize = 10_000;
/// The same threshold when break rules apply: integer break counts make the direct MILP
/// much harder (Seattle, 5,609 candidates: 15 % gap direct against 8 % by search in 60 s).
pub const SEARCH_THRESHOLD_WITH_BREAKS: usize = 1_000;
/// Seconds kept back at the end of the neighbourhood search for pricing its roster exactly
/// (placing its breaks): on Tokyo 6 s while the bound's LP still runs beside it.
pub const PRICING_RESERVE: f64 = 7.0;
/// Seconds kept back at the end of the search on a site without break rules: pricing its
/// roster is then an LP of the queue allocations with every shift fixed (0.1 s on Tokyo
/// without breaks), but the search's last sub-MILP may end a little after its time limit
/// (with 1 s kept back, 20-s plans of Tokyo without breaks ended at 19.4–20.4 s).
pub const PLAIN_PRICING_RESERVE: f64 = 2.0;
/// Seconds the neighbourhood search leaves for pricing its roster on `site`:
/// [`PRICING_RESERVE`] to place the breaks where there are break rules, else
/// [`PLAIN_PRICING_RESERVE`].
pub fn pricing_reserve(site: &Site) -> f64 {
    if site.break_rules.is_empty() {
        PLAIN_PRICING_RESERVE
    } else {
        PRICING_RESERVE
    }
}
/// On sites with break rules where the descent applies, the share of the time limit the
/// neighbourhood search gets; the descent with every break placed exactly
/// ([`crate::model::descent::descend_placed`]) then has the rest, less the pricing.
pub const SEARCH_SHARE_BEFORE_PLACED: f64 = 0.15;
/// On those sites the relaxation-guided sub-MILP runs beside the descent with breaks
/// placed, on the core the relaxation leaves, and must end by this share of the time
/// limit (the descent's second chain then starts from its roster); it runs only if that
/// leaves it [`crate::model::search::GUIDED_MIN_SECONDS`] ([`guided_restart_seconds`]).
pub const GUIDED_END_SHARE: f64 = 0.75;
/// The descent with breaks placed runs only with at least this many seconds on a large
/// site: stopped in its first sweeps, its roster can be worse than the search's
/// (prime-day, 2.4 s: 7.88 M against 7.65 M). A small site needs less
/// ([`placed_min_seconds`]).
pub const PLACED_MIN_SECONDS: f64 = 10.0;
/// Seconds of the placed descent's minimum per candidate shift, up to
/// [`PLACED_MIN_SECONDS`] (Tokyo, 17,294 candidates, and larger sites keep all of it).
pub const PLACED_MIN_SECONDS_PER_CANDIDATE: f64 = 1e-3;
/// The least minimum, however small the site.
pub const PLACED_MIN_FLOOR: f64 = 2.0;

/// The fewest seconds the descent with breaks placed needs on a site with `candidates`
/// candidate shifts: its sweeps take time in proportion. Seattle (3,067 candidates) at a
/// 10-s limit, where the placed descent has 7 s: with a fixed 10-s minimum it was left
/// out and the plan ended at 3.2–15.3 % (seeds 0–3, in 4.6 s); with it, 1.7–2.1 % in 8.6 s.
pub fn placed_min_seconds(candidates: usize) -> f64 {
    (candidates as f64 * PLACED_MIN_SECONDS_PER_CANDIDATE)
        .clamp(PLACED_MIN_FLOOR, PLACED_MIN_SECONDS)
}
/// How far above the search's value of its roster (breaks at their expected share, priced
/// by HiGHS) the placed descent's own value of it (breaks placed and settled) may be for
/// the placed descent to run: on Tokyo and gen-300 the two agree within 0.1 %. On
/// prime-day's Prime Day email load the descent's was 80 % above while only idle agents
/// did email in its valuation (its roster ended 1.3 % worse than the search's); since it
/// takes agents off the phone for email that is due, 0.4 %. With several email queues it
/// still keeps to idle agents (see [`crate::model::descent::settled_value`]).
pub const PLACED_VALUE_MARGIN: f64 = 0.05;

/// Seconds the relaxation-guided sub-MILP beside the placed descent may have when the core
/// it runs on is free `now` seconds into a plan of `time_limit` seconds: until
/// [`GUIDED_END_SHARE`] of the limit, or `None` when that is less than
/// [`crate::model::search::GUIDED_MIN_SECONDS`] (Tokyo at 20–30 s, where the relaxation
/// takes about 10 s: the second chain then starts at once).
pub fn guided_restart_seconds(time_limit: f64, now: f64) -> Option<f64> {
    let seconds = time_limit * GUIDED_END_SHARE - now;
    (seconds >= crate::model::search::GUIDED_MIN_SECONDS).then_some(seconds)
}

/// With `SHIFTWISE_LOG_SEARCH`: what the guided restart found, and when.
fn log_guided_restart(found: &Result<Option<Vec<usize>>, Error>, started: std::time::Instant) {
    if std::env::var_os("SHIFTWISE_LOG_SEARCH").is_none() {
        return;
    }
    let what = match found {
        Ok(Some(_)) => "a cheaper roster".to_string(),
        Ok(None) => "nothing cheaper".to_string(),
        // The step is a heuristic: the plan goes on without it.
        Err(e) => format!("failed ({e}); the second chain starts from the best roster"),
    };
    eprintln!(
        "guided restart: {what} at {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Whether the placed descent's value of the searched roster (`placed`) agrees with the
/// search's (`searched`) within [`PLACED_VALUE_MARGIN`].
pub fn placed_value_agrees(placed: f64, searched: f64) -> bool {
    placed <= searched + PLACED_VALUE_MARGIN * searched.abs()
}

/// Pricing time of a roster that comes with its break placement: the placement is kept
/// (every break count pinned), so HiGHS solves the LP of the queue allocations — 0.1 s on
/// Tokyo, 0.2 s on gen-300. Given 3 s to place the breaks better, it never had (Tokyo at
/// 20–120 s, gen-300 and prime-day at 120 s: each time the placed descent's own count).
pub const PLACED_PRICING_RESERVE: f64 = 1.0;
/// Seconds before the time limit at which the LP relaxation (the bound, solved beside the
/// search and the pricing) must have finished.
pub const BOUND_MARGIN: f64 = 0.5;
/// After the LP relaxation, the full MILP runs on the bound's core until [`BOUND_MARGIN`]
/// before the limit when the time left is at least this many times what the relaxation
/// took (HiGHS's root alone costs several LP solves): on small and medium sites with breaks
/// its branch-and-cut finds better rosters than the search and raises the bound by its cuts,
/// while on Tokyo-sized models it would only slow the search down.
pub const DIRECT_AFTER_BOUND: f64 = 10.0;
/// The full MILP after the bound ([`DIRECT_AFTER_BOUND`]) runs only on sites with at most
/// this many candidate shifts. With its dominated on-site
/// shifts dropped, Tokyo's relaxation takes about 10 s, so the factor alone started the full
/// MILP in a 120-s plan: there HiGHS's root LP alone takes minutes (519 s by dual simplex,
/// session 10), the placed descent lost its second chain, and the MILP ended the plan 1.3 s
/// late. Seattle (3,067 candidates) is where it pays.
pub const DIRECT_MAX_CANDIDATES: usize = 10_000;

/// Whether the full MILP runs on the bound's core after the relaxation: `candidates` in
/// the model, `left` seconds to go, the relaxation having taken `lp_seconds`.
pub fn direct_after_bound(candidates: usize, left: f64, lp_seconds: f64) -> bool {
    candidates <= DIRECT_MAX_CANDIDATES && left >= DIRECT_AFTER_BOUND * lp_seconds.max(0.1)
}

/// Seconds of the bound's interior-point solve per nonzero of the model, beside the search
/// on this 2-core machine, with presolve and a gap of 1e-3 (session 19): Tokyo 2.8–3.2e-5
/// (330 k nonzeros, 9.2–10.6 s), Prime Day 2.8–4.0e-5 (436 k, 12.4–17.3 s), the generated
/// 300-person site 3.7e-5 (758 k, 27.9 s).
pub const LP_SECONDS_PER_NONZERO: f64 = 3.5e-5;

/// The presolved relaxation (which leaves no bound when the time limit stops it) runs only
/// when expected to take at most this share of its time: Tokyo's, expected at 19.2 s with
/// 19.4 s to go in a 20-s plan, finished at 19.1 s in one run — too close to a plan
/// without a bound.
pub const PRESOLVED_LP_SHARE: f64 = 0.9;

/// How hard the bound's interior-point solve works, given the seconds it may take and the
/// model's nonzeros. Its bound is computed from the duals, so it is valid at any precision,
/// and the last iterations only polish digits: a relative gap of 1e-3 (Tokyo with breaks:
/// 18.4 s alone instead of 23.0 s, the bound 0.01 % lower). Where the solve is expected to
/// take longer than it may ([`LP_SECONDS_PER_NONZERO`]), to 1e-2 and without presolve: the
/// solve then cannot end without a bound — where the time limit stops it, its last
/// iterate's duals still give one (a 20-s Tokyo plan: 4,299,315, 0.7 % under the LP; with
/// presolve it finished in time in one run of four). See `docs/decisions.md`.
pub fn relaxation_effort(seconds: f64, nonzeros: usize) -> LpEffort {
    if LP_SECONDS_PER_NONZERO * nonzeros as f64 > PRESOLVED_LP_SHARE * seconds {
        LpEffort {
            gap: Some(1e-2),
            presolve: false,
            iterations: None,
        }
    } else {
        LpEffort {
            gap: Some(1e-3),
            presolve: true,
            iterations: None,
        }
    }
}

/// Coverage of one queue in one interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageCell {
    /// Agents required (after shrinkage; for email the workload spread over its window).
    pub required: f64,
    /// Agent time allocated to the queue (agents; fractional when agents split intervals).
    pub scheduled: f64,
}

/// Model size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ModelSize {
    /// Candidate shifts (binary variables).
    pub candidate_shifts: usize,
    /// All variables.
    pub variables: usize,
    /// Integer variables.
    pub integer_variables: usize,
    /// Constraints.
    pub constraints: usize,
}

/// Run summary (`summary.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Site name.
    pub site: String,
    /// Solver status.
    pub status: SolveStatus,
    /// Objective of the roster (site currency).
    pub objective: f64,
    /// HiGHS's lower bound on the objective.
    pub bound: f64,
    /// Relative gap.
    pub gap: f64,
    /// Solver seconds.
    pub solve_seconds: f64,
    /// Model size.
    pub model: ModelSize,
    /// Objective by family.
    pub costs: Vec<(CostFamily, f64)>,
    /// Shifts in the roster.
    pub shifts: usize,
    /// Paid hours in the roster.
    pub paid_hours: f64,
    /// Real-time interval-queue cells more than half an agent short.
    pub understaffed_intervals: usize,
    /// Missing agent-hours on real-time queues.
    pub understaffed_agent_hours: f64,
    /// The neighbourhood search's figures, when it ran.
    pub search: Option<SearchStats>,
    /// Requests by outcome (details in `requests-report.csv`).
    pub requests: RequestTally,
    /// Each employee's weekend and late shifts and share of their group's.
    pub fairness: Vec<crate::people::FairShare>,
    /// What a robust plan was planned against (`None` for an ordinary plan): its costs
    /// and coverage are then expected values over those forecast samples.
    pub robust: Option<crate::staffing::RobustPlanning>,
}

/// Requests counted by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RequestTally {
    /// Fully honoured (hard ones included).
    pub granted: usize,
    /// Honoured on some days or shifts.
    pub partly: usize,
    /// Not honoured.
    pub denied: usize,
    /// Outside the horizon, or nothing to apply to.
    pub not_applicable: usize,
}

impl Summary {
    /// The objective's share of cost family `family` (0 when the model has none of it).
    pub fn cost(&self, family: CostFamily) -> f64 {
        self.costs
            .iter()
            .filter(|(f, _)| *f == family)
            .map(|(_, c)| c)
            .sum()
    }
}

impl RequestTally {
    /// Count outcomes.
    pub fn of(outcomes: &[crate::people::RequestOutcome]) -> RequestTally {
        use crate::people::RequestStatus as S;
        let mut t = RequestTally::default();
        for o in outcomes {
            match o.status {
                S::Granted => t.granted += 1,
                S::Partly => t.partly += 1,
                S::Denied => t.denied += 1,
                S::NotApplicable => t.not_applicable += 1,
            }
        }
        t
    }
}

/// A planned roster with its coverage and summary.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The roster.
    pub roster: Roster,
    /// Requirements used.
    pub requirements: Requirements,
    /// `coverage[q][i]`.
    pub coverage: Vec<Vec<CoverageCell>>,
    /// Summary.
    pub summary: Summary,
    /// Every request's outcome, in `requests.csv` order (explained by
    /// [`crate::people::explain_denials`]).
    pub requests: Vec<crate::people::RequestOutcome>,
}

/// Plan a roster for `site`.
///
/// Fails with [`Error::Solve`] when the hard rules cannot all hold, naming the rule
/// families and the employees/days involved (found by an elastic re-solve), or when the
/// time limit passes without any roster.
pub fn plan(site: &Site, opts: &SolveOptions) -> Result<Plan, Error> {
    plan_with_families(site, opts, Family::ALL)
}

/// [`plan`] with only some model families built — for tests that show each family
/// matters, and for what-if analysis of a rule.
pub fn plan_with_families(
    site: &Site,
    opts: &SolveOptions,
    families: &[Family],
) -> Result<Plan, Error> {
    plan_for_requirements(site, opts, families, requirements(site))
}

/// [`plan_with_families`] against given requirements — e.g. robust requirements with
/// forecast samples ([`crate::scenarios::robust::robust_requirements`]).
pub fn plan_for_requirements(
    site: &Site,
    opts: &SolveOptions,
    families: &[Family],
    req: Requirements,
) -> Result<Plan, Error> {
    plan_candidates(site, opts, families, req, candidate_shifts(site))
}

/// [`plan`] with `pins` kept as they are and the rest optimized around them, by the same
/// path as any plan (greedy start, neighbourhood search on large sites). Fails naming the
/// pin rows (`rows`, their lines in the pin file) and rules when pins break a hard rule.
pub fn plan_pinned(
    site: &Site,
    opts: &SolveOptions,
    pins: &[Shift],
    rows: &[usize],
) -> Result<Plan, Error> {
    let problems = crate::living::pin_problems(site, pins, rows);
    if !problems.is_empty() {
        return Err(Error::Solve(format!(
            "pinned shifts break hard rules:\n  {}",
            problems.join("\n  ")
        )));
    }
    let mut cands = candidate_shifts(site);
    crate::model::candidates::pin_candidates(site, &mut cands, pins);
    plan_candidates(site, opts, Family::ALL, requirements(site), cands)
}

fn plan_candidates(
    site: &Site,
    opts: &SolveOptions,
    families: &[Family],
    req: Requirements,
    cands: Vec<Candidate>,
) -> Result<Plan, Error> {
    let cands = crate::model::candidates::drop_dominated_onsite(site, cands);
    let n_cands = cands.len();
    let mut search_stats = None;
    let started = std::time::Instant::now();
    let build = |cands: Vec<Candidate>, fixed: Option<Vec<bool>>| {
        let mut b = match fixed {
            Some(f) => {
                Builder::restricted(site, &req, cands, f, false, !site.break_rules.is_empty())
            }
            None => Builder::new(site, &req, cands, false),
        };
        b.build(families);
        b
    };
    let mut full = build(cands.clone(), None);
    // Rules that no roster can keep are found while building: name them at once.
    if !full.unsatisfiable.is_empty() {
        return Err(Error::Solve(unsatisfiable_message(&full.unsatisfiable)));
    }
    let size = ModelSize {
        candidate_shifts: n_cands,
        variables: full.lm.num_vars(),
        integer_variables: full.lm.num_integer(),
        constraints: full.lm.num_constraints(),
    };
    let remaining =
        |share: f64| (opts.time_limit * share - started.elapsed().as_secs_f64()).max(1.0);
    let threshold = if site.break_rules.is_empty() {
        SEARCH_THRESHOLD
    } else {
        SEARCH_THRESHOLD_WITH_BREAKS
    };
    let large = n_cands > threshold && std::env::var_os("SHIFTWISE_NO_SEARCH").is_none();
    let searched = if large {
        // Large sites: the full model's LP relaxation bounds the objective on a thread of
        // its own while the neighbourhood search finds the roster (and, once it arrives,
        // takes the relaxation's values as a guide); HiGHS then prices the roster exactly
        // with every shift fixed, while the relaxation may still run.
        let lm = std::mem::take(&mut full.lm);
        let nonzeros = lm.num_nonzeros();
        let xs = full.x.clone();
        let (send_relaxed, relaxed) = std::sync::mpsc::channel();
        let elapsed = started.elapsed().as_secs_f64();
        // Sites with break rules (and the descent's families) end with the descent with
        // every break placed exactly: the search before it has a small share, and the
        // relaxation-guided step runs beside the placed descent once the relaxation is in
        // (gen-300 at 120 s: the step before the placed descent left a core idle for its
        // 60 s, and when it found nothing the plan ended at 1.06–1.21 %).
        // It needs its minimum after the search's share, or it would be skipped and the
        // time after the search's short share left unused (Seattle at 10 s ended at 3.8 s).
        let placed_time = opts.time_limit * (1.0 - SEARCH_SHARE_BEFORE_PLACED)
            - PLACED_PRICING_RESERVE
            - BOUND_MARGIN;
        let placed_applies = !site.break_rules.is_empty()
            && placed_time >= placed_min_seconds(n_cands)
            && site.max_on_break_share.is_none()
            && crate::model::descent::applies(site, &req, families)
            && std::env::var_os("SHIFTWISE_NO_PLACED").is_none();
        use crate::model::search::SearchScope;
        let (reach, budget) = if placed_applies {
            (
                SearchScope::BeforePlaced,
                (opts.time_limit * SEARCH_SHARE_BEFORE_PLACED - elapsed).max(1.0),
            )
        } else {
            (
                SearchScope::Full,
                (opts.time_limit - elapsed - pricing_reserve(site)).max(1.0),
            )
        };
        let placed = reach != SearchScope::Full;
        if std::env::var_os("SHIFTWISE_LOG_SEARCH").is_some() {
            eprintln!(
                "search: {budget:.1} s{}",
                if placed {
                    ", then the descent with breaks placed"
                } else {
                    ""
                }
            );
        }
        // The relaxation may run on while the searched roster is priced.
        let lp_opts = opts.with_time_limit((opts.time_limit - elapsed - BOUND_MARGIN).max(1.0));
        let build = &build;
        let cands_ref = &cands;
        let req_ref = &req;
        // Set when the full MILP proves its roster optimal: the search then ends early.
        let proven = std::sync::atomic::AtomicBool::new(false);
        let proven_ref = &proven;
        // Set when the relaxation's thread is done (the relaxation in, and the full MILP
        // finished or not run): the placed descent may run a second chain on its core.
        let core_free = std::sync::atomic::AtomicBool::new(false);
        let core_free_ref = &core_free;
        let one_chain = std::env::var_os("SHIFTWISE_ONE_CHAIN").is_some();
        // The relaxation's value of every candidate, for the placed descent's kicks.
        let relaxed_values = std::sync::OnceLock::new();
        let relaxed_values_ref = &relaxed_values;
        let full_ref = &full;
        let (relaxed, priced, direct) = std::thread::scope(|scope| {
            let lp = scope.spawn(move || {
                let effort = relaxation_effort(lp_opts.time_limit, nonzeros);
                let r = solve_relaxation_to(lm, &lp_opts, effort);
                // The candidates' values (none on failure): to the placed descent where it
                // follows the search, else to the search, which may be waiting for them.
                let values = match &r {
                    Ok(o) if o.status == SolveStatus::Optimal => {
                        xs.iter().map(|&x| o.value(x)).collect()
                    }
                    _ => Vec::new(),
                };
                if !placed {
                    let _ = send_relaxed.send(values);
                } else if !values.is_empty() {
                    let _ = relaxed_values_ref.set(values);
                }
                if std::env::var_os("SHIFTWISE_LOG_SEARCH").is_some() {
                    if let Ok(o) = &r {
                        let costs: Vec<String> = full_ref
                            .cost_breakdown(o)
                            .iter()
                            .map(|(f, c)| format!("{f:?} {c:.0}"))
                            .collect();
                        eprintln!("relaxation's costs: {}", costs.join(", "));
                    }
                }
                let lp_seconds = r.as_ref().map_or(f64::INFINITY, |o| o.seconds);
                let left = opts.time_limit - started.elapsed().as_secs_f64() - BOUND_MARGIN;
                if std::env::var_os("SHIFTWISE_LOG_SEARCH").is_some() {
                    eprintln!("direct: {left:.1} s left after a relaxation of {lp_seconds:.1} s");
                }
                let direct = direct_after_bound(n_cands, left, lp_seconds).then(|| {
                    let full = build(cands_ref.clone(), None);
                    // HiGHS gets what is left once the model is built.
                    let left =
                        (opts.time_limit - started.elapsed().as_secs_f64() - BOUND_MARGIN).max(1.0);
                    let found =
                        direct_milp(site, req_ref, cands_ref, full, &opts.with_time_limit(left));
                    if matches!(&found, Ok((_, d)) if d.status == SolveStatus::Optimal) {
                        proven_ref.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    found
                });
                core_free_ref.store(true, std::sync::atomic::Ordering::Release);
                (r, direct)
            });
            let priced = neighbourhood_search(
                site,
                &req,
                &cands,
                families,
                opts,
                budget,
                // Before the placed descent the search does not use the relaxation.
                (!placed).then_some(relaxed),
                &proven,
                reach,
            )
            .and_then(|searched| match searched {
                Some((mut selected, mut stats)) => {
                    // The descent with breaks placed exactly, from the searched roster with
                    // its breaks where they cost least; the pricing keeps its placement.
                    let mut placement = None;
                    // What the placed descent may have from now.
                    let placed_left = || remaining(1.0) - PLACED_PRICING_RESERVE - BOUND_MARGIN;
                    let placed_budget = placed_left();
                    let start: Vec<crate::model::descent::PlacedShift> =
                        selected.iter().map(|&c| (c, Vec::new())).collect();
                    // The descent's valuation must agree with the search's on its roster.
                    let trusted = placed
                        && placed_budget >= placed_min_seconds(n_cands)
                        && placed_value_agrees(
                            crate::model::descent::settled_value(site, &req, &cands, &start),
                            stats.objective,
                        );
                    if placed && !trusted && std::env::var_os("SHIFTWISE_LOG_SEARCH").is_some() {
                        eprintln!(
                            "placed descent: skipped ({:.1} s left, or its valuation of the searched roster is off)",
                            placed_budget
                        );
                    }
                    if trusted {
                        let how = crate::model::descent::DescentOptions {
                            seed: opts.seed,
                            // Counted from now: the valuation above takes about a second on
                            // gen-1000, and the plan ended that much after its limit.
                            budget: placed_left(),
                            spread_first: false,
                            perturb: true,
                            kicks: None,
                        };
                        let (placed, d) = crate::model::descent::descend_placed(
                            site,
                            &req,
                            &cands,
                            &start,
                            &how,
                            &crate::model::descent::Signals {
                                enough: &|| false,
                                second_core: &|| {
                                    !one_chain
                                        && core_free.load(std::sync::atomic::Ordering::Acquire)
                                },
                                relaxed: &relaxed_values,
                                restart: &|shifts: &[usize]| {
                                    let values = relaxed_values.get()?;
                                    let seconds = guided_restart_seconds(
                                        opts.time_limit,
                                        started.elapsed().as_secs_f64(),
                                    )?;
                                    let found = crate::model::search::guided_restart(
                                        site, &req, &cands, families, shifts, values, opts,
                                        seconds,
                                    );
                                    log_guided_restart(&found, started);
                                    found.ok().flatten()
                                },
                            },
                        );
                        if std::env::var_os("SHIFTWISE_LOG_SEARCH").is_some() {
                            eprintln!(
                                "placed descent: {} chain(s){}, {} sweeps, {} kicks ({} guided, at most {} employees), {} moves, {:.0} -> {:.0} by its own count in {:.2} s",
                                d.chains, if d.guided_start { " (the second from the guided restart)" } else { "" }, d.sweeps, d.kicks, d.guided_kicks, d.strongest_kick, d.moves, d.start, d.end, d.seconds
                            );
                        }
                        // Kicks still improving when the time ran out: the run ended on
                        // time, not by convergence (the summary's status).
                        stats.stopped_by_time |= d.stopped_by_time;
                        stats.placed = Some(d);
                        selected = placed.iter().map(|(c, _)| *c).collect();
                        placement = Some(placed.into_iter().map(|(_, o)| o).collect::<Vec<_>>());
                    }
                    let chosen: Vec<Candidate> =
                        selected.iter().map(|&c| cands[c].clone()).collect();
                    let k = chosen.len();
                    let mut fixed = build(chosen.clone(), Some(vec![true; k]));
                    // The searched roster breaks a hard rule no shift of it takes part in (an
                    // employee without shifts under a weekly minimum, found by an elastic
                    // search): not a roster. The full MILP below gets the time left; if it
                    // finds none either, the plan says no roster was found in time.
                    if !fixed.unsatisfiable.is_empty() {
                        return Ok(None);
                    }
                    if let Some(offsets) = &placement {
                        fixed.pin_placement(offsets);
                    }
                    let lm = std::mem::take(&mut fixed.lm);
                    // With the placed descent's placement pinned this is an LP (a failure
                    // falls back to HiGHS placing the breaks below). Otherwise placing the
                    // breaks is part of the roster: a placement stopped at the
                    // plan's own gap would give away up to that gap (Tokyo, 60 s: 4,471,142
                    // at 0.5 % against 4,450,542 placed to 0.01 %). So a tight gap within
                    // the time left, at most the search's reserve (the day neighbourhoods
                    // below place every break again; on Tokyo this placement took 8.6–31.5 s
                    // to reach the tight gap); should that find no placement at all, the
                    // plan's gap with at least 10 s, as before.
                    // Without the placed descent and too little time for a day after it,
                    // the pricing has the rest of the time.
                    let reserve = if placement.is_some() {
                        PLACED_PRICING_RESERVE
                    } else if placed && remaining(1.0) < PRICING_RESERVE + DAYS_MIN_SECONDS {
                        f64::INFINITY
                    } else {
                        pricing_reserve(site)
                    };
                    let tight = SolveOptions {
                        gap: opts.gap * PRICING_GAP_SHARE,
                        ..opts.with_time_limit((remaining(1.0) - BOUND_MARGIN).clamp(1.0, reserve))
                    };
                    let mut out = solve(lm, &tight)?;
                    if !out.status.has_solution() {
                        fixed = build(chosen, Some(vec![true; k]));
                        let lm = std::mem::take(&mut fixed.lm);
                        out = solve(lm, &opts.with_time_limit(remaining(1.0).max(10.0)))?;
                    }
                    if std::env::var_os("SHIFTWISE_LOG_SEARCH").is_some() {
                        eprintln!(
                            "pricing: {:?} {:.0} in {:.1} s (at {:.1} s)",
                            out.status,
                            out.objective,
                            out.seconds,
                            started.elapsed().as_secs_f64()
                        );
                    }
                    if !out.status.has_solution() {
                        return Ok(None);
                    }
                    // Time left (the search converged early): day neighbourhoods with the
                    // breaks placed exactly.
                    let deadline = started
                        + std::time::Duration::from_secs_f64(
                            (opts.time_limit - BOUND_MARGIN).max(0.0),
                        );
                    let left = deadline
                        .saturating_duration_since(std::time::Instant::now())
                        .as_secs_f64();
                    if !site.break_rules.is_empty() && left >= DAYS_MIN_SECONDS {
                        let incumbent = crate::model::days::Priced {
                            selected,
                            model: fixed,
                            outcome: out,
                        };
                        let (best, days) = crate::model::days::improve_by_days(
                            site,
                            req_ref,
                            cands_ref,
                            families,
                            incumbent,
                            deadline,
                            opts,
                            std::env::var_os("SHIFTWISE_LOG_SEARCH").is_some(),
                        )?;
                        // Days stopped by the deadline: the run ended on time, not by
                        // convergence (the summary's status).
                        stats.stopped_by_time |= !days.converged;
                        stats.days = Some(days);
                        return Ok(Some((best.model, best.outcome, stats)));
                    }
                    Ok(Some((fixed, out, stats)))
                }
                None => Ok(None),
            });
            let (relaxed, direct) = lp.join().unwrap_or_else(|_| {
                (
                    Err(Error::Solve("the LP relaxation thread panicked".into())),
                    None,
                )
            });
            if std::env::var_os("SHIFTWISE_LOG_SEARCH").is_some() {
                if let Ok(r) = &relaxed {
                    eprintln!(
                        "bound: {:?} {:.0} (LP objective {:.0}) in {:.1} s (at {:.1} s)",
                        r.status,
                        r.bound,
                        r.objective,
                        r.seconds,
                        started.elapsed().as_secs_f64()
                    );
                }
                if let Some(Err(e)) = &direct {
                    eprintln!("direct: {e}");
                }
                if let Some(Ok((_, d))) = &direct {
                    eprintln!(
                        "direct: {:?} {:.0}, bound {:.0} in {:.1} s (at {:.1} s)",
                        d.status,
                        d.objective,
                        d.bound,
                        d.seconds,
                        started.elapsed().as_secs_f64()
                    );
                }
            }
            (relaxed, priced, direct)
        });
        let relaxation = match relaxed {
            Ok(r) if r.bound.is_finite() => r.bound,
            _ => f64::NAN,
        };
        // The direct MILP's failure (e.g. no roster in its time) only loses its offer.
        let direct = direct.and_then(Result::ok);
        let bound = strongest_bound(
            relaxation,
            direct.as_ref().map_or(f64::NAN, |(_, d)| d.bound),
        );
        // The better of the searched roster and the full MILP's (the only one if the search
        // found none).
        let best = match (priced?, direct) {
            (Some((_, out, stats)), Some((b, d)))
                if d.status.has_solution() && d.objective < out.objective - 1e-6 =>
            {
                Some((b, d, Some(stats)))
            }
            (Some((fixed, out, stats)), _) => Some((fixed, out, Some(stats))),
            (None, Some((b, d))) if d.status.has_solution() => Some((b, d, None)),
            (None, _) => None,
        };
        best.map(|(b, mut out, stats)| {
            out.bound = bound;
            out.gap = (out.objective - bound) / out.objective.abs().max(1e-9);
            out.status = if out.gap <= opts.gap + 1e-9 {
                SolveStatus::Optimal
            } else if stats.as_ref().is_none_or(|s| s.stopped_by_time) {
                SolveStatus::TimeLimit
            } else {
                // The search converged (no block improved) short of the gap.
                SolveStatus::OtherLimit
            };
            out.seconds = started.elapsed().as_secs_f64();
            search_stats = stats;
            (b, out)
        })
    } else {
        None
    };
    let (b, out) = match searched {
        Some(found) => found,
        None => {
            // Direct MILP; also the fallback when neither the search nor the full MILP beside
            // it found a roster keeping the hard rules.
            if large {
                full = build(cands.clone(), None);
            }
            direct_milp(
                site,
                &req,
                &cands,
                full,
                &opts.with_time_limit(remaining(1.0)),
            )?
        }
    };
    match out.status {
        SolveStatus::Infeasible => return Err(Error::Solve(diagnose(site, &req, opts))),
        SolveStatus::NoSolution => {
            return Err(Error::Solve(format!(
                "no roster found within the time limit of {} s; raise --time-limit",
                opts.time_limit
            )))
        }
        _ => {}
    }
    let (roster, coverage) = decode(site, &req, &b, &out);
    let costs = b.cost_breakdown(&out);
    Ok(summarize(
        site,
        req,
        roster,
        coverage,
        &out,
        size,
        costs,
        search_stats,
    ))
}

/// Agents short (more than 1e-6) in each real-time interval-queue cell of `coverage`.
fn realtime_shortfalls<'a>(
    site: &'a Site,
    coverage: &'a [Vec<CoverageCell>],
) -> impl Iterator<Item = f64> + 'a {
    site.queues
        .iter()
        .zip(coverage)
        .filter(|(queue, _)| !queue.is_deferred())
        .flat_map(|(_, cells)| cells.iter().map(|c| c.required - c.scheduled))
        .filter(|&short| short > 1e-6)
}

/// Coverage cells with the requirements of `req` and nothing scheduled yet.
fn unstaffed_coverage(req: &Requirements) -> Vec<Vec<CoverageCell>> {
    req.agents
        .iter()
        .map(|per_q| {
            per_q
                .iter()
                .map(|&required| CoverageCell {
                    required,
                    scheduled: 0.0,
                })
                .collect()
        })
        .collect()
}

/// The plan's summary, request outcomes and fairness shares from a decoded roster.
#[allow(clippy::too_many_arguments)]
pub(crate) fn summarize(
    site: &Site,
    req: Requirements,
    roster: Roster,
    coverage: Vec<Vec<CoverageCell>>,
    out: &crate::solve::SolveOutcome,
    size: ModelSize,
    costs: Vec<(CostFamily, f64)>,
    search_stats: Option<SearchStats>,
) -> Plan {
    let hours = site.grid.interval_hours();
    let mut understaffed_intervals = 0;
    let mut understaffed_agent_hours = 0.0;
    for short in realtime_shortfalls(site, &coverage) {
        understaffed_agent_hours += short * hours;
        if short > 0.5 {
            understaffed_intervals += 1;
        }
    }
    let requests = crate::people::request_outcomes(site, &roster);
    let summary = Summary {
        site: site.name.clone(),
        status: out.status,
        objective: out.objective,
        bound: out.bound,
        gap: out.gap,
        solve_seconds: out.seconds,
        model: size,
        costs,
        shifts: roster.shifts.len(),
        paid_hours: roster
            .shifts
            .iter()
            .map(|s| f64::from(s.paid_minutes) / 60.0)
            .sum(),
        understaffed_intervals,
        understaffed_agent_hours,
        search: search_stats,
        requests: RequestTally::of(&requests),
        fairness: crate::people::fair_shares(site, &roster),
        robust: req.robust.clone(),
    };
    Plan {
        roster,
        requirements: req,
        coverage,
        summary,
        requests,
    }
}

/// The roster and its coverage from a solved model: shifts chosen, each group's break
/// counts handed to its worked shifts in order, queue allocation per shift.
pub(crate) fn decode(
    site: &Site,
    req: &Requirements,
    b: &Builder,
    out: &crate::solve::SolveOutcome,
) -> (Roster, Vec<Vec<CoverageCell>>) {
    let n = site.grid.len();
    // Breaks: each group's counts per start dealt out to its worked shifts.
    let mut placed: std::collections::HashMap<usize, Vec<PlacedBreak>> =
        std::collections::HashMap::new();
    for (c, breaks) in b.placement(out).into_iter().enumerate() {
        for (slot, offset) in breaks {
            let start = b.cands[c].start + chrono::Duration::minutes(i64::from(offset));
            placed.entry(c).or_default().push(PlacedBreak {
                kind: slot.kind,
                start,
                end: start + chrono::Duration::minutes(i64::from(slot.minutes)),
            });
        }
    }
    placed.values_mut().for_each(|v| v.sort_by_key(|p| p.start));
    // Roster.
    let mut roster = Roster::default();
    let mut on_duty = vec![vec![0.0; n]; b.groups.len()];
    for (c, cand) in b.cands.iter().enumerate() {
        if out.value(b.x[c]) > 0.5 {
            if let Some(g) = b.group_of[cand.employee] {
                for i in cand.intervals.clone() {
                    on_duty[g][i] += 1.0;
                }
            }
        }
    }
    for (c, cand) in b.cands.iter().enumerate() {
        if out.value(b.x[c]) <= 0.5 {
            continue;
        }
        let mut allocation: Vec<(usize, f64)> = Vec::new();
        if let Some(g) = b.group_of[cand.employee] {
            let mut total = 0.0;
            for i in cand.intervals.clone() {
                for &(q, v) in &b.y[g][i] {
                    let share = out.value(v) / on_duty[g][i];
                    total += share;
                    match allocation.iter_mut().find(|(qq, _)| *qq == q) {
                        Some((_, s)) => *s += share,
                        None => allocation.push((q, share)),
                    }
                }
            }
            if total > 0.0 {
                allocation.iter_mut().for_each(|(_, s)| *s /= total);
            }
            allocation.retain(|(_, s)| *s > 0.005);
            allocation.sort_by_key(|&(q, _)| q);
        }
        roster.shifts.push(Shift {
            allocation,
            breaks: placed.remove(&c).unwrap_or_default(),
            ..cand.to_shift()
        });
    }
    roster.sort();
    // Coverage.
    let mut coverage = unstaffed_coverage(req);
    for per_group in &b.y {
        for (i, allocs) in per_group.iter().enumerate() {
            for &(q, v) in allocs {
                coverage[q][i].scheduled += out.value(v);
            }
        }
    }
    (roster, coverage)
}

/// The full MILP `full` (built over `cands`) solved by HiGHS, started from the greedy
/// roster (HiGHS drops the start if it breaks a hard rule).
fn direct_milp<'a>(
    site: &Site,
    req: &Requirements,
    cands: &[Candidate],
    mut full: Builder<'a>,
    opts: &SolveOptions,
) -> Result<(Builder<'a>, crate::solve::SolveOutcome), Error> {
    let chosen: std::collections::HashSet<usize> =
        greedy_roster(site, req, cands).into_iter().collect();
    let mut start: Vec<_> = (0..full.x.len())
        .map(|c| (full.x[c], if chosen.contains(&c) { 1.0 } else { 0.0 }))
        .collect();
    // HiGHS fixes every integer value of a start, so the greedy shifts need their break
    // counts too (without them the start was dropped): each break at the middle of the
    // starts its window allows (any combination of allowed starts keeps the spacing).
    let middle: Vec<Vec<u32>> = (0..full.x.len())
        .map(|c| {
            if chosen.contains(&c) {
                crate::model::candidates::break_starts(site, &cands[c])
                    .iter()
                    .map(|starts| starts.get(starts.len() / 2).map_or(0, |s| s.0))
                    .collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    start.extend(full.placement_start(&middle));
    full.lm.set_start(start);
    let lm = std::mem::take(&mut full.lm);
    let out = solve(lm, opts)?;
    Ok((full, out))
}

/// The larger of two lower bounds on the same objective, either of which may be unknown
/// (NaN or −∞): the LP relaxation's and HiGHS's dual bound on the full MILP. Never below
/// zero when either is known: every cost family is non-negative (idle time and fairness
/// spreads are differences that cannot go below zero), while the duals of a relaxation
/// stopped early can give much less (a robust Prime Day plan at 8 s: −20 M, "gap 293 %").
pub fn strongest_bound(relaxation: f64, milp: f64) -> f64 {
    let best = [relaxation, milp]
        .into_iter()
        .filter(|b| b.is_finite())
        .fold(f64::NAN, f64::max);
    if best.is_nan() {
        best
    } else {
        best.max(0.0)
    }
}

/// The hard rules no roster of `site` can keep, found without solving: rows no candidate
/// shift takes part in, and weekly minimums of shifts or hours beyond what the days an
/// employee can work allow (leave or classes on too many days). Empty when none is found
/// this way — the rules may still conflict in ways only a solve shows. `validate` reports
/// these; [`plan`] fails with them before solving.
pub fn unkeepable_rules(site: &Site) -> Vec<(Family, String)> {
    let req = requirements(site);
    let cands = candidate_shifts(site);
    let n = cands.len();
    // The hard families only, without break variables: no coverage rows or cuts to build.
    let hard: Vec<Family> = Family::ALL
        .iter()
        .copied()
        .filter(|f| f.holds_hard_rules())
        .collect();
    let mut b = Builder::restricted(site, &req, cands, vec![false; n], false, false);
    b.build(&hard);
    b.unsatisfiable
}

fn unsatisfiable_message(items: &[(Family, String)]) -> String {
    let mut msg = String::from("the hard rules cannot all hold; no roster can keep:\n");
    for (rule, label) in items.iter().take(12) {
        msg += &format!("  - {}: {label}\n", rule.describe());
    }
    if items.len() > 12 {
        msg += &format!("  and {} more\n", items.len() - 12);
    }
    msg
}

/// Explain infeasibility: re-solve with every hard rule made elastic (slack penalised
/// heavily) and report the rules, employees and days whose slack is needed.
pub fn diagnose(site: &Site, req: &Requirements, opts: &SolveOptions) -> String {
    let mut b = Builder::new(site, req, candidate_shifts(site), true);
    b.build_all();
    let lm = std::mem::take(&mut b.lm);
    let out = match solve(lm, opts) {
        Ok(o) if o.status.has_solution() => o,
        _ => return "the hard rules cannot all hold, and the elastic re-solve found no explanation in time".into(),
    };
    let mut by_rule: Vec<(Family, Vec<String>)> = Vec::new();
    for (rule, label, v) in &b.slacks {
        let s = out.value(*v);
        if s > 1e-6 {
            let item = format!("{label} (short by {:.2})", s);
            match by_rule.iter_mut().find(|(r, _)| r == rule) {
                Some((_, l)) => l.push(item),
                None => by_rule.push((*rule, vec![item])),
            }
        }
    }
    if by_rule.is_empty() {
        return "the hard rules cannot all hold (HiGHS proved infeasibility, but relaxing the rule families one by one did not locate it)".into();
    }
    let mut msg =
        String::from("the hard rules cannot all hold; relaxing them shows the conflict in:\n");
    for (rule, items) in by_rule {
        msg += &format!(
            "  - {}: {}",
            rule.describe(),
            items.iter().take(8).cloned().collect::<Vec<_>>().join("; ")
        );
        if items.len() > 8 {
            msg += &format!(" and {} more", items.len() - 8);
        }
        msg.push('\n');
    }
    msg
}

/// A [`Plan`] for an existing roster, without the model: e.g. `roster.csv` (and the
/// `breaks.csv` beside it) read back by [`crate::report::read_roster`], to rebuild the
/// report of a plan or to look at a roster edited by hand.
///
/// - requirements as [`plan`] computes them;
/// - coverage of real-time queues by [`crate::verify`]'s maximum-flow allocation of the
///   agents on duty net of breaks (so the understaffed figures are `verify`'s); agents left
///   over in an interval are counted on their e-mail queues (split evenly), or else on
///   their real-time queues, so overstaffing shows and e-mail gets the spare time;
/// - the summary: shifts, paid hours, understaffed interval-queues and agent-hours, request
///   outcomes ([`crate::people::request_outcomes`], without explanations) and fair shares
///   ([`crate::people::fair_shares`]);
/// - costs recomputed without the model: labour (paid hours × (hourly cost + on-site
///   extra)), understaffing (the depth tiers per real-time interval), requests (penalties
///   of the outcomes) and fairness (weight × spread per group); overstaffing, backlog and
///   team-lead shortfall need the model and are left out. `objective` is their sum.
///
/// There is no solve: `bound` and `gap` are `NaN`, `solve_seconds` 0 and the model size
/// all zeros — which is how a reader tells an evaluated plan from a solved one (the
/// status, which has no "evaluated" value, is [`SolveStatus::OtherLimit`]).
pub fn plan_from_roster(site: &Site, roster: &Roster) -> Plan {
    use crate::model::CostFamily as C;
    let req = requirements(site);
    let mut roster = roster.clone();
    roster.sort();
    let n = site.grid.len();
    let hours = site.grid.interval_hours();
    let mut coverage = unstaffed_coverage(&req);
    let groups = crate::verify::skill_groups(site, &roster);
    let mut allocator =
        crate::verify::Allocator::new(&groups.realtime_skills, groups.realtime.len());
    let mut supply = vec![0.0; groups.skills.len()];
    let mut demand = vec![0.0; groups.realtime.len()];
    let mut served = vec![0.0; groups.realtime.len()];
    // Where each group's spare agents go: its e-mail queues, else its real-time ones.
    let spare_to: Vec<Vec<usize>> = groups
        .skills
        .iter()
        .map(|sk| {
            let deferred: Vec<usize> = sk
                .iter()
                .copied()
                .filter(|&q| site.queues[q].is_deferred())
                .collect();
            if deferred.is_empty() {
                sk.clone()
            } else {
                deferred
            }
        })
        .collect();
    for i in 0..n {
        for (s, c) in supply.iter_mut().zip(&groups.supply) {
            *s = c[i];
        }
        for (d, &q) in demand.iter_mut().zip(&groups.realtime) {
            *d = req.agents[q][i];
        }
        allocator.allocate(&supply, &demand, &mut served);
        for (k, &q) in groups.realtime.iter().enumerate() {
            coverage[q][i].scheduled = served[k];
        }
        for (g, to) in spare_to.iter().enumerate() {
            let spare = allocator.unused(g);
            if spare > 1e-9 && !to.is_empty() {
                for &q in to {
                    coverage[q][i].scheduled += spare / to.len() as f64;
                }
            }
        }
    }
    // The tiered cost of understaffing on real-time queues.
    let tiers = &site.penalties.understaffing_per_agent_hour;
    let mut short_cost = 0.0;
    for short in realtime_shortfalls(site, &coverage) {
        let mut left = short;
        for (k, &cost) in tiers.iter().enumerate() {
            let depth = if k + 1 == tiers.len() {
                left
            } else {
                left.min(1.0)
            };
            short_cost += depth * cost * hours;
            left -= depth;
            if left <= 0.0 {
                break;
            }
        }
    }
    let labour = roster.labour_cost(site);
    let requests = crate::people::request_outcomes(site, &roster);
    let fairness = crate::people::fair_shares(site, &roster);
    // Fairness: weight × (most − fewest) per group of two or more, weekend and late apart.
    let mut spread = 0usize;
    let mut by_group: std::collections::BTreeMap<&str, Vec<&crate::people::FairShare>> =
        std::collections::BTreeMap::new();
    for f in &fairness {
        by_group.entry(f.group.as_str()).or_default().push(f);
    }
    for members in by_group.values().filter(|m| m.len() >= 2) {
        for count in [
            |f: &crate::people::FairShare| f.weekend_shifts,
            |f: &crate::people::FairShare| f.late_shifts,
        ] {
            let hi = members.iter().map(|f| count(f)).max().unwrap_or(0);
            let lo = members.iter().map(|f| count(f)).min().unwrap_or(0);
            spread += hi - lo;
        }
    }
    let fairness_cost = if site.fairness.weight > 0.0 {
        site.fairness.weight * spread as f64
    } else {
        0.0
    };
    let costs = vec![
        (C::Labour, labour),
        (C::Understaffing, short_cost),
        (C::Requests, requests.iter().map(|o| o.penalty).sum()),
        (C::Fairness, fairness_cost),
    ];
    let objective = costs.iter().map(|c| c.1).sum();
    let out = crate::solve::SolveOutcome {
        status: SolveStatus::OtherLimit,
        values: Vec::new(),
        objective,
        bound: f64::NAN,
        gap: f64::NAN,
        seconds: 0.0,
        size: (0, 0, 0),
    };
    let size = ModelSize {
        candidate_shifts: 0,
        variables: 0,
        integer_variables: 0,
        constraints: 0,
    };
    summarize(site, req, roster, coverage, &out, size, costs, None)
}

#[cfg(test)]
mod relaxation_effort_tests {
    use super::*;

    #[test]
    fn the_full_milp_follows_the_bound_on_small_sites_with_time_only() {
        // Seattle: 3,067 candidates, relaxation about 1 s.
        assert!(direct_after_bound(3_067, 55.0, 1.0));
        assert!(!direct_after_bound(3_067, 5.0, 1.0), "too little time");
        // Tokyo: 17,294 candidates, relaxation about 10 s, 110 s left of a 120-s plan.
        assert!(!direct_after_bound(17_294, 110.0, 9.9));
    }

    #[test]
    fn a_tight_budget_keeps_a_bound_and_an_ample_one_precision() {
        // Tokyo with breaks before its dominated on-site shifts were dropped: 547,998
        // nonzeros; its LP took 18.7-19.1 s beside the search.
        let tight = relaxation_effort(19.4, 547_998);
        assert!(!tight.presolve, "a stopped solve must still leave a bound");
        assert_eq!(tight.gap, Some(1e-2));
        let ample = relaxation_effort(29.4, 547_998);
        assert!(ample.presolve);
        assert_eq!(ample.gap, Some(1e-3));
        // The same budget is tight for a model twice as large.
        assert!(!relaxation_effort(29.4, 2 * 547_998).presolve);
    }
}

#[cfg(test)]
mod plan_from_roster_tests {
    use super::*;
    use crate::input::validate::validate_strings;

    /// One phone queue and one e-mail queue in UTC, one day; agent A (phone + email)
    /// works 08:00–10:00 on-site; phone needs agents 08:00–11:00.
    fn site() -> Site {
        let toml = "name = \"t\"\ntimezone = \"UTC\"\nstart_date = \"2026-01-05\"\ndays = 1\n\
            interval_minutes = 30\nshrinkage = 0.0\n\
            [penalties]\nunderstaffing_per_agent_hour = [1000.0, 2000.0]\nonsite_cost_per_hour = 5.0\n\
            [fairness]\nweight = 0\n\
            [[queues]]\nid = \"phone\"\nchannel = \"phone\"\nlanguage = \"en\"\n\
            [[queues]]\nid = \"email\"\nchannel = \"email\"\nlanguage = \"en\"\n\
            [[contracts]]\nid = \"ft\"\nmin_hours_per_week = 0\nmin_shifts_per_week = 0\nmin_days_off_per_week = 0\n\
            [[shift_templates]]\nid = \"two\"\nlength_hours = 2\nearliest_start = \"08:00\"\n\
            latest_start = \"12:00\"\nwork_mode = \"onsite\"\ncontracts = [\"ft\"]\n";
        let emp =
            "id,name,role,contract,work_mode,timezone,skills,hourly_cost,min_hours,max_hours\n\
            A,Ann,agent,ft,onsite,,phone;email,20,,\n";
        let mut fc = String::from("interval_start,queue,contacts,aht_seconds\n");
        for slot in 0..48 {
            let hhmm = format!("{:02}:{:02}", slot / 2, (slot % 2) * 30);
            // 1 contact of 60 s needs one phone agent (see tests/common's `need`).
            let phone = if (16..22).contains(&slot) { 1 } else { 0 };
            let email = if slot == 16 { 6 } else { 0 };
            fc += &format!(
                "2026-01-05T{hhmm},phone,{phone},60\n2026-01-05T{hhmm},email,{email},300\n"
            );
        }
        let req = "employee,kind,date,weekday,from,to,strength,weight,value,note\n\
            A,prefer_off,2026-01-05,,,,soft,70,,dentist\n";
        let v = validate_strings(toml, emp, &fc, req);
        assert!(v.errors.is_empty(), "{:#?}", v.errors);
        v.site.unwrap()
    }

    #[test]
    fn the_guided_restart_runs_only_with_its_minimum_before_its_end() {
        use crate::model::search::GUIDED_MIN_SECONDS;
        // gen-300 at 120 s, the relaxation in at 30 s: until 90 s.
        assert_eq!(guided_restart_seconds(120.0, 30.0), Some(60.0));
        // Tokyo at 20 and 30 s, the relaxation in at about 10.5 s: none.
        assert_eq!(guided_restart_seconds(20.0, 10.5), None);
        assert_eq!(guided_restart_seconds(30.0, 10.5), None);
        // Exactly its minimum left before the end: it runs.
        let limit = 100.0;
        let now = limit * GUIDED_END_SHARE - GUIDED_MIN_SECONDS;
        assert_eq!(guided_restart_seconds(limit, now), Some(GUIDED_MIN_SECONDS));
        assert_eq!(guided_restart_seconds(limit, now + 0.1), None);
    }

    #[test]
    fn only_a_site_with_breaks_keeps_seconds_back_to_place_them() {
        let mut site = site();
        assert!(site.break_rules.is_empty());
        assert_eq!(pricing_reserve(&site), PLAIN_PRICING_RESERVE);
        let tokyo =
            crate::load_site(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/tokyo"))
                .unwrap()
                .0;
        site.break_rules = tokyo.break_rules;
        assert_eq!(pricing_reserve(&site), PRICING_RESERVE);
    }

    #[test]
    fn the_placed_descent_needs_more_time_on_larger_sites_up_to_its_minimum() {
        use super::{placed_min_seconds, PLACED_MIN_FLOOR, PLACED_MIN_SECONDS};
        assert_eq!(placed_min_seconds(100), PLACED_MIN_FLOOR);
        assert!((placed_min_seconds(3_067) - 3.067).abs() < 1e-9, "Seattle");
        assert_eq!(placed_min_seconds(17_294), PLACED_MIN_SECONDS, "Tokyo");
        let mut last = 0.0;
        for n in (0..40_000).step_by(500) {
            let m = placed_min_seconds(n);
            assert!(m >= last && (PLACED_MIN_FLOOR..=PLACED_MIN_SECONDS).contains(&m));
            last = m;
        }
    }

    #[test]
    fn the_strongest_bound_ignores_unknown_ones() {
        assert_eq!(strongest_bound(10.0, 12.0), 12.0);
        assert_eq!(strongest_bound(12.0, 10.0), 12.0);
        assert_eq!(strongest_bound(f64::NAN, 10.0), 10.0);
        assert_eq!(strongest_bound(10.0, f64::NEG_INFINITY), 10.0);
        assert!(strongest_bound(f64::NAN, f64::NAN).is_nan());
        // No cost is negative: a negative bound says no more than zero does.
        assert_eq!(strongest_bound(-2e7, f64::NAN), 0.0);
        assert_eq!(strongest_bound(-2e7, -1.0), 0.0);
    }

    #[test]
    fn plan_from_roster_recomputes_coverage_costs_and_outcomes() {
        let site = site();
        let start = site.grid.intervals[16].start_utc; // 08:00
        let roster = Roster {
            shifts: vec![Shift {
                employee: 0,
                day: 0,
                template: 0,
                start,
                end: start + chrono::Duration::hours(2),
                mode: crate::domain::ShiftMode::Onsite,
                paid_minutes: 120,
                allocation: Vec::new(),
                breaks: Vec::new(),
            }],
        };
        let plan = plan_from_roster(&site, &roster);
        let sm = &plan.summary;
        // Phone: covered 08:00–10:00 (one agent each), short 10:00–11:00 (two intervals).
        let check = crate::verify::verify(&site, &roster, &plan.requirements.agents);
        assert!(check.violations.is_empty(), "{:?}", check.violations);
        for i in 0..site.grid.len() {
            assert!((plan.coverage[0][i].scheduled - check.coverage[0][i]).abs() < 1e-9);
        }
        assert_eq!(plan.coverage[0][16].scheduled, 1.0);
        assert_eq!(plan.coverage[0][20].scheduled, 0.0);
        assert_eq!(sm.understaffed_intervals, 2);
        assert!((sm.understaffed_agent_hours - 1.0).abs() < 1e-9);
        assert!((sm.understaffed_agent_hours - check.understaffed_agent_hours).abs() < 1e-9);
        // Spare time of A (none: phone needs A throughout) goes to e-mail; e-mail needs some.
        assert!(plan.coverage[1].iter().all(|c| c.scheduled.abs() < 1e-9));
        assert!(plan.coverage[1].iter().any(|c| c.required > 0.0));
        // Costs: labour 2 h × (20 + 5); understaffing 1 agent-hour at the first tier;
        // the denied prefer-off request its weight; fairness off.
        let cost =
            |f: crate::model::CostFamily| sm.costs.iter().find(|c| c.0 == f).map(|c| c.1).unwrap();
        assert_eq!(cost(crate::model::CostFamily::Labour), 50.0);
        assert!((cost(crate::model::CostFamily::Understaffing) - 1000.0).abs() < 1e-6);
        assert_eq!(cost(crate::model::CostFamily::Requests), 70.0);
        assert_eq!(cost(crate::model::CostFamily::Fairness), 0.0);
        assert!((sm.objective - 1120.0).abs() < 1e-6);
        assert_eq!((sm.requests.denied, sm.requests.granted), (1, 0));
        assert_eq!(
            plan.requests[0].status,
            crate::people::RequestStatus::Denied
        );
        assert_eq!(sm.shifts, 1);
        assert_eq!(sm.paid_hours, 2.0);
        assert_eq!(sm.fairness.len(), 1);
        assert!(sm.bound.is_nan() && sm.model.variables == 0);
        // With no one on duty, A's spare time is nil and everything is short; with A
        // working 06:00–08:00 instead, the spare agent time goes to e-mail.
        let early = site.grid.intervals[12].start_utc;
        let mut moved = roster.clone();
        moved.shifts[0].start = early;
        moved.shifts[0].end = early + chrono::Duration::hours(2);
        let plan = plan_from_roster(&site, &moved);
        assert_eq!(plan.coverage[1][12].scheduled, 1.0);
        assert_eq!(plan.summary.understaffed_intervals, 6);
    }
}

#[cfg(test)]
mod direct_milp_tests {
    use super::*;

    #[test]
    fn the_full_milp_keeps_its_greedy_start_on_a_site_with_breaks() {
        let (site, _) = crate::load_site(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/seattle-dst"),
        )
        .unwrap();
        assert!(!site.break_rules.is_empty());
        let req = requirements(&site);
        let cands = candidate_shifts(&site);
        let mut full = Builder::new(&site, &req, cands.clone(), false);
        full.build(Family::ALL);
        // No node at all: whatever HiGHS returns is the start it was given, or nothing.
        let opts = SolveOptions {
            max_nodes: Some(0),
            threads: Some(1),
            ..SolveOptions::default()
        };
        let (b, out) = direct_milp(&site, &req, &cands, full, &opts).unwrap();
        assert!(
            out.status.has_solution(),
            "the start was dropped: {:?}",
            out.status
        );
        let worked: std::collections::HashSet<usize> = b.worked(&out).collect();
        let greedy: std::collections::HashSet<usize> =
            greedy_roster(&site, &req, &cands).into_iter().collect();
        assert_eq!(worked, greedy, "the roster is the greedy start's");
    }
}
