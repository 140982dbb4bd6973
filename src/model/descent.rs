//! Best-response descent: a fast local search over whole employee weeks, the first
//! improvement stage of the neighbourhood search on contact-center sites.
//!
//! One employee at a time, every change of their week that touches at most two days is
//! valued — drop a shift, add one on a day off, replace a shift by another candidate, or
//! move a shift to another day — and the best improving one that keeps the employee's
//! hard rules (and the seats) is applied; sweeps over the employees (in a seeded order)
//! repeat until none improves. Where the sub-MILPs of [`super::search`] take 0.1–10 s for
//! one block, a move here is valued in microseconds, so a whole sweep costs less than one
//! sub-MILP.
//!
//! Moves are valued on the objective of the search's sub-models (breaks at their expected
//! share), computed directly rather than by HiGHS:
//! - per interval, the allocation of the on-duty skill groups to the real-time queues is
//!   solved exactly (a small min-cost flow with the tiered shortfall costs, successive
//!   shortest paths), with the overstaffing charge on idle agents and the team-lead
//!   shortfall;
//! - labour, soft requests (prefer off / work / mode, soft max shifts) and fairness (min-max
//!   spread per group) exactly as [`super::Builder`] states them;
//! - email is the one approximation: its workload, spread over the response window, is
//!   valued per interval at half the backlog penalty (the exact model may move it within
//!   the window). The caller prices the result exactly with HiGHS and keeps it only if it
//!   is better.
//!
//! The descent applies only to sites without the benchmark rule families (horizon rules,
//! rotations, template cover, template requests) and without forecast samples; elsewhere
//! [`applies`] is false and the search goes straight to its sub-MILPs.

use std::collections::HashMap;
use std::time::Instant;

use chrono::Duration;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::{weeks, Candidate, Family};
use crate::domain::{RequestKind, Role, ShiftMode, Site};
use crate::staffing::Requirements;

/// Whether the descent's objective is the model's: every contact-center family built,
/// none of the benchmark rule families in use, no forecast samples.
pub fn applies(site: &Site, req: &Requirements, families: &[Family]) -> bool {
    let rules = &site.rules;
    let no_horizon_rules = rules.contracts.iter().all(|c| {
        c.min_minutes_per_horizon == 0
            && c.max_minutes_per_horizon.is_none()
            && c.max_shifts_per_template.is_empty()
            && c.min_consecutive_days <= 1
            && c.min_consecutive_days_off <= 1
            && c.max_weekends.is_none()
    });
    no_horizon_rules
        && rules.not_followed_by.iter().all(Vec::is_empty)
        && rules.template_cover.is_empty()
        && rules.shift_requests.is_empty()
        && req.scenarios.is_empty()
        && Family::ALL.iter().all(|f| families.contains(f))
}

/// What the descent did.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct DescentStats {
    /// Sweeps over the employees.
    pub sweeps: usize,
    /// Moves applied.
    pub moves: usize,
    /// Change of the descent's own objective (negative: better).
    pub change: f64,
    /// Seconds spent.
    pub seconds: f64,
    /// The descent's objective of the roster it started from.
    pub start: f64,
    /// The descent's objective of the roster it returned.
    pub end: f64,
}

/// The queues an interval's allocation can serve: `(gain per agent, agents)` segments,
/// best first, and the cost when nobody serves them.
struct IntervalNet {
    /// Per active queue: its segments `(agents, gain per agent)`.
    queues: Vec<(usize, Vec<(f64, f64)>)>,
    /// Cost of the shortfall with no agent allocated.
    unserved: f64,
}

/// A tiny min-cost-flow network: source → skill groups → queues → sink.
struct Flow {
    /// `(to, residual capacity, cost)`; arc `k ^ 1` is the reverse of arc `k`.
    arcs: Vec<(usize, f64, f64)>,
    out: Vec<Vec<usize>>,
}

