//! Living rosters: pinned shifts, minimal-change re-planning of a published roster after
//! sick calls and forecast changes, and what changed for whom.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::domain::Site;
use crate::model::{candidate_shifts, Builder, Candidate, CostFamily, Family};
use crate::plan::{decode, summarize, Plan};
use crate::roster::{Roster, Shift};
use crate::solve::{solve, SolveOptions, SolveStatus};
use crate::staffing::requirements;
use crate::verify::verify;
use crate::Error;

/// A published roster to re-plan from.
#[derive(Debug, Clone)]
pub struct Published {
    /// The roster people were told.
    pub roster: Roster,
    /// Nothing starting before this instant changes: it is the past.
    pub from: DateTime<Utc>,
    /// Only shifts starting in `[from, from + window)` may change; later ones stand.
    pub window: Duration,
    /// Base cost of changing one employee-day (a shift added, removed or moved);
    /// ×3 when the shift starts within 24 h of `from`, ×2 within 72 h.
    pub change_cost: f64,
}

/// What a re-plan must keep: pinned shifts, and a published roster to stay close to.
#[derive(Debug, Clone, Default)]
pub struct Commitments {
    /// Shifts that must be in the roster as they are.
    pub pinned: Vec<Shift>,
    /// The published roster, when re-planning.
    pub published: Option<Published>,
}

/// Cost of changing an employee-day whose (old or new) shift starts at `t`.
pub fn change_weight(p: &Published, t: DateTime<Utc>) -> f64 {
    let hours = (t - p.from).num_minutes() as f64 / 60.0;
    let factor = if hours < 24.0 {
        3.0
    } else if hours < 72.0 {
        2.0
    } else {
        1.0
    };
    p.change_cost * factor
}

/// A default change cost for `site`: an average 8-hour shift's labour cost, so a change
/// (×2 or ×3 in the next days) must gain more than a few shifts' worth of cost to be made.
pub fn default_change_cost(site: &Site) -> f64 {
    let n = site.employees.len().max(1) as f64;
    let mean: f64 = site.employees.iter().map(|e| e.hourly_cost).sum::<f64>() / n;
    (mean * 8.0).max(1.0)
}

