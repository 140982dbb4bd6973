//! Day neighbourhoods with exact break placement: the last improvement step on sites with
//! break rules.
//!
//! The neighbourhood search ([`super::search`]) values every shift net of its *expected*
//! breaks, which keeps its sub-MILPs small but cannot see where a break could fall in a lull.
//! Here one day at a time is re-optimised with every employee free on that day, every other
//! day's shifts fixed, and the breaks placed exactly (integer break counts): a sub-MILP whose
//! objective is the roster's own. A better roster replaces the incumbent; the days are
//! visited in turn until a whole round improves nothing or the time is up.
//!
//! Each sub-MILP starts from the incumbent, *including* its break placement
//! ([`Builder::break_start`]): HiGHS fixes every integer value of a start, so a start
//! without the break counts would be rejected and the sub-MILP could end worse than the
//! roster it began from.

use std::time::Instant;

use super::{Builder, Candidate, Family};
use crate::domain::Site;
use crate::solve::{solve, SolveOptions, SolveOutcome};
use crate::staffing::Requirements;
use crate::Error;

/// Node limit of one day's sub-MILP: its improvements come from HiGHS's heuristics at
/// the root, and a node limit (unlike a time limit) gives the same result on every machine
/// wherever the deadline does not cut a day short.
pub const DAY_MAX_NODES: u32 = 1;
/// Relative gap at which a day's sub-MILP stops.
pub const DAY_GAP: f64 = 1e-4;

/// What the day neighbourhoods did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct DayStats {
    /// Day sub-MILPs solved.
    pub subproblems: usize,
    /// Of those, how many improved the roster.
    pub improvements: usize,
    /// Objective of the roster handed in.
    pub start: f64,
    /// Objective after the last improvement.
    pub end: f64,
    /// Seconds spent.
    pub seconds: f64,
    /// Whether a whole round of days improved nothing (rather than the deadline ending it).
    pub converged: bool,
}

/// A roster with its exact model and solution: the selected candidates (indices into the
/// site's candidates), the model built over them and HiGHS's outcome on it.
pub struct Priced<'a> {
    /// Selected candidates.
    pub selected: Vec<usize>,
    /// The model the outcome belongs to.
    pub model: Builder<'a>,
    /// Its solution: objective, break placement.
    pub outcome: SolveOutcome,
}

/// Whether a day sub-MILP starts with `left` seconds to the deadline, the shortest day so
/// far having taken `shortest` (infinite before the first): at least a second, and at least
/// as long as that day.
fn day_fits(left: f64, shortest: f64) -> bool {
    left >= 1.0 && (shortest.is_infinite() || left >= shortest)
}

