//! Rostering rule families over the whole horizon: rotation (forbidden successions of
//! templates), horizon totals, caps per template, minimum lengths of working and
//! days-off blocks, weekends worked, per-template cover and template-specific requests.
//!
//! Every family is off by default ([`crate::domain::Rules`]) and reads its data from
//! [`Site::rules`](crate::domain::Site::rules). The hard ones go through the builder's
//! `hard_le`, so they get elastic slacks in diagnosis and search mode like every other
//! hard rule. Sequence rules use the tight "forbidden pattern" inequalities: a block of
//! `s` working days framed by days off is cut off by `Σ work[block] − work[before] −
//! work[after] ≤ s − 1`, which is the convex hull of the pattern on those days.

use std::collections::{BTreeSet, HashMap};

use good_lp::{constraint, Expression};

use super::{Builder, CostFamily, Family};

impl Builder<'_> {
    /// Candidates of employee `e` on day `d` with a template in `ts`.
    fn day_template_cands(&self, e: usize, d: usize, ts: &BTreeSet<usize>) -> Vec<usize> {
        self.day_cands(e, d)
            .iter()
            .copied()
            .filter(|&c| ts.contains(&self.cands[c].template))
            .collect()
    }

    /// Paid time over the whole horizon between the contract's
    /// `min_hours_per_horizon` and `max_hours_per_horizon` (hard).
    pub fn horizon_hours(&mut self) {
        for e in 0..self.site.employees.len() {
            let r = self.site.contract_rules(e);
            let (min, max) = (r.min_minutes_per_horizon, r.max_minutes_per_horizon);
            if min == 0 && max.is_none() {
                continue;
            }
            let cs: Vec<usize> = (0..self.site.grid.days)
                .flat_map(|d| self.day_cands(e, d).iter().copied())
                .collect();
            let expr = self.sum_coef(
                cs.iter()
                    .map(|&c| (c, f64::from(self.cands[c].paid_minutes))),
            );
            if min > 0 {
                self.hard_ge(
                    Family::HorizonHours,
                    format!("{} at least {min} paid minutes", self.emp_label(e)),
                    expr.clone(),
                    f64::from(min),
                );
            }
            if let Some(max) = max {
                self.hard_le(
                    Family::HorizonHours,
                    format!("{} at most {max} paid minutes", self.emp_label(e)),
                    expr,
                    f64::from(max),
                );
            }
        }
    }

    /// At most `max_shifts_per_template[t]` shifts of template `t` per employee over the
    /// horizon (hard).
    pub fn max_shifts_per_template(&mut self) {
        for e in 0..self.site.employees.len() {
            let caps = self.site.contract_rules(e).max_shifts_per_template.clone();
            for (t, cap) in caps {
                let one: BTreeSet<usize> = [t].into();
                let cs: Vec<usize> = (0..self.site.grid.days)
                    .flat_map(|d| self.day_template_cands(e, d, &one))
                    .collect();
                if cs.len() as u32 <= cap {
                    continue;
                }
                let expr = self.sum_x(cs);
                self.hard_le(
                    Family::TemplateCaps,
                    format!(
                        "{} at most {cap} shifts of {}",
                        self.emp_label(e),
                        self.site.templates[t].id
                    ),
                    expr,
                    f64::from(cap),
                );
            }
        }
    }

    /// Rotation: a shift of template `t` is never followed on the next day by a shift of a
    /// template in `not_followed_by[t]` (hard). Written as cliques: for each template `t`
    /// the templates whose forbidden set contains `t`'s, against `t`'s forbidden set; and
    /// for each template `u` the templates that forbid it, against every template they all
    /// forbid. With one shift a day these are maximal conflict cliques.
    pub fn forbidden_successions(&mut self) {
        let nt = self.site.templates.len();
        let forbid: Vec<BTreeSet<usize>> = (0..nt)
            .map(|t| self.site.not_followed_by(t).iter().copied().collect())
            .collect();
        let mut cliques: BTreeSet<(BTreeSet<usize>, BTreeSet<usize>)> = BTreeSet::new();
        for t in 0..nt {
            if forbid[t].is_empty() {
                continue;
            }
            let before: BTreeSet<usize> = (0..nt)
                .filter(|&s| forbid[t].is_subset(&forbid[s]))
                .collect();
            cliques.insert((before, forbid[t].clone()));
        }
        for u in 0..nt {
            let before: BTreeSet<usize> = (0..nt).filter(|&s| forbid[s].contains(&u)).collect();
            if before.is_empty() {
                continue;
            }
            let after: BTreeSet<usize> = (0..nt)
                .filter(|&v| before.iter().all(|&s| forbid[s].contains(&v)))
                .collect();
            cliques.insert((before, after));
        }
        for e in 0..self.site.employees.len() {
            for d in 0..self.site.grid.days.saturating_sub(1) {
                for (before, after) in &cliques {
                    let a = self.day_template_cands(e, d, before);
                    let b = self.day_template_cands(e, d + 1, after);
                    if a.is_empty() || b.is_empty() {
                        continue;
                    }
                    let expr = self.sum_x(a.into_iter().chain(b));
                    self.hard_le(
                        Family::ForbiddenSuccessions,
                        format!("{} days {}-{}", self.emp_label(e), d + 1, d + 2),
                        expr,
                        1.0,
                    );
                }
            }
        }
    }

    /// Every block of consecutive working days is at least `min_consecutive_days` long,
    /// unless it touches the start or end of the horizon (hard): for each block length
    /// `s < k` and each position with a day on both sides inside the horizon,
    /// `Σ work[d..d+s) − work[d−1] − work[d+s] ≤ s − 1`.
    pub fn min_consecutive_days(&mut self) {
        let days = self.site.grid.days;
        for e in 0..self.site.employees.len() {
            let k = self.site.contract_rules(e).min_consecutive_days as usize;
            for s in 1..k {
                for d in 1..days.saturating_sub(s) {
                    let mut expr = -self.works(e, d - 1) - self.works(e, d + s);
                    for i in d..d + s {
                        expr += self.works(e, i);
                    }
                    self.hard_le(
                        Family::MinConsecutiveDays,
                        format!("{} {s} working days from day {}", self.emp_label(e), d + 1),
                        expr,
                        s as f64 - 1.0,
                    );
                }
            }
        }
    }

    /// Every block of consecutive days off is at least `min_consecutive_days_off` long,
    /// unless it touches the start or end of the horizon (hard):
    /// `work[d−1] + work[d+s] − Σ work[d..d+s) ≤ 1` for each block length `s < k`.
    pub fn min_consecutive_days_off(&mut self) {
        let days = self.site.grid.days;
        for e in 0..self.site.employees.len() {
            let k = self.site.contract_rules(e).min_consecutive_days_off as usize;
            for s in 1..k {
                for d in 1..days.saturating_sub(s) {
                    let mut expr = self.works(e, d - 1) + self.works(e, d + s);
                    for i in d..d + s {
                        expr -= self.works(e, i);
                    }
                    self.hard_le(
                        Family::MinConsecutiveDaysOff,
                        format!("{} {s} days off from day {}", self.emp_label(e), d + 1),
                        expr,
                        1.0,
                    );
                }
            }
        }
    }

    /// At most `max_weekends` weekends worked (hard): a weekend variable `z ≥ work[d]` for
    /// each of its days, `Σ z ≤ max`.
    pub fn max_weekends(&mut self) {
        let weekends = self.site.weekends();
        for e in 0..self.site.employees.len() {
            let Some(max) = self.site.contract_rules(e).max_weekends else {
                continue;
            };
            if weekends.len() as u32 <= max {
                continue;
            }
            let mut total = Expression::default();
            for days in &weekends {
                if days.iter().all(|&d| self.day_cands(e, d).is_empty()) {
                    continue;
                }
                let z = self.lm.continuous(0.0, 1.0);
                for &d in days {
                    let w = self.works(e, d);
                    self.lm.constrain(constraint!(z.var - w >= 0.0));
                }
                total += z.var;
            }
            self.hard_le(
                Family::MaxWeekends,
                format!("{} at most {max} weekends", self.emp_label(e)),
                total,
                f64::from(max),
            );
        }
    }

    /// Per-template, per-day cover (soft): shifts of the template starting that day plus
    /// the shortfall minus the surplus equal the requirement; shortfall costs
    /// `under_weight` each (understaffing), surplus `over_weight` (overstaffing).
    pub fn template_cover(&mut self) {
        let mut by_day_template: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
        for (c, cand) in self.cands.iter().enumerate() {
            by_day_template
                .entry((cand.day, cand.template))
                .or_default()
                .push(c);
        }
        for cover in self.site.rules.template_cover.clone() {
            let cs = by_day_template
                .get(&(cover.day, cover.template))
                .cloned()
                .unwrap_or_default();
            let under = self.lm.continuous(0.0, f64::INFINITY);
            let over = self.lm.continuous(0.0, f64::INFINITY);
            let expr = self.sum_x(cs);
            self.lm.constrain(constraint!(
                expr + under.var - over.var == f64::from(cover.required)
            ));
            self.cost(CostFamily::Understaffing, under, cover.under_weight);
            self.cost(CostFamily::Overstaffing, over, cover.over_weight);
        }
    }

    /// Template-specific requests (soft): wanting a template on a day costs its weight when
    /// no shift of it is worked that day; not wanting it costs the weight per such shift.
    pub fn shift_requests(&mut self) {
        for r in self.site.rules.shift_requests.clone() {
            let one: BTreeSet<usize> = [r.template].into();
            let cs = self.day_template_cands(r.employee, r.day, &one);
            if r.work {
                let miss = self.lm.continuous(0.0, 1.0);
                let expr = self.sum_x(cs);
                self.lm.constrain(constraint!(miss.var + expr >= 1.0));
                self.cost(CostFamily::Requests, miss, r.weight);
            } else {
                for c in cs {
                    let x = self.x[c];
                    self.cost(CostFamily::Requests, x, r.weight);
                }
            }
        }
    }
}