/// Whether any of the hard-blocked `spans` overlaps `[from, to)`.
fn blocked_between(
    spans: &[(DateTime<Utc>, DateTime<Utc>)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> bool {
    spans.iter().any(|&(a, b)| from < b && a < to)
}

/// The site with absences excused: an employee whose published shifts now fall in hard
/// unavailability (a sick call, moved exam) has their weekly minimums lowered by those
/// shifts — the absence counts as worked for the minimum, as sick leave does — through a
/// copy of their contract. Without it a sick call would force the employee to make up
/// the lost shift later in the week. The lowered minimum applies to every week of the
/// horizon (re-plans usually look at one). Returns the site and how many employees changed.
pub fn excuse_absences(site: &Site, published: &Roster) -> (Site, usize) {
    let mut out = site.clone();
    let blocks = crate::model::candidates::hard_blocks(site);
    let mut excused = 0;
    for (e, blocked) in blocks.iter().enumerate() {
        let lost: Vec<&Shift> = published
            .of_employee(e)
            .filter(|s| blocked_between(blocked, s.start, s.end))
            .collect();
        if lost.is_empty() {
            continue;
        }
        excused += 1;
        let hours: f64 = lost.iter().map(|s| f64::from(s.paid_minutes) / 60.0).sum();
        let old = site.employees[e].contract;
        let mut c = site.contracts[old].clone();
        c.id = format!("{} (absence excused: {})", c.id, site.employees[e].id);
        c.min_shifts_per_week = c.min_shifts_per_week.saturating_sub(lost.len() as u32);
        c.min_hours_per_week = (c.min_hours_per_week - hours).max(0.0);
        out.contracts.push(c);
        let new = out.contracts.len() - 1;
        for t in &mut out.templates {
            if t.contracts.contains(&old) {
                t.contracts.push(new);
            }
        }
        let emp = &mut out.employees[e];
        emp.contract = new;
        if let Some(m) = emp.min_hours {
            emp.min_hours = Some((m - hours).max(0.0));
        }
    }
    (out, excused)
}

/// Problems with pinned shifts, one line each naming the pin's position (1-based row
/// among the pins) and the rule it breaks: rules a single shift or the pins together
/// break whatever else is planned (template, window, availability, double booking,
/// rest, consecutive days, days off, weekly maximums, seats). Weekly minimums and
/// breaks are left out: the plan around the pins can still meet them.
pub fn pin_problems(site: &Site, pins: &[Shift], rows: &[usize]) -> Vec<String> {
    let row = |k: usize| rows.get(k).copied().unwrap_or(k + 1);
    let mut out = Vec::new();
    let zero = vec![vec![0.0; site.grid.len()]; site.queues.len()];
    for (k, s) in pins.iter().enumerate() {
        let one = Roster {
            shifts: vec![s.clone()],
        };
        for v in verify(site, &one, &zero).violations {
            if pin_rule_applies(v.rule, &v.detail) {
                out.push(format!(
                    "pin row {}: {}: {} ({})",
                    row(k),
                    v.rule,
                    v.detail,
                    v.employee
                ));
            }
        }
    }
    if out.is_empty() {
        let mut all = Roster {
            shifts: pins.to_vec(),
        };
        all.sort();
        for v in verify(site, &all, &zero).violations {
            if pin_rule_applies(v.rule, &v.detail) {
                let rows_of: Vec<String> = pins
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| site.employees[s.employee].id == v.employee)
                    .map(|(k, _)| row(k).to_string())
                    .collect();
                out.push(format!(
                    "pin rows {}: {}: {} ({})",
                    rows_of.join(", "),
                    v.rule,
                    v.detail,
                    v.employee
                ));
            }
        }
    }
    out
}

/// Whether a verify violation on pins alone is a real conflict (not a minimum the rest
/// of the plan can still meet, nor breaks, which are re-planned).
fn pin_rule_applies(rule: &str, detail: &str) -> bool {
    match rule {
        "breaks" | "stagger" | "paid_time" => false,
        "weekly_hours" | "weekly_shifts" => {
            // "week 1: 12 paid hours, allowed 32–40": a breach only above the maximum.
            let num = |s: &str| s.trim().parse::<f64>().ok();
            let got = detail
                .split(':')
                .nth(1)
                .and_then(|s| s.split_whitespace().next())
                .and_then(num);
            let max = detail.rsplit('–').next().and_then(num);
            matches!((got, max), (Some(g), Some(m)) if g > m + 1e-6)
        }
        _ => true,
    }
}

/// Plan `site` keeping `commitments`: pinned shifts are fixed; with a published roster,
/// shifts before `from` and after the window are kept as published, shifts inside the
/// window are re-optimized with a disruption cost per changed employee-day (see
/// [`change_weight`]). Solved as one MILP started from the published roster.
/// Fails naming the pin rows and rules when pinned shifts break a hard rule.
pub fn plan_committed(
    site: &Site,
    opts: &SolveOptions,
    commitments: &Commitments,
    pin_rows: &[usize],
) -> Result<Plan, Error> {
    let problems = pin_problems(site, &commitments.pinned, pin_rows);
    if !problems.is_empty() {
        return Err(Error::Solve(format!(
            "pinned shifts break hard rules:\n  {}",
            problems.join("\n  ")
        )));
    }
    let started = std::time::Instant::now();
    let req = requirements(site);
    let all = candidate_shifts(site);
    let free_span = commitments
        .published
        .as_ref()
        .map(|p| (p.from, p.from + p.window));
    let is_free_time = |t: DateTime<Utc>| match free_span {
        Some((a, b)) => a <= t && t < b,
        None => true,
    };
    // Fixed: pins, and published shifts outside the window — except a shift in progress at
    // `from` whose rest a sick call now overlaps (the agent went home): it leaves the
    // roster, so the time it no longer covers is planned again like any other absence
    // (kept, it broke availability and still counted as coverage). Shifts that ended
    // before `from` were worked and stay.
    let blocks = crate::model::candidates::hard_blocks(site);
    let went_home = |s: &Shift| match &commitments.published {
        Some(p) if s.start < p.from && p.from < s.end => {
            blocked_between(&blocks[s.employee], p.from, s.end)
        }
        _ => false,
    };
    let mut fixed_shifts: Vec<&Shift> = commitments.pinned.iter().collect();
    if let Some(p) = &commitments.published {
        fixed_shifts.extend(
            p.roster
                .shifts
                .iter()
                .filter(|s| !is_free_time(s.start) && !went_home(s)),
        );
    }
    let mut cands: Vec<Candidate> = fixed_shifts
        .iter()
        .map(|s| Candidate::of_shift(site, s, false))
        .collect();
    let fixed_count = cands.len();
    let fixed_days: std::collections::HashSet<(usize, usize)> =
        fixed_shifts.iter().map(|s| (s.employee, s.day)).collect();
    cands.extend(all.into_iter().filter(|c| {
        is_free_time(c.start)
            && !fixed_days.contains(&(c.employee, c.day))
            && !fixed_shifts.iter().any(|s| c.is(s))
    }));
    let fixed: Vec<bool> = (0..cands.len()).map(|k| k < fixed_count).collect();
    let n_cands = cands.len();
    // Shifts only, with breaks counted by their expected share (a start of shifts alone
    // completes by LP; with integer break counts HiGHS took over 10 s to accept it on
    // Prime Day). Kept shifts keep their published breaks afterwards; new or moved ones
    // get breaks at the middle of their windows.
    let with_breaks = !site.break_rules.is_empty();
    let mut b = Builder::restricted(site, &req, cands, fixed, false, false);
    b.build(Family::ALL);
    if !b.unsatisfiable.is_empty() {
        return Err(Error::Solve(format!(
            "the hard rules cannot all hold with these commitments: {}",
            b.unsatisfiable
                .iter()
                .map(|(f, l)| format!("{}: {l}", f.describe()))
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    let mut constant = 0.0;
    if let Some(p) = &commitments.published {
        constant = disruption(&mut b, site, p, fixed_count);
        let start: Vec<_> = (0..b.cands.len())
            .map(|k| {
                let on = k < fixed_count || p.roster.shifts.iter().any(|s| b.cands[k].is(s));
                (b.x[k], if on { 1.0 } else { 0.0 })
            })
            .collect();
        if std::env::var_os("SHIFTWISE_LOG_REPLAN").is_some() {
            let on = start.iter().filter(|(_, v)| *v > 0.5).count();
            let published = p.roster.shifts.len();
            eprintln!(
                "replan: {} candidates ({fixed_count} fixed), start has {on} shifts of {published} published; built in {:.2} s",
                b.cands.len(),
                started.elapsed().as_secs_f64()
            );
        }
        b.lm.set_start(start);
    }
    let size = crate::plan::ModelSize {
        candidate_shifts: n_cands,
        variables: b.lm.num_vars(),
        integer_variables: b.lm.num_integer(),
        constraints: b.lm.num_constraints(),
    };
    let lm = std::mem::take(&mut b.lm);
    let mut out = solve(lm, opts)?;
    match out.status {
        SolveStatus::Infeasible => {
            return Err(Error::Solve(
                "the hard rules cannot all hold with the pinned or past shifts kept".into(),
            ))
        }
        SolveStatus::NoSolution => {
            return Err(Error::Solve(format!(
                "no roster found within the time limit of {} s; raise --time-limit",
                opts.time_limit
            )))
        }
        _ => {}
    }
    let mut costs = b.cost_breakdown(&out);
    let disruption_cost = constant
        + costs
            .iter()
            .filter(|(f, _)| *f == CostFamily::Disruption)
            .map(|(_, c)| c)
            .sum::<f64>();
    costs.retain(|(f, _)| *f != CostFamily::Disruption);
    let (mut roster, mut coverage) = decode(site, &req, &b, &out);
    if with_breaks {
        let kept = |sh: &Shift| -> Option<Vec<crate::roster::PlacedBreak>> {
            let c = Candidate::of_shift(site, sh, false);
            commitments
                .published
                .iter()
                .flat_map(|p| p.roster.shifts.iter())
                .chain(commitments.pinned.iter())
                .find(|old| c.is(old) && !old.breaks.is_empty())
                .map(|old| old.breaks.clone())
        };
        let placed = roster.with_mid_window_breaks(site);
        for (sh, mid) in roster.shifts.iter_mut().zip(placed.shifts) {
            sh.breaks = kept(sh).unwrap_or(mid.breaks);
        }
        // Coverage net of the breaks as placed, recomputed independently.
        let check = verify(site, &roster, &req.agents);
        for (q, per_q) in coverage.iter_mut().enumerate() {
            for (i, cell) in per_q.iter_mut().enumerate() {
                cell.scheduled = check.coverage[q][i];
            }
        }
    }
    out.objective += constant;
    out.bound += constant;
    out.seconds = started.elapsed().as_secs_f64();
    if commitments.published.is_some() {
        costs.push((CostFamily::Disruption, disruption_cost));
    }
    Ok(summarize(
        site, req, roster, coverage, &out, size, costs, None,
    ))
}

/// Disruption cost terms: per published shift in the window, `w` if it is not kept
/// (the constant part is returned; `−w` goes on keeping it); per new shift on an
/// employee-day that had none, `w`.
fn disruption(b: &mut Builder, site: &Site, p: &Published, fixed_count: usize) -> f64 {
    let _ = site;
    let mut constant = 0.0;
    let in_window: Vec<&Shift> = p
        .roster
        .shifts
        .iter()
        .filter(|s| p.from <= s.start && s.start < p.from + p.window)
        .collect();
    let had: std::collections::HashSet<(usize, usize)> =
        in_window.iter().map(|s| (s.employee, s.day)).collect();
    for s in &in_window {
        let w = change_weight(p, s.start);
        constant += w;
        if let Some(k) = (fixed_count..b.cands.len()).find(|&k| b.cands[k].is(s)) {
            let x = b.x[k];
            b.add_cost(CostFamily::Disruption, x, -w);
        }
    }
    for k in fixed_count..b.cands.len() {
        let c = &b.cands[k];
        if !had.contains(&(c.employee, c.day)) {
            let w = change_weight(p, c.start);
            let x = b.x[k];
            b.add_cost(CostFamily::Disruption, x, w);
        }
    }
    constant
}

/// One row of `changes.csv`: what an employee had on a day and what they have now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Employee id.
    pub employee: String,
    /// Site-local date.
    pub date: String,
    /// `added`, `removed` or `moved`.
    pub change: &'static str,
    /// The published shift (`HH:MM–HH:MM mode`, site time), empty if none.
    pub before: String,
    /// The new shift, empty if none.
    pub after: String,
}

/// Employee-days whose shift differs between `old` and `new` (start, end or mode), in
/// employee and date order: exactly the people a manager must notify.
pub fn changes(site: &Site, old: &Roster, new: &Roster) -> Vec<Change> {
    let tz = site.tz();
    let show = |s: &Shift| {
        format!(
            "{}–{} {}",
            s.start.with_timezone(&tz).format("%H:%M"),
            s.end.with_timezone(&tz).format("%H:%M"),
            s.mode.as_str()
        )
    };
    let mut keys: Vec<(usize, usize)> = old
        .shifts
        .iter()
        .chain(&new.shifts)
        .map(|s| (s.employee, s.day))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut out = Vec::new();
    for (e, d) in keys {
        let a = old.shifts.iter().find(|s| s.employee == e && s.day == d);
        let b = new.shifts.iter().find(|s| s.employee == e && s.day == d);
        let change = match (a, b) {
            (Some(x), Some(y)) if x.start == y.start && x.end == y.end && x.mode == y.mode => {
                continue
            }
            (Some(_), Some(_)) => "moved",
            (Some(_), None) => "removed",
            (None, Some(_)) => "added",
            (None, None) => continue,
        };
        out.push(Change {
            employee: site.employees[e].id.clone(),
            date: site.grid.date(d).to_string(),
            change,
            before: a.map(show).unwrap_or_default(),
            after: b.map(show).unwrap_or_default(),
        });
    }
    out
}

/// A proposed swap and what it does.
#[derive(Debug, Clone, PartialEq)]
pub struct SwapOutcome {
    /// Hard rules the swapped roster breaks that the original did not (empty = allowed).
    pub broken: Vec<String>,
    /// Labour cost change (site currency).
    pub labour_delta: f64,
    /// Understaffed agent-hours on real-time queues, before and after (net of breaks).
    pub understaffed_before: f64,
    /// After the swap.
    pub understaffed_after: f64,
    /// The swapped roster.
    pub roster: Roster,
}

/// Check a swap: employee `give.0`'s shift on day `give.1` goes to `partner.0`, and — for
/// a trade — `partner.0`'s shift on day `partner.1` comes back to `give.0`. The swapped
/// roster is re-checked by [`verify`] against every hard rule; only rules it breaks that
/// the original roster did not are reported. Fails if either employee has no shift on
/// the named day, or if the partner is the employee giving the shift.
pub fn swap(
    site: &Site,
    roster: &Roster,
    give: (usize, usize),
    partner: usize,
    take: Option<usize>,
) -> Result<SwapOutcome, Error> {
    if partner == give.0 {
        return Err(Error::Usage(format!(
            "{} cannot swap a shift with themselves; name another employee",
            site.employees[partner].id
        )));
    }
    let req = requirements(site);
    let find = |e: usize, d: usize| {
        roster
            .shifts
            .iter()
            .position(|s| s.employee == e && s.day == d)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "{} has no shift on {}",
                    site.employees[e].id,
                    site.grid.date(d)
                ))
            })
    };
    let mut new = roster.clone();
    let a = find(give.0, give.1)?;
    new.shifts[a].employee = partner;
    if let Some(d2) = take {
        let b = find(partner, d2)?;
        new.shifts[b].employee = give.0;
    }
    new.sort();
    let before = verify(site, roster, &req.agents);
    let after = verify(site, &new, &req.agents);
    let old: Vec<String> = before.violations.iter().map(|v| v.to_string()).collect();
    let broken = after
        .violations
        .iter()
        .map(|v| v.to_string())
        .filter(|v| !old.contains(v))
        .collect();
    Ok(SwapOutcome {
        broken,
        labour_delta: new.labour_cost(site) - roster.labour_cost(site),
        understaffed_before: before.understaffed_agent_hours,
        understaffed_after: after.understaffed_agent_hours,
        roster: new,
    })
}