/// Improve `incumbent` by day neighbourhoods until `deadline` (see the module comment).
/// `cands` are all candidates of the site; `incumbent.model` must be a model over candidates
/// of `cands` with exact breaks, solved. Returns the best roster found (the incumbent if
/// nothing improved) with its model and solution.
#[allow(clippy::too_many_arguments)]
pub fn improve_by_days<'a>(
    site: &'a Site,
    req: &'a Requirements,
    cands: &[Candidate],
    families: &[Family],
    mut incumbent: Priced<'a>,
    deadline: Instant,
    opts: &SolveOptions,
    log: bool,
) -> Result<(Priced<'a>, DayStats), Error> {
    let started = Instant::now();
    let mut stats = DayStats {
        start: incumbent.outcome.objective,
        end: incumbent.outcome.objective,
        ..DayStats::default()
    };
    let days = cands.iter().map(|c| c.day + 1).max().unwrap_or(0);
    // The incumbent's break placement, the start of every day's sub-MILP until it changes.
    let mut counts = incumbent.model.break_counts(&incumbent.outcome);
    let mut unimproved = 0;
    let mut day = 0;
    // The shortest day so far (seconds): a day with less time than that would be cut
    // before its root heuristics, and HiGHS has overrun short limits there (gen-300: a day
    // given 14 s took 43.6 s, ending a 120-s plan at 149 s).
    let mut shortest = f64::INFINITY;
    while unimproved < days {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        if !day_fits(left, shortest) {
            break;
        }
        let day_started = Instant::now();
        let sub_opts = SolveOptions {
            time_limit: left,
            gap: DAY_GAP,
            max_nodes: Some(DAY_MAX_NODES),
            verbose: std::env::var("SHIFTWISE_LOG_SEARCH").is_ok_and(|v| v == "2"),
            ..opts.clone()
        };
        let found = solve_day(
            site, req, cands, families, &incumbent, &counts, day, &sub_opts, deadline,
        )?;
        stats.subproblems += 1;
        shortest = shortest.min(day_started.elapsed().as_secs_f64());
        let before = incumbent.outcome.objective;
        let better = found.filter(|p| p.outcome.objective < before - 1e-6 * before.abs().max(1.0));
        if log {
            eprintln!(
                "days: day {day}: {} ({:.1} s)",
                better
                    .as_ref()
                    .map_or("no better roster".to_string(), |p| format!(
                        "{before:.0} -> {:.0}",
                        p.outcome.objective
                    )),
                started.elapsed().as_secs_f64()
            );
        }
        match better {
            Some(p) => {
                counts = p.model.break_counts(&p.outcome);
                incumbent = p;
                stats.improvements += 1;
                unimproved = 1;
            }
            None => unimproved += 1,
        }
        day = (day + 1) % days.max(1);
    }
    stats.converged = unimproved >= days;
    stats.end = incumbent.outcome.objective;
    stats.seconds = started.elapsed().as_secs_f64();
    Ok((incumbent, stats))
}

/// One day's sub-MILP: every candidate of `day` free, every other day as in the incumbent,
/// started from the incumbent and its break placement `counts`, solved until `deadline` at
/// the latest. `None` if HiGHS found no roster.
#[allow(clippy::too_many_arguments)]
fn solve_day<'a>(
    site: &'a Site,
    req: &'a Requirements,
    cands: &[Candidate],
    families: &[Family],
    incumbent: &Priced<'a>,
    counts: &super::BreakCounts,
    day: usize,
    opts: &SolveOptions,
    deadline: Instant,
) -> Result<Option<Priced<'a>>, Error> {
    let mut index: Vec<usize> = incumbent
        .selected
        .iter()
        .copied()
        .filter(|&c| cands[c].day != day)
        .collect();
    let fixed_count = index.len();
    index.extend((0..cands.len()).filter(|&c| cands[c].day == day));
    let sub: Vec<Candidate> = index.iter().map(|&c| cands[c].clone()).collect();
    let fixed: Vec<bool> = (0..index.len()).map(|k| k < fixed_count).collect();
    let mut b = Builder::restricted(site, req, sub, fixed, false, true);
    b.build(families);
    let chosen: std::collections::HashSet<usize> = incumbent.selected.iter().copied().collect();
    let mut start: Vec<_> = index
        .iter()
        .enumerate()
        .map(|(k, c)| (b.x[k], if chosen.contains(c) { 1.0 } else { 0.0 }))
        .collect();
    start.extend(b.break_start(counts));
    b.lm.set_start(start);
    let lm = std::mem::take(&mut b.lm);
    // Building the model takes seconds on Tokyo: HiGHS gets what is left of the time.
    let left = deadline
        .saturating_duration_since(Instant::now())
        .as_secs_f64();
    if left < 1.0 {
        return Ok(None);
    }
    let out = solve(lm, &opts.with_time_limit(left))?;
    if !out.status.has_solution() {
        return Ok(None);
    }
    let selected = b.worked(&out).map(|k| index[k]).collect();
    Ok(Some(Priced {
        selected,
        model: b,
        outcome: out,
    }))
}

#[cfg(test)]
mod tests {
    use super::day_fits;

    #[test]
    fn a_day_starts_only_with_the_time_the_shortest_day_took() {
        assert!(
            day_fits(5.0, f64::INFINITY),
            "the first day needs a second only"
        );
        assert!(!day_fits(0.5, f64::INFINITY));
        assert!(day_fits(40.0, 37.7));
        assert!(!day_fits(14.0, 37.7), "gen-300's overrun");
        assert!(!day_fits(0.9, 0.1));
    }
}