impl Flow {
    fn new(nodes: usize) -> Flow {
        Flow {
            arcs: Vec::new(),
            out: vec![Vec::new(); nodes],
        }
    }
    fn arc(&mut self, from: usize, to: usize, cap: f64, cost: f64) {
        self.out[from].push(self.arcs.len());
        self.arcs.push((to, cap, cost));
        self.out[to].push(self.arcs.len());
        self.arcs.push((from, 0.0, -cost));
    }
    /// Minimum cost of any flow from node 0 to the last node (successive shortest paths
    /// by Bellman–Ford; stops when no path has negative cost).
    fn min_cost(&mut self) -> f64 {
        const EPS: f64 = 1e-9;
        let n = self.out.len();
        let sink = n - 1;
        let mut total = 0.0;
        loop {
            let mut dist = vec![f64::INFINITY; n];
            let mut via = vec![usize::MAX; n];
            dist[0] = 0.0;
            for _ in 0..n {
                let mut changed = false;
                for u in 0..n {
                    if dist[u] == f64::INFINITY {
                        continue;
                    }
                    for &k in &self.out[u] {
                        let (v, cap, cost) = self.arcs[k];
                        if cap > EPS && dist[u] + cost < dist[v] - EPS {
                            dist[v] = dist[u] + cost;
                            via[v] = k;
                            changed = true;
                        }
                    }
                }
                if !changed {
                    break;
                }
            }
            if dist[sink] >= -EPS {
                return total;
            }
            let mut amount = f64::INFINITY;
            let mut v = sink;
            while v != 0 {
                let k = via[v];
                amount = amount.min(self.arcs[k].1);
                v = self.arcs[k ^ 1].0;
            }
            let mut v = sink;
            while v != 0 {
                let k = via[v];
                self.arcs[k].1 -= amount;
                self.arcs[k ^ 1].1 += amount;
                v = self.arcs[k ^ 1].0;
            }
            total += amount * dist[sink];
        }
    }
}

/// Who a candidate's on-duty time counts for.
#[derive(Clone, Copy, PartialEq)]
enum Duty {
    Group(usize),
    Lead,
}

/// Per-employee soft terms.
#[derive(Default, Clone)]
struct SoftTerms {
    /// Prefer-work windows: weight, and the candidates touching the window.
    prefer_work: Vec<(f64, Vec<usize>)>,
    /// Soft max shifts: (max, weight per shift above).
    max_shifts: Vec<(u32, f64)>,
    /// Hard max shifts.
    hard_max: Option<u32>,
}

/// The descent's state over one site.
struct Descent<'a> {
    site: &'a Site,
    cands: &'a [Candidate],
    /// `by_day[e][d]`: candidates of employee `e` on day `d`.
    by_day: Vec<Vec<Vec<usize>>>,
    /// Per candidate: labour plus its own soft-request penalties.
    base: Vec<f64>,
    /// Per candidate: on-duty share per covered interval.
    amounts: Vec<Vec<(usize, f64)>>,
    /// Per candidate: counts as weekend / late shift (fairness).
    kinds: Vec<[bool; 2]>,
    duty_of: Vec<Duty>,
    soft: Vec<SoftTerms>,
    /// Fairness groups (members), and each employee's group.
    fair_groups: Vec<Vec<usize>>,
    fair_group_of: Vec<Option<usize>>,
    /// Skill groups' queues.
    skills: Vec<Vec<usize>>,
    nets: Vec<IntervalNet>,
    // State.
    chosen: Vec<Vec<Option<usize>>>,
    /// `duty[i][g]`: agents of skill group `g` on duty in interval `i`.
    duty: Vec<Vec<f64>>,
    leads: Vec<f64>,
    onsite: Vec<u32>,
    /// `cost[i]`: the interval's cost in the current state.
    cost: Vec<f64>,
    /// Per interval: change of its cost when one more agent of a duty class arrives, by
    /// (class, share in 1/10,000).
    cache: Vec<HashMap<(usize, u32), f64>>,
    counts: Vec<[u32; 2]>,
}

