//! What a roster means for each person: which requests were granted, partly granted or
//! denied — and, for each denied one, what granting it would have cost, found by
//! re-solving that employee's week with the request enforced — and each employee's share
//! of weekend and late shifts.

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

use crate::domain::{Request, RequestDay, RequestKind, Role, Site};
use crate::model::{candidate_shifts, Builder, Candidate, Family};
use crate::plan::{decode, CoverageCell};
use crate::roster::Roster;
use crate::solve::{solve, SolveOptions};
use crate::staffing::Requirements;
use crate::Error;

/// How a request fared in a roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Fully honoured.
    Granted,
    /// Honoured on some of its days or shifts, not all.
    Partly,
    /// Not honoured at all.
    Denied,
    /// Nothing to grant: outside the horizon, or (work mode) no shift in the window.
    NotApplicable,
}

impl RequestStatus {
    /// Lower-case name used in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Granted => "granted",
            RequestStatus::Partly => "partly",
            RequestStatus::Denied => "denied",
            RequestStatus::NotApplicable => "not_applicable",
        }
    }
}

/// One request's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestOutcome {
    /// Index into [`Site::requests`].
    pub request: usize,
    /// Status in the roster.
    pub status: RequestStatus,
    /// What was counted, e.g. "worked 2 of 3 days".
    pub detail: String,
    /// The penalty this request adds to the roster's objective (weight × violations).
    pub penalty: f64,
    /// Extra objective cost of granting it in full (others' shifts kept), when explained.
    pub cost_to_grant: Option<f64>,
    /// Plain-words reason for a denied or partly granted soft request.
    pub reason: String,
}

/// The UTC spans of `r` that meet the planning horizon.
fn horizon_spans(site: &Site, r: &Request) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let (h0, h1) = (site.grid.start_utc(), site.grid.end_utc());
    site.request_spans(r)
        .into_iter()
        .filter(|&(a, b)| a < h1 && h0 < b)
        .collect()
}

/// The outcome of request `k` when it does not meet the planning horizon.
fn outside_horizon(k: usize) -> RequestOutcome {
    RequestOutcome {
        request: k,
        status: RequestStatus::NotApplicable,
        detail: "outside the planning horizon".into(),
        penalty: 0.0,
        cost_to_grant: None,
        reason: String::new(),
    }
}

