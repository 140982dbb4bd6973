//! Exact pricing by dynamic programming: one employee's cheapest schedule over the horizon
//! for given costs per (day, template), under the employee's horizon rules
//! ([`crate::domain::ContractRules`]: paid minutes, caps per template, max/min consecutive
//! working days, min consecutive days off, max weekends) and rotation
//! (`not_followed_by`). Days without a candidate (days off) cannot be worked.
//!
//! A label-setting algorithm over days: labels with the same (last template, run length,
//! whether the run began on day 0, whether the current weekend is already counted) are
//! compared on cost, paid minutes, weekends and binding caps; dominated ones are dropped.
//! It replaces HiGHS as the pricing solver of [`super::colgen`] where it applies
//! ([`applicable`]): on the benchmark's instances it answers in milliseconds where the
//! pricing MILP took 0.1–0.5 s. When a layer grows past a label limit it gives up and the
//! caller falls back to the MILP.

use std::collections::HashMap;

use crate::domain::Site;
use crate::model::Candidate;

/// Whether the weekly contract rules cannot bind for employee `e` (then the DP, which
/// ignores them, is exact): no weekly minimums, at most 7 shifts a week allowed, no
/// minimum rest, and the weekly hour cap above 7 of the employee's longest shifts.
pub fn applicable(site: &Site, e: usize, cands: &[Candidate]) -> bool {
    let c = &site.contracts[site.employees[e].contract];
    let (min_h, max_h) = site.weekly_hours(e);
    let longest = cands
        .iter()
        .filter(|x| x.employee == e)
        .map(|x| x.paid_minutes)
        .max()
        .unwrap_or(0);
    min_h <= 0.0
        && c.min_shifts_per_week == 0
        && c.max_shifts_per_week >= 7
        && c.min_days_off_per_week == 0
        && c.min_rest_hours <= 0.0
        && max_h * 60.0 >= 7.0 * f64::from(longest)
        && site.break_rules.is_empty()
}

/// Most seconds one DP search may take before giving up (the caller then uses the MILP).
const SEARCH_SECONDS: f64 = 2.0;

#[derive(Clone)]
struct Label {
    cost: f64,
    minutes: u32,
    weekends: u32,
    counts: Vec<u32>,
    /// Index of the predecessor label in the previous layer (`usize::MAX` at the start).
    pred: usize,
    /// Template worked on this day.
    shift: Option<usize>,
}

/// Dominance key: class of the last template by its forbidden successors (None = off), run
/// length (capped), run began on day 0, current weekend already counted.
type Key = (Option<usize>, u32, bool, bool);

/// The cheapest schedule of employee `e`: `cost[d][t]` for working template `t` on day `d`
/// (only candidates in `options[d]`, each `(template, paid minutes)`). Returns the schedule
/// and its cost, `Some(None)` when no schedule satisfies the rules, `None` when the label
/// limit was hit.
#[allow(clippy::type_complexity)]
pub fn cheapest_schedule(
    site: &Site,
    e: usize,
    options: &[Vec<(usize, u32)>],
    cost: &dyn Fn(usize, usize) -> f64,
    label_limit: usize,
) -> Option<Option<(Vec<Option<usize>>, f64)>> {
    let free = vec![false; options.len()];
    cheapest_schedule_forced(site, e, options, cost, label_limit, &free, None)
}

/// [`cheapest_schedule`] with some days fixed, and optionally only below a threshold.
/// On a day with `forced[d]`, the schedule works the only template in `options[d]`, or is
/// off when `options[d]` is empty. With the days outside a window fixed to an employee's
/// current schedule, this is their cheapest schedule changing that window only, with every
/// horizon rule still checked over the whole horizon; it needs far fewer labels than the
/// whole horizon.
///
/// With `below`, only schedules costing less count: `Some(None)` when none does (or none
/// keeps the rules). Every label is pruned as soon as a lower bound on its cheapest
/// completion ([`Completion`]) shows it cannot end below `below`, so where few schedules
/// are cheap enough — pricing near convergence, a best response that must beat the current
/// schedule — far fewer labels are kept, and an employee whose whole horizon passes the
/// label limit unpruned can be priced exactly. The answer is the unpruned one whenever
/// that costs less than `below`.
#[allow(clippy::type_complexity)]
pub fn cheapest_schedule_forced(
    site: &Site,
    e: usize,
    options: &[Vec<(usize, u32)>],
    cost: &dyn Fn(usize, usize) -> f64,
    label_limit: usize,
    forced: &[bool],
    below: Option<f64>,
) -> Option<Option<(Vec<Option<usize>>, f64)>> {
    let all = search(
        site,
        e,
        options,
        cost,
        label_limit,
        Some(forced),
        None,
        below,
    )?;
    Some(
        all.into_iter()
            .filter(|a| below.is_none_or(|b| a.1 < b))
            .min_by(|a, b| a.1.total_cmp(&b.1)),
    )
}