impl<'a> Descent<'a> {
    fn new(site: &'a Site, req: &Requirements, cands: &'a [Candidate]) -> Descent<'a> {
        let n_emp = site.employees.len();
        let days = site.grid.days;
        let n = site.grid.len();
        let h = site.grid.interval_hours();
        let p = &site.penalties;
        let mut by_day = vec![vec![Vec::new(); days]; n_emp];
        for (c, cand) in cands.iter().enumerate() {
            by_day[cand.employee][cand.day].push(c);
        }
        // Skill groups exactly as the model forms them.
        let mut skills: Vec<Vec<usize>> = Vec::new();
        let duty_of: Vec<Duty> = site
            .employees
            .iter()
            .map(|emp| match emp.role {
                Role::TeamLead => Duty::Lead,
                Role::Agent => {
                    let mut s = emp.skills.clone();
                    s.sort_unstable();
                    match skills.iter().position(|x| *x == s) {
                        Some(g) => Duty::Group(g),
                        None => {
                            skills.push(s);
                            Duty::Group(skills.len() - 1)
                        }
                    }
                }
            })
            .collect();
        // Interval networks.
        let over = p.overstaffing_per_agent_hour * h;
        let tiers = &p.understaffing_per_agent_hour;
        let nets = (0..n)
            .map(|i| {
                let mut queues = Vec::new();
                let mut unserved = 0.0;
                for (q, queue) in site.queues.iter().enumerate() {
                    let need = req.agents[q][i];
                    if need <= 0.0 {
                        continue;
                    }
                    let mut segs = Vec::new();
                    if queue.is_deferred() {
                        let gain = p.backlog_per_agent_hour * h;
                        segs.push((need, gain + over));
                        // Idle agents can take email early (the model allows any work
                        // that has arrived): no overstaffing charge for them.
                        segs.push((f64::from(u16::MAX), over));
                        unserved += need * gain;
                    } else {
                        // Shortfall s costs tier k for s in (k, k+1]; the last tier is open.
                        for (k, &t) in tiers.iter().enumerate() {
                            let last = k + 1 == tiers.len();
                            let width = if last {
                                need - k as f64
                            } else {
                                (need - k as f64).clamp(0.0, 1.0)
                            };
                            if width > 0.0 {
                                segs.push((width, t * h + over));
                                unserved += width * t * h;
                            }
                        }
                        segs.reverse(); // the deepest shortfall is relieved first
                    }
                    queues.push((q, segs));
                }
                IntervalNet { queues, unserved }
            })
            .collect();
        // Per-candidate terms.
        let mut base = Vec::with_capacity(cands.len());
        let mut amounts = Vec::with_capacity(cands.len());
        let mut kinds = Vec::with_capacity(cands.len());
        for cand in cands {
            let emp = &site.employees[cand.employee];
            let onsite = if cand.mode == ShiftMode::Onsite {
                p.onsite_cost_per_hour
            } else {
                0.0
            };
            base.push(f64::from(cand.paid_minutes) / 60.0 * (emp.hourly_cost + onsite));
            let away = super::candidates::expected_break_share(site, cand);
            amounts.push(
                cand.intervals
                    .clone()
                    .map(|i| (i, 1.0 - away.get(&i).copied().unwrap_or(0.0)))
                    .collect(),
            );
            let u = site.undesirable(cand.employee, cand.start, cand.end);
            kinds.push([u.weekend, u.late]);
        }
        // Soft requests.
        let mut soft = vec![SoftTerms::default(); n_emp];
        for r in &site.requests {
            let e = r.employee;
            let mine = || by_day[e].iter().flatten().copied();
            let touches = |c: usize, a, b| cands[c].start < b && a < cands[c].end;
            match r.kind {
                RequestKind::MaxShifts(n) if r.hard => {
                    soft[e].hard_max = Some(soft[e].hard_max.map_or(n, |m| m.min(n)));
                }
                RequestKind::MaxShifts(n) => soft[e].max_shifts.push((n, r.weight)),
                _ if r.hard => {}
                RequestKind::PreferMode(m) => {
                    let spans = site.request_spans(r);
                    for c in mine() {
                        if cands[c].mode != m && spans.iter().any(|&(a, b)| touches(c, a, b)) {
                            base[c] += r.weight;
                        }
                    }
                }
                RequestKind::PreferOff | RequestKind::Unavailable => {
                    for (a, b) in site.request_spans(r) {
                        for c in mine() {
                            if touches(c, a, b) {
                                base[c] += r.weight;
                            }
                        }
                    }
                }
                RequestKind::PreferWork => {
                    for (a, b) in site.request_spans(r) {
                        if b <= site.grid.start_utc() || a >= site.grid.end_utc() {
                            continue;
                        }
                        let touching = mine().filter(|&c| touches(c, a, b)).collect();
                        soft[e].prefer_work.push((r.weight, touching));
                    }
                }
            }
        }
        // Fairness groups: same role and contract, at least two members.
        let mut fair_groups: Vec<Vec<usize>> = Vec::new();
        let mut keys: Vec<(Role, usize)> = Vec::new();
        for (e, emp) in site.employees.iter().enumerate() {
            match keys.iter().position(|k| *k == (emp.role, emp.contract)) {
                Some(g) => fair_groups[g].push(e),
                None => {
                    keys.push((emp.role, emp.contract));
                    fair_groups.push(vec![e]);
                }
            }
        }
        let mut fair_group_of = vec![None; n_emp];
        if site.fairness.weight > 0.0 {
            for (g, members) in fair_groups.iter().enumerate() {
                if members.len() >= 2 {
                    members.iter().for_each(|&e| fair_group_of[e] = Some(g));
                }
            }
        }
        let groups = skills.len();
        let mut d = Descent {
            site,
            cands,
            by_day,
            base,
            amounts,
            kinds,
            duty_of,
            soft,
            fair_groups,
            fair_group_of,
            skills,
            nets,
            chosen: vec![vec![None; days]; n_emp],
            duty: vec![vec![0.0; groups]; n],
            leads: vec![0.0; n],
            onsite: vec![0; n],
            cost: vec![0.0; n],
            cache: vec![HashMap::new(); n],
            counts: vec![[0, 0]; n_emp],
        };
        for i in 0..n {
            d.cost[i] = d.interval_cost(i, &d.duty[i], d.leads[i]);
        }
        d
    }

    /// Cost of interval `i` with `duty` agents per skill group and `leads` team leads on
    /// duty: idle agents' overstaffing, the queues' tiered shortfall after the best
    /// allocation, and the team-lead shortfall.
    fn interval_cost(&self, i: usize, duty: &[f64], leads: f64) -> f64 {
        let site = self.site;
        let h = site.grid.interval_hours();
        let over = site.penalties.overstaffing_per_agent_hour * h;
        let net = &self.nets[i];
        let agents: f64 = duty.iter().sum();
        let lead_short = (agents / site.team_lead_ratio - leads).max(0.0)
            * site.penalties.team_lead_shortfall_per_hour
            * h;
        let mut cost = over * agents + net.unserved + lead_short;
        if agents <= 1e-12 || net.queues.is_empty() {
            return cost;
        }
        let groups: Vec<usize> = (0..duty.len()).filter(|&g| duty[g] > 1e-12).collect();
        let nq = net.queues.len();
        // Nodes: 0 source, 1..=G groups, then queues, then the sink.
        let mut f = Flow::new(groups.len() + nq + 2);
        let sink = groups.len() + nq + 1;
        for (k, &g) in groups.iter().enumerate() {
            f.arc(0, 1 + k, duty[g], 0.0);
            for (j, (q, _)) in net.queues.iter().enumerate() {
                if self.skills[g].contains(q) {
                    f.arc(1 + k, 1 + groups.len() + j, f64::INFINITY, 0.0);
                }
            }
        }
        for (j, (_, segs)) in net.queues.iter().enumerate() {
            for &(width, gain) in segs {
                f.arc(1 + groups.len() + j, sink, width, -gain);
            }
        }
        cost += f.min_cost();
        cost
    }

    /// Change of interval `i`'s cost when `share` of an agent of class `duty` arrives
    /// (negative `share`: leaves).
    fn interval_change(&self, i: usize, duty: Duty, share: f64) -> f64 {
        match duty {
            Duty::Lead => {
                self.interval_cost(i, &self.duty[i], self.leads[i] + share) - self.cost[i]
            }
            Duty::Group(g) => {
                let mut d = self.duty[i].clone();
                d[g] = (d[g] + share).max(0.0);
                self.interval_cost(i, &d, self.leads[i]) - self.cost[i]
            }
        }
    }

    /// Coverage change of adding candidate `c` (cached per interval and share).
    fn add_change(&mut self, c: usize) -> f64 {
        let duty = self.duty_of[self.cands[c].employee];
        let class = match duty {
            Duty::Lead => usize::MAX,
            Duty::Group(g) => g,
        };
        let mut total = 0.0;
        for k in 0..self.amounts[c].len() {
            let (i, share) = self.amounts[c][k];
            let key = (class, (share * 10_000.0).round() as u32);
            total += match self.cache[i].get(&key) {
                Some(&v) => v,
                None => {
                    let v = self.interval_change(i, duty, share);
                    self.cache[i].insert(key, v);
                    v
                }
            };
        }
        total
    }

    /// Put candidate `c` on (`sign` 1) or take it off (−1), updating coverage.
    fn apply(&mut self, c: usize, sign: f64) {
        let cand = &self.cands[c];
        let e = cand.employee;
        let duty = self.duty_of[e];
        for k in 0..self.amounts[c].len() {
            let (i, share) = self.amounts[c][k];
            match duty {
                Duty::Group(g) => self.duty[i][g] = (self.duty[i][g] + sign * share).max(0.0),
                Duty::Lead => self.leads[i] = (self.leads[i] + sign * share).max(0.0),
            }
            self.cost[i] = self.interval_cost(i, &self.duty[i], self.leads[i]);
            self.cache[i].clear();
        }
        if cand.mode == ShiftMode::Onsite {
            for i in cand.intervals.clone() {
                self.onsite[i] = if sign > 0.0 {
                    self.onsite[i] + 1
                } else {
                    self.onsite[i].saturating_sub(1)
                };
            }
        }
        for (kind, &on) in self.kinds[c].iter().enumerate() {
            if on {
                if sign > 0.0 {
                    self.counts[e][kind] += 1;
                } else {
                    self.counts[e][kind] -= 1;
                }
            }
        }
        self.chosen[e][cand.day] = if sign > 0.0 { Some(c) } else { None };
    }

    fn seats_allow(&self, c: usize) -> bool {
        let cand = &self.cands[c];
        match self.site.seats {
            Some(seats) if cand.mode == ShiftMode::Onsite => {
                cand.intervals.clone().all(|i| self.onsite[i] < seats)
            }
            _ => true,
        }
    }

    /// How far week `w` of employee `e` is from keeping their hard rules (0: kept): hours
    /// and shifts outside the weekly limits, days off missing, rest and consecutive-day
    /// breaches, shifts above a hard maximum.
    fn breach(&self, e: usize, w: &[Option<usize>]) -> f64 {
        let site = self.site;
        let cands = self.cands;
        let contract = &site.contracts[site.employees[e].contract];
        let (min_h, max_h) = site.weekly_hours(e);
        let days = w.len();
        let mut out = 0.0;
        for week in weeks(days) {
            let frac = week.len() as f64 / 7.0;
            let worked: Vec<usize> = week.clone().filter_map(|d| w[d]).collect();
            let hours: f64 = worked
                .iter()
                .map(|&c| f64::from(cands[c].paid_minutes) / 60.0)
                .sum();
            let n = worked.len() as f64;
            let min = min_h * frac;
            if min > 0.0 && hours < min - 1e-9 {
                out += min - hours;
            }
            out += (hours - max_h - 1e-9).max(0.0);
            let min_s = (f64::from(contract.min_shifts_per_week) * frac).floor();
            out += (min_s - n).max(0.0);
            out += (n - f64::from(contract.max_shifts_per_week)).max(0.0);
            let need_off = (f64::from(contract.min_days_off_per_week) * frac).floor();
            if need_off > 0.0 {
                out += (n - (week.len() as f64 - need_off)).max(0.0);
            }
        }
        let rest = Duration::minutes((contract.min_rest_hours * 60.0).round() as i64);
        for d in 1..days {
            if let (Some(a), Some(b)) = (w[d - 1], w[d]) {
                if cands[b].start - cands[a].end < rest {
                    out += 1.0;
                }
            }
        }
        let k = contract.max_consecutive_days as usize;
        if k < days {
            for start in 0..days - k {
                let worked = (start..=start + k).filter(|&d| w[d].is_some()).count();
                out += worked.saturating_sub(k) as f64;
            }
        }
        if let Some(m) = self.soft[e].hard_max {
            out += (w.iter().flatten().count() as f64 - f64::from(m)).max(0.0);
        }
        out
    }

    /// Employee `e`'s own cost for week `w`: labour, soft requests.
    fn own_cost(&self, e: usize, w: &[Option<usize>]) -> f64 {
        let mut cost: f64 = w.iter().flatten().map(|&c| self.base[c]).sum();
        let soft = &self.soft[e];
        for (weight, touching) in &soft.prefer_work {
            if !touching.iter().any(|&c| w[self.cands[c].day] == Some(c)) {
                cost += weight;
            }
        }
        let n = w.iter().flatten().count() as u32;
        for &(max, weight) in &soft.max_shifts {
            cost += f64::from(n.saturating_sub(max)) * weight;
        }
        cost
    }

    /// Fairness cost of group `g` with some members' counts replaced.
    fn group_fairness(&self, g: usize, replaced: &[(usize, [u32; 2])]) -> f64 {
        let w = self.site.fairness.weight;
        let mut ext = [[u32::MAX, 0]; 2];
        for &m in &self.fair_groups[g] {
            let counts = replaced
                .iter()
                .find(|(e, _)| *e == m)
                .map_or(self.counts[m], |(_, c)| *c);
            for (x, n) in ext.iter_mut().zip(counts) {
                *x = [x[0].min(n), x[1].max(n)];
            }
        }
        (0..2).map(|k| w * f64::from(ext[k][1] - ext[k][0])).sum()
    }

    /// Fairness change when employees' weeks become `weeks` (`(employee, week)`).
    fn fairness_change(&self, weeks: &[(usize, &[Option<usize>])]) -> f64 {
        let mut groups: Vec<usize> = weeks
            .iter()
            .filter_map(|(e, _)| self.fair_group_of[*e])
            .collect();
        groups.sort_unstable();
        groups.dedup();
        let replaced: Vec<(usize, [u32; 2])> = weeks
            .iter()
            .map(|(e, w)| (*e, self.week_counts(w)))
            .collect();
        groups
            .into_iter()
            .map(|g| self.group_fairness(g, &replaced) - self.group_fairness(g, &[]))
            .sum()
    }

    /// The best hand-over of one of `e`'s shifts to a colleague of the same skill group
    /// (or another team lead) who is off that day, taking any of their candidates that day;
    /// applied if it improves. Returns the change (0 when nothing improved).
    fn hand_over(&mut self, e: usize) -> f64 {
        let days = self.site.grid.days;
        let mates: Vec<usize> = (0..self.site.employees.len())
            .filter(|&m| m != e && self.duty_of[m] == self.duty_of[e])
            .collect();
        let mine = self.chosen[e].clone();
        let breach_e = self.breach(e, &mine);
        let own_e = self.own_cost(e, &mine);
        let mut best: Option<(f64, usize, usize)> = None;
        for d in 0..days {
            let Some(c) = mine[d] else { continue };
            if self.cands[c].pinned {
                continue;
            }
            let mut after = mine.clone();
            after[d] = None;
            if self.breach(e, &after) > breach_e + 1e-9 {
                continue;
            }
            let own_change = self.own_cost(e, &after) - own_e;
            let removed = self.remove_change(c);
            self.apply(c, -1.0);
            for &m in &mates {
                let theirs = self.chosen[m].clone();
                if theirs[d].is_some() {
                    continue;
                }
                let breach_m = self.breach(m, &theirs);
                let own_m = self.own_cost(m, &theirs);
                let mut week = theirs.clone();
                for k in 0..self.by_day[m][d].len() {
                    let c2 = self.by_day[m][d][k];
                    if !self.seats_allow(c2) {
                        continue;
                    }
                    week[d] = Some(c2);
                    if self.breach(m, &week) > breach_m + 1e-9 {
                        continue;
                    }
                    let ch = removed + own_change + self.own_cost(m, &week) - own_m
                        + self.fairness_change(&[(e, &after[..]), (m, &week[..])])
                        + self.add_change(c2);
                    if ch < -1e-6 && best.is_none_or(|(b, _, _)| ch < b) {
                        best = Some((ch, c, c2));
                    }
                }
            }
            self.apply(c, 1.0);
        }
        match best {
            Some((ch, c, c2)) => {
                self.apply(c, -1.0);
                self.apply(c2, 1.0);
                ch
            }
            None => 0.0,
        }
    }

    fn week_counts(&self, w: &[Option<usize>]) -> [u32; 2] {
        let mut out = [0, 0];
        for &c in w.iter().flatten() {
            for (n, &on) in out.iter_mut().zip(&self.kinds[c]) {
                *n += u32::from(on);
            }
        }
        out
    }

    /// The best change of employee `e`'s week touching at most two days, applied if it
    /// improves. Returns the change of the objective (0 when nothing improved).
    fn improve(&mut self, e: usize) -> f64 {
        let days = self.site.grid.days;
        let current = self.chosen[e].clone();
        let breach_now = self.breach(e, &current);
        let own_now = self.own_cost(e, &current);
        let frozen = |c: Option<usize>| c.is_some_and(|c| self.cands[c].pinned);
        // Best: (breach, change, removed day, added candidate).
        let mut best: Option<(f64, f64, Option<usize>, Option<usize>)> = None;
        let better = |b: &Option<(f64, f64, Option<usize>, Option<usize>)>, br: f64, ch: f64| {
            let ok = br < breach_now - 1e-9 || (br <= breach_now + 1e-9 && ch < -1e-6);
            ok && b.is_none_or(|(bb, bc, _, _)| br < bb - 1e-9 || (br <= bb + 1e-9 && ch < bc))
        };
        let removals: Vec<Option<usize>> = std::iter::once(None)
            .chain(
                (0..days)
                    .filter(|&d| current[d].is_some() && !frozen(current[d]))
                    .map(Some),
            )
            .collect();
        for removed in removals {
            let mut week = current.clone();
            let mut base_change = 0.0;
            if let Some(d) = removed {
                let c = current[d].expect("a worked day");
                base_change = self.remove_change(c);
                self.apply(c, -1.0);
                week[d] = None;
                // Pure removal.
                let br = self.breach(e, &week);
                let ch = base_change + self.own_cost(e, &week) - own_now
                    + self.fairness_change(&[(e, &week[..])]);
                if better(&best, br, ch) {
                    best = Some((br, ch, removed, None));
                }
            }
            for d in 0..days {
                if week[d].is_some() {
                    continue;
                }
                for k in 0..self.by_day[e][d].len() {
                    let c = self.by_day[e][d][k];
                    if Some(c) == removed.and_then(|r| current[r]) || !self.seats_allow(c) {
                        continue;
                    }
                    week[d] = Some(c);
                    let br = self.breach(e, &week);
                    if br > breach_now + 1e-9 {
                        week[d] = None;
                        continue;
                    }
                    let own = self.own_cost(e, &week) - own_now;
                    let fair = self.fairness_change(&[(e, &week[..])]);
                    week[d] = None;
                    let ch = base_change + own + fair + self.add_change(c);
                    if better(&best, br, ch) {
                        best = Some((br, ch, removed, Some(c)));
                    }
                }
            }
            if let Some(d) = removed {
                self.apply(current[d].expect("a worked day"), 1.0);
            }
        }
        match best {
            Some((_, change, removed, added)) => {
                if let Some(d) = removed {
                    self.apply(current[d].expect("a worked day"), -1.0);
                }
                if let Some(c) = added {
                    self.apply(c, 1.0);
                }
                change.min(-1e-9)
            }
            None => 0.0,
        }
    }

    /// The descent's objective of the current roster.
    fn total(&self) -> f64 {
        let coverage: f64 = self.cost.iter().sum();
        let own: f64 = (0..self.chosen.len())
            .map(|e| self.own_cost(e, &self.chosen[e]))
            .sum();
        let fairness: f64 = (0..self.fair_groups.len())
            .filter(|&g| self.fair_groups[g].len() >= 2 && self.site.fairness.weight > 0.0)
            .map(|g| self.group_fairness(g, &[]))
            .sum();
        coverage + own + fairness
    }

    /// Coverage change of taking candidate `c` (on now) off.
    fn remove_change(&self, c: usize) -> f64 {
        let duty = self.duty_of[self.cands[c].employee];
        // Shares of one shift never overlap, so the intervals are independent.
        self.amounts[c]
            .iter()
            .map(|&(i, share)| self.interval_change(i, duty, -share))
            .sum()
    }
}

