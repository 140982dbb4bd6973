//! A greedy constructive roster: the neighbourhood search's starting point.
//!
//! Employees with minimum hours or shifts go first; each repeatedly takes the candidate
//! shift with the best marginal value (coverage penalty removed − labour cost − soft
//! request penalties) among those that keep every hard rule given the shifts already
//! chosen, until the value turns negative and the contract's minimums are met. Coverage
//! is tracked per queue and interval with each agent counted on the skill that needs
//! them most; understaffing is valued with the site's piecewise penalties.

use chrono::Duration;

use super::{weeks, Candidate};
use crate::domain::{RequestKind, Role, ShiftMode, Site};
use crate::staffing::Requirements;

struct State<'a> {
    site: &'a Site,
    residual: Vec<Vec<f64>>,
    /// Share of an agent each employee supplies on duty ([`Requirements::attendance`]).
    attendance: Vec<f64>,
    agents_on: Vec<f64>,
    leads_on: Vec<f64>,
    onsite: Vec<u32>,
    /// Chosen candidate per employee and day.
    chosen: Vec<Vec<Option<usize>>>,
}

fn shortage_penalty(tiers: &[f64], short: f64) -> f64 {
    let mut left = short.max(0.0);
    let mut cost = 0.0;
    for (k, &t) in tiers.iter().enumerate() {
        let take = if k + 1 == tiers.len() {
            left
        } else {
            left.min(1.0)
        };
        cost += take * t;
        left -= take;
    }
    cost
}