/// Status, detail and penalty of request `k` in `roster`, counted the way the model
/// prices it (prefer off: per shift touching a span; prefer work: per span without a
/// shift; work mode: per shift in the other mode; max shifts: per shift above the cap in
/// each week, or in the week of its date).
pub fn request_outcome(site: &Site, roster: &Roster, k: usize) -> RequestOutcome {
    let r = &site.requests[k];
    let shifts: Vec<_> = roster.of_employee(r.employee).collect();
    let ratio = |bad: usize, total: usize| match (bad, total) {
        (0, _) => RequestStatus::Granted,
        (b, t) if b >= t => RequestStatus::Denied,
        _ => RequestStatus::Partly,
    };
    let weight = if r.hard { 0.0 } else { r.weight };
    let (status, detail, violations) = match r.kind {
        // At most n in each week of the horizon (weeks from its first day), or in the week
        // of its date.
        RequestKind::MaxShifts(n) => {
            let per_week: Vec<usize> = crate::model::request_weeks(site, r)
                .into_iter()
                .map(|(_, week)| shifts.iter().filter(|s| week.contains(&s.day)).count())
                .collect();
            if per_week.is_empty() {
                return outside_horizon(k);
            }
            let excess: usize = per_week.iter().map(|&k| k.saturating_sub(n as usize)).sum();
            let over = per_week.iter().filter(|&&k| k > n as usize).count();
            let status = ratio(over, per_week.len());
            let busiest = per_week.iter().copied().max().unwrap_or(0);
            let detail = if per_week.len() == 1 {
                format!("{busiest} shifts for at most {n}")
            } else {
                format!(
                    "{busiest} shifts in the busiest week for at most {n} a week ({over} of {} weeks over)",
                    per_week.len()
                )
            };
            (status, detail, excess)
        }
        _ => {
            let spans = horizon_spans(site, r);
            if spans.is_empty() {
                return outside_horizon(k);
            }
            let touching = |a: DateTime<Utc>, b: DateTime<Utc>| {
                shifts.iter().filter(move |s| s.overlaps(a, b))
            };
            match r.kind {
                RequestKind::Unavailable | RequestKind::PreferOff => {
                    let pairs: usize = spans.iter().map(|&(a, b)| touching(a, b).count()).sum();
                    let days = spans
                        .iter()
                        .filter(|&&(a, b)| touching(a, b).next().is_some())
                        .count();
                    (
                        ratio(days, spans.len()),
                        format!("works in {days} of {} requested windows", spans.len()),
                        pairs,
                    )
                }
                RequestKind::PreferWork => {
                    let missed = spans
                        .iter()
                        .filter(|&&(a, b)| touching(a, b).next().is_none())
                        .count();
                    (
                        ratio(missed, spans.len()),
                        format!(
                            "works in {} of {} requested windows",
                            spans.len() - missed,
                            spans.len()
                        ),
                        missed,
                    )
                }
                RequestKind::PreferMode(m) => {
                    let mut in_window: Vec<_> = spans
                        .iter()
                        .flat_map(|&(a, b)| touching(a, b))
                        .map(|s| (s.start, s.mode))
                        .collect();
                    in_window.sort_by_key(|&(t, _)| t);
                    in_window.dedup_by_key(|&mut (t, _)| t);
                    let other = in_window.iter().filter(|&&(_, mode)| mode != m).count();
                    if in_window.is_empty() {
                        return RequestOutcome {
                            request: k,
                            status: RequestStatus::NotApplicable,
                            detail: "no shift in the window".into(),
                            penalty: 0.0,
                            cost_to_grant: None,
                            reason: String::new(),
                        };
                    }
                    (
                        ratio(other, in_window.len()),
                        format!(
                            "{} of {} shifts {}",
                            in_window.len() - other,
                            in_window.len(),
                            m.as_str()
                        ),
                        other,
                    )
                }
                RequestKind::MaxShifts(_) => unreachable!("handled above"),
            }
        }
    };
    RequestOutcome {
        request: k,
        status,
        detail,
        penalty: weight * violations as f64,
        cost_to_grant: None,
        reason: String::new(),
    }
}

/// Outcomes of every request in `roster`, in `requests.csv` order (no explanations yet;
/// see [`explain_denials`]).
pub fn request_outcomes(site: &Site, roster: &Roster) -> Vec<RequestOutcome> {
    (0..site.requests.len())
        .map(|k| request_outcome(site, roster, k))
        .collect()
}

/// The site with request `k` enforced: made hard where the model can enforce it
/// (time off, work mode, shift cap), or given an overriding weight (prefer work, which
/// cannot be hard: nobody can be forced onto a shift).
fn enforced(site: &Site, k: usize) -> Site {
    let mut s = site.clone();
    let r = &mut s.requests[k];
    match r.kind {
        RequestKind::PreferWork => r.weight = FORCE_WEIGHT,
        _ => r.hard = true,
    }
    s
}

/// Weight that makes a prefer-work request override any plausible cost of one week.
const FORCE_WEIGHT: f64 = 1e8;

/// A solved one-employee neighbourhood: the roster, its coverage and objective.
struct Neighbourhood {
    roster: Roster,
    coverage: Vec<Vec<CoverageCell>>,
    objective: f64,
    /// Solved to the gap (not stopped by the time limit).
    proven: bool,
}

