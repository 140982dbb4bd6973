//! Independent checks of a roster: every hard rule re-checked and coverage recomputed
//! from scratch, without the model. Used on every roster the tests produce.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Duration, Timelike};

use crate::domain::{RequestDay, RequestKind, Role, Site};
use crate::model::{candidates::hard_blocks, weeks};
use crate::roster::Roster;

/// One broken rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Rule name, e.g. `min_rest`.
    pub rule: &'static str,
    /// Employee id (empty for site-wide rules such as seats).
    pub employee: String,
    /// What is wrong.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.employee.is_empty() {
            write!(f, "{}: {}", self.rule, self.detail)
        } else {
            write!(f, "{} ({}): {}", self.rule, self.employee, self.detail)
        }
    }
}

/// Result of [`verify`].
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyReport {
    /// Broken hard rules (empty = the roster is valid).
    pub violations: Vec<Violation>,
    /// `on_duty_agents[i]`: agents on duty per interval.
    pub on_duty_agents: Vec<u32>,
    /// `coverage[q][i]`: the best allocation of on-duty agents to real-time queues
    /// (maximum flow, capped at the requirement); 0 for deferred queues.
    pub coverage: Vec<Vec<f64>>,
    /// Missing agent-hours on real-time queues under that allocation.
    pub understaffed_agent_hours: f64,
}