impl State<'_> {
    /// Marginal value (money saved) of one more agent of skills `skills` in interval `i`,
    /// and the queue it would serve.
    fn agent_gain(&self, skills: &[usize], i: usize) -> (f64, Option<usize>) {
        let p = &self.site.penalties;
        let h = self.site.grid.interval_hours();
        let mut best = (-p.overstaffing_per_agent_hour * h, None);
        for &q in skills {
            let r = self.residual[q][i];
            if r <= 0.0 {
                continue;
            }
            let tiers = &p.understaffing_per_agent_hour;
            let tier_gain = if self.site.queues[q].is_deferred() {
                p.backlog_per_agent_hour
            } else {
                0.0
            };
            let gain = (shortage_penalty(tiers, r) - shortage_penalty(tiers, r - 1.0))
                .max(tier_gain * r.min(1.0))
                * h
                - (1.0 - r).max(0.0) * p.overstaffing_per_agent_hour * h;
            if gain > best.0 {
                best = (gain, Some(q));
            }
        }
        best
    }

    fn lead_gain(&self, i: usize) -> f64 {
        let need = self.agents_on[i] / self.site.team_lead_ratio - self.leads_on[i];
        need.clamp(0.0, 1.0)
            * self.site.penalties.team_lead_shortfall_per_hour
            * self.site.grid.interval_hours()
    }

    fn value(&self, c: &Candidate, soft: f64, away: &std::collections::HashMap<usize, f64>) -> f64 {
        let emp = &self.site.employees[c.employee];
        let onsite = if c.mode == ShiftMode::Onsite {
            self.site.penalties.onsite_cost_per_hour
        } else {
            0.0
        };
        let mut v = -f64::from(c.paid_minutes) / 60.0 * (emp.hourly_cost + onsite) - soft;
        for i in c.intervals.clone() {
            let here = 1.0 - away.get(&i).copied().unwrap_or(0.0);
            v += here
                * match emp.role {
                    Role::Agent => self.attendance[c.employee] * self.agent_gain(&emp.skills, i).0,
                    Role::TeamLead => self.lead_gain(i),
                };
        }
        v
    }

    fn take(
        &mut self,
        cands: &[Candidate],
        c: usize,
        away: &std::collections::HashMap<usize, f64>,
    ) {
        let cand = &cands[c];
        let emp = &self.site.employees[cand.employee];
        for i in cand.intervals.clone() {
            let here = 1.0 - away.get(&i).copied().unwrap_or(0.0);
            match emp.role {
                Role::Agent => {
                    if let (_, Some(q)) = self.agent_gain(&emp.skills, i) {
                        self.residual[q][i] -= here * self.attendance[cand.employee];
                    }
                    self.agents_on[i] += here;
                }
                Role::TeamLead => self.leads_on[i] += here,
            }
            if cand.mode == ShiftMode::Onsite {
                self.onsite[i] += 1;
            }
        }
        self.chosen[cand.employee][cand.day] = Some(c);
    }

    /// Whether employee `e` may add candidate `c` without breaking a hard rule;
    /// `max_shifts_request` is the hard `max_shifts` cap of `c`'s week, if any.
    fn allowed(&self, cands: &[Candidate], c: usize, max_shifts_request: Option<u32>) -> bool {
        let cand = &cands[c];
        let site = self.site;
        let e = cand.employee;
        let days = site.grid.days;
        let mine = &self.chosen[e];
        if mine[cand.day].is_some() {
            return false;
        }
        let contract = &site.contracts[site.employees[e].contract];
        let rest = Duration::minutes((contract.min_rest_hours * 60.0).round() as i64);
        if cand.day > 0 {
            if let Some(p) = mine[cand.day - 1] {
                if cand.start - cands[p].end < rest {
                    return false;
                }
            }
        }
        if cand.day + 1 < days {
            if let Some(n) = mine[cand.day + 1] {
                if cands[n].start - cand.end < rest {
                    return false;
                }
            }
        }
        // Consecutive days including this one.
        let mut run = 1;
        let mut d = cand.day;
        while d > 0 && mine[d - 1].is_some() {
            run += 1;
            d -= 1;
        }
        let mut d = cand.day;
        while d + 1 < days && mine[d + 1].is_some() {
            run += 1;
            d += 1;
        }
        if run > contract.max_consecutive_days as usize {
            return false;
        }
        let (_, max_h) = site.weekly_hours(e);
        for week in weeks(days) {
            if !week.contains(&cand.day) {
                continue;
            }
            let in_week: Vec<usize> = week.clone().filter_map(|d| mine[d]).collect();
            let frac = week.len() as f64 / 7.0;
            let need_off = (f64::from(contract.min_days_off_per_week) * frac).floor() as usize;
            // The contract's weekly maximum, and a hard max_shifts request's (per week too).
            let most = max_shifts_request.map_or(contract.max_shifts_per_week, |n| {
                n.min(contract.max_shifts_per_week)
            });
            if in_week.len() + 1 > week.len() - need_off || in_week.len() as u32 + 1 > most {
                return false;
            }
            let hours: f64 = in_week
                .iter()
                .map(|&k| f64::from(cands[k].paid_minutes) / 60.0)
                .sum();
            if hours + f64::from(cand.paid_minutes) / 60.0 > max_h + 1e-9 {
                return false;
            }
        }
        if cand.mode == ShiftMode::Onsite {
            if let Some(seats) = site.seats {
                if cand.intervals.clone().any(|i| self.onsite[i] + 1 > seats) {
                    return false;
                }
            }
        }
        true
    }

    fn below_minimum(&self, cands: &[Candidate], e: usize) -> bool {
        let site = self.site;
        let contract = &site.contracts[site.employees[e].contract];
        let (min_h, _) = site.weekly_hours(e);
        weeks(site.grid.days).iter().any(|week| {
            let frac = week.len() as f64 / 7.0;
            let in_week: Vec<usize> = week.clone().filter_map(|d| self.chosen[e][d]).collect();
            let hours: f64 = in_week
                .iter()
                .map(|&k| f64::from(cands[k].paid_minutes) / 60.0)
                .sum();
            hours < min_h * frac - 1e-9
                || (in_week.len() as f64) < (f64::from(contract.min_shifts_per_week) * frac).floor()
        })
    }
}

/// Soft-request penalty of each candidate (prefer off / prefer mode), for the greedy value.
fn soft_penalties(site: &Site, cands: &[Candidate]) -> Vec<f64> {
    let mut pen = vec![0.0; cands.len()];
    let mut by_emp: Vec<Vec<usize>> = vec![Vec::new(); site.employees.len()];
    for (c, cand) in cands.iter().enumerate() {
        by_emp[cand.employee].push(c);
    }
    for r in site.requests.iter().filter(|r| !r.hard) {
        let spans = site.request_spans(r);
        for &c in &by_emp[r.employee] {
            let cand = &cands[c];
            let touches = spans.iter().any(|&(a, b)| cand.start < b && a < cand.end);
            match r.kind {
                RequestKind::PreferOff | RequestKind::Unavailable if touches => pen[c] += r.weight,
                RequestKind::PreferMode(m) if touches && cand.mode != m => pen[c] += r.weight,
                _ => {}
            }
        }
    }
    pen
}