/// A feasible swap partner for a shift, with its impact.
#[derive(Debug, Clone, PartialEq)]
pub struct SwapSuggestion {
    /// Partner employee index.
    pub partner: usize,
    /// The partner's day given back in a trade (`None`: the partner just takes the shift).
    pub take: Option<usize>,
    /// The check's figures.
    pub outcome: SwapOutcome,
}

/// Every partner who could take employee `give.0`'s shift on day `give.1` — outright, or
/// in a trade for one of their own shifts — without breaking a hard rule, ranked by
/// understaffing after the swap, then labour cost change.
pub fn suggest_swaps(
    site: &Site,
    roster: &Roster,
    give: (usize, usize),
) -> Result<Vec<SwapSuggestion>, Error> {
    let mut out = Vec::new();
    for partner in (0..site.employees.len()).filter(|&p| p != give.0) {
        let mut options = vec![None];
        options.extend(roster.of_employee(partner).map(|s| Some(s.day)));
        for take in options {
            let outcome = swap(site, roster, give, partner, take)?;
            if outcome.broken.is_empty() {
                out.push(SwapSuggestion {
                    partner,
                    take,
                    outcome,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        (a.outcome.understaffed_after, a.outcome.labour_delta)
            .partial_cmp(&(b.outcome.understaffed_after, b.outcome.labour_delta))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(out)
}
