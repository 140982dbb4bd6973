//! Best-response descent: the primal engine for the large instances.
//!
//! Every hard rule of the benchmark concerns one employee and the objective is separable by
//! (day, shift type): with everybody else fixed, the exact change of the objective when
//! employee `e` works template `t` on day `d` is `e`'s own request cost there (minus the
//! on weight, plus the off weight) plus the change of that cell's cover penalty when its
//! count rises by one (minus the under weight while short, plus the over weight
//! otherwise). A day off changes nothing (unmet on-requests are counted in a constant).
//! The DP of [`super::pricing`] then gives `e`'s exact best response under all of `e`'s
//! rules, and replacing `e`'s schedule by it never raises the objective.
//!
//! On long horizons the whole-horizon DP is too slow (Instance21, 182 days: past 2 s per
//! employee); there `e` is re-planned over windows of days with the rest of their schedule
//! fixed ([`super::pricing::cheapest_schedule_forced`], a few milliseconds), every rule
//! still checked over the horizon. [`Descent::descend`] sweeps the employees (and windows)
//! in a seeded order until a whole sweep improves nothing, skipping an (employee, window)
//! when nothing it depends on changed since it last failed; [`Descent::iterate`] is an
//! iterated local search on top (kick a few employees with noisy costs, descend, keep the
//! best). Employees the DP does not apply to ([`super::pricing::applicable`]) are left as
//! they are; those whose whole horizon passes the label limit get windows.

use std::collections::HashMap;
use std::time::Instant;

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{Assignment, Instance};
use crate::domain::Site;
use crate::model::Candidate;

/// Labels in one day's layer above which the DP gives up on an employee's whole horizon
/// (windows are used for them from then on): a deterministic effort limit.
fn label_limit() -> usize {
    std::env::var("SHIFTWISE_DESCENT_LABELS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

/// Labels in one day's layer above which the DP gives up on a window.
const LABEL_LIMIT: usize = 200_000;

/// Longest horizon on which whole-horizon best responses are tried.
pub const WHOLE_DAYS: usize = 56;

/// Days in a window when an employee's whole horizon is too much for the DP: 14 on
/// horizons up to [`WHOLE_DAYS`], 28 beyond.
fn window_days(days: usize) -> usize {
    if days <= WHOLE_DAYS {
        14
    } else {
        28
    }
}

/// The instance's data in the shape the descent needs.
pub struct Descent<'a> {
    inst: &'a Instance,
    site: &'a Site,
    n_t: usize,
    /// `options[e][d]`: `(template, paid minutes)` employee `e` may work on day `d`.
    options: Vec<Vec<Vec<(usize, u32)>>>,
    /// `request[e][d * n_t + t]`: −on weight + off weight of `e` working `t` on day `d`.
    request: Vec<Vec<i64>>,
    /// Per employee, the sum of their on-request weights (all unmet when off).
    on_total: Vec<i64>,
    /// `cover[d * n_t + t]`: the cover lines of that cell, `(requirement, under, over)`.
    cover: Vec<Vec<(i64, i64, i64)>>,
    /// Whether the DP may be used for the employee ([`super::pricing::applicable`]).
    usable: Vec<bool>,
    /// Times the DP failed on the employee's whole horizon (then windows are used).
    failures: Vec<u32>,
    /// Windows of this many days for everybody instead of whole horizons (see
    /// [`Descent::set_window`]).
    window: Option<usize>,
    /// The label limit of whole-horizon best responses ([`label_limit`]).
    whole_labels: usize,
}

/// A roster with its cover counts and objective, kept up to date incrementally.
#[derive(Clone, Debug)]
pub struct State {
    /// `assignment[e][d]`: the template worked, if any.
    pub assignment: Assignment,
    /// Staff on each (day, template) cell (`d * n_t + t`).
    counts: Vec<i64>,
    /// The benchmark objective of `assignment`.
    pub objective: i64,
    /// Moves made so far (a clock for the fields below).
    stamp: u64,
    /// When each day's cover counts last changed.
    day_stamp: Vec<u64>,
    /// When each employee's schedule last changed.
    emp_stamp: Vec<u64>,
    /// When each (employee, window) was last found to have no improving best response:
    /// unless its days' counts or the employee's schedule changed since, it still has none.
    checked: HashMap<(usize, Option<(usize, usize)>), u64>,
}

/// What a [`Descent::descend`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Full sweeps over the employees (the last one improves nothing unless stopped).
    pub sweeps: usize,
    /// Schedules replaced.
    pub moves: usize,
    /// Whether it stopped at a local optimum (not by the deadline).
    pub converged: bool,
}