/// A lower bound on the cost of completing a schedule from day `d` on: the cheapest choice
/// of at most one option (or, where allowed, no shift) per remaining day that keeps the
/// paid minutes within the horizon's minimum and maximum, every other rule relaxed.
///
/// Two forms. *Two-sided* (when every length is a multiple of their greatest common
/// divisor `unit`, and the maximum is at most 4,000 units): rows by the minutes paid so far,
/// exact in minutes — the completion adds at least what the minimum still needs and at most
/// what the maximum leaves, so where shifts are cheap (negative reduced costs in pricing)
/// it cannot take every day. *Minimum only* (otherwise): rows by the minutes still needed,
/// counted in units of `unit`: each shift credited `⌈m / unit⌉` and the need taken as
/// `⌈need / unit⌉` (a whole number of units at least `need / unit`, which any completion
/// reaching `need` also reaches) — exact when `unit` divides every length, a relaxation
/// otherwise.
struct Completion {
    unit: u32,
    /// The table's last column.
    top: usize,
    /// Two-sided: `lb[d * (top + 1) + k]` from day `d` with `k` units paid so far; minimum
    /// only: with `k` units still needed.
    lb: Vec<f64>,
    two_sided: bool,
}

impl Completion {
    fn new(
        options: &[Vec<(usize, u32)>],
        cost: &dyn Fn(usize, usize) -> f64,
        must_work: &dyn Fn(usize) -> bool,
        min_minutes: u32,
        max_minutes: u32,
    ) -> Completion {
        let gcd = options
            .iter()
            .flatten()
            .fold(0u32, |g, &(_, m)| num_gcd(g, m))
            .max(1);
        if max_minutes != u32::MAX && max_minutes / gcd <= 4000 {
            return Completion::two_sided(options, cost, must_work, min_minutes, max_minutes, gcd);
        }
        // At most about 4,000 units in a day's row (a 364-day horizon at one-minute
        // lengths would otherwise take 35 M entries).
        let unit = gcd.max(min_minutes.div_ceil(4000));
        Completion::with_unit(options, cost, must_work, min_minutes, unit)
    }

    /// The two-sided form; `unit` must divide every length.
    fn two_sided(
        options: &[Vec<(usize, u32)>],
        cost: &dyn Fn(usize, usize) -> f64,
        must_work: &dyn Fn(usize) -> bool,
        min_minutes: u32,
        max_minutes: u32,
        unit: u32,
    ) -> Completion {
        let days = options.len();
        let top = (max_minutes / unit) as usize;
        let min_units = min_minutes.div_ceil(unit) as usize;
        let width = top + 1;
        // exact[x]: the cheapest way to add exactly x units from the current day on.
        let mut exact = vec![f64::INFINITY; width];
        exact[0] = 0.0;
        let mut lb = vec![f64::INFINITY; (days + 1) * width];
        let mut window = std::collections::VecDeque::new();
        for d in (0..=days).rev() {
            if d < days {
                let mut here = if !must_work(d) || options[d].is_empty() {
                    exact.clone()
                } else {
                    vec![f64::INFINITY; width]
                };
                for &(t, m) in &options[d] {
                    let c = cost(d, t);
                    let credit = (m / unit) as usize;
                    for x in credit..width {
                        let v = c + exact[x - credit];
                        if v < here[x] {
                            here[x] = v;
                        }
                    }
                }
                exact = here;
            }
            // With k units paid, the completion adds x in [min − k, top − k]: a window that
            // slides right as k falls.
            let row = &mut lb[d * width..(d + 1) * width];
            window.clear();
            let mut next_x = 0;
            for k in (0..width).rev() {
                let (lo, hi) = (min_units.saturating_sub(k), top - k);
                while next_x <= hi {
                    while window
                        .back()
                        .is_some_and(|&b: &usize| exact[b] >= exact[next_x])
                    {
                        window.pop_back();
                    }
                    window.push_back(next_x);
                    next_x += 1;
                }
                while window.front().is_some_and(|&f| f < lo) {
                    window.pop_front();
                }
                row[k] = window.front().map_or(f64::INFINITY, |&x| exact[x]);
            }
        }
        Completion {
            unit,
            top,
            lb,
            two_sided: true,
        }
    }

    /// The minimum-only form.
    fn with_unit(
        options: &[Vec<(usize, u32)>],
        cost: &dyn Fn(usize, usize) -> f64,
        must_work: &dyn Fn(usize) -> bool,
        min_minutes: u32,
        unit: u32,
    ) -> Completion {
        let days = options.len();
        let unit = unit.max(1);
        let top = min_minutes.div_ceil(unit) as usize;
        let width = top + 1;
        let mut lb = vec![f64::INFINITY; (days + 1) * width];
        lb[days * width] = 0.0;
        for d in (0..days).rev() {
            let (here, next) = lb.split_at_mut((d + 1) * width);
            let here = &mut here[d * width..];
            if !must_work(d) || options[d].is_empty() {
                here.copy_from_slice(&next[..width]);
            }
            for &(t, m) in &options[d] {
                let c = cost(d, t);
                let credit = m.div_ceil(unit) as usize;
                for (k, slot) in here.iter_mut().enumerate() {
                    let v = c + next[k.saturating_sub(credit)];
                    if v < *slot {
                        *slot = v;
                    }
                }
            }
        }
        Completion {
            unit,
            top,
            lb,
            two_sided: false,
        }
    }