/// Re-solve employee `e`'s week on `site` with every other shift of `roster` kept.
/// `None` when no roster keeps every hard rule (or none was found in time).
fn resolve_employee(
    site: &Site,
    req: &Requirements,
    base: &[Candidate],
    roster: &Roster,
    e: usize,
    opts: &SolveOptions,
) -> Result<Option<Neighbourhood>, Error> {
    let mut sub: Vec<Candidate> = Vec::new();
    for s in roster.shifts.iter().filter(|s| s.employee != e) {
        match base.iter().find(|c| c.is(s)) {
            Some(c) => sub.push(c.clone()),
            None => return Ok(None),
        }
    }
    let fixed_count = sub.len();
    sub.extend(
        candidate_shifts(site)
            .into_iter()
            .filter(|c| c.employee == e),
    );
    let fixed: Vec<bool> = (0..sub.len()).map(|k| k < fixed_count).collect();
    // Breaks count by their expected share (as in the neighbourhood search): exact break
    // variables for every kept shift made these re-solves ten times slower.
    let mut b = Builder::restricted(site, req, sub, fixed, false, false);
    b.build(Family::ALL);
    if !b.unsatisfiable.is_empty() {
        return Ok(None);
    }
    // Start from the employee's current week (HiGHS drops it if it breaks a rule).
    let current = |c: &Candidate| roster.of_employee(e).any(|s| c.is(s));
    let start: Vec<_> = (0..b.cands.len())
        .map(|k| {
            let on = k < fixed_count || current(&b.cands[k]);
            (b.x[k], if on { 1.0 } else { 0.0 })
        })
        .collect();
    b.lm.set_start(start);
    let lm = std::mem::take(&mut b.lm);
    let out = solve(lm, opts)?;
    if std::env::var_os("SHIFTWISE_LOG_EXPLAIN").is_some() {
        eprintln!(
            "explain: employee {} {:?} {:.0} in {:.2} s",
            site.employees[e].id, out.status, out.objective, out.seconds
        );
    }
    if !out.status.has_solution() {
        return Ok(None);
    }
    let proven = out.status == crate::solve::SolveStatus::Optimal;
    let (roster, coverage) = decode(site, req, &b, &out);
    Ok(Some(Neighbourhood {
        roster,
        coverage,
        objective: out.objective,
        proven,
    }))
}

/// The coverage a change costs, in words. Looks at the intervals where employee `e`
/// is on duty in `before` but not in `after`, takes the run of such intervals whose
/// real-time queues (among the employee's skills) end up shortest, and names the queue,
/// day and local window with the queue's mean shortfall over it, e.g. "phone-ja would be
/// 3.0 agents short 18:00–20:00 on Wed (now 1.0)". Only the intervals the employee gives
/// up are searched: elsewhere the split of agents between queues may differ between two
/// equally good solutions without meaning anything. `None` when the employee loses no
/// time on a short queue.
fn coverage_loss(
    site: &Site,
    e: usize,
    before: &Neighbourhood,
    after: &Neighbourhood,
) -> Option<String> {
    let n = site.grid.len();
    let on_duty = |r: &Roster| {
        let mut v = vec![false; n];
        for s in r.of_employee(e) {
            for i in site.grid.overlapping(s.start, s.end) {
                v[i] = true;
            }
        }
        v
    };
    let (was, is) = (on_duty(&before.roster), on_duty(&after.roster));
    let short = |cov: &[Vec<CoverageCell>], q: usize, i: usize| {
        (cov[q][i].required - cov[q][i].scheduled).max(0.0)
    };
    let queues: Vec<usize> = site.employees[e]
        .skills
        .iter()
        .copied()
        .filter(|&q| !site.queues[q].is_deferred())
        .collect();
    // Worst (queue, interval) among the intervals the employee no longer covers.
    let mut worst: Option<(f64, usize, usize)> = None;
    for i in (0..n).filter(|&i| was[i] && !is[i]) {
        for &q in &queues {
            let s = short(&after.coverage, q, i);
            if s > 0.05 && worst.is_none_or(|(w, _, _)| s > w + 1e-9) {
                worst = Some((s, q, i));
            }
        }
    }
    let (_, q, i) = worst?;
    let lost = |j: usize| was[j] && !is[j] && short(&after.coverage, q, j) > 0.05;
    let (mut first, mut last) = (i, i);
    while first > 0 && lost(first - 1) {
        first -= 1;
    }
    while last + 1 < n && lost(last + 1) {
        last += 1;
    }
    let tz = site.tz();
    let from = site.grid.intervals[first].start_utc.with_timezone(&tz);
    let to = (site.grid.intervals[last].start_utc
        + chrono::Duration::minutes(i64::from(site.grid.interval_minutes)))
    .with_timezone(&tz);
    let mean = |cov: &[Vec<CoverageCell>]| {
        (first..=last).map(|j| short(cov, q, j)).sum::<f64>() / (last - first + 1) as f64
    };
    Some(format!(
        "{} would be {:.1} agents short {}–{} on {} (now {:.1})",
        site.queues[q].id,
        mean(&after.coverage),
        from.format("%H:%M"),
        to.format("%H:%M"),
        from.weekday(),
        mean(&before.coverage)
    ))
}