impl<'a> Descent<'a> {
    /// Prepare the descent for `inst` mapped to `site` with candidates `cands`.
    pub fn new(inst: &'a Instance, site: &'a Site, cands: &[Candidate]) -> Descent<'a> {
        let n = inst.staff.len();
        let n_t = inst.shifts.len();
        let cells = inst.days * n_t;
        let mut options = vec![vec![Vec::new(); inst.days]; n];
        for c in cands {
            options[c.employee][c.day].push((c.template, c.paid_minutes));
        }
        let mut request = vec![vec![0i64; cells]; n];
        let mut on_total = vec![0i64; n];
        for r in &inst.on_requests {
            request[r.staff][r.day * n_t + r.shift] -= i64::from(r.weight);
            on_total[r.staff] += i64::from(r.weight);
        }
        for r in &inst.off_requests {
            request[r.staff][r.day * n_t + r.shift] += i64::from(r.weight);
        }
        let mut cover = vec![Vec::new(); cells];
        for c in &inst.cover {
            cover[c.day * n_t + c.shift].push((
                i64::from(c.requirement),
                i64::from(c.under),
                i64::from(c.over),
            ));
        }
        let usable = (0..n)
            .map(|e| super::pricing::applicable(site, e, cands))
            .collect();
        Descent {
            inst,
            site,
            n_t,
            options,
            request,
            on_total,
            cover,
            usable,
            // Past two windows, the whole horizon is not even tried.
            failures: vec![u32::from(inst.days > WHOLE_DAYS); n],
            window: None,
            whole_labels: label_limit(),
        }
    }

    /// Whether the DP serves employee `e`.
    pub fn usable(&self, e: usize) -> bool {
        self.usable[e]
    }

    /// The state of assignment `a` (its counts and objective).
    pub fn state(&self, a: Assignment) -> State {
        let mut counts = vec![0i64; self.inst.days * self.n_t];
        let mut objective: i64 = self.on_total.iter().sum();
        for (e, row) in a.iter().enumerate() {
            for (d, t) in row.iter().enumerate() {
                if let Some(t) = t {
                    let k = d * self.n_t + t;
                    counts[k] += 1;
                    objective += self.request[e][k];
                }
            }
        }
        for (k, lines) in self.cover.iter().enumerate() {
            for &(req, under, over) in lines {
                let n = counts[k];
                objective += if n < req {
                    (req - n) * under
                } else {
                    (n - req) * over
                };
            }
        }
        debug_assert_eq!(objective, super::objective(self.inst, &a) as i64);
        let n = a.len();
        State {
            assignment: a,
            counts,
            objective,
            stamp: 1,
            day_stamp: vec![1; self.inst.days],
            emp_stamp: vec![1; n],
            checked: HashMap::new(),
        }
    }

    /// Make `st` hold assignment `a` (from another search), marking only the days and
    /// employees that differ as changed, so a following [`Descent::descend`] re-examines
    /// just the windows around them.
    pub fn sync(&self, st: &mut State, a: &Assignment) {
        st.stamp += 1;
        for (e, row) in a.iter().enumerate() {
            for (d, &t) in row.iter().enumerate() {
                let old = st.assignment[e][d];
                if old == t {
                    continue;
                }
                if let Some(o) = old {
                    st.counts[d * self.n_t + o] -= 1;
                }
                if let Some(n) = t {
                    st.counts[d * self.n_t + n] += 1;
                }
                st.assignment[e][d] = t;
                st.day_stamp[d] = st.stamp;
                st.emp_stamp[e] = st.stamp;
            }
        }
        // The objective afresh (cheap next to any search step).
        let fresh = self.state(st.assignment.clone());
        st.objective = fresh.objective;
        debug_assert_eq!(st.counts, fresh.counts);
    }

    /// The change of cell `k`'s cover penalty when its count rises from `n` to `n + 1`.
    fn marginal(&self, k: usize, n: i64) -> i64 {
        self.cover[k]
            .iter()
            .map(|&(req, under, over)| if n < req { -under } else { over })
            .sum()
    }

    /// Add (`sign` = 1) or remove (−1) employee `e`'s schedule from the counts.
    fn count(&self, st: &mut State, e: usize, sign: i64) {
        for (d, t) in st.assignment[e].iter().enumerate() {
            if let Some(t) = t {
                st.counts[d * self.n_t + t] += sign;
            }
        }
    }

    /// Exact cost of `row` for `e` against the counts without `e`.
    fn row_cost(&self, st: &State, e: usize, row: &[Option<usize>]) -> i64 {
        row.iter()
            .enumerate()
            .filter_map(|(d, t)| t.map(|t| d * self.n_t + t))
            .map(|k| self.request[e][k] + self.marginal(k, st.counts[k]))
            .sum()
    }

    /// Re-plan employee `e` by the DP over days `window` (the rest of `e`'s schedule kept;
    /// `None` = the whole horizon), with `noise(d, t)` added to each cell's exact cost. With
    /// `force`, the DP's schedule replaces `e`'s even when it is not cheaper (a kick);
    /// otherwise only when it strictly lowers the objective. Returns the objective's change,
    /// or `None` if the DP could not be used for `e`.
    fn replan(
        &mut self,
        st: &mut State,
        e: usize,
        window: Option<(usize, usize)>,
        noise: &dyn Fn(usize, usize) -> f64,
        force: bool,
    ) -> Option<i64> {
        if !self.usable[e] {
            return None;
        }
        self.count(st, e, -1);
        let current = self.row_cost(st, e, &st.assignment[e]);
        let cost = |d: usize, t: usize| {
            let k = d * self.n_t + t;
            (self.request[e][k] + self.marginal(k, st.counts[k])) as f64 + noise(d, t)
        };
        // Without a kick only a strictly cheaper schedule matters: the DP prunes every
        // label that cannot end below the current one (far fewer labels near a local
        // optimum, so whole horizons pass the label limit more often).
        let below = if force { None } else { Some(current as f64) };
        let days = self.inst.days;
        let (options, forced, limit) = match window {
            None => (
                std::borrow::Cow::Borrowed(&self.options[e]),
                vec![false; days],
                self.whole_labels,
            ),
            Some((d0, d1)) => {
                let forced: Vec<bool> = (0..days).map(|d| d < d0 || d >= d1).collect();
                let options: Vec<Vec<(usize, u32)>> = (0..days)
                    .map(|d| {
                        if !forced[d] {
                            return self.options[e][d].clone();
                        }
                        let cur = st.assignment[e][d];
                        self.options[e][d]
                            .iter()
                            .copied()
                            .filter(|&(t, _)| Some(t) == cur)
                            .collect()
                    })
                    .collect();
                (std::borrow::Cow::Owned(options), forced, LABEL_LIMIT)
            }
        };
        let got = super::pricing::cheapest_schedule_forced(
            self.site, e, &options, &cost, limit, &forced, below,
        );
        let mut change = None;
        match got {
            Some(Some((row, _))) => {
                let new = self.row_cost(st, e, &row);
                if force || new < current {
                    st.stamp += 1;
                    st.emp_stamp[e] = st.stamp;
                    for (d, (a, b)) in st.assignment[e].iter().zip(&row).enumerate() {
                        if a != b {
                            st.day_stamp[d] = st.stamp;
                        }
                    }
                    st.assignment[e] = row;
                    st.objective += new - current;
                    change = Some(new - current);
                } else {
                    change = Some(0);
                }
            }
            // Nothing cheaper than the current schedule.
            Some(None) if below.is_some() => change = Some(0),
            // No schedule (cannot be: the current one keeps the rules) or the label limit.
            _ => {
                if window.is_none() {
                    self.failures[e] += 1;
                    if std::env::var_os("SHIFTWISE_LOG_SEARCH").is_some() {
                        eprintln!("descent: staff {e}: whole horizon failed, windows from now on");
                    }
                }
            }
        }
        self.count(st, e, 1);
        change
    }

    /// Re-plan everybody over windows of `days` days (overlapping by half) rather than
    /// whole horizons; `None`: whole horizons wherever the DP manages them.
    pub fn set_window(&mut self, days: Option<usize>) {
        self.window = days.map(|d| d.max(1));
    }

    /// The windows `e` is re-planned over: the whole horizon while the DP manages it, else
    /// windows of [`window_days`] (or those of [`Descent::set_window`]) overlapping by half.
    fn windows(&self, e: usize) -> Vec<Option<(usize, usize)>> {
        let days = self.inst.days;
        let len = self.window.unwrap_or(window_days(days));
        if days <= len || (self.window.is_none() && self.failures[e] == 0) {
            return vec![None];
        }
        let step = (len / 2).max(1);
        let mut out = Vec::new();
        let mut d0 = 0;
        loop {
            let d1 = (d0 + len).min(days);
            out.push(Some((d0, d1)));
            if d1 == days {
                return out;
            }
            d0 += step;
        }
    }

    /// A greedy roster: employees in a seeded order, each given their best response to the
    /// cover left by those before (the rest still off). `None` if the DP cannot serve
    /// somebody.
    pub fn construct(&mut self, rng: &mut ChaCha8Rng) -> Option<State> {
        let n = self.inst.staff.len();
        let mut st = self.state(vec![vec![None; self.inst.days]; n]);
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(rng);
        for e in order {
            self.replan(&mut st, e, None, &|_, _| 0.0, true)?;
        }
        Some(st)
    }

    /// Give each employee of `es`, in a seeded order, their best response to the others
    /// (whatever it costs: their current schedule may break their rules, e.g. empty).
    /// `None` if the DP cannot serve one of them.
    pub fn fill(&mut self, st: &mut State, es: &[usize], rng: &mut ChaCha8Rng) -> Option<()> {
        let mut order = es.to_vec();
        order.shuffle(rng);
        // Whole horizons are a must here (a window keeps the rest of a schedule that may
        // break the rules): the larger label limit of windows.
        let limit = std::mem::replace(&mut self.whole_labels, LABEL_LIMIT);
        let failures = self.failures.clone();
        let done = order
            .into_iter()
            .all(|e| self.replan(st, e, None, &|_, _| 0.0, true).is_some());
        self.whole_labels = limit;
        self.failures = failures;
        done.then_some(())
    }

    /// Replace `e`'s schedule by their best response (over `window`, `None` = the whole
    /// horizon) if that strictly lowers the objective; the (non-positive) change, or `None`
    /// if the DP could not be used.
    pub fn best_response(
        &mut self,
        st: &mut State,
        e: usize,
        window: Option<(usize, usize)>,
    ) -> Option<i64> {
        self.replan(st, e, window, &|_, _| 0.0, false)
    }

    /// Best responses in a seeded order until a whole sweep improves nothing (or `deadline`).
    pub fn descend(&mut self, st: &mut State, rng: &mut ChaCha8Rng, deadline: Instant) -> Stats {
        let n = self.inst.staff.len();
        let mut stats = Stats::default();
        let mut order: Vec<usize> = (0..n).collect();
        loop {
            order.shuffle(rng);
            stats.sweeps += 1;
            let mut improved = false;
            for &e in &order {
                let mut windows = self.windows(e);
                windows.shuffle(rng);
                for w in windows {
                    if Instant::now() > deadline {
                        return stats;
                    }
                    // Skip (e, w) if nothing it depends on changed since it last failed.
                    let (d0, d1) = w.unwrap_or((0, self.inst.days));
                    let changed = st.day_stamp[d0..d1]
                        .iter()
                        .copied()
                        .max()
                        .unwrap_or(0)
                        .max(st.emp_stamp[e]);
                    if st.checked.get(&(e, w)).is_some_and(|&c| c >= changed) {
                        continue;
                    }
                    match self.best_response(st, e, w) {
                        Some(c) if c < 0 => {
                            improved = true;
                            stats.moves += 1;
                        }
                        Some(_) => {
                            st.checked.insert((e, w), st.stamp);
                        }
                        None => {}
                    }
                }
            }
            if !improved {
                stats.converged = true;
                return stats;
            }
        }
    }

    /// [`Descent::descend`] over windows first (many cheap moves), then over whole
    /// horizons where the DP manages them (unless windows were set).
    pub fn polish(&mut self, st: &mut State, rng: &mut ChaCha8Rng, deadline: Instant) -> Stats {
        if self.window.is_some() {
            return self.descend(st, rng, deadline);
        }
        let days = self.inst.days;
        self.set_window(Some(window_days(days)));
        let mut stats = self.descend(st, rng, deadline);
        self.set_window(None);
        if days <= WHOLE_DAYS {
            let more = self.descend(st, rng, deadline);
            stats.sweeps += more.sweeps;
            stats.moves += more.moves;
            stats.converged = more.converged;
        }
        stats
    }

    /// From now on, windows only (of the default length for the horizon).
    pub fn windows_only(&mut self) {
        self.set_window(Some(window_days(self.inst.days)));
    }

    /// A kick: `k` random employees re-planned with costs perturbed by uniform noise in
    /// `±amplitude`, whatever the result costs.
    pub fn kick(&mut self, st: &mut State, rng: &mut ChaCha8Rng, k: usize, amplitude: f64) {
        let n = self.inst.staff.len();
        let mut es: Vec<usize> = (0..n).filter(|&e| self.usable[e]).collect();
        es.shuffle(rng);
        for &e in es.iter().take(k) {
            let noise: Vec<f64> = (0..self.inst.days * self.n_t)
                .map(|_| rng.gen_range(-amplitude..=amplitude))
                .collect();
            let n_t = self.n_t;
            let windows = self.windows(e);
            let w = windows[rng.gen_range(0..windows.len())];
            self.replan(st, e, w, &|d, t| noise[d * n_t + t], true);
        }
    }

    /// Iterated local search from `st` until `deadline` or `max_kicks`: kick 2–5
    /// employees, descend, keep the new roster if it is no worse than the best (else go
    /// back to the best). Returns the best state and the number of kicks.
    pub fn iterate(
        &mut self,
        st: State,
        rng: &mut ChaCha8Rng,
        deadline: Instant,
        max_kicks: usize,
        log: bool,
    ) -> (State, usize) {
        let started = Instant::now();
        let mut cur = st;
        self.polish(&mut cur, rng, deadline);
        let mut best = cur.clone();
        let mut kicks = 0;
        while Instant::now() < deadline && kicks < max_kicks {
            kicks += 1;
            let k = rng.gen_range(2..=5);
            let amplitude = [1.0, 3.0, 10.0, 30.0][rng.gen_range(0..4)];
            self.kick(&mut cur, rng, k, amplitude);
            let stats = self.polish(&mut cur, rng, deadline);
            if cur.objective < best.objective {
                if log {
                    eprintln!(
                        "descent: kick {kicks} (k {k}, noise {amplitude}): {} -> {} ({} sweeps) at {:.1} s",
                        best.objective,
                        cur.objective,
                        stats.sweeps,
                        started.elapsed().as_secs_f64()
                    );
                }
                best = cur.clone();
            } else if cur.objective > best.objective {
                cur = best.clone();
            }
        }
        (best, kicks)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::curtois::{objective, to_site, Cover, ShiftPreference, ShiftType, Staff};
    use crate::model::candidate_shifts;
    use rand::SeedableRng;

    /// Whether `row` keeps every hard rule of staff `s`, checked from the benchmark's README
    /// alone (not with the DP or the model).
    fn feasible(inst: &Instance, s: usize, row: &[Option<usize>]) -> bool {
        let st = &inst.staff[s];
        let days = inst.days;
        if inst.days_off[s].iter().any(|&d| row[d].is_some()) {
            return false;
        }
        for d in 1..days {
            if let (Some(a), Some(b)) = (row[d - 1], row[d]) {
                if inst.shifts[a].cannot_follow.contains(&b) {
                    return false;
                }
            }
        }
        for &(t, cap) in &st.max_shifts {
            if row.iter().filter(|x| **x == Some(t)).count() as u32 > cap {
                return false;
            }
        }
        let minutes: u32 = row.iter().flatten().map(|&t| inst.shifts[t].minutes).sum();
        if minutes < st.min_total_minutes || minutes > st.max_total_minutes {
            return false;
        }
        let mut d = 0;
        while d < days {
            let work = row[d].is_some();
            let mut e = d;
            while e < days && row[e].is_some() == work {
                e += 1;
            }
            let len = (e - d) as u32;
            let inner = d > 0 && e < days;
            if work && len > st.max_consecutive_shifts {
                return false;
            }
            if work && inner && len < st.min_consecutive_shifts {
                return false;
            }
            if !work && inner && len < st.min_consecutive_days_off {
                return false;
            }
            d = e;
        }
        let weekends = (0..days.div_ceil(7))
            .filter(|w| {
                [7 * w + 5, 7 * w + 6]
                    .iter()
                    .any(|&d| d < days && row[d].is_some())
            })
            .count() as u32;
        weekends <= st.max_weekends
    }

    /// Every schedule of staff `s` that keeps their rules.
    pub(crate) fn all_rows(inst: &Instance, s: usize) -> Vec<Vec<Option<usize>>> {
        let n_t = inst.shifts.len();
        let mut out = Vec::new();
        let total = (n_t + 1).pow(inst.days as u32);
        for mut code in 0..total {
            let row: Vec<Option<usize>> = (0..inst.days)
                .map(|_| {
                    let v = code % (n_t + 1);
                    code /= n_t + 1;
                    v.checked_sub(1)
                })
                .collect();
            if feasible(inst, s, &row) {
                out.push(row);
            }
        }
        out
    }

    fn staff(id: &str, caps: Vec<(usize, u32)>, limits: [u32; 6]) -> Staff {
        Staff {
            id: id.into(),
            max_shifts: caps,
            max_total_minutes: limits[0],
            min_total_minutes: limits[1],
            max_consecutive_shifts: limits[2],
            min_consecutive_shifts: limits[3],
            min_consecutive_days_off: limits[4],
            max_weekends: limits[5],
        }
    }

    /// A random small instance: `days` days, shifts E (480) and L (600, not followed by E),
    /// three staff with random limits, days off, requests and cover.
    fn random_instance(rng: &mut ChaCha8Rng, days: usize) -> Instance {
        let shifts = vec![
            ShiftType {
                id: "E".into(),
                minutes: 480,
                cannot_follow: vec![],
            },
            ShiftType {
                id: "L".into(),
                minutes: 600,
                cannot_follow: vec![0],
            },
        ];
        let staff: Vec<Staff> = (0..3)
            .map(|k| {
                staff(
                    &format!("S{k}"),
                    vec![
                        (0, rng.gen_range(2..=days as u32)),
                        (1, rng.gen_range(1..=4)),
                    ],
                    [
                        rng.gen_range(4..=7) * 600,
                        rng.gen_range(0..=3) * 480,
                        rng.gen_range(2..=5),
                        rng.gen_range(1..=2),
                        rng.gen_range(1..=2),
                        rng.gen_range(0..=1),
                    ],
                )
            })
            .collect();
        let days_off = (0..3)
            .map(|_| {
                let mut v: Vec<usize> = (0..rng.gen_range(0..=2))
                    .map(|_| rng.gen_range(0..days))
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        let pref = |rng: &mut ChaCha8Rng| ShiftPreference {
            staff: rng.gen_range(0..3),
            day: rng.gen_range(0..days),
            shift: rng.gen_range(0..2),
            weight: rng.gen_range(1..=4),
        };
        let on_requests = (0..4).map(|_| pref(rng)).collect();
        let off_requests = (0..4).map(|_| pref(rng)).collect();
        let cover = (0..days)
            .flat_map(|d| (0..2).map(move |t| (d, t)))
            .map(|(day, shift)| Cover {
                day,
                shift,
                requirement: rng.gen_range(0..=2),
                under: rng.gen_range(1..=10),
                over: rng.gen_range(1..=5),
            })
            .collect();
        Instance {
            name: "random".into(),
            days,
            shifts,
            staff,
            days_off,
            on_requests,
            off_requests,
            cover,
        }
    }

    /// A random instance of `days` days whose three staff each have at least one schedule
    /// keeping their rules: the instance, every such schedule per staff member, its site
    /// and candidates (`None` when some staff member has none).
    #[allow(clippy::type_complexity)]
    pub(crate) fn random_case(
        rng: &mut ChaCha8Rng,
        days: usize,
    ) -> Option<(Instance, Vec<Vec<Vec<Option<usize>>>>, Site, Vec<Candidate>)> {
        let inst = random_instance(rng, days);
        let rows: Vec<_> = (0..3).map(|s| all_rows(&inst, s)).collect();
        if rows.iter().any(Vec::is_empty) {
            return None;
        }
        let site = to_site(&inst);
        let cands = candidate_shifts(&site);
        Some((inst, rows, site, cands))
    }

    /// On random small instances, from random feasible rosters: every best response (whole
    /// horizon or window) reaches the brute-force optimum over that employee's schedules
    /// (with the rest of the roster, and outside the window their own days, fixed), never
    /// raises the objective, and the incremental objective equals [`objective`].
    #[test]
    fn best_responses_are_the_brute_force_optimum_and_never_worse() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut checked = 0;
        for _ in 0..40 {
            let Some((inst, rows, site, cands)) = random_case(&mut rng, 8) else {
                continue;
            };
            let mut descent = Descent::new(&inst, &site, &cands);
            let start: Assignment = rows
                .iter()
                .map(|r| r[rng.gen_range(0..r.len())].clone())
                .collect();
            let mut st = descent.state(start);
            assert_eq!(st.objective as u64, objective(&inst, &st.assignment));
            for _ in 0..6 {
                let e = rng.gen_range(0..3);
                let window = if rng.gen_bool(0.5) {
                    None
                } else {
                    let d0 = rng.gen_range(0..6);
                    Some((d0, d0 + rng.gen_range(1..=3)))
                };
                let before = st.objective;
                let brute = rows[e]
                    .iter()
                    .filter(|row| {
                        window.is_none_or(|(d0, d1)| {
                            (0..inst.days)
                                .all(|d| (d0..d1).contains(&d) || row[d] == st.assignment[e][d])
                        })
                    })
                    .map(|row| {
                        let mut a = st.assignment.clone();
                        a[e] = row.clone();
                        objective(&inst, &a)
                    })
                    .min()
                    .unwrap();
                let change = descent
                    .best_response(&mut st, e, window)
                    .expect("the DP applies");
                assert!(change <= 0);
                assert_eq!(st.objective, before + change);
                assert_eq!(st.objective as u64, objective(&inst, &st.assignment));
                assert_eq!(st.objective as u64, brute, "staff {e}, window {window:?}");
                assert!(feasible(&inst, e, &st.assignment[e]));
                checked += 1;
            }
            // Taking over another roster keeps the objective exact, and a descent from
            // there (skipping what the earlier moves had already examined) ends where one
            // from a fresh state does.
            let other: Assignment = rows
                .iter()
                .map(|r| r[rng.gen_range(0..r.len())].clone())
                .collect();
            descent.sync(&mut st, &other);
            assert_eq!(st.assignment, other);
            assert_eq!(st.objective as u64, objective(&inst, &other));
            let far = Instant::now() + std::time::Duration::from_secs(3600);
            let mut fresh = descent.state(other);
            let seed = rng.gen();
            descent.descend(&mut st, &mut ChaCha8Rng::seed_from_u64(seed), far);
            descent.descend(&mut fresh, &mut ChaCha8Rng::seed_from_u64(seed), far);
            assert_eq!(st.objective as u64, objective(&inst, &st.assignment));
            assert_eq!(st.assignment, fresh.assignment);
        }
        assert!(checked >= 60, "only {checked} best responses checked");
    }

    /// Two staff who can each cover only part of a week (one shift type, one needed a day):
    /// from an empty roster the descent reaches the brute-force optimum (0) in every order.
    /// A's on-request on day 3 makes the order matter: if B takes day 3 first, a second
    /// sweep has to move it back.
    #[test]
    fn descent_reaches_the_optimum_of_a_hand_made_week() {
        let inst = Instance {
            name: "week".into(),
            days: 7,
            shifts: vec![ShiftType {
                id: "D".into(),
                minutes: 480,
                cannot_follow: vec![],
            }],
            staff: vec![
                staff("A", vec![(0, 7)], [4 * 480, 0, 4, 1, 1, 1]),
                staff("B", vec![(0, 7)], [4 * 480, 0, 4, 1, 1, 1]),
            ],
            days_off: vec![vec![4, 5, 6], vec![0, 1, 2]],
            on_requests: vec![ShiftPreference {
                staff: 0,
                day: 3,
                shift: 0,
                weight: 5,
            }],
            off_requests: vec![],
            cover: (0..7)
                .map(|day| Cover {
                    day,
                    shift: 0,
                    requirement: 1,
                    under: 100,
                    over: 1,
                })
                .collect(),
        };
        let rows: Vec<_> = (0..2).map(|s| all_rows(&inst, s)).collect();
        let mut brute = u64::MAX;
        for a in &rows[0] {
            for b in &rows[1] {
                brute = brute.min(objective(&inst, &vec![a.clone(), b.clone()]));
            }
        }
        assert_eq!(brute, 0);
        let site = to_site(&inst);
        let cands = candidate_shifts(&site);
        let far = Instant::now() + std::time::Duration::from_secs(3600);
        for seed in 0..8 {
            let mut descent = Descent::new(&inst, &site, &cands);
            let mut st = descent.state(vec![vec![None; 7]; 2]);
            assert_eq!(st.objective, 5 + 7 * 100);
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let stats = descent.descend(&mut st, &mut rng, far);
            assert!(stats.converged);
            assert_eq!(
                st.objective as u64, brute,
                "seed {seed}: {:?}",
                st.assignment
            );
            assert_eq!(objective(&inst, &st.assignment), brute);
            // A works 0–3 (with the request), B 4–6.
            assert_eq!(
                st.assignment[0],
                [Some(0), Some(0), Some(0), Some(0), None, None, None]
            );
        }
    }

    /// The iterated search is deterministic given the seed (kick limit, no deadline) and
    /// never ends worse than it started.
    #[test]
    fn iterated_search_is_deterministic_and_never_worse() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let inst = random_instance(&mut rng, 8);
        let rows: Vec<_> = (0..3).map(|s| all_rows(&inst, s)).collect();
        assert!(rows.iter().all(|r| !r.is_empty()));
        let site = to_site(&inst);
        let cands = candidate_shifts(&site);
        let start: Assignment = rows.iter().map(|r| r[r.len() / 2].clone()).collect();
        let far = Instant::now() + std::time::Duration::from_secs(3600);
        let run = || {
            let mut descent = Descent::new(&inst, &site, &cands);
            let st = descent.state(start.clone());
            let mut rng = ChaCha8Rng::seed_from_u64(9);
            descent.iterate(st, &mut rng, far, 20, false)
        };
        let (a, kicks) = run();
        let (b, _) = run();
        assert_eq!(kicks, 20);
        assert_eq!(a.assignment, b.assignment);
        assert!(a.objective as u64 <= objective(&inst, &start));
        assert_eq!(a.objective as u64, objective(&inst, &a.assignment));
        for (s, row) in a.assignment.iter().enumerate() {
            assert!(feasible(&inst, s, row));
        }
    }

    /// From empty schedules (which break the minimum-minutes rules), `fill` gives every
    /// employee a schedule that keeps their rules, and the filled employee last in the
    /// order ends on their brute-force best response to the others.
    #[test]
    fn fill_from_empty_schedules_gives_feasible_best_responses() {
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        let mut filled = 0;
        for _ in 0..30 {
            let Some((inst, rows, site, cands)) = random_case(&mut rng, 7) else {
                continue;
            };
            let mut descent = Descent::new(&inst, &site, &cands);
            let mut st = descent.state(vec![vec![None; inst.days]; 3]);
            let mut order_rng = ChaCha8Rng::seed_from_u64(3);
            descent
                .fill(&mut st, &[0, 1, 2], &mut order_rng)
                .expect("DP applies");
            assert_eq!(st.objective as u64, objective(&inst, &st.assignment));
            for (s, row) in st.assignment.iter().enumerate() {
                assert!(feasible(&inst, s, row), "staff {s}: {row:?}");
            }
            // The same seeded order: the last one filled had the final roster to answer.
            let mut order = [0, 1, 2];
            order.shuffle(&mut ChaCha8Rng::seed_from_u64(3));
            let last = order[2];
            let best = rows[last]
                .iter()
                .map(|r| {
                    let mut a = st.assignment.clone();
                    a[last] = r.clone();
                    objective(&inst, &a)
                })
                .min()
                .unwrap();
            assert_eq!(objective(&inst, &st.assignment), best);
            filled += 1;
        }
        assert!(filled >= 10, "only {filled} instances had feasible staff");
    }
}