    /// The bound from day `d` (`d` = the horizon's length: nothing left) with `minutes`
    /// paid so far of the `min_minutes` needed.
    fn from(&self, d: usize, minutes: u32, min_minutes: u32) -> f64 {
        let k = if self.two_sided {
            match (minutes / self.unit) as usize {
                k if k > self.top => return f64::INFINITY,
                k => k,
            }
        } else {
            (min_minutes.saturating_sub(minutes).div_ceil(self.unit) as usize).min(self.top)
        };
        self.lb[d * (self.top + 1) + k]
    }
}

fn num_gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        num_gcd(b, a % b)
    }
}

/// A heuristic [`cheapest_schedule`]: at most `beam` labels (the cheapest) per dominance
/// class and paid-minute class in each day's layer; returns up to `k` of the cheapest
/// schedules it reached, cheapest first. Every schedule it returns keeps every rule
/// (labels are only dropped, never relaxed) but need not be the cheapest; an empty list
/// means only that the beam found none. Column generation prices with it first and falls
/// back to the exact search when it finds no improving column. `forced` days as in
/// [`cheapest_schedule_forced`] (branch-and-price's branching decisions). With `below`,
/// only labels that can still end below it are kept (see [`cheapest_schedule_forced`]:
/// the beam's room goes to labels that can give a column), and only schedules costing
/// less are returned.
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
pub fn cheapest_schedules_beam(
    site: &Site,
    e: usize,
    options: &[Vec<(usize, u32)>],
    cost: &dyn Fn(usize, usize) -> f64,
    label_limit: usize,
    beam: usize,
    k: usize,
    forced: &[bool],
    below: Option<f64>,
) -> Option<Vec<(Vec<Option<usize>>, f64)>> {
    let beam = Some((beam.max(1), k.max(1)));
    let mut all = search(
        site,
        e,
        options,
        cost,
        label_limit,
        Some(forced),
        beam,
        below,
    )?;
    if let Some(b) = below {
        all.retain(|a| a.1 < b);
    }
    Some(all)
}

