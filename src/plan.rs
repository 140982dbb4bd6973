//! Planning: requirements → candidates → MILP → HiGHS → roster, coverage and summary.

use serde::Serialize;

use crate::domain::Site;
use crate::model::greedy::greedy_roster;
use crate::model::search::{neighbourhood_search, SearchStats};
use crate::model::{candidate_shifts, Builder, Candidate, CostFamily, Family};
use crate::roster::{PlacedBreak, Roster, Shift};
use crate::solve::{solve, solve_relaxation, SolveOptions, SolveStatus};
use crate::staffing::{requirements, Requirements};
use crate::Error;

/// Above this many candidate shifts, [`plan`] runs the neighbourhood search first.
pub const SEARCH_THRESHOLD: usize = 10_000;
/// The same threshold when break rules apply: integer break counts make the direct MILP
/// much harder (Seattle, 5,609 candidates: 15 % gap direct against 8 % by search in 60 s).
pub const SEARCH_THRESHOLD_WITH_BREAKS: usize = 1_000;
/// Share of the time limit the LP relaxation (the bound) may use on large sites; the
/// neighbourhood search gets the rest.
pub const BOUND_SHARE: f64 = 0.7;
/// Seconds kept back at the end for pricing the searched roster exactly.
pub const PRICING_RESERVE: f64 = 4.0;

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
    let req = requirements(site);
    let cands = candidate_shifts(site);
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
        // Large sites: the full model's LP relaxation bounds the objective first; the
        // neighbourhood search then finds the roster in the time left, and HiGHS prices it
        // exactly with every shift fixed.
        let lm = std::mem::take(&mut full.lm);
        let relaxed = solve_relaxation(lm, &opts.with_time_limit(remaining(BOUND_SHARE)))?;
        let bound = if relaxed.status == SolveStatus::Optimal {
            relaxed.objective
        } else {
            f64::NAN
        };
        let budget = (opts.time_limit - started.elapsed().as_secs_f64() - PRICING_RESERVE).max(1.0);
        match neighbourhood_search(site, &req, &cands, families, opts, budget)? {
            Some((selected, stats)) => {
                let chosen: Vec<Candidate> = selected.iter().map(|&c| cands[c].clone()).collect();
                let k = chosen.len();
                let mut fixed = build(chosen, Some(vec![true; k]));
                let lm = std::mem::take(&mut fixed.lm);
                let mut out = solve(lm, &opts.with_time_limit(remaining(1.0).max(10.0)))?;
                if out.status.has_solution() {
                    out.bound = bound;
                    out.gap = (out.objective - bound) / out.objective.abs().max(1e-9);
                    out.status = if out.gap <= opts.gap {
                        SolveStatus::Optimal
                    } else if stats.stopped_by_time {
                        SolveStatus::TimeLimit
                    } else {
                        // The search converged (no block improved) short of the gap.
                        SolveStatus::OtherLimit
                    };
                    out.seconds = started.elapsed().as_secs_f64();
                    search_stats = Some(stats);
                    Some((fixed, out))
                } else {
                    None
                }
            }
            None => None,
        }
    } else {
        None
    };
    let (b, out) = match searched {
        Some(found) => found,
        None => {
            // Direct MILP, started from the greedy roster (HiGHS drops the start if it breaks
            // a hard rule). Also the fallback when the search's roster broke a hard rule.
            if large {
                full = build(cands.clone(), None);
            }
            let chosen: std::collections::HashSet<usize> =
                greedy_roster(site, &req, &cands).into_iter().collect();
            let start: Vec<_> = (0..full.x.len())
                .map(|c| (full.x[c], if chosen.contains(&c) { 1.0 } else { 0.0 }))
                .collect();
            full.lm.set_start(start);
            let lm = std::mem::take(&mut full.lm);
            let out = solve(lm, &opts.with_time_limit(remaining(1.0)))?;
            (full, out)
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
    // Breaks: hand each group's counts per start to its worked shifts, in order.
    let mut placed: std::collections::HashMap<usize, Vec<PlacedBreak>> =
        std::collections::HashMap::new();
    for group in &b.breaks {
        let worked: Vec<usize> = group
            .members
            .iter()
            .copied()
            .filter(|&c| out.value(b.x[c]) > 0.5)
            .collect();
        for (slot, positions) in &group.slots {
            let offsets = positions.iter().flat_map(|&(offset, v)| {
                std::iter::repeat_n(offset, out.value(v).round().max(0.0) as usize)
            });
            for (&c, offset) in worked.iter().zip(offsets) {
                let start = b.cands[c].start + chrono::Duration::minutes(i64::from(offset));
                placed.entry(c).or_default().push(PlacedBreak {
                    kind: slot.kind,
                    start,
                    end: start + chrono::Duration::minutes(i64::from(slot.minutes)),
                });
            }
        }
    }
    placed.values_mut().for_each(|v| v.sort_by_key(|p| p.start));
    // Roster.
    let mut roster = Roster::default();
    let n = site.grid.len();
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
            employee: cand.employee,
            day: cand.day,
            template: cand.template,
            start: cand.start,
            end: cand.end,
            mode: cand.mode,
            paid_minutes: cand.paid_minutes,
            allocation,
            breaks: placed.remove(&c).unwrap_or_default(),
        });
    }
    roster.sort();
    // Coverage.
    let mut coverage: Vec<Vec<CoverageCell>> = (0..site.queues.len())
        .map(|q| {
            (0..n)
                .map(|i| CoverageCell {
                    required: req.agents[q][i],
                    scheduled: 0.0,
                })
                .collect()
        })
        .collect();
    for per_group in &b.y {
        for (i, allocs) in per_group.iter().enumerate() {
            for &(q, v) in allocs {
                coverage[q][i].scheduled += out.value(v);
            }
        }
    }
    let hours = site.grid.interval_hours();
    let mut understaffed_intervals = 0;
    let mut understaffed_agent_hours = 0.0;
    for (q, queue) in site.queues.iter().enumerate() {
        if queue.is_deferred() {
            continue;
        }
        for cell in &coverage[q] {
            let short = cell.required - cell.scheduled;
            if short > 1e-6 {
                understaffed_agent_hours += short * hours;
            }
            if short > 0.5 {
                understaffed_intervals += 1;
            }
        }
    }
    let summary = Summary {
        site: site.name.clone(),
        status: out.status,
        objective: out.objective,
        bound: out.bound,
        gap: out.gap,
        solve_seconds: out.seconds,
        model: size,
        costs: b.cost_breakdown(&out),
        shifts: roster.shifts.len(),
        paid_hours: roster
            .shifts
            .iter()
            .map(|s| f64::from(s.paid_minutes) / 60.0)
            .sum(),
        understaffed_intervals,
        understaffed_agent_hours,
        search: search_stats,
    };
    Ok(Plan {
        roster,
        requirements: req,
        coverage,
        summary,
    })
}

fn unsatisfiable_message(items: &[(Family, String)]) -> String {
    let mut msg = String::from("the hard rules cannot all hold; no roster can keep:\n");
    for (rule, label) in items.iter().take(12) {
        msg += &format!(
            "  - {}: {label} (no candidate shift can count toward it)\n",
            rule.describe()
        );
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