/// A roster keeping every hard rule (when the minimums can be met greedily): the indices
/// of the chosen candidates.
pub fn greedy_roster(site: &Site, req: &Requirements, cands: &[Candidate]) -> Vec<usize> {
    let n_emp = site.employees.len();
    let mut by_emp: Vec<Vec<usize>> = vec![Vec::new(); n_emp];
    for (c, cand) in cands.iter().enumerate() {
        by_emp[cand.employee].push(c);
    }
    let soft = soft_penalties(site, cands);
    // Expected break time of each candidate: coverage counts shifts net of it.
    let away: Vec<std::collections::HashMap<usize, f64>> = cands
        .iter()
        .map(|c| super::candidates::expected_break_share(site, c))
        .collect();
    // The hard max_shifts requests' cap of each employee and week.
    let mut max_req: Vec<Vec<Option<u32>>> = vec![vec![None; weeks(site.grid.days).len()]; n_emp];
    for r in site.requests.iter().filter(|r| r.hard) {
        if let RequestKind::MaxShifts(n) = r.kind {
            for (w, _) in super::request_weeks(site, r) {
                let cap = &mut max_req[r.employee][w];
                *cap = Some(cap.map_or(n, |m| m.min(n)));
            }
        }
    }
    let mut st = State {
        site,
        residual: req.agents.clone(),
        attendance: (0..n_emp)
            .map(|e| req.attendance.get(e).copied().unwrap_or(1.0))
            .collect(),
        agents_on: vec![0.0; site.grid.len()],
        leads_on: vec![0.0; site.grid.len()],
        onsite: vec![0; site.grid.len()],
        chosen: vec![vec![None; site.grid.days]; n_emp],
    };
    // Agents with minimums, then leads, then everybody else (cheapest first).
    let has_min = |e: usize| {
        let (min_h, _) = site.weekly_hours(e);
        min_h > 0.0 || site.contracts[site.employees[e].contract].min_shifts_per_week > 0
    };
    let mut order: Vec<usize> = (0..n_emp).collect();
    order.sort_by(|&a, &b| {
        let key = |e: usize| (!has_min(e), site.employees[e].role == Role::TeamLead);
        key(a)
            .cmp(&key(b))
            .then(
                site.employees[a]
                    .hourly_cost
                    .total_cmp(&site.employees[b].hourly_cost),
            )
            .then(a.cmp(&b))
    });
    let best_of = |st: &State, e: usize| {
        by_emp[e]
            .iter()
            .copied()
            .filter(|&c| st.allowed(cands, c, max_req[e][cands[c].day / 7]))
            .map(|c| (st.value(&cands[c], soft[c], &away[c]), c))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
    };
    // Pinned shifts first: they are in every roster.
    for (c, cand) in cands.iter().enumerate() {
        if cand.pinned {
            st.take(cands, c, &away[c]);
        }
    }
    // Phase 1: every employee's minimum, with the best shifts available to them.
    for &e in &order {
        while st.below_minimum(cands, e) {
            match best_of(&st, e) {
                Some((_, c)) => st.take(cands, c, &away[c]),
                None => break,
            }
        }
    }
    // Phase 2: one shift at a time, the best value across everybody (so cheap, flexible
    // staff take the work they fit best), while any shift still pays for itself.
    let mut best: Vec<Option<(f64, usize)>> = order.iter().map(|&e| best_of(&st, e)).collect();
    loop {
        let pick = (0..order.len())
            .filter_map(|k| best[k].map(|(v, c)| (v, c, k)))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        let Some((v, c, _)) = pick else { break };
        if v <= 0.0 {
            break;
        }
        st.take(cands, c, &away[c]);
        // The pick changed coverage where it works: re-value employees with candidates there.
        let touched = cands[c].intervals.clone();
        for (k, &e) in order.iter().enumerate() {
            if by_emp[e].iter().any(|&d| {
                cands[d].intervals.start < touched.end && touched.start < cands[d].intervals.end
            }) {
                best[k] = best_of(&st, e);
            }
        }
    }
    let mut out: Vec<usize> = st.chosen.iter().flatten().flatten().copied().collect();
    out.sort_unstable();
    out
}