/// The label-setting search: dominance keeps only labels that can lead to a cheapest
/// schedule, and the result holds it; with `beam`, at most that many labels (the cheapest)
/// survive per bucket, and the result holds up to `k` of the cheapest schedules reached.
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
fn search(
    site: &Site,
    e: usize,
    options: &[Vec<(usize, u32)>],
    cost: &dyn Fn(usize, usize) -> f64,
    label_limit: usize,
    forced: Option<&[bool]>,
    beam: Option<(usize, usize)>,
    below: Option<f64>,
) -> Option<Vec<(Vec<Option<usize>>, f64)>> {
    let days = options.len();
    let rules = site.contract_rules(e);
    let max_cons = site.contracts[site.employees[e].contract].max_consecutive_days;
    let min_cons = rules.min_consecutive_days.max(1);
    let min_off = rules.min_consecutive_days_off.max(1);
    let min_minutes = rules.min_minutes_per_horizon;
    let max_minutes = rules.max_minutes_per_horizon.unwrap_or(u32::MAX);
    let max_weekends = rules.max_weekends.unwrap_or(u32::MAX);
    // Caps that can bind: more candidate days of the template than the cap.
    let caps: Vec<(usize, u32)> = rules
        .max_shifts_per_template
        .iter()
        .copied()
        .filter(|&(t, cap)| {
            let days_with = options
                .iter()
                .filter(|o| o.iter().any(|&(u, _)| u == t))
                .count() as u32;
            let shortest = options
                .iter()
                .flatten()
                .filter(|&&(u, _)| u == t)
                .map(|&(_, m)| m)
                .min()
                .unwrap_or(1)
                .max(1);
            // Binding only if the days offering it and the minutes cap both allow more.
            days_with > cap && u64::from(cap + 1) * u64::from(shortest) <= u64::from(max_minutes)
        })
        .collect();
    // Templates with the same forbidden successors behave alike as "yesterday's shift":
    // labels are keyed by that class, not by the template.
    let n_templates = site.templates.len();
    let mut class_of = vec![0usize; n_templates];
    let mut classes: Vec<Vec<usize>> = Vec::new();
    for (t, class) in class_of.iter_mut().enumerate() {
        let mut f = site.not_followed_by(t).to_vec();
        f.sort_unstable();
        *class = match classes.iter().position(|c| *c == f) {
            Some(k) => k,
            None => {
                classes.push(f);
                classes.len() - 1
            }
        };
    }
    let mut weekend_of = vec![usize::MAX; days];
    for (w, ds) in site.weekends().iter().enumerate() {
        for &d in ds {
            weekend_of[d] = w;
        }
    }
    // Most paid minutes still available from day d on (for pruning the minimum).
    let mut rest_max = vec![0u32; days + 1];
    for d in (0..days).rev() {
        let best = options[d].iter().map(|&(_, m)| m).max().unwrap_or(0);
        rest_max[d] = rest_max[d + 1] + best;
    }
    let cap_run = max_cons.max(min_cons).max(min_off);
    // Beam buckets: paid minutes in classes of two of the shortest shifts (on Instance13,
    // 960 minutes, beam 3: a round of 120 staff in 1.8 s instead of 18 s, each value
    // within about 2 % of the cheapest).
    let grain = 2 * options
        .iter()
        .flatten()
        .map(|&(_, m)| m)
        .min()
        .unwrap_or(1)
        .max(1);
    // For normalising resources: after day d, how many more shifts of a capped template
    // (and weekends) could still come. A count so low that the cap cannot bind any more is
    // as good as any other such count, so counts are raised to `cap − room` (and weekends
    // likewise), which lets far more labels dominate each other.
    let cap_days_after: Vec<Vec<u32>> = caps
        .iter()
        .map(|&(t, _)| {
            let mut v = vec![0u32; days + 1];
            for d in (0..days).rev() {
                v[d] = v[d + 1] + u32::from(options[d].iter().any(|&(u, _)| u == t));
            }
            v
        })
        .collect();
    let cap_len: Vec<u32> = caps
        .iter()
        .map(|&(t, _)| {
            options
                .iter()
                .flatten()
                .filter(|&&(u, _)| u == t)
                .map(|&(_, m)| m)
                .min()
                .unwrap_or(1)
                .max(1)
        })
        .collect();
    let mut weekends_after = vec![0u32; days + 1];
    {
        let mut seen = std::collections::HashSet::new();
        for d in (0..days).rev() {
            weekends_after[d] = weekends_after[d + 1];
            if weekend_of[d] != usize::MAX && seen.insert(weekend_of[d]) {
                weekends_after[d] += 1;
            }
        }
    }
    // With `below`: labels whose every completion costs at least `below` are dropped.
    let completion = below.map(|_| {
        let must_work = |d: usize| forced.is_some_and(|f| f[d]);
        Completion::new(options, cost, &must_work, min_minutes, max_minutes)
    });
    let hopeless = |d: usize, l: &Label| match (&completion, below) {
        (Some(c), Some(b)) => l.cost + c.from(d, l.minutes, min_minutes) >= b,
        _ => false,
    };
    let mut layers: Vec<Vec<Label>> = Vec::with_capacity(days);
    // Before day 0: off, run "from the start".
    let mut prev: Vec<(Key, Label)> = vec![(
        (None, 0, true, false),
        Label {
            cost: 0.0,
            minutes: 0,
            weekends: 0,
            counts: vec![0; caps.len()],
            pred: usize::MAX,
            shift: None,
        },
    )];
    let started = std::time::Instant::now();
    for d in 0..days {
        // A bound on effort as well as on labels: past it, the caller falls back.
        if started.elapsed().as_secs_f64() > SEARCH_SECONDS {
            return None;
        }
        let mut next: HashMap<Bucket, Vec<Label>> = HashMap::new();
        // A day fixed to one choice gives each label at most one successor, and labels
        // that did not dominate each other before rarely do after: no dominance checks
        // there (they are quadratic in a bucket's size). Extra labels cost nothing but
        // room.
        let settled = beam.is_none() && forced.is_some_and(|f| f[d]) && options[d].len() <= 1;
        let w = weekend_of[d];
        let new_weekend = w != usize::MAX && (d == 0 || weekend_of[d - 1] != w);
        for (p, ((last, run, from_start, counted), label)) in prev.iter().enumerate() {
            let counted_here = w != usize::MAX && *counted && !new_weekend;
            // Day off (not on a day forced to work).
            let must_work = forced.is_some_and(|f| f[d]) && !options[d].is_empty();
            if !must_work {
                let ok = last.is_none() || *from_start || *run >= min_cons;
                if ok {
                    let (run2, fs2) = if last.is_none() {
                        ((run + 1).min(cap_run), *from_start)
                    } else {
                        (1, false)
                    };
                    let mut l = Label {
                        pred: p,
                        shift: None,
                        ..label.clone()
                    };
                    normalise(
                        &mut l.counts,
                        &mut l.weekends,
                        &caps,
                        &cap_days_after,
                        &cap_len,
                        d + 1,
                        l.minutes,
                        max_minutes,
                        max_weekends,
                        &weekends_after,
                    );
                    if !hopeless(d + 1, &l) {
                        push(
                            &mut next,
                            (None, run2, fs2, counted_here),
                            l,
                            min_minutes,
                            beam,
                            grain,
                            !settled,
                        );
                    }
                }
            }
            // Work template t.
            for &(t, minutes) in &options[d] {
                if let Some(prev_class) = last {
                    if classes[*prev_class].contains(&t) {
                        continue;
                    }
                }
                let (run2, fs2) = if last.is_some() {
                    (run + 1, *from_start)
                } else {
                    if !(*from_start || *run >= min_off) {
                        continue;
                    }
                    (1, d == 0)
                };
                if run2 > max_cons {
                    continue;
                }
                let m = label.minutes + minutes;
                if m > max_minutes {
                    continue;
                }
                let mut weekends = label.weekends;
                if w != usize::MAX && !counted_here {
                    weekends += 1;
                    if weekends > max_weekends {
                        continue;
                    }
                }
                let mut counts = label.counts.clone();
                let mut over = false;
                for (k, &(ct, cap)) in caps.iter().enumerate() {
                    if ct == t {
                        counts[k] += 1;
                        over |= counts[k] > cap;
                    }
                }
                if over {
                    continue;
                }
                normalise(
                    &mut counts,
                    &mut weekends,
                    &caps,
                    &cap_days_after,
                    &cap_len,
                    d + 1,
                    m,
                    max_minutes,
                    max_weekends,
                    &weekends_after,
                );
                let l = Label {
                    cost: label.cost + cost(d, t),
                    minutes: m,
                    weekends,
                    counts,
                    pred: p,
                    shift: Some(t),
                };
                if hopeless(d + 1, &l) {
                    continue;
                }
                let key = (Some(class_of[t]), run2.min(cap_run), fs2, w != usize::MAX);
                push(&mut next, key, l, min_minutes, beam, grain, !settled);
            }
        }
        // Prune labels that cannot reach the minimum any more.
        // In key order, so that ties between equally cheap schedules break the same way in
        // every run (a `HashMap`'s order is random per process).
        let mut next: Vec<(Bucket, Vec<Label>)> = next.into_iter().collect();
        next.sort_unstable_by_key(|a| a.0);
        let mut layer: Vec<(Key, Label)> = Vec::new();
        for ((k, _), ls) in next {
            for l in ls {
                if l.minutes + rest_max[d + 1] >= min_minutes {
                    layer.push((k, l));
                }
            }
        }
        if layer.len() > label_limit {
            if std::env::var_os("SHIFTWISE_LOG_PRICING").is_some() {
                eprintln!(
                    "pricing: staff {e}: {} labels on day {d}, caps {caps:?}",
                    layer.len()
                );
            }
            return None;
        }
        layers.push(layer.iter().map(|(_, l)| l.clone()).collect());
        prev = layer;
    }
    // Slow searches (over 50 ms), for tuning.
    if started.elapsed().as_secs_f64() > 0.05 && std::env::var_os("SHIFTWISE_LOG_PRICING").is_some()
    {
        let widest = layers.iter().map(Vec::len).max().unwrap_or(0);
        let free = (0..days).filter(|&d| !forced.is_some_and(|f| f[d])).count();
        eprintln!(
            "pricing: staff {e}: {:.3} s, widest layer {widest}, {free} free days, caps {}, below {below:?}",
            started.elapsed().as_secs_f64(),
            caps.len()
        );
    }
    // End: the last block touches the horizon's end (exempt); minutes must reach the minimum.
    let finals: Vec<usize> = prev
        .iter()
        .enumerate()
        .filter(|(_, (_, l))| l.minutes >= min_minutes)
        .map(|(k, _)| k)
        .collect();
    let chosen: Vec<usize> = if let Some((_, k)) = beam {
        let mut finals = finals;
        // Stable: equally cheap schedules keep the layer's (deterministic) order.
        finals.sort_by(|&a, &b| prev[a].1.cost.total_cmp(&prev[b].1.cost));
        finals.truncate(k.max(1));
        finals
    } else {
        finals
            .into_iter()
            .min_by(|&a, &b| prev[a].1.cost.total_cmp(&prev[b].1.cost))
            .into_iter()
            .collect()
    };
    let mut out = Vec::with_capacity(chosen.len());
    for k in chosen {
        let total = prev[k].1.cost;
        let mut schedule = vec![None; days];
        let mut idx = k;
        for d in (0..days).rev() {
            let l = &layers[d][idx];
            schedule[d] = l.shift;
            idx = l.pred;
        }
        out.push((schedule, total));
    }
    Some(out)
}