/// Improve `selected` (indices into `cands`) by best-response descent for at most
/// `budget` seconds. Returns the new selection and what the descent did.
pub fn descend(
    site: &Site,
    req: &Requirements,
    cands: &[Candidate],
    selected: &[usize],
    seed: u32,
    budget: f64,
) -> (Vec<usize>, DescentStats) {
    let started = Instant::now();
    let mut d = Descent::new(site, req, cands);
    for &c in selected {
        if d.chosen[cands[c].employee][cands[c].day].is_none() {
            d.apply(c, 1.0);
        }
    }
    let mut stats = DescentStats {
        start: d.total(),
        ..DescentStats::default()
    };
    let mut rng = ChaCha8Rng::seed_from_u64(u64::from(seed) ^ 0x5eed_d35c);
    let n_emp = site.employees.len();
    'sweeps: loop {
        stats.sweeps += 1;
        let mut order: Vec<usize> = (0..n_emp).collect();
        order.shuffle(&mut rng);
        let mut improved = false;
        for e in order {
            if started.elapsed().as_secs_f64() > budget {
                break 'sweeps;
            }
            for change in [d.improve(e), d.hand_over(e)] {
                if change < 0.0 {
                    stats.moves += 1;
                    stats.change += change;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
    stats.seconds = started.elapsed().as_secs_f64();
    stats.end = d.total();
    let mut out: Vec<usize> = d.chosen.iter().flatten().flatten().copied().collect();
    out.sort_unstable();
    (out, stats)
}

/// The descent's objective of `selected` (the sub-models' objective, email aside).
pub fn objective(site: &Site, req: &Requirements, cands: &[Candidate], selected: &[usize]) -> f64 {
    let mut d = Descent::new(site, req, cands);
    for &c in selected {
        d.apply(c, 1.0);
    }
    d.total()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{candidate_shifts, greedy::greedy_roster, Builder};
    use crate::solve::{solve, SolveOptions};

    /// Tokyo without its email queue: the descent's objective is then exactly the model's.
    fn tokyo_without_email() -> (Site, Requirements) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/tokyo");
        let (site, _) = crate::load_site(&dir).expect("data/tokyo loads");
        let mut req = crate::staffing::requirements(&site);
        for (q, queue) in site.queues.iter().enumerate() {
            if queue.is_deferred() {
                req.agents[q].iter_mut().for_each(|a| *a = 0.0);
                req.deferred[q] = None;
            }
        }
        (site, req)
    }

    fn priced(site: &Site, req: &Requirements, cands: &[Candidate], selected: &[usize]) -> f64 {
        let chosen: Vec<Candidate> = selected.iter().map(|&c| cands[c].clone()).collect();
        let k = chosen.len();
        let mut b = Builder::restricted(site, req, chosen, vec![true; k], false, false);
        b.build(Family::ALL);
        let lm = std::mem::take(&mut b.lm);
        let out = solve(lm, &SolveOptions::default()).expect("HiGHS runs");
        assert!(out.status.has_solution(), "{:?}", out.status);
        out.objective
    }

    #[test]
    fn objective_matches_the_model_and_descent_improves_it() {
        let (site, req) = tokyo_without_email();
        let cands = candidate_shifts(&site);
        let start = greedy_roster(&site, &req, &cands);
        let own = objective(&site, &req, &cands, &start);
        let exact = priced(&site, &req, &cands, &start);
        assert!(
            (own - exact).abs() <= 1e-6 * exact,
            "descent {own} vs HiGHS {exact}"
        );

        let (better, stats) = descend(&site, &req, &cands, &start, 0, 1e9);
        assert!(stats.moves > 0);
        let own_after = objective(&site, &req, &cands, &better);
        let exact_after = priced(&site, &req, &cands, &better);
        assert!(
            (own_after - exact_after).abs() <= 1e-6 * exact_after,
            "descent {own_after} vs HiGHS {exact_after}"
        );
        assert!((stats.end - own_after).abs() <= 1e-6 * own_after);
        assert!(exact_after < exact - 1.0, "{exact_after} !< {exact}");
        // A local optimum: a second descent from it finds nothing.
        let (again, s2) = descend(&site, &req, &cands, &better, 0, 1e9);
        assert_eq!(s2.moves, 0);
        assert_eq!(again, better);
    }
}