/// Re-check `roster` against every hard rule of `site`, and recompute coverage against
/// `required[q][i]` (agents after shrinkage).
pub fn verify(site: &Site, roster: &Roster, required: &[Vec<f64>]) -> VerifyReport {
    let mut v = Vec::new();
    let mut push = |rule: &'static str, e: Option<usize>, detail: String| {
        v.push(Violation {
            rule,
            employee: e.map(|e| site.employees[e].id.clone()).unwrap_or_default(),
            detail,
        })
    };
    let tz = site.tz();
    let local = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&tz).format("%a %Y-%m-%d %H:%M").to_string()
    };
    let blocks = hard_blocks(site);
    // Every employee, with or without shifts: one left off the roster still owes their
    // contract's weekly minimums.
    let mut by_emp: BTreeMap<usize, Vec<&crate::roster::Shift>> =
        (0..site.employees.len()).map(|e| (e, Vec::new())).collect();
    for s in &roster.shifts {
        if s.employee >= site.employees.len() || s.template >= site.templates.len() {
            push(
                "unknown_employee_or_template",
                None,
                format!("shift at {} refers to nothing", local(s.start)),
            );
            continue;
        }
        by_emp.entry(s.employee).or_default().push(s);
        let emp = &site.employees[s.employee];
        let t = &site.templates[s.template];
        let e = Some(s.employee);
        if !t.contracts.contains(&emp.contract) {
            push(
                "template_contract",
                e,
                format!(
                    "template {} is not open to contract {}",
                    t.id, site.contracts[emp.contract].id
                ),
            );
        }
        if s.mode != t.mode || !emp.work_mode.allows(s.mode) {
            push(
                "work_mode",
                e,
                format!(
                    "{} shift on {} not allowed (template {} is {}, employee works {})",
                    s.mode.as_str(),
                    local(s.start),
                    t.id,
                    t.mode.as_str(),
                    match emp.work_mode {
                        crate::domain::WorkMode::Remote => "remote only",
                        crate::domain::WorkMode::Onsite => "on-site only",
                        crate::domain::WorkMode::Hybrid => "remote or on-site",
                    }
                ),
            );
        }
        let start_local = s.start.with_timezone(&tz).naive_local();
        let mins = start_local.time().num_seconds_from_midnight() / 60;
        let (lo, hi) = (
            t.earliest_start.num_seconds_from_midnight() / 60,
            t.latest_start.num_seconds_from_midnight() / 60,
        );
        if mins < lo || mins > hi || (mins - lo) % t.start_step_minutes != 0 {
            push(
                "template_start",
                e,
                format!(
                    "start {} is outside {}'s start window or step",
                    local(s.start),
                    t.id
                ),
            );
        }
        if site.grid.day_of_date(start_local.date()) != Some(s.day) {
            push(
                "template_start",
                e,
                format!(
                    "shift at {} is filed under day {}",
                    local(s.start),
                    s.day + 1
                ),
            );
        }
        let len = s.length_minutes();
        if !t.lengths_minutes.iter().any(|&l| i64::from(l) == len) {
            push(
                "template_length",
                e,
                format!(
                    "{len}-minute shift at {} is not a length of {}",
                    local(s.start),
                    t.id
                ),
            );
        }
        if i64::from(s.paid_minutes) != len - i64::from(t.meal_minutes) {
            push(
                "paid_time",
                e,
                format!(
                    "paid minutes {} should be {}",
                    s.paid_minutes,
                    len - i64::from(t.meal_minutes)
                ),
            );
        }
        if blocks[s.employee].iter().any(|&(a, b)| s.overlaps(a, b)) {
            push(
                "availability",
                e,
                format!(
                    "shift {}–{} overlaps a hard unavailability",
                    local(s.start),
                    local(s.end)
                ),
            );
        }
        for why in break_problems(site, s) {
            push(
                "breaks",
                e,
                format!("shift starting {}: {why}", local(s.start)),
            );
        }
    }
    for r in &site.requests {
        if !r.hard {
            continue;
        }
        let mine = by_emp.get(&r.employee).map(Vec::as_slice).unwrap_or(&[]);
        match r.kind {
            // At most n a week, weeks counted from the horizon's first day; a dated request
            // only in the week of its date.
            RequestKind::MaxShifts(n) => {
                let capped: Vec<usize> = match r.day {
                    RequestDay::Date(d) => {
                        let day = (d - site.grid.start_date).num_days();
                        if (0..site.grid.days as i64).contains(&day) {
                            vec![day as usize / 7]
                        } else {
                            Vec::new()
                        }
                    }
                    _ => (0..site.grid.days.div_ceil(7)).collect(),
                };
                for week in capped {
                    let worked = mine.iter().filter(|s| s.day / 7 == week).count();
                    if worked > n as usize {
                        push(
                            "max_shifts_request",
                            Some(r.employee),
                            format!(
                                "{worked} shifts in week {}, requests.csv line {} allows {n}",
                                week + 1,
                                r.line
                            ),
                        );
                    }
                }
            }
            RequestKind::PreferMode(m) => {
                let spans = site.request_spans(r);
                for s in mine
                    .iter()
                    .filter(|s| s.mode != m && spans.iter().any(|&(a, b)| s.overlaps(a, b)))
                {
                    push(
                        "mode_request",
                        Some(r.employee),
                        format!(
                            "{} shift on {} against requests.csv line {}",
                            s.mode.as_str(),
                            local(s.start),
                            r.line
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    for (&e, shifts) in &mut by_emp {
        shifts.sort_by_key(|s| s.start);
        let c = &site.contracts[site.employees[e].contract];
        let rest = Duration::minutes((c.min_rest_hours * 60.0).round() as i64);
        for w in shifts.windows(2) {
            if w[1].start < w[0].end {
                push(
                    "double_booking",
                    Some(e),
                    format!(
                        "shifts at {} and {} overlap",
                        local(w[0].start),
                        local(w[1].start)
                    ),
                );
            } else if w[1].day == w[0].day {
                push(
                    "one_shift_per_day",
                    Some(e),
                    format!("two shifts on {}", site.grid.date(w[0].day)),
                );
            } else if w[1].start - w[0].end < rest {
                push(
                    "min_rest",
                    Some(e),
                    format!(
                        "{} h rest between {} and {}, needs {}",
                        (w[1].start - w[0].end).num_minutes() as f64 / 60.0,
                        local(w[0].end),
                        local(w[1].start),
                        c.min_rest_hours
                    ),
                );
            }
        }
        let mut works = vec![false; site.grid.days];
        for s in shifts.iter() {
            works[s.day.min(site.grid.days - 1)] = true;
        }
        let (min_h, max_h) = site.weekly_hours(e);
        for (wi, week) in weeks(site.grid.days).iter().enumerate() {
            let in_week: Vec<_> = shifts.iter().filter(|s| week.contains(&s.day)).collect();
            let hours: f64 = in_week
                .iter()
                .map(|s| f64::from(s.paid_minutes) / 60.0)
                .sum();
            let frac = week.len() as f64 / 7.0;
            if hours > max_h + 1e-6 || hours < min_h * frac - 1e-6 {
                push(
                    "weekly_hours",
                    Some(e),
                    format!(
                        "week {}: {hours} paid hours, allowed {}–{max_h}",
                        wi + 1,
                        min_h * frac
                    ),
                );
            }
            let n = in_week.len() as u32;
            let min_s = (f64::from(c.min_shifts_per_week) * frac).floor() as u32;
            if n > c.max_shifts_per_week || n < min_s {
                push(
                    "weekly_shifts",
                    Some(e),
                    format!(
                        "week {}: {n} shifts, allowed {min_s}–{}",
                        wi + 1,
                        c.max_shifts_per_week
                    ),
                );
            }
            let need_off = (f64::from(c.min_days_off_per_week) * frac).floor() as usize;
            let off = week.clone().filter(|&d| !works[d]).count();
            if off < need_off {
                push(
                    "min_days_off",
                    Some(e),
                    format!("week {}: {off} days off, needs {need_off}", wi + 1),
                );
            }
        }
        let k = c.max_consecutive_days as usize;
        let mut run = 0;
        for (d, &w) in works.iter().enumerate() {
            run = if w { run + 1 } else { 0 };
            if run == k + 1 {
                push(
                    "max_consecutive_days",
                    Some(e),
                    format!(
                        "{} working days in a row up to {}",
                        k + 1,
                        site.grid.date(d)
                    ),
                );
            }
        }
    }
    // Interval counts.
    let n = site.grid.len();
    let mut onsite = vec![0u32; n];
    let mut on_duty_agents = vec![0u32; n];
    for s in &roster.shifts {
        if s.employee >= site.employees.len() {
            continue;
        }
        let emp = &site.employees[s.employee];
        for i in site.grid.overlapping(s.start, s.end) {
            if s.mode == crate::domain::ShiftMode::Onsite {
                onsite[i] += 1;
            }
            if emp.role == Role::Agent {
                on_duty_agents[i] += 1;
            }
        }
    }
    if let Some(share) = site.max_on_break_share {
        // Per skill set and work mode: present agents and agents on break, by interval.
        type Team = (Vec<usize>, bool);
        let mut teams: BTreeMap<Team, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
        for s in roster
            .shifts
            .iter()
            .filter(|s| s.employee < site.employees.len())
        {
            let emp = &site.employees[s.employee];
            if emp.role != Role::Agent {
                continue;
            }
            let mut skills = emp.skills.clone();
            skills.sort_unstable();
            let key = (skills, s.mode == crate::domain::ShiftMode::Onsite);
            let (present, away) = teams
                .entry(key)
                .or_insert_with(|| (vec![0.0; n], vec![0.0; n]));
            for i in site.grid.overlapping(s.start, s.end) {
                present[i] += 1.0;
                away[i] += on_break(site, s, i);
            }
        }
        for ((skills, _), (present, away)) in &teams {
            for i in 0..n {
                if away[i] > share * present[i] + (1.0 - share) + 1e-6 {
                    let names: Vec<&str> =
                        skills.iter().map(|&q| site.queues[q].id.as_str()).collect();
                    push(
                        "stagger",
                        None,
                        format!(
                            "{:.1} of {} agents ({}) on break at {}",
                            away[i],
                            present[i],
                            names.join("+"),
                            site.grid.intervals[i].start_local
                        ),
                    );
                }
            }
        }
    }
    if let Some(seats) = site.seats {
        for (i, &c) in onsite.iter().enumerate() {
            if c > seats {
                push(
                    "seats",
                    None,
                    format!(
                        "{c} on-site at {}, {seats} seats",
                        site.grid.intervals[i].start_local
                    ),
                );
            }
        }
    }
    // Coverage by maximum flow, interval by interval.
    let groups = skill_groups(site, roster);
    let mut allocator = Allocator::new(&groups.realtime_skills, groups.realtime.len());
    let mut coverage = vec![vec![0.0; n]; site.queues.len()];
    let mut short = 0.0;
    let mut supply = vec![0.0; groups.skills.len()];
    let mut demand = vec![0.0; groups.realtime.len()];
    let mut served = vec![0.0; groups.realtime.len()];
    for i in 0..n {
        for (s, c) in supply.iter_mut().zip(&groups.supply) {
            *s = c[i];
        }
        for (d, &q) in demand.iter_mut().zip(&groups.realtime) {
            *d = required[q][i];
        }
        allocator.allocate(&supply, &demand, &mut served);
        for (k, &q) in groups.realtime.iter().enumerate() {
            coverage[q][i] = served[k];
            short += (demand[k] - served[k]).max(0.0) * site.grid.interval_hours();
        }
    }
    v.extend(horizon_rule_violations(site, roster));
    VerifyReport {
        violations: v,
        on_duty_agents,
        coverage,
        understaffed_agent_hours: short,
    }
}

/// Agents on duty net of breaks, by skill set: the supply side of [`verify`]'s coverage.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillGroups {
    /// Each group's skill set (queue indices, ascending), groups in ascending order of skill set.
    pub skills: Vec<Vec<usize>>,
    /// `supply[g][i]`: agents of group `g` on duty in interval `i`, net of breaks (fractional
    /// for breaks shorter than the interval), summed over the roster's shifts in roster order.
    pub supply: Vec<Vec<f64>>,
    /// Real-time (non-deferred) queues, ascending: the queues the allocation serves.
    pub realtime: Vec<usize>,
    /// `realtime_skills[g]`: group `g`'s skills as positions in `realtime`.
    pub realtime_skills: Vec<Vec<usize>>,
}

impl SkillGroups {
    /// Index of the group with skill set `skills` (any order), if any agent has it.
    pub fn index_of(&self, skills: &[usize]) -> Option<usize> {
        let mut key = skills.to_vec();
        key.sort_unstable();
        self.skills.binary_search(&key).ok()
    }
}

/// Group the roster's agent shifts by skill set and count each group's agents on duty net
/// of breaks per interval (team leads and shifts of unknown employees are left out).
pub fn skill_groups(site: &Site, roster: &Roster) -> SkillGroups {
    let n = site.grid.len();
    let mut by_skillset: BTreeMap<Vec<usize>, Vec<f64>> = BTreeMap::new();
    for s in &roster.shifts {
        if s.employee >= site.employees.len() {
            continue;
        }
        let emp = &site.employees[s.employee];
        if emp.role != Role::Agent {
            continue;
        }
        let range = site.grid.overlapping(s.start, s.end);
        if range.is_empty() {
            continue;
        }
        let mut skills = emp.skills.clone();
        skills.sort_unstable();
        let supply = by_skillset.entry(skills).or_insert_with(|| vec![0.0; n]);
        for i in range {
            supply[i] += 1.0 - on_break(site, s, i);
        }
    }
    let realtime: Vec<usize> = (0..site.queues.len())
        .filter(|&q| !site.queues[q].is_deferred())
        .collect();
    let realtime_skills = by_skillset
        .keys()
        .map(|s| {
            s.iter()
                .filter_map(|q| realtime.iter().position(|r| r == q))
                .collect()
        })
        .collect();
    let (skills, supply) = by_skillset.into_iter().unzip();
    SkillGroups {
        skills,
        supply,
        realtime,
        realtime_skills,
    }
}

/// Share (0–1) of interval `i` that shift `s` spends on break.
pub fn on_break(site: &Site, s: &crate::roster::Shift, i: usize) -> f64 {
    s.breaks
        .iter()
        .map(|b| site.grid.share_of(i, b.start, b.end))
        .sum::<f64>()
        .min(1.0)
}

/// What is wrong with a shift's breaks under the site's break rules (empty = fine): the
/// right breaks for its length, each inside its window, spaced and away from the edges.
pub fn break_problems(site: &Site, s: &crate::roster::Shift) -> Vec<String> {
    use crate::domain::breaks::{break_slots, rule_for};
    let mut out = Vec::new();
    let len = s.length_minutes().max(0) as u32;
    let Some(rule) = rule_for(&site.break_rules, len) else {
        if !s.breaks.is_empty() {
            out.push(format!(
                "{} break(s) but no break rule applies to a {len}-minute shift",
                s.breaks.len()
            ));
        }
        return out;
    };
    let Ok(slots) = break_slots(rule, len) else {
        out.push(format!("the break rule cannot fit a {len}-minute shift"));
        return out;
    };
    let mut breaks = s.breaks.clone();
    breaks.sort_by_key(|b| b.start);
    if breaks.len() != slots.len() {
        out.push(format!(
            "{} break(s) planned, the rule for a {len}-minute shift needs {}",
            breaks.len(),
            slots.len()
        ));
        return out;
    }
    let minutes =
        |a: chrono::DateTime<chrono::Utc>, b: chrono::DateTime<chrono::Utc>| (b - a).num_minutes();
    for (b, slot) in breaks.iter().zip(&slots) {
        let offset = minutes(s.start, b.start);
        if b.kind != slot.kind || minutes(b.start, b.end) != i64::from(slot.minutes) {
            out.push(format!(
                "expected a {}-minute {} break, found {} minutes of {}",
                slot.minutes,
                slot.kind.as_str(),
                minutes(b.start, b.end),
                b.kind.as_str()
            ));
        } else if offset < i64::from(slot.earliest) || offset > i64::from(slot.latest) {
            out.push(format!(
                "{} break starts {offset} min into the shift, outside its window {}–{} min",
                b.kind.as_str(),
                slot.earliest,
                slot.latest
            ));
        }
    }
    for w in breaks.windows(2) {
        if minutes(w[0].end, w[1].start) < i64::from(rule.min_gap) {
            out.push(format!(
                "only {} min between breaks, needs {}",
                minutes(w[0].end, w[1].start),
                rule.min_gap
            ));
        }
    }
    if let (Some(first), Some(last)) = (breaks.first(), breaks.last()) {
        if minutes(s.start, first.start) < i64::from(rule.edge)
            || minutes(last.end, s.end) < i64::from(rule.edge)
        {
            out.push(format!(
                "a break within {} min of the shift's start or end",
                rule.edge
            ));
        }
    }
    out
}

/// Maximum fractional allocation of `supply[g]` agents (group `g` may serve the queues in
/// `skills[g]`) to `demand[q]`: an augmenting-path maximum flow on the small bipartite
/// graph source → groups → queues → sink. Returns the amount served per queue.
///
/// One-off form of [`Allocator::allocate`]; both give bit-identical results.
pub fn max_allocation(supply: &[f64], skills: &[Vec<usize>], demand: &[f64]) -> Vec<f64> {
    let mut served = vec![0.0; demand.len()];
    Allocator::new(skills, demand.len()).allocate(supply, demand, &mut served);
    served
}

/// The flow network of [`max_allocation`] for fixed skills, with its buffers, so that
/// allocating interval after interval (or sample after sample) allocates no memory.
///
/// Nodes: 0 = source, `1..=ng` groups, `ng+1..=ng+nq` queues, `ng+nq+1` sink. Each
/// augmenting path is found by breadth-first search visiting neighbours in ascending node
/// order, so the flow (and how it splits between queues) depends only on the inputs.
#[derive(Debug, Clone)]
pub struct Allocator {
    ng: usize,
    nq: usize,
    skills: Vec<Vec<usize>>,
    /// Residual capacities, `nn × nn`, row-major.
    cap: Vec<f64>,
    /// Nodes joined to node `u` by an edge in either direction, ascending:
    /// `adj[adj_start[u]..adj_start[u + 1]]`.
    adj: Vec<usize>,
    adj_start: Vec<usize>,
    prev: Vec<usize>,
    fifo: Vec<usize>,
}

impl Allocator {
    /// The network for groups with `skills[g]` (queue positions `< queues`).
    pub fn new(skills: &[Vec<usize>], queues: usize) -> Allocator {
        let (ng, nq) = (skills.len(), queues);
        let nn = ng + nq + 2;
        let sink = nn - 1;
        let mut adj = vec![Vec::new(); nn];
        for (g, sk) in skills.iter().enumerate() {
            adj[0].push(1 + g);
            adj[1 + g].push(0);
            for &q in sk {
                adj[1 + g].push(1 + ng + q);
                adj[1 + ng + q].push(1 + g);
            }
        }
        for q in 0..nq {
            adj[1 + ng + q].push(sink);
            adj[sink].push(1 + ng + q);
        }
        let mut adj_start = vec![0];
        for a in &mut adj {
            a.sort_unstable();
            a.dedup();
            adj_start.push(adj_start.last().copied().unwrap_or(0) + a.len());
        }
        Allocator {
            ng,
            nq,
            skills: skills.to_vec(),
            cap: vec![0.0; nn * nn],
            adj: adj.concat(),
            adj_start,
            prev: vec![usize::MAX; nn],
            fifo: Vec::with_capacity(nn),
        }
    }

    /// Allocate `supply[g]` agents to `demand[q]` (as [`max_allocation`]); writes the amount
    /// served per queue into `served`.
    pub fn allocate(&mut self, supply: &[f64], demand: &[f64], served: &mut [f64]) {
        let (ng, nq) = (self.ng, self.nq);
        let nn = ng + nq + 2;
        let sink = nn - 1;
        let cap = &mut self.cap;
        cap.fill(0.0);
        for g in 0..ng {
            cap[1 + g] = supply[g];
            for &q in &self.skills[g] {
                cap[(1 + g) * nn + 1 + ng + q] = f64::INFINITY;
            }
        }
        for q in 0..nq {
            cap[(1 + ng + q) * nn + sink] = demand[q].max(0.0);
        }
        self.augment();
        for q in 0..nq {
            served[q] = (demand[q].max(0.0) - self.cap[(1 + ng + q) * nn + sink]).max(0.0);
        }
    }

    /// After [`Allocator::allocate`], hand as much of the work of the groups marked in
    /// `relieve` as possible to unmarked groups with agents to spare, keeping what each queue
    /// is served exactly as it is (it only exchanges flow between groups; no path passes the
    /// sink). The marked groups end with as many unused agents as any allocation serving
    /// the same amounts allows. Deterministic: shortest exchange paths, neighbours in
    /// ascending order.
    pub fn relieve(&mut self, relieve: &[bool]) {
        let nn = self.ng + self.nq + 2;
        let sink = nn - 1;
        let cap = &mut self.cap;
        loop {
            let prev = &mut self.prev;
            prev.fill(usize::MAX);
            prev[0] = 0;
            prev[sink] = sink; // never enter the sink
            self.fifo.clear();
            self.fifo.push(0);
            let mut head = 0;
            let mut found = None;
            'search: while head < self.fifo.len() {
                let u = self.fifo[head];
                head += 1;
                for &w in &self.adj[self.adj_start[u]..self.adj_start[u + 1]] {
                    let from_source = u == 0;
                    if prev[w] != usize::MAX || cap[u * nn + w] <= 1e-9 {
                        continue;
                    }
                    // Start only from unmarked groups with agents to spare.
                    if from_source && relieve[w - 1] {
                        continue;
                    }
                    prev[w] = u;
                    // A marked group reached through a queue, with work to hand over.
                    if !from_source && w <= self.ng && relieve[w - 1] && cap[w * nn] > 1e-9 {
                        found = Some(w);
                        break 'search;
                    }
                    self.fifo.push(w);
                }
            }
            let Some(end) = found else { break };
            let mut f = cap[end * nn];
            let mut w = end;
            while w != 0 {
                f = f.min(cap[prev[w] * nn + w]);
                w = prev[w];
            }
            cap[end * nn] -= f;
            cap[end] += f;
            let mut w = end;
            while w != 0 {
                let u = prev[w];
                cap[u * nn + w] -= f;
                cap[w * nn + u] += f;
                w = u;
            }
        }
    }

    /// Push flow along shortest augmenting paths until none is left. The search stops at the
    /// sink's discovery, which fixes the same path as searching on.
    fn augment(&mut self) {
        let nn = self.ng + self.nq + 2;
        let sink = nn - 1;
        let cap = &mut self.cap;
        loop {
            // Breadth-first search for an augmenting path.
            let prev = &mut self.prev;
            prev.fill(usize::MAX);
            prev[0] = 0;
            self.fifo.clear();
            self.fifo.push(0);
            let mut head = 0;
            'search: while head < self.fifo.len() {
                let u = self.fifo[head];
                head += 1;
                let row = &cap[u * nn..(u + 1) * nn];
                for &w in &self.adj[self.adj_start[u]..self.adj_start[u + 1]] {
                    if prev[w] == usize::MAX && row[w] > 1e-9 {
                        prev[w] = u;
                        if w == sink {
                            break 'search;
                        }
                        self.fifo.push(w);
                    }
                }
            }
            if prev[sink] == usize::MAX {
                break;
            }
            let mut f = f64::INFINITY;
            let mut w = sink;
            while w != 0 {
                f = f.min(cap[prev[w] * nn + w]);
                w = prev[w];
            }
            let mut w = sink;
            while w != 0 {
                let u = prev[w];
                cap[u * nn + w] -= f;
                cap[w * nn + u] += f;
                w = u;
            }
        }
    }

    /// Agents of group `g` left unallocated by the last allocation.
    pub fn unused(&self, g: usize) -> f64 {
        self.cap[1 + g]
    }
}

/// The horizon rules of [`crate::domain::Rules`], re-checked on a roster: paid time over the
/// horizon, caps per template, forbidden successions, minimum blocks of working days and of
/// days off (blocks touching the horizon's ends exempt), and weekends worked.
pub fn horizon_rule_violations(site: &Site, roster: &Roster) -> Vec<Violation> {
    let mut v = Vec::new();
    let days = site.grid.days;
    let weekends = site.weekends();
    for e in 0..site.employees.len() {
        let r = site.contract_rules(e);
        let mut push = |rule: &'static str, detail: String| {
            v.push(Violation {
                rule,
                employee: site.employees[e].id.clone(),
                detail,
            })
        };
        let mine: Vec<&crate::roster::Shift> = roster
            .shifts
            .iter()
            .filter(|s| s.employee == e && s.template < site.templates.len())
            .collect();
        let mut on_day: Vec<Vec<usize>> = vec![Vec::new(); days];
        for s in &mine {
            if s.day < days {
                on_day[s.day].push(s.template);
            }
        }
        let paid: u32 = mine.iter().map(|s| s.paid_minutes).sum();
        if paid < r.min_minutes_per_horizon {
            push(
                "horizon_hours",
                format!(
                    "{paid} paid minutes over the horizon, needs at least {}",
                    r.min_minutes_per_horizon
                ),
            );
        }
        if let Some(max) = r.max_minutes_per_horizon.filter(|&m| paid > m) {
            push(
                "horizon_hours",
                format!("{paid} paid minutes over the horizon, at most {max}"),
            );
        }
        for &(t, cap) in &r.max_shifts_per_template {
            let n = mine.iter().filter(|s| s.template == t).count() as u32;
            if n > cap {
                push(
                    "max_shifts_per_template",
                    format!("{n} shifts of {}, at most {cap}", site.templates[t].id),
                );
            }
        }
        for d in 0..days.saturating_sub(1) {
            for &t in &on_day[d] {
                for &u in &on_day[d + 1] {
                    if site.not_followed_by(t).contains(&u) {
                        push(
                            "forbidden_succession",
                            format!(
                                "{} on {} followed by {} the next day",
                                site.templates[t].id,
                                site.grid.date(d),
                                site.templates[u].id
                            ),
                        );
                    }
                }
            }
        }
        let works: Vec<bool> = on_day.iter().map(|x| !x.is_empty()).collect();
        // Maximal blocks of equal days: (start, length, working).
        let mut blocks: Vec<(usize, usize, bool)> = Vec::new();
        for (d, &w) in works.iter().enumerate() {
            match blocks.last_mut() {
                Some((_, len, kind)) if *kind == w => *len += 1,
                _ => blocks.push((d, 1, w)),
            }
        }
        for &(start, len, working) in &blocks {
            if start == 0 || start + len == days {
                continue;
            }
            let (min, rule, what) = if working {
                (
                    r.min_consecutive_days,
                    "min_consecutive_days",
                    "working days",
                )
            } else {
                (
                    r.min_consecutive_days_off,
                    "min_consecutive_days_off",
                    "days off",
                )
            };
            if (len as u32) < min {
                push(
                    rule,
                    format!(
                        "{len} {what} in a row from {}, needs at least {min}",
                        site.grid.date(start)
                    ),
                );
            }
        }
        if let Some(max) = r.max_weekends {
            let worked = weekends
                .iter()
                .filter(|w| w.iter().any(|&d| works[d]))
                .count() as u32;
            if worked > max {
                push(
                    "max_weekends",
                    format!("{worked} weekends worked, at most {max}"),
                );
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::{max_allocation, Allocator};

    /// The dense implementation `max_allocation` had before the [`Allocator`] refactor, kept
    /// to show the refactor changed nothing, bit for bit.
    fn dense_reference(supply: &[f64], skills: &[Vec<usize>], demand: &[f64]) -> Vec<f64> {
        let (ng, nq) = (supply.len(), demand.len());
        let nn = ng + nq + 2;
        let sink = nn - 1;
        let mut cap = vec![vec![0.0f64; nn]; nn];
        for g in 0..ng {
            cap[0][1 + g] = supply[g];
            for &q in &skills[g] {
                cap[1 + g][1 + ng + q] = f64::INFINITY;
            }
        }
        for q in 0..nq {
            cap[1 + ng + q][sink] = demand[q].max(0.0);
        }
        loop {
            let mut prev = vec![usize::MAX; nn];
            prev[0] = 0;
            let mut queue = std::collections::VecDeque::from([0]);
            while let Some(u) = queue.pop_front() {
                for w in 0..nn {
                    if prev[w] == usize::MAX && cap[u][w] > 1e-9 {
                        prev[w] = u;
                        queue.push_back(w);
                    }
                }
            }
            if prev[sink] == usize::MAX {
                break;
            }
            let mut f = f64::INFINITY;
            let mut w = sink;
            while w != 0 {
                f = f.min(cap[prev[w]][w]);
                w = prev[w];
            }
            let mut w = sink;
            while w != 0 {
                let u = prev[w];
                cap[u][w] -= f;
                cap[w][u] += f;
                w = u;
            }
        }
        (0..nq)
            .map(|q| (demand[q].max(0.0) - cap[1 + ng + q][sink]).max(0.0))
            .collect()
    }

    #[test]
    fn allocator_matches_the_dense_reference_bit_for_bit() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for _ in 0..2000 {
            let nq = rng.gen_range(1..6);
            let ng = rng.gen_range(1..9);
            let skills: Vec<Vec<usize>> = (0..ng)
                .map(|_| (0..nq).filter(|_| rng.gen_bool(0.5)).collect())
                .collect();
            let mut alloc = Allocator::new(&skills, nq);
            for _ in 0..5 {
                let supply: Vec<f64> = (0..ng)
                    .map(|_| f64::from(rng.gen_range(0..12u8)) * rng.gen_range(0.0..1.5))
                    .collect();
                let demand: Vec<f64> = (0..nq).map(|_| rng.gen_range(-1.0..15.0)).collect();
                let mut served = vec![0.0; nq];
                alloc.allocate(&supply, &demand, &mut served);
                let want = dense_reference(&supply, &skills, &demand);
                assert_eq!(
                    served.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                    want.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
                );
                assert_eq!(max_allocation(&supply, &skills, &demand), want);
            }
        }
    }

    #[test]
    fn relieving_hands_work_to_spare_groups_without_changing_service() {
        // Group 0 serves queues 0 and 1, group 1 only queue 0; 1 agent each; demand 1 on
        // queue 0 only. The search takes group 0 (lower index) and leaves group 1 idle;
        // relieving group 0 hands its work to group 1.
        let skills = [vec![0, 1], vec![0]];
        let mut a = Allocator::new(&skills, 2);
        let mut served = [0.0; 2];
        a.allocate(&[1.0, 1.0], &[1.0, 0.0], &mut served);
        assert_eq!((served, a.unused(0), a.unused(1)), ([1.0, 0.0], 0.0, 1.0));
        a.relieve(&[true, false]);
        assert_eq!((a.unused(0), a.unused(1)), (1.0, 0.0));
        // Through a chain: group 0 {q0}, group 1 {q0, q1}, group 2 {q1}. Demand 1 on each
        // queue, 1 agent in groups 0 and 1, 2 in group 2. Relieving group 0 moves group 1
        // to q0 and group 2 takes q1 — but only if served stays the same.
        let skills = [vec![0], vec![0, 1], vec![1]];
        let mut a = Allocator::new(&skills, 2);
        a.allocate(&[1.0, 1.0, 2.0], &[1.0, 1.0], &mut served);
        assert_eq!(served, [1.0, 1.0]);
        a.relieve(&[true, false, false]);
        assert_eq!(a.unused(0), 1.0);
        assert_eq!(a.unused(1) + a.unused(2), 1.0);
        // Nothing spare: nothing changes.
        a.allocate(&[1.0, 1.0, 0.0], &[1.0, 1.0], &mut served);
        a.relieve(&[true, false, false]);
        assert_eq!((a.unused(0), a.unused(1)), (0.0, 0.0));
    }
}