/// Raise capped counts and weekends to the lowest value at which their limit can still bind
/// (see [`cheapest_schedule`]); `from` is the first day still to come.
#[allow(clippy::too_many_arguments)]
fn normalise(
    counts: &mut [u32],
    weekends: &mut u32,
    caps: &[(usize, u32)],
    cap_days_after: &[Vec<u32>],
    cap_len: &[u32],
    from: usize,
    minutes: u32,
    max_minutes: u32,
    max_weekends: u32,
    weekends_after: &[u32],
) {
    for (k, &(_, cap)) in caps.iter().enumerate() {
        let by_minutes = max_minutes.saturating_sub(minutes) / cap_len[k];
        let room = cap_days_after[k][from].min(by_minutes);
        counts[k] = counts[k].max(cap.saturating_sub(room));
    }
    if max_weekends != u32::MAX {
        *weekends = (*weekends).max(max_weekends.saturating_sub(weekends_after[from]));
    }
}

/// A layer's bucket: the dominance key and the paid-minute class (the minutes while below
/// the minimum, `u32::MAX` past it). Labels in different buckets never dominate each other
/// (below the minimum, dominance needs equal minutes), so only labels in one bucket are
/// compared.
type Bucket = (Key, u32);

/// Insert `l` under `key` unless a label there dominates it; drop the labels it dominates.
/// With `beam`, buckets hold paid minutes in classes of `grain` minutes, and the dearest
/// labels past `beam` in a bucket are dropped.
fn push(
    next: &mut HashMap<Bucket, Vec<Label>>,
    key: Key,
    l: Label,
    min_minutes: u32,
    beam: Option<(usize, usize)>,
    grain: u32,
    dominance: bool,
) {
    let class = if l.minutes >= min_minutes {
        u32::MAX
    } else if beam.is_some() {
        l.minutes / grain
    } else {
        l.minutes
    };
    let ls = next.entry((key, class)).or_default();
    if !dominance {
        ls.push(l);
        return;
    }
    if let Some((b, _)) = beam {
        if ls.len() >= b && ls.iter().all(|a| a.cost <= l.cost) {
            return;
        }
    }
    // `a` dominates `b`: no dearer, no more weekends or capped shifts, and minutes that are
    // as good both ways (equal, or both past the minimum with `a` lower).
    let dominates = |a: &Label, b: &Label| {
        a.cost <= b.cost + 1e-9
            && a.weekends <= b.weekends
            && a.counts.iter().zip(&b.counts).all(|(x, y)| x <= y)
            && (a.minutes == b.minutes || (a.minutes >= min_minutes && a.minutes <= b.minutes))
    };
    if ls.iter().any(|a| dominates(a, &l)) {
        return;
    }
    ls.retain(|b| !dominates(&l, b));
    ls.push(l);
    if let Some((b, _)) = beam {
        if ls.len() > b {
            // The last dearest goes (ties: the later one, for determinism).
            let worst = (0..ls.len())
                .max_by(|&i, &j| ls[i].cost.total_cmp(&ls[j].cost).then(i.cmp(&j)))
                .expect("non-empty");
            ls.remove(worst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{candidate_shifts, Builder, CostFamily, Family};
    use crate::solve::{solve, SolveOptions};
    use rand::{Rng, SeedableRng};

    /// 21 days, three shift types with rotation rules and caps, every horizon rule on.
    const TEXT: &str = "SECTION_HORIZON\n21\n\nSECTION_SHIFTS\nE,480,\nL,480,E\nN,600,E|L\n\n\
        SECTION_STAFF\nA,E=21|L=6|N=3,7200,4800,4,2,2,2\nB,E=21|L=21|N=0,8000,3000,3,3,3,1\n\n\
        SECTION_DAYS_OFF\nA,3,10\nB,0\n";

    /// The test instance mapped to a site, with its requirements and candidates.
    fn setup() -> (
        crate::curtois::Instance,
        Site,
        crate::staffing::Requirements,
        Vec<Candidate>,
    ) {
        let inst = crate::curtois::parse(TEXT, "test.txt", "test").unwrap();
        let site = crate::curtois::to_site(&inst);
        let req = crate::staffing::requirements(&site);
        let cands = candidate_shifts(&site);
        (inst, site, req, cands)
    }

    /// Costs per (day, template) drawn in [−100, 40).
    fn random_costs(rng: &mut rand_chacha::ChaCha8Rng, days: usize) -> Vec<Vec<f64>> {
        (0..days)
            .map(|_| (0..3).map(|_| rng.gen_range(-100.0..40.0)).collect())
            .collect()
    }

    /// Employee `e`'s candidates and their `(template, paid minutes)` options per day.
    #[allow(clippy::type_complexity)]
    fn options_of(
        cands: &[Candidate],
        e: usize,
        days: usize,
    ) -> (Vec<Candidate>, Vec<Vec<(usize, u32)>>) {
        let mine: Vec<Candidate> = cands.iter().filter(|c| c.employee == e).cloned().collect();
        let mut options = vec![Vec::new(); days];
        for c in &mine {
            options[c.day].push((c.template, c.paid_minutes));
        }
        (mine, options)
    }

    /// `verify`'s violations for employee `id` working `schedule` (a template or none per
    /// day), their candidates being `mine`.
    fn violations_of(
        site: &Site,
        req: &crate::staffing::Requirements,
        id: &str,
        mine: &[Candidate],
        schedule: &[Option<usize>],
    ) -> Vec<crate::verify::Violation> {
        let roster = crate::roster::Roster {
            shifts: schedule
                .iter()
                .enumerate()
                .filter_map(|(d, t)| {
                    let c = mine.iter().find(|c| c.day == d && Some(c.template) == *t)?;
                    Some(c.to_shift())
                })
                .collect(),
        };
        crate::verify::verify(site, &roster, &req.agents)
            .violations
            .into_iter()
            .filter(|v| v.employee == id)
            .collect()
    }

    /// The DP's optimum equals HiGHS's on the rostering model restricted to one employee
    /// (every family but cover), for random costs per day and template.
    #[test]
    fn dp_matches_the_milp_on_random_costs() {
        let (inst, site, req, cands) = setup();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for round in 0..12 {
            let costs = random_costs(&mut rng, inst.days);
            for e in 0..inst.staff.len() {
                assert!(applicable(&site, e, &cands));
                let (mine, options) = options_of(&cands, e, inst.days);
                let (schedule, dp) =
                    cheapest_schedule(&site, e, &options, &|d, t| costs[d][t], 1_000_000)
                        .expect("within the label limit")
                        .expect("feasible");
                let k = mine.len();
                let mut b =
                    Builder::restricted(&site, &req, mine.clone(), vec![false; k], false, false);
                let families: Vec<Family> = Family::ALL
                    .iter()
                    .copied()
                    .filter(|&f| f != Family::TemplateCover)
                    .collect();
                b.build(&families);
                for (j, c) in mine.iter().enumerate() {
                    let x = b.x[j];
                    b.add_cost(CostFamily::Understaffing, x, costs[c.day][c.template]);
                }
                let lm = std::mem::take(&mut b.lm);
                let out = solve(
                    lm,
                    &SolveOptions {
                        gap: 0.0,
                        ..Default::default()
                    },
                )
                .unwrap();
                assert!(
                    (out.objective - dp).abs() < 1e-6,
                    "round {round} staff {e}: DP {dp} vs MILP {} ({schedule:?})",
                    out.objective
                );
                // The DP's schedule keeps every rule: verify agrees.
                let v = violations_of(&site, &req, &inst.staff[e].id, &mine, &schedule);
                assert!(v.is_empty(), "{v:?}");
            }
        }
    }

    /// The completion bound never exceeds the cheapest completion, found by brute force
    /// over every choice of one option or none per day (random lengths that the unit does
    /// not divide, negative and positive costs, days that must be worked).
    /// Brute force: every completion from day `start` on (each day off where allowed, or one
    /// of its options), as (minutes added, cost).
    fn every_completion(
        options: &[Vec<(usize, u32)>],
        costs: &[Vec<f64>],
        must: &[bool],
        start: usize,
    ) -> Vec<(u32, f64)> {
        let mut out = Vec::new();
        let mut stack = vec![(start, 0u32, 0.0)];
        while let Some((d, m, v)) = stack.pop() {
            if d == options.len() {
                out.push((m, v));
                continue;
            }
            if !must[d] || options[d].is_empty() {
                stack.push((d + 1, m, v));
            }
            for &(t, len) in &options[d] {
                stack.push((d + 1, m + len, v + costs[d][t]));
            }
        }
        out
    }

    #[test]
    fn completion_bound_is_below_every_completion() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for _ in 0..300 {
            let days = rng.gen_range(1..6);
            let options: Vec<Vec<(usize, u32)>> = (0..days)
                .map(|_| {
                    (0..rng.gen_range(0..3))
                        .map(|t| (t, rng.gen_range(1..10) * 60 + rng.gen_range(0..3) * 20))
                        .collect()
                })
                .collect();
            let costs: Vec<Vec<f64>> = (0..days)
                .map(|_| (0..3).map(|_| rng.gen_range(-50.0..50.0)).collect())
                .collect();
            let must: Vec<bool> = (0..days).map(|_| rng.gen_bool(0.3)).collect();
            let min_minutes = rng.gen_range(0..1500);
            let unit = [1, 20, 60, 77, 200][rng.gen_range(0..5)];
            let cost = |d: usize, t: usize| costs[d][t];
            let c = Completion::with_unit(&options, &cost, &|d| must[d], min_minutes, unit);
            for start in 0..=days {
                let all = every_completion(&options, &costs, &must, start);
                for paid in [0, 300, 700, 1400] {
                    let best = all
                        .iter()
                        .filter(|&&(m, _)| paid + m >= min_minutes)
                        .fold(f64::INFINITY, |b, &(_, v)| b.min(v));
                    let lb = c.from(start, paid, min_minutes);
                    assert!(
                        lb <= best + 1e-9,
                        "unit {unit}: bound {lb} above the cheapest completion {best}"
                    );
                    if unit == 1 || unit == 20 {
                        // Exact when the unit divides every length.
                        assert!(lb == best || (lb - best).abs() < 1e-9, "{lb} vs {best}");
                    }
                }
            }
        }
    }

    /// The two-sided bound is exact: with rows by the minutes paid so far, it equals the
    /// cheapest completion (brute force) that ends within the minimum and the maximum, also
    /// where every option is cheap (negative) and the maximum is what stops the completion
    /// from taking every day.
    #[test]
    fn two_sided_completion_is_the_cheapest_within_min_and_max() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(41);
        let mut binding_max = 0;
        for _ in 0..300 {
            let days = rng.gen_range(1..7);
            let options: Vec<Vec<(usize, u32)>> = (0..days)
                .map(|_| {
                    (0..rng.gen_range(0..3))
                        .map(|t| (t, [240, 480, 600, 720][rng.gen_range(0..4)]))
                        .collect()
                })
                .collect();
            let costs: Vec<Vec<f64>> = (0..days)
                .map(|_| (0..3).map(|_| rng.gen_range(-50.0..20.0)).collect())
                .collect();
            let must: Vec<bool> = (0..days).map(|_| rng.gen_bool(0.2)).collect();
            let min_minutes = rng.gen_range(0..8) * 240;
            let max_minutes = min_minutes + rng.gen_range(0..6) * 120;
            let cost = |d: usize, t: usize| costs[d][t];
            let c = Completion::new(&options, &cost, &|d| must[d], min_minutes, max_minutes);
            if options.iter().all(Vec::is_empty) {
                continue;
            }
            assert!(c.two_sided);
            for start in 0..=days {
                let all = every_completion(&options, &costs, &must, start);
                for paid in (0..=max_minutes).step_by(c.unit as usize) {
                    let cheapest = |max: u32| {
                        all.iter()
                            .filter(|&&(m, _)| paid + m >= min_minutes && paid + m <= max)
                            .fold(f64::INFINITY, |b, &(_, v)| b.min(v))
                    };
                    let (best, best_min_only) = (cheapest(max_minutes), cheapest(u32::MAX));
                    let lb = c.from(start, paid, min_minutes);
                    assert!(
                        lb == best || (lb - best).abs() < 1e-9,
                        "bound {lb} against the cheapest completion {best}"
                    );
                    if best > best_min_only + 1e-9 {
                        binding_max += 1;
                    }
                }
            }
        }
        // The maximum made a difference often enough for the test to mean something.
        assert!(binding_max > 100, "{binding_max}");
    }

    /// Pruning by a threshold changes nothing below it: `cheapest_schedule_forced` with a threshold returns
    /// the exact cheapest schedule whenever it costs less than the threshold, and nothing
    /// otherwise — with random costs, random fixed days (a window's outside) and
    /// thresholds just above, at and below the optimum. The pruned beam returns only
    /// schedules below the threshold, each keeping every rule.
    #[test]
    fn pruning_by_a_threshold_keeps_every_schedule_below_it() {
        let (inst, site, req, cands) = setup();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(29);
        let mut pruned_found = 0;
        for _ in 0..25 {
            let costs = random_costs(&mut rng, inst.days);
            let cost = |d: usize, t: usize| costs[d][t];
            for e in 0..inst.staff.len() {
                let (mine, options) = options_of(&cands, e, inst.days);
                // Fix everything outside a random window to the free optimum.
                let (free_best, _) = cheapest_schedule(&site, e, &options, &cost, 1_000_000)
                    .unwrap()
                    .unwrap();
                let d0 = rng.gen_range(0..inst.days);
                let d1 = (d0 + rng.gen_range(1..10)).min(inst.days);
                let window = rng.gen_bool(0.5);
                let forced: Vec<bool> = (0..inst.days)
                    .map(|d| window && (d < d0 || d >= d1))
                    .collect();
                let opts: Vec<Vec<(usize, u32)>> = (0..inst.days)
                    .map(|d| {
                        let mut o = options[d].clone();
                        if forced[d] {
                            o.retain(|&(t, _)| Some(t) == free_best[d]);
                        }
                        o
                    })
                    .collect();
                let (row, exact) =
                    cheapest_schedule_forced(&site, e, &opts, &cost, 1_000_000, &forced, None)
                        .unwrap()
                        .unwrap();
                for (below, expect) in [
                    (exact + 0.5, true),
                    (exact + 1e-7, true),
                    (exact, false),
                    (exact - 3.0, false),
                ] {
                    let got = cheapest_schedule_forced(
                        &site,
                        e,
                        &opts,
                        &cost,
                        1_000_000,
                        &forced,
                        Some(below),
                    )
                    .expect("within the label limit");
                    match got {
                        Some((r, v)) => {
                            assert!(expect, "found {v} at or above {below}");
                            assert!((v - exact).abs() < 1e-9, "{v} vs the optimum {exact}");
                            let real: f64 = r
                                .iter()
                                .enumerate()
                                .filter_map(|(d, t)| t.map(|t| costs[d][t]))
                                .sum();
                            assert!((real - exact).abs() < 1e-6);
                            pruned_found += 1;
                        }
                        None => assert!(!expect, "optimum {exact} ({row:?}) lost below {below}"),
                    }
                }
                let beam = cheapest_schedules_beam(
                    &site,
                    e,
                    &opts,
                    &cost,
                    1_000_000,
                    2,
                    3,
                    &forced,
                    Some(exact + 30.0),
                )
                .unwrap();
                for (r, v) in &beam {
                    assert!(*v < exact + 30.0 && *v >= exact - 1e-6);
                    let v = violations_of(&site, &req, &inst.staff[e].id, &mine, r);
                    assert!(v.is_empty(), "{v:?}");
                }
            }
        }
        assert!(pruned_found > 0);
    }

    /// The beam DP's schedules keep every rule (by `verify`), are sorted, distinct, at most
    /// `k`, their reported costs are their real costs and never below the exact DP's; with
    /// an unbounded beam its best is the exact optimum.
    #[test]
    fn beam_schedules_keep_the_rules_and_an_unbounded_beam_is_exact() {
        let (inst, site, req, cands) = setup();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
        let mut cheaper_found = 0;
        for _ in 0..10 {
            let costs = random_costs(&mut rng, inst.days);
            for e in 0..inst.staff.len() {
                let (mine, options) = options_of(&cands, e, inst.days);
                let cost = |d: usize, t: usize| costs[d][t];
                let free = vec![false; inst.days];
                let (_, exact) = cheapest_schedule(&site, e, &options, &cost, 1_000_000)
                    .unwrap()
                    .unwrap();
                let wide = cheapest_schedules_beam(
                    &site, e, &options, &cost, 1_000_000, 1_000_000, 1, &free, None,
                )
                .unwrap();
                assert!((wide[0].1 - exact).abs() < 1e-6, "{} vs {exact}", wide[0].1);
                for beam in [1, 2, 3] {
                    let got = cheapest_schedules_beam(
                        &site, e, &options, &cost, 1_000_000, beam, 3, &free, None,
                    )
                    .unwrap();
                    assert!(got.len() <= 3);
                    for (k, (row, value)) in got.iter().enumerate() {
                        let real: f64 = row
                            .iter()
                            .enumerate()
                            .filter_map(|(d, t)| t.map(|t| costs[d][t]))
                            .sum();
                        assert!((real - value).abs() < 1e-6);
                        assert!(*value >= exact - 1e-6);
                        assert!(k == 0 || got[k - 1].1 <= *value);
                        assert!(got[..k].iter().all(|(r, _)| r != row));
                        let v = violations_of(&site, &req, &inst.staff[e].id, &mine, row);
                        assert!(v.is_empty(), "beam {beam}: {v:?}");
                    }
                    cheaper_found += usize::from(got.len() > 1);
                }
            }
        }
        assert!(
            cheaper_found > 0,
            "the beam never returned more than one schedule"
        );
    }
}