/// Explain every denied or partly granted soft request: re-solve its employee's week
/// twice with everyone else's shifts kept — as the site stands, and with the request
/// enforced — and report the difference in objective (`cost_to_grant`) and, in words,
/// the coverage it would lose ("denied: phone-ja would be 3.0 agents short 18:00–20:00
/// on Wed (now 1.0)") or the cost family that grows. Stops explaining once `budget_seconds`
/// have passed; requests not reached say so.
pub fn explain_denials(
    site: &Site,
    req: &Requirements,
    roster: &Roster,
    outcomes: &mut [RequestOutcome],
    opts: &SolveOptions,
    budget_seconds: f64,
) -> Result<(), Error> {
    let started = std::time::Instant::now();
    let base = candidate_shifts(site);
    let sub_opts = SolveOptions {
        gap: 1e-4,
        verbose: false,
        ..opts.with_time_limit(opts.time_limit.clamp(1.0, 15.0))
    };
    let mut baselines: std::collections::HashMap<usize, Option<Neighbourhood>> =
        std::collections::HashMap::new();
    for o in outcomes.iter_mut() {
        let r = &site.requests[o.request];
        if r.hard || !matches!(o.status, RequestStatus::Denied | RequestStatus::Partly) {
            continue;
        }
        let verb = o.status.as_str();
        if budget_seconds <= 0.0 {
            o.reason = format!("{verb}: not explained (plan with --explain-seconds above 0)");
            continue;
        }
        if started.elapsed().as_secs_f64() > budget_seconds {
            o.reason = format!("{verb}: not explained (explanation time budget spent)");
            continue;
        }
        let e = r.employee;
        if let std::collections::hash_map::Entry::Vacant(v) = baselines.entry(e) {
            v.insert(resolve_employee(site, req, &base, roster, e, &sub_opts)?);
        }
        let Some(before) = baselines[&e].as_ref() else {
            o.reason = format!(
                "{verb}: not explained (the roster's other shifts are not candidates of this site)"
            );
            continue;
        };
        let forced_site = enforced(site, o.request);
        let after = resolve_employee(&forced_site, req, &base, roster, e, &sub_opts)?;
        let Some(after) = after.filter(|a| {
            request_outcome(&forced_site, &a.roster, o.request).status == RequestStatus::Granted
        }) else {
            o.reason = format!(
                "{verb}: cannot be granted without breaking a hard rule of {}'s contract with the other shifts kept",
                site.employees[e].id
            );
            continue;
        };
        if !(before.proven && after.proven) {
            o.reason = format!(
                "{verb}: not explained (the re-solve of {}'s week did not finish in {} s)",
                site.employees[e].id, sub_opts.time_limit
            );
            continue;
        }
        // The baseline's own penalty for this request is what granting it saves.
        let saved = request_outcome(site, &before.roster, o.request).penalty;
        let cost = after.objective - (before.objective - saved);
        // Both re-solves are optimal within the relative gap: differences below it are noise.
        let tolerance = sub_opts.gap * before.objective.abs().max(1.0);
        o.cost_to_grant = Some(if cost <= tolerance { 0.0 } else { cost });
        o.reason = if cost <= tolerance {
            format!("{verb}: granting it would cost nothing more (the search stopped before finding that roster)")
        } else if let Some(loss) = coverage_loss(site, e, before, &after) {
            format!("{verb}: {loss}")
        } else {
            let hours = |r: &Roster| -> f64 {
                r.of_employee(e)
                    .map(|s| f64::from(s.paid_minutes) / 60.0)
                    .sum()
            };
            let (h0, h1) = (hours(&before.roster), hours(&after.roster));
            if (h1 - h0).abs() > 1e-6 {
                format!("{verb}: granting it changes {}'s paid hours from {h0:.1} to {h1:.1} and costs {cost:.0} more", site.employees[e].id)
            } else {
                format!(
                    "{verb}: granting it costs {cost:.0} more (labour, other requests or fairness)"
                )
            }
        };
    }
    Ok(())
}

/// One employee's share of undesirable shifts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FairShare {
    /// Employee id.
    pub employee: String,
    /// Comparison group: role and contract, e.g. `agent/full_time`.
    pub group: String,
    /// Shifts worked.
    pub shifts: usize,
    /// Weekend shifts worked.
    pub weekend_shifts: usize,
    /// Late shifts worked.
    pub late_shifts: usize,
    /// Share of the group's weekend shifts (0 when the group has none).
    pub weekend_share: f64,
    /// Share of the group's late shifts (0 when the group has none).
    pub late_share: f64,
}

/// Weekend and late shifts per employee, with each one's share of their group's total
/// (groups as in the model's fairness term: same role and contract).
pub fn fair_shares(site: &Site, roster: &Roster) -> Vec<FairShare> {
    let group = |e: usize| {
        let emp = &site.employees[e];
        let role = match emp.role {
            Role::Agent => "agent",
            Role::TeamLead => "team_lead",
        };
        format!("{role}/{}", site.contracts[emp.contract].id)
    };
    let mut out: Vec<FairShare> = site
        .employees
        .iter()
        .enumerate()
        .map(|(e, emp)| {
            let mut f = FairShare {
                employee: emp.id.clone(),
                group: group(e),
                shifts: 0,
                weekend_shifts: 0,
                late_shifts: 0,
                weekend_share: 0.0,
                late_share: 0.0,
            };
            for s in roster.of_employee(e) {
                let u = site.undesirable(e, s.start, s.end);
                f.shifts += 1;
                f.weekend_shifts += usize::from(u.weekend);
                f.late_shifts += usize::from(u.late);
            }
            f
        })
        .collect();
    let totals = |g: &str, out: &[FairShare]| {
        out.iter()
            .filter(|f| f.group == g)
            .fold((0, 0), |(w, l), f| {
                (w + f.weekend_shifts, l + f.late_shifts)
            })
    };
    let all: Vec<(usize, usize)> = out.iter().map(|f| totals(&f.group, &out)).collect();
    for (f, (w, l)) in out.iter_mut().zip(all) {
        if w > 0 {
            f.weekend_share = f.weekend_shifts as f64 / w as f64;
        }
        if l > 0 {
            f.late_share = f.late_shifts as f64 / l as f64;
        }
    }
    out
}

/// The request's "when" in words for the report, e.g. `2026-12-05 09:00-12:00` or
/// `every Tue`.
pub fn request_when(r: &Request) -> String {
    let day = match r.day {
        RequestDay::Date(d) if matches!(r.kind, RequestKind::MaxShifts(_)) => {
            format!("the week of {d}")
        }
        RequestDay::Date(d) => d.to_string(),
        RequestDay::Weekly(w) => format!("every {w}"),
        // max_shifts counts each week; prefer_mode without a day holds throughout.
        RequestDay::Always if matches!(r.kind, RequestKind::MaxShifts(_)) => "every week".into(),
        RequestDay::Always => "whole horizon".into(),
    };
    match r.window {
        Some((a, b)) => format!(
            "{day} {:02}:{:02}-{:02}:{:02}",
            a / 60,
            a % 60,
            b / 60,
            b % 60
        ),
        None => day,
    }
}
