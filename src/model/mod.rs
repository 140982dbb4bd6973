//! The roster MILP.
//!
//! Decisions: `x[c] ∈ {0,1}` for every [`Candidate`] shift `c` (employee, day, template,
//! start, length). Coverage uses continuous allocation variables per *skill group*
//! (agents with the same set of queues — and, in robust planning, the same attendance `a`)
//! and interval: `y[g,i,q] ≥ 0`, the agent-intervals of group `g` working queue `q` in
//! interval `i`, with `Σ_q y[g,i,q] ≤ a_g · on_duty[g,i]` (`a_g = 1` outside robust plans).
//! This is exact for fractional allocation (an agent may split an interval across
//! queues) and needs groups × intervals × skills variables instead of one per agent.
//!
//! ## The model's table of contents
//!
//! | family | kind | function |
//! |---|---|---|
//! | one shift a day | hard | [`Builder::one_shift_per_day`] |
//! | weekly paid hours (min/max, contract or employee override) | hard | [`Builder::weekly_hours`] |
//! | weekly shifts (min/max) | hard | [`Builder::weekly_shifts`] |
//! | minimum rest between shifts | hard | [`Builder::min_rest_between_shifts`] |
//! | max consecutive working days | hard | [`Builder::max_consecutive_days`] |
//! | min days off per week | hard | [`Builder::min_days_off_per_week`] |
//! | on-site seats | hard | [`Builder::seat_capacity`] |
//! | hard unavailability / hard mode | hard | candidate filtering in [`candidates`] |
//! | hard max shifts | hard | [`Builder::requests`] |
//! | queue coverage, piecewise understaffing, overstaffing | soft | [`Builder::queue_coverage`] |
//! | deferred work deadlines (email) | soft | [`Builder::deferred_deadlines`] |
//! | team leads per agents | soft | [`Builder::team_lead_coverage`] |
//! | soft requests (prefer off/work/mode, max shifts) | soft | [`Builder::requests`] |
//! | labour cost | objective | [`Builder::labour_cost`] |
//! | paid hours over the horizon | hard | [`Builder::horizon_hours`] |
//! | max shifts per template | hard | [`Builder::max_shifts_per_template`] |
//! | forbidden successions (rotation) | hard | [`Builder::forbidden_successions`] |
//! | min consecutive working days / days off | hard | [`Builder::min_consecutive_days`], [`Builder::min_consecutive_days_off`] |
//! | max weekends worked | hard | [`Builder::max_weekends`] |
//! | cover per template and day | soft | [`Builder::template_cover`] |
//! | template-specific shift requests | soft | [`Builder::shift_requests`] |

pub mod candidates;
pub mod days;
pub mod descent;
pub mod greedy;
pub mod rules;
pub mod search;

use std::collections::HashMap;

use good_lp::{constraint, Expression};

pub use candidates::{candidate_shifts, Candidate};

use crate::domain::{Request, RequestDay, RequestKind, Role, ShiftMode, Site};
use crate::solve::{LinearModel, SolveOutcome, Var};
use crate::staffing::Requirements;

/// The model's families, one builder function each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// [`Builder::labour_cost`].
    LabourCost,
    /// [`Builder::one_shift_per_day`].
    OneShiftPerDay,
    /// [`Builder::weekly_hours`].
    WeeklyHours,
    /// [`Builder::weekly_shifts`].
    WeeklyShifts,
    /// [`Builder::min_rest_between_shifts`].
    MinRest,
    /// [`Builder::max_consecutive_days`].
    MaxConsecutiveDays,
    /// [`Builder::min_days_off_per_week`].
    MinDaysOff,
    /// [`Builder::seat_capacity`].
    Seats,
    /// [`Builder::queue_coverage`].
    QueueCoverage,
    /// [`Builder::deferred_deadlines`].
    DeferredDeadlines,
    /// [`Builder::team_lead_coverage`].
    TeamLeads,
    /// [`Builder::requests`].
    Requests,
    /// [`Builder::fairness`].
    Fairness,
    /// [`Builder::horizon_hours`].
    HorizonHours,
    /// [`Builder::max_shifts_per_template`].
    TemplateCaps,
    /// [`Builder::forbidden_successions`].
    ForbiddenSuccessions,
    /// [`Builder::min_consecutive_days`].
    MinConsecutiveDays,
    /// [`Builder::min_consecutive_days_off`].
    MinConsecutiveDaysOff,
    /// [`Builder::max_weekends`].
    MaxWeekends,
    /// [`Builder::template_cover`].
    TemplateCover,
    /// [`Builder::shift_requests`].
    ShiftRequests,
    /// [`Builder::coverage_rounding_cuts`] (valid inequalities: no roster is excluded).
    CoverageRounding,
}

impl Family {
    /// Plain-words name (used when a hard rule cannot hold).
    pub fn describe(self) -> &'static str {
        match self {
            Family::LabourCost => "labour cost",
            Family::OneShiftPerDay => "one shift a day",
            Family::WeeklyHours => "weekly hours",
            Family::WeeklyShifts => "weekly shifts",
            Family::MinRest => "minimum rest between shifts",
            Family::MaxConsecutiveDays => "max consecutive working days",
            Family::MinDaysOff => "min days off per week",
            Family::Seats => "on-site seat capacity",
            Family::QueueCoverage => "queue coverage",
            Family::DeferredDeadlines => "email deadlines",
            Family::TeamLeads => "team-lead coverage",
            Family::Requests => "hard max-shifts request",
            Family::Fairness => "fair share of weekend and late shifts",
            Family::HorizonHours => "paid hours over the horizon",
            Family::TemplateCaps => "max shifts per template",
            Family::ForbiddenSuccessions => "forbidden shift successions",
            Family::MinConsecutiveDays => "min consecutive working days",
            Family::MinConsecutiveDaysOff => "min consecutive days off",
            Family::MaxWeekends => "max weekends worked",
            Family::TemplateCover => "cover per template and day",
            Family::ShiftRequests => "shift requests",
            Family::CoverageRounding => "coverage rounding cuts",
        }
    }

    /// Whether the family holds hard rules (the others are costs, soft rules and cuts).
    pub fn holds_hard_rules(self) -> bool {
        matches!(
            self,
            Family::OneShiftPerDay
                | Family::WeeklyHours
                | Family::WeeklyShifts
                | Family::MinRest
                | Family::MaxConsecutiveDays
                | Family::MinDaysOff
                | Family::Seats
                | Family::Requests
                | Family::HorizonHours
                | Family::TemplateCaps
                | Family::ForbiddenSuccessions
                | Family::MinConsecutiveDays
                | Family::MinConsecutiveDaysOff
                | Family::MaxWeekends
        )
    }

    /// Every family, in build order.
    pub const ALL: &'static [Family] = &[
        Family::LabourCost,
        Family::OneShiftPerDay,
        Family::WeeklyHours,
        Family::WeeklyShifts,
        Family::MinRest,
        Family::MaxConsecutiveDays,
        Family::MinDaysOff,
        Family::Seats,
        Family::QueueCoverage,
        Family::DeferredDeadlines,
        Family::TeamLeads,
        Family::Requests,
        Family::Fairness,
        Family::HorizonHours,
        Family::TemplateCaps,
        Family::ForbiddenSuccessions,
        Family::MinConsecutiveDays,
        Family::MinConsecutiveDaysOff,
        Family::MaxWeekends,
        Family::TemplateCover,
        Family::ShiftRequests,
        Family::CoverageRounding,
    ];
}

/// The implicit break variables of one group of identical candidate shifts.
#[derive(Debug, Clone)]
pub struct BreakGroup {
    /// Candidates (builder indices) in the group.
    pub members: Vec<usize>,
    /// The shift type the group stands for (duty class, template, start, length in
    /// minutes): the same in every model of the site, whatever its candidates.
    pub key: ShiftTypeKey,
    /// For each break the shifts carry: the slot and its (start offset minutes, count) variables.
    pub slots: Vec<(crate::domain::BreakSlot, Vec<(u32, Var)>)>,
}

/// A shift type across models: duty class, template, start and length in minutes.
pub type ShiftTypeKey = (usize, usize, chrono::DateTime<chrono::Utc>, i64);

/// Break counts by position, across models: shift type, break (slot index) and start
/// offset in minutes, see [`Builder::break_counts`].
pub type BreakCounts = HashMap<(ShiftTypeKey, usize, u32), f64>;

/// Cost families of the objective, for the summary's breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostFamily {
    /// Paid hours × hourly cost (+ on-site extra).
    Labour,
    /// Missing agents on real-time queues.
    Understaffing,
    /// On-duty agent time not needed by any queue.
    Overstaffing,
    /// Deferred work past its deadline.
    Backlog,
    /// Missing team leads.
    TeamLeads,
    /// Soft requests not granted.
    Requests,
    /// Uneven spread of weekend and late shifts.
    Fairness,
    /// Changes to a published roster (re-planning).
    Disruption,
    /// Elastic slack on hard rules (diagnosis mode only).
    HardRuleSlack,
}

/// A duty class's agents on breaks taking part of an interval (a variable), and the
/// distinct fractional shares those breaks take.
type PartBreaks = (Var, Vec<f64>);

/// The coefficient of a break count in the rounding inequality of
/// [`Builder::coverage_rounding_cuts`]: `φ·⌊σ⌋ + max(0, frac(σ) + φ − 1)` for a break taking
/// share `σ` of the interval, `φ` the requirement's fractional part.
pub fn mir_break_coefficient(phi: f64, share: f64) -> f64 {
    let whole = share.floor();
    phi * whole + (share - whole + phi - 1.0).max(0.0)
}

/// The expected tiered shortfall penalty over forecast samples needing `needs` agents, as
/// pieces of the allocation `a ∈ [0, max need]`: `(width, cost per agent-hour)`, so that the
/// penalty at `a` is the cheapest way to place `max need − a` of shortfall in the pieces.
/// Sample `k` short by `d = need_k − a` pays `tiers[t]` per agent-hour for the part of `d`
/// in `(t, t + 1]` (the last tier open-ended), each sample weighing `1/K`; the marginal cost
/// changes only where some `need_k − t` falls, so those points cut the pieces. The function
/// is convex — deeper shortfall is never cheaper when the tiers rise — which is what makes
/// the cheapest filling its value.
pub fn expected_shortfall_segments(needs: &[f64], tiers: &[f64]) -> Vec<(f64, f64)> {
    let most = needs.iter().copied().fold(0.0, f64::max);
    if most <= 0.0 || tiers.is_empty() {
        return Vec::new();
    }
    let k = needs.len() as f64;
    let mut cuts = vec![0.0, most];
    for &need in needs {
        for t in 0..tiers.len() {
            let at = need - t as f64;
            if at > 0.0 && at < most {
                cuts.push(at);
            }
        }
    }
    cuts.sort_by(f64::total_cmp);
    cuts.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    let mut pieces: Vec<(f64, f64)> = Vec::new();
    for w in cuts.windows(2) {
        let (lo, hi) = (w[0], w[1]);
        let mid = 0.5 * (lo + hi);
        let cost: f64 = needs
            .iter()
            .filter(|&&need| need > mid)
            .map(|&need| tiers[((need - mid).floor() as usize).min(tiers.len() - 1)])
            .sum::<f64>()
            / k;
        match pieces.last_mut() {
            Some(last) if (last.1 - cost).abs() < 1e-9 => last.0 += hi - lo,
            _ => pieces.push((hi - lo, cost)),
        }
    }
    pieces
}

/// Days of week `w` of the horizon: `[7w, min(7w + 7, days))`.
pub fn weeks(days: usize) -> Vec<std::ops::Range<usize>> {
    (0..days.div_ceil(7))
        .map(|w| 7 * w..(7 * w + 7).min(days))
        .collect()
}

/// The weeks (index and days, as [`weeks`]) a `max_shifts` request caps: every week of the
/// horizon, or — when it is dated — the one holding its date (none for a date outside the
/// horizon).
pub fn request_weeks(site: &Site, r: &Request) -> Vec<(usize, std::ops::Range<usize>)> {
    let all = weeks(site.grid.days).into_iter().enumerate();
    match r.day {
        RequestDay::Date(date) => match site.grid.day_of_date(date) {
            Some(day) => all.filter(|(_, week)| week.contains(&day)).collect(),
            None => Vec::new(),
        },
        RequestDay::Weekly(_) | RequestDay::Always => all.collect(),
    }
}

/// A built model: the LP plus what is needed to read a solution back.
pub struct Builder<'a> {
    /// The site.
    pub site: &'a Site,
    /// Requirements.
    pub req: &'a Requirements,
    /// Candidates (variables `x`).
    pub cands: Vec<Candidate>,
    /// The linear model.
    pub lm: LinearModel,
    /// `x[c]`.
    pub x: Vec<Var>,
    /// Skill groups: distinct skill sets of agents (split further by attendance when it
    /// differs, robust planning), and each agent's group.
    pub groups: Vec<Vec<usize>>,
    /// Expected share of its shifts each group works ([`Requirements::attendance`]; 1 in
    /// an ordinary plan): a group's allocations are at most this share of its agents on duty.
    pub group_attendance: Vec<f64>,
    /// Group of each employee (`None` for team leads and agents without skills).
    pub group_of: Vec<Option<usize>>,
    /// `y[g][i]`: (queue, var) allocations of group `g` in interval `i`.
    pub y: Vec<Vec<Vec<(usize, Var)>>>,
    /// `duty[k][i]`: on-duty count of duty class `k` in interval `i` (a continuous variable
    /// defined by one equality row over the covering shift types), where the classes are the
    /// agent groups by mode (`2g` remote, `2g+1` on-site) followed by team leads (remote,
    /// on-site). Each shift type then appears in one row per covered interval, whatever uses
    /// the counts.
    pub duty: Vec<Vec<Option<Var>>>,
    /// Cost terms by family.
    pub costs: Vec<(CostFamily, Var, f64)>,
    /// Elastic slacks on hard rules (only when built for diagnosis).
    pub slacks: Vec<(Family, String, Var)>,
    /// Whether hard rules get elastic slacks.
    pub elastic: bool,
    /// Hard rules that no choice of shifts can satisfy (found while building).
    pub unsatisfiable: Vec<(Family, String)>,
    /// Break placement variables (implicit breaks), when breaks are planned.
    pub breaks: Vec<BreakGroup>,
    /// Whether breaks are planned in this model.
    pub with_breaks: bool,
    /// `break_load[k][i]`: agents of duty class `k` on break in interval `i` (fractions for
    /// breaks shorter than the interval).
    break_load: Vec<Vec<Expression>>,
    /// Candidates of each employee and day.
    by_emp_day: HashMap<(usize, usize), Vec<usize>>,
    /// Day variables of [`Builder::works`], made on first use.
    works_on: HashMap<(usize, usize), Var>,
    /// Each real-time (queue, interval) coverage row: `allocated + Σ shortfall = need`.
    shortfall: HashMap<(usize, usize), CoverageRow>,
    /// Team-lead shortfall variable of each interval (when that family is built).
    lead_shortfall: HashMap<usize, Var>,
    /// Part-interval break load of each (duty class, interval), see [`Builder::part_break_load`].
    part_breaks: HashMap<(usize, usize), Option<PartBreaks>>,
    /// Shift types, see [`Builder::define_shift_types`].
    shift_types: Vec<ShiftType>,
    /// The families [`Builder::build`] was asked for (the weekly minimums' checks rely on
    /// one shift a day and the weekly shift maximum being among them).
    families: Vec<Family>,
}

/// A real-time coverage row, `allocated + Σ shortfall = need`, for the rounding cuts.
#[derive(Debug, Clone)]
struct CoverageRow {
    need: f64,
    shortfall: Vec<Var>,
}

/// Candidates that count alike in every interval (same duty class, template, start and
/// length), and the number of them worked: a variable equal to their sum, or the only
/// member's own variable.
#[derive(Debug, Clone)]
struct ShiftType {
    class: usize,
    members: Vec<usize>,
    worked: Var,
}

impl<'a> Builder<'a> {
    /// Create variables for all candidates and allocations; no constraints yet.
    pub fn new(
        site: &'a Site,
        req: &'a Requirements,
        cands: Vec<Candidate>,
        elastic: bool,
    ) -> Self {
        let n = cands.len();
        let with_breaks = !site.break_rules.is_empty();
        Self::restricted(site, req, cands, vec![false; n], elastic, with_breaks)
    }

    /// A sub-model for neighbourhood search and pricing: candidates flagged in `fixed` are
    /// forced on (decisions kept from the incumbent); `with_breaks` adds exact break
    /// variables (without them, shifts count net of their expected breaks).
    pub fn restricted(
        site: &'a Site,
        req: &'a Requirements,
        cands: Vec<Candidate>,
        fixed: Vec<bool>,
        elastic: bool,
        with_breaks: bool,
    ) -> Self {
        let mut lm = LinearModel::new();
        let x: Vec<Var> = fixed
            .iter()
            .zip(&cands)
            .map(|(&f, c)| {
                if f || c.pinned {
                    lm.binary_fixed_one()
                } else {
                    lm.binary()
                }
            })
            .collect();
        let mut by_emp_day: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
        for (c, cand) in cands.iter().enumerate() {
            by_emp_day
                .entry((cand.employee, cand.day))
                .or_default()
                .push(c);
        }
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut group_attendance: Vec<f64> = Vec::new();
        let mut group_of = vec![None; site.employees.len()];
        for (e, emp) in site.employees.iter().enumerate() {
            if emp.role != Role::Agent {
                continue;
            }
            let mut skills = emp.skills.clone();
            skills.sort_unstable();
            let attends = req.attendance.get(e).copied().unwrap_or(1.0);
            let g = match (0..groups.len())
                .position(|g| groups[g] == skills && group_attendance[g] == attends)
            {
                Some(g) => g,
                None => {
                    groups.push(skills);
                    group_attendance.push(attends);
                    groups.len() - 1
                }
            };
            group_of[e] = Some(g);
        }
        let n = site.grid.len();
        // Allocation variables only where the group can be on duty at all.
        let mut possible = vec![vec![false; n]; groups.len()];
        for cand in &cands {
            if let Some(g) = group_of[cand.employee] {
                for i in cand.intervals.clone() {
                    possible[g][i] = true;
                }
            }
        }
        let y = groups
            .iter()
            .enumerate()
            .map(|(g, skills)| {
                (0..n)
                    .map(|i| {
                        if !possible[g][i] {
                            return Vec::new();
                        }
                        skills
                            .iter()
                            .filter(|&&q| req.agents[q][i] > 0.0 || req.deferred[q].is_some())
                            .map(|&q| (q, lm.continuous(0.0, f64::INFINITY)))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut b = Builder {
            site,
            req,
            cands,
            lm,
            x,
            groups,
            group_attendance,
            group_of,
            y,
            duty: Vec::new(),
            costs: Vec::new(),
            slacks: Vec::new(),
            elastic,
            unsatisfiable: Vec::new(),
            breaks: Vec::new(),
            with_breaks,
            break_load: Vec::new(),
            by_emp_day,
            works_on: HashMap::new(),
            shortfall: HashMap::new(),
            lead_shortfall: HashMap::new(),
            part_breaks: HashMap::new(),
            shift_types: Vec::new(),
            families: Vec::new(),
        };
        b.define_shift_types();
        if with_breaks {
            b.define_breaks();
        }
        b.define_duty_counts();
        b
    }

    /// Build every family: the full model.
    pub fn build_all(&mut self) {
        self.build(Family::ALL);
    }

    /// Build the given families only (tests drop one at a time to show it matters).
    pub fn build(&mut self, families: &[Family]) {
        self.families.extend_from_slice(families);
        for f in families {
            match f {
                Family::LabourCost => self.labour_cost(),
                Family::OneShiftPerDay => self.one_shift_per_day(),
                Family::WeeklyHours => self.weekly_hours(),
                Family::WeeklyShifts => self.weekly_shifts(),
                Family::MinRest => self.min_rest_between_shifts(),
                Family::MaxConsecutiveDays => self.max_consecutive_days(),
                Family::MinDaysOff => self.min_days_off_per_week(),
                Family::Seats => self.seat_capacity(),
                Family::QueueCoverage => self.queue_coverage(),
                Family::DeferredDeadlines => self.deferred_deadlines(),
                Family::TeamLeads => self.team_lead_coverage(),
                Family::Requests => self.requests(),
                Family::Fairness => self.fairness(),
                Family::HorizonHours => self.horizon_hours(),
                Family::TemplateCaps => self.max_shifts_per_template(),
                Family::ForbiddenSuccessions => self.forbidden_successions(),
                Family::MinConsecutiveDays => self.min_consecutive_days(),
                Family::MinConsecutiveDaysOff => self.min_consecutive_days_off(),
                Family::MaxWeekends => self.max_weekends(),
                Family::TemplateCover => self.template_cover(),
                Family::ShiftRequests => self.shift_requests(),
                Family::CoverageRounding => self.coverage_rounding_cuts(),
            }
        }
    }

    /// Add `coef × v` to the objective under `family` (for terms built outside the
    /// builder, e.g. re-planning's disruption cost).
    pub fn add_cost(&mut self, family: CostFamily, v: Var, coef: f64) {
        self.cost(family, v, coef);
    }

    fn cost(&mut self, family: CostFamily, v: Var, coef: f64) {
        self.lm.cost(v, coef);
        self.costs.push((family, v, coef));
    }

    /// `expr ≤ rhs` for a hard rule; in elastic mode a penalised slack is added.
    fn hard_le(&mut self, rule: Family, label: String, expr: Expression, rhs: f64) {
        use good_lp::IntoAffineExpression;
        if !self.elastic && (&expr).linear_coefficients().next().is_none() {
            // No candidate can take part (e.g. everybody unavailable): decide it here, since
            // a row without variables never reaches the solver.
            if expr.constant() > rhs + 1e-9 {
                self.unsatisfiable.push((
                    rule,
                    format!("{label} (no candidate shift can count toward it)"),
                ));
            }
            return;
        }
        if self.elastic {
            let s = self.lm.continuous(0.0, f64::INFINITY);
            self.lm.constrain(constraint!(expr - s.var <= rhs));
            self.slacks.push((rule, label, s));
            self.cost(CostFamily::HardRuleSlack, s, 1e6);
        } else {
            self.lm.constrain(constraint!(expr <= rhs));
        }
    }

    /// `expr ≥ rhs` for a hard rule.
    fn hard_ge(&mut self, rule: Family, label: String, expr: Expression, rhs: f64) {
        self.hard_le(rule, label, -expr, -rhs);
    }

    fn sum_x(&self, cs: impl IntoIterator<Item = usize>) -> Expression {
        cs.into_iter()
            .map(|c| Expression::from(self.x[c].var))
            .sum()
    }

    fn sum_coef(&self, cs: impl IntoIterator<Item = (usize, f64)>) -> Expression {
        cs.into_iter().map(|(c, k)| k * self.x[c].var).sum()
    }

    /// Whether employee `e` works on day `d` (0 or 1), for the rules that count days: one
    /// continuous variable `w = Σ x` per employee and day with several candidates (made on
    /// first use, with its defining row), the candidate's own `x` when there is one, nothing
    /// when there is none. The weekly and consecutive-day rows then carry one term per day
    /// instead of one per candidate: Tokyo's model has 21 % fewer nonzeros and its relaxation
    /// solves in less time (`docs/decisions.md`). HiGHS completes `w` in a start, like every
    /// continuous variable.
    fn works(&mut self, e: usize, d: usize) -> Expression {
        if let Some(w) = self.works_on.get(&(e, d)) {
            return w.var.into();
        }
        match self.day_cands(e, d) {
            [] => Expression::default(),
            [c] => self.x[*c].var.into(),
            cs => {
                let n = cs.len() as f64;
                let total = self.sum_x(cs.iter().copied());
                let w = self.lm.continuous(0.0, n);
                self.lm.constrain(constraint!(total - w.var == 0.0));
                self.works_on.insert((e, d), w);
                w.var.into()
            }
        }
    }

    /// `Σ works` of employee `e` over `days`.
    fn works_over(&mut self, e: usize, days: std::ops::Range<usize>) -> Expression {
        days.map(|d| self.works(e, d)).sum()
    }

    /// Paid hours of employee `e` on day `d`: `hours × works` when every candidate of the
    /// day is paid alike, else the candidates' own sum.
    fn paid_hours(&mut self, e: usize, d: usize) -> Expression {
        let hours = |c: usize| f64::from(self.cands[c].paid_minutes) / 60.0;
        let cs = self.day_cands(e, d);
        match cs.first() {
            Some(&first) if cs.iter().all(|&c| hours(c) == hours(first)) => {
                let h = hours(first);
                h * self.works(e, d)
            }
            _ => self.sum_coef(cs.iter().map(|&c| (c, hours(c)))),
        }
    }

    /// The most paid hours employee `e` can have over `days`: the longest candidate of each
    /// day, the longest days first, up to the contract's most shifts a week. Unbounded
    /// (infinite) when the model lets a day hold several shifts or has no weekly shift
    /// maximum (a what-if without those families).
    fn most_hours(&self, e: usize, days: std::ops::Range<usize>) -> f64 {
        if !self.families.contains(&Family::OneShiftPerDay)
            || !self.families.contains(&Family::WeeklyShifts)
        {
            return f64::INFINITY;
        }
        let mut longest: Vec<u32> = days
            .filter_map(|d| {
                self.day_cands(e, d)
                    .iter()
                    .map(|&c| self.cands[c].paid_minutes)
                    .max()
            })
            .collect();
        longest.sort_unstable_by(|a, b| b.cmp(a));
        let max_shifts = self.site.contracts[self.site.employees[e].contract].max_shifts_per_week;
        let minutes: u32 = longest.iter().take(max_shifts as usize).sum();
        f64::from(minutes) / 60.0
    }

    fn day_cands(&self, e: usize, d: usize) -> &[usize] {
        self.by_emp_day
            .get(&(e, d))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    fn emp_label(&self, e: usize) -> String {
        self.site.employees[e].id.clone()
    }

    /// Labour cost: paid hours × (hourly cost + on-site extra). Overstaffing is also
    /// charged per on-duty agent-interval here and refunded per useful allocation in
    /// [`Builder::queue_coverage`]/[`Builder::deferred_deadlines`], so the net charge is
    /// the idle agent time.
    pub fn labour_cost(&mut self) {
        let over =
            self.site.penalties.overstaffing_per_agent_hour * self.site.grid.interval_hours();
        for c in 0..self.cands.len() {
            let cand = &self.cands[c];
            let emp = &self.site.employees[cand.employee];
            // On-duty agent-intervals: the shift's intervals less its breaks.
            let length = (cand.end - cand.start).num_minutes() as u32;
            let break_minutes: u32 =
                crate::domain::breaks::rule_for(&self.site.break_rules, length)
                    .and_then(|r| crate::domain::breaks::break_slots(r, length).ok())
                    .map_or(0, |slots| slots.iter().map(|s| s.minutes).sum());
            let duty = cand.intervals.len() as f64
                - f64::from(break_minutes) / f64::from(self.site.grid.interval_minutes);
            let (mode, paid, employee) = (cand.mode, cand.paid_minutes, cand.employee);
            let onsite = if mode == ShiftMode::Onsite {
                self.site.penalties.onsite_cost_per_hour
            } else {
                0.0
            };
            let hours = f64::from(paid) / 60.0;
            let labour = hours * (emp.hourly_cost + onsite);
            let x = self.x[c];
            self.cost(CostFamily::Labour, x, labour);
            // Idle time is charged for the agents expected to be there (all of them
            // outside robust planning) and refunded for every unit allocated.
            if let Some(g) = self.group_of[employee] {
                let attends = self.group_attendance[g];
                self.cost(CostFamily::Overstaffing, x, over * duty * attends);
            }
        }
    }

    /// At most one shift per employee and day.
    pub fn one_shift_per_day(&mut self) {
        let mut keys: Vec<(usize, usize)> = self.by_emp_day.keys().copied().collect();
        keys.sort_unstable();
        for (e, d) in keys {
            if self.day_cands(e, d).len() > 1 {
                let expr = self.works(e, d);
                self.hard_le(
                    Family::OneShiftPerDay,
                    format!("{} on day {}", self.emp_label(e), d + 1),
                    expr,
                    1.0,
                );
            }
        }
    }

    /// Weekly paid hours between the employee's minimum and maximum. A partial last week
    /// has its minimum prorated by its length.
    pub fn weekly_hours(&mut self) {
        for e in 0..self.site.employees.len() {
            let (min_h, max_h) = self.site.weekly_hours(e);
            for (w, week) in weeks(self.site.grid.days).iter().enumerate() {
                let mut expr = Expression::default();
                for d in week.clone() {
                    expr += self.paid_hours(e, d);
                }
                let min = min_h * week.len() as f64 / 7.0;
                let most = self.most_hours(e, week.clone());
                if !self.elastic && min > 0.0 && most < min - 1e-9 {
                    // Named here, with why (leave or classes on too many days), rather than
                    // left to an infeasible solve and its elastic explanation; the row
                    // stays for callers that go on solving.
                    self.unsatisfiable.push((
                        Family::WeeklyHours,
                        format!(
                            "{} week {} min {min} h, but at most {most} h are possible (the \
                             longest shift on each day they can work, at most the contract's \
                             shifts a week)",
                            self.emp_label(e),
                            w + 1
                        ),
                    ));
                }
                if min > 0.0 {
                    self.hard_ge(
                        Family::WeeklyHours,
                        format!("{} week {} min {min} h", self.emp_label(e), w + 1),
                        expr.clone(),
                        min,
                    );
                }
                self.hard_le(
                    Family::WeeklyHours,
                    format!("{} week {} max {max_h} h", self.emp_label(e), w + 1),
                    expr,
                    max_h,
                );
            }
        }
    }

    /// Weekly number of shifts between the contract's minimum and maximum.
    pub fn weekly_shifts(&mut self) {
        for e in 0..self.site.employees.len() {
            let c = &self.site.contracts[self.site.employees[e].contract];
            let (min_s, max_s) = (c.min_shifts_per_week, c.max_shifts_per_week);
            for (w, week) in weeks(self.site.grid.days).iter().enumerate() {
                let expr = self.works_over(e, week.clone());
                let min = (f64::from(min_s) * week.len() as f64 / 7.0).floor();
                let possible = week
                    .clone()
                    .filter(|&d| !self.day_cands(e, d).is_empty())
                    .count();
                let one_a_day = self.families.contains(&Family::OneShiftPerDay);
                if !self.elastic && one_a_day && min > 0.0 && (possible as f64) < min {
                    self.unsatisfiable.push((
                        Family::WeeklyShifts,
                        format!(
                            "{} week {} min {min} shifts, but a shift is possible on only \
                             {possible} of its days (hard unavailability such as leave or \
                             classes, templates or no seats leave none on the others)",
                            self.emp_label(e),
                            w + 1
                        ),
                    ));
                }
                if min > 0.0 {
                    self.hard_ge(
                        Family::WeeklyShifts,
                        format!("{} week {} min {min} shifts", self.emp_label(e), w + 1),
                        expr.clone(),
                        min,
                    );
                }
                self.hard_le(
                    Family::WeeklyShifts,
                    format!("{} week {} max {max_s} shifts", self.emp_label(e), w + 1),
                    expr,
                    f64::from(max_s),
                );
            }
        }
    }

    /// Minimum rest between the end of one shift and the start of the next, as clique
    /// inequalities: for every end time τ of a day-`d` shift, the shifts of day `d` ending
    /// at or after τ and the shifts of day `d+1` starting before τ + rest pairwise conflict,
    /// so at most one of them is worked.
    pub fn min_rest_between_shifts(&mut self) {
        for e in 0..self.site.employees.len() {
            let rest = chrono::Duration::minutes(
                (self.site.contracts[self.site.employees[e].contract].min_rest_hours * 60.0).round()
                    as i64,
            );
            for d in 0..self.site.grid.days.saturating_sub(1) {
                let today = self.day_cands(e, d).to_vec();
                let tomorrow = self.day_cands(e, d + 1).to_vec();
                if today.is_empty() || tomorrow.is_empty() {
                    continue;
                }
                let mut ends: Vec<_> = today.iter().map(|&c| self.cands[c].end).collect();
                ends.sort_unstable();
                ends.dedup();
                let mut last_set: Option<(usize, usize)> = None;
                for tau in ends {
                    let a: Vec<usize> = today
                        .iter()
                        .copied()
                        .filter(|&c| self.cands[c].end >= tau)
                        .collect();
                    let b: Vec<usize> = tomorrow
                        .iter()
                        .copied()
                        .filter(|&c| self.cands[c].start < tau + rest)
                        .collect();
                    if b.is_empty() || last_set == Some((a.len(), b.len())) {
                        continue;
                    }
                    last_set = Some((a.len(), b.len()));
                    let expr = self.sum_x(a.into_iter().chain(b));
                    self.hard_le(
                        Family::MinRest,
                        format!("{} between day {} and {}", self.emp_label(e), d + 1, d + 2),
                        expr,
                        1.0,
                    );
                }
            }
        }
    }

    /// No more than `max_consecutive_days` working days in any run of days.
    pub fn max_consecutive_days(&mut self) {
        let days = self.site.grid.days;
        for e in 0..self.site.employees.len() {
            let k =
                self.site.contracts[self.site.employees[e].contract].max_consecutive_days as usize;
            if k >= days {
                continue;
            }
            for start in 0..days - k {
                let expr = self.works_over(e, start..start + k + 1);
                self.hard_le(
                    Family::MaxConsecutiveDays,
                    format!("{} days {}-{}", self.emp_label(e), start + 1, start + k + 1),
                    expr,
                    k as f64,
                );
            }
        }
    }

    /// At least `min_days_off_per_week` days without a shift in every week (prorated, rounded
    /// down, for a partial week).
    pub fn min_days_off_per_week(&mut self) {
        for e in 0..self.site.employees.len() {
            let off = self.site.contracts[self.site.employees[e].contract].min_days_off_per_week;
            for (w, week) in weeks(self.site.grid.days).iter().enumerate() {
                let need_off = (f64::from(off) * week.len() as f64 / 7.0).floor();
                // A week without candidates gives an empty row, which `hard_le` drops.
                if need_off <= 0.0 {
                    continue;
                }
                let expr = self.works_over(e, week.clone());
                self.hard_le(
                    Family::MinDaysOff,
                    format!("{} week {}", self.emp_label(e), w + 1),
                    expr,
                    week.len() as f64 - need_off,
                );
            }
        }
    }

    /// On-site shifts on duty in any interval never exceed the seats.
    pub fn seat_capacity(&mut self) {
        let Some(seats) = self.site.seats else { return };
        let onsite: Vec<usize> = (0..self.duty.len()).filter(|k| k % 2 == 1).collect();
        for i in 0..self.site.grid.len() {
            // Skip intervals where even every candidate together fits.
            let max_possible: usize = self
                .cands
                .iter()
                .filter(|c| c.mode == ShiftMode::Onsite && c.intervals.contains(&i))
                .map(|c| c.employee)
                .collect::<std::collections::HashSet<_>>()
                .len();
            if max_possible as u32 <= seats {
                continue;
            }
            let mut expr = self.duty_sum(onsite.iter().copied(), i);
            for &k in &onsite {
                if let Some(l) = self.break_load.get(k) {
                    expr += l[i].clone(); // people on break keep their seat
                }
            }
            let at = self.site.grid.intervals[i].start_local;
            self.hard_le(
                Family::Seats,
                format!("{seats} seats at {at}"),
                expr,
                f64::from(seats),
            );
        }
    }

    /// Duty class of candidate `c`: see [`Builder::duty`].
    fn duty_class(&self, c: usize) -> Option<usize> {
        let cand = &self.cands[c];
        let onsite = usize::from(cand.mode == ShiftMode::Onsite);
        match self.site.employees[cand.employee].role {
            Role::TeamLead => Some(2 * self.groups.len() + onsite),
            Role::Agent => self.group_of[cand.employee].map(|g| 2 * g + onsite),
        }
    }

    /// Shift types: candidates of the same duty class, template, start and length, which
    /// count alike in every interval. Each type with more than one member gets one
    /// continuous variable equal to its members' sum (one row), and the per-interval rows
    /// (on-duty counts, break counts, seats) use it instead of the members: every candidate
    /// then appears in one type row rather than in one row per covered interval, which more
    /// than halves the model's nonzeros (Tokyo: see `docs/decisions.md`).
    fn define_shift_types(&mut self) {
        let mut types: std::collections::BTreeMap<ShiftTypeKey, Vec<usize>> =
            std::collections::BTreeMap::new();
        for c in 0..self.cands.len() {
            if let Some(k) = self.duty_class(c) {
                let cand = &self.cands[c];
                let length = (cand.end - cand.start).num_minutes();
                types
                    .entry((k, cand.template, cand.start, length))
                    .or_default()
                    .push(c);
            }
        }
        self.shift_types = types
            .into_iter()
            .map(|((class, ..), members)| {
                let worked = if members.len() == 1 {
                    self.x[members[0]]
                } else {
                    let w = self.lm.continuous(0.0, members.len() as f64);
                    let sum = self.sum_x(members.iter().copied());
                    self.lm.constrain(constraint!(w.var == sum));
                    w
                };
                ShiftType {
                    class,
                    members,
                    worked,
                }
            })
            .collect();
    }

    /// Define the on-duty count variables (structural, always built).
    fn define_duty_counts(&mut self) {
        let n = self.site.grid.len();
        let classes = 2 * self.groups.len() + 2;
        // Without break variables (search sub-models) but with break rules, each shift
        // counts as on duty net of its *expected* breaks: every break spread evenly over its
        // window's starts, so the search sees the capacity breaks will take.
        let expect_breaks = !self.with_breaks && !self.site.break_rules.is_empty();
        let mut rows: Vec<Vec<Expression>> = vec![vec![Expression::default(); n]; classes];
        let mut any = vec![vec![false; n]; classes];
        for t in &self.shift_types {
            let first = &self.cands[t.members[0]];
            let away = if expect_breaks {
                candidates::expected_break_share(self.site, first)
            } else {
                HashMap::new()
            };
            for i in first.intervals.clone() {
                rows[t.class][i] += (1.0 - away.get(&i).copied().unwrap_or(0.0)) * t.worked.var;
                any[t.class][i] = true;
            }
        }
        self.duty = vec![vec![None; n]; classes];
        for (k, per) in rows.into_iter().enumerate() {
            for (i, sum) in per.into_iter().enumerate() {
                if !any[k][i] {
                    continue;
                }
                let v = self.lm.continuous(0.0, f64::INFINITY);
                let on_break = self
                    .break_load
                    .get(k)
                    .map(|l| l[i].clone())
                    .unwrap_or_default();
                self.lm.constrain(constraint!(v.var + on_break == sum));
                self.duty[k][i] = Some(v);
            }
        }
    }

    /// Implicit breaks: candidates of the same duty class, template, start and length form
    /// a group; for each break the group's shifts carry, integer counts per allowed start
    /// sum to the number of shifts worked, and the agents on break leave the on-duty count.
    /// The windows keep the spacing rules for any choice ([`crate::domain::breaks`]), so
    /// the counts can be handed to individuals afterwards in any order.
    pub fn define_breaks(&mut self) {
        let n = self.site.grid.len();
        let classes = 2 * self.groups.len() + 2;
        self.break_load = vec![vec![Expression::default(); n]; classes];
        for t in 0..self.shift_types.len() {
            let (k, worked) = (self.shift_types[t].class, self.shift_types[t].worked);
            let members = self.shift_types[t].members.clone();
            let first = &self.cands[members[0]];
            let (start, length) = (first.start, (first.end - first.start).num_minutes());
            let Some(rule) = crate::domain::breaks::rule_for(&self.site.break_rules, length as u32)
            else {
                continue;
            };
            let Ok(slots) = crate::domain::breaks::break_slots(rule, length as u32) else {
                continue;
            };
            let mut group = BreakGroup {
                members,
                key: (k, first.template, start, length),
                slots: Vec::new(),
            };
            for slot in slots {
                let mut positions = Vec::new();
                for offset in slot.starts(self.site.grid.interval_minutes) {
                    let v = self.lm.integer();
                    let from = start + chrono::Duration::minutes(i64::from(offset));
                    let to = from + chrono::Duration::minutes(i64::from(slot.minutes));
                    for i in self.site.grid.overlapping(from, to) {
                        self.break_load[k][i] += self.site.grid.share_of(i, from, to) * v.var;
                    }
                    positions.push((offset, v));
                }
                let counts: Expression =
                    positions.iter().map(|(_, v)| Expression::from(v.var)).sum();
                self.lm.constrain(constraint!(counts == worked.var));
                group.slots.push((slot, positions));
            }
            self.breaks.push(group);
        }
        // Stagger rule: agents on break ≤ share × present + (1 − share), per duty class and
        // interval: about `share` of a large group, and always one person of a small one.
        if let Some(share) = self.site.max_on_break_share {
            let mut present: Vec<Vec<Expression>> = vec![vec![Expression::default(); n]; classes];
            let mut any = vec![vec![false; n]; classes];
            for t in &self.shift_types {
                for i in self.cands[t.members[0]].intervals.clone() {
                    present[t.class][i] += t.worked.var;
                    any[t.class][i] = true;
                }
            }
            // A team is a skill set and mode: the groups robust planning splits by
            // attendance are one team here, as `verify` counts them.
            let mut teams: Vec<Vec<usize>> = Vec::new();
            for k in 0..2 * self.groups.len() {
                let same_team =
                    |j: usize| self.groups[j / 2] == self.groups[k / 2] && j % 2 == k % 2;
                match teams.iter_mut().find(|team| same_team(team[0])) {
                    Some(team) => team.push(k),
                    None => teams.push(vec![k]),
                }
            }
            for classes in teams {
                for i in 0..n {
                    if classes.iter().any(|&k| any[k][i]) {
                        let mut away = Expression::default();
                        let mut here = Expression::default();
                        for &k in &classes {
                            away += self.break_load[k][i].clone();
                            here += std::mem::take(&mut present[k][i]);
                        }
                        self.lm
                            .constrain(constraint!(away <= share * here + (1.0 - share)));
                    }
                }
            }
        }
    }

    /// The candidates (builder indices) a solved model works.
    pub fn worked<'o>(&'o self, out: &'o SolveOutcome) -> impl Iterator<Item = usize> + 'o {
        (0..self.x.len()).filter(move |&k| out.value(self.x[k]) > 0.5)
    }

    /// The break counts of a solved model by position ([`BreakCounts`]), to start another
    /// model of the same site from the same placement ([`Builder::break_start`]).
    pub fn break_counts(&self, out: &SolveOutcome) -> BreakCounts {
        let mut counts = BreakCounts::new();
        for g in &self.breaks {
            for (j, (_, positions)) in g.slots.iter().enumerate() {
                for &(offset, v) in positions {
                    counts.insert((g.key, j, offset), out.value(v).round());
                }
            }
        }
        counts
    }

    /// Where a solved model puts each worked candidate's breaks: per candidate (builder
    /// index), each break's slot and start in minutes from the shift's start, in the order
    /// of [`crate::domain::breaks::break_slots`] (empty for a candidate not worked or
    /// without breaks). Identical shifts are interchangeable, so a shift type's counts are
    /// dealt out to its worked members in order.
    pub fn placement(&self, out: &SolveOutcome) -> Vec<Vec<(crate::domain::BreakSlot, u32)>> {
        let mut placed = vec![Vec::new(); self.x.len()];
        for g in &self.breaks {
            let worked: Vec<usize> = g
                .members
                .iter()
                .copied()
                .filter(|&m| out.value(self.x[m]) > 0.5)
                .collect();
            for (slot, positions) in &g.slots {
                let mut starts = positions.iter().flat_map(|&(offset, v)| {
                    std::iter::repeat_n(offset, out.value(v).round().max(0.0) as usize)
                });
                for &m in &worked {
                    // Counts always sum to the shifts worked; the first start is a
                    // fallback for a solution that is not integral.
                    placed[m].push((*slot, starts.next().unwrap_or(positions[0].0)));
                }
            }
        }
        placed
    }

    /// Starting values of every break count of this model from a placement of each
    /// candidate's breaks (as [`Builder::placement`] gives it, by builder index).
    pub fn placement_start(&self, placed: &[Vec<u32>]) -> Vec<(Var, f64)> {
        let mut start = Vec::new();
        for g in &self.breaks {
            for (j, (_, positions)) in g.slots.iter().enumerate() {
                for &(offset, v) in positions {
                    let n = g
                        .members
                        .iter()
                        .filter(|&&m| placed.get(m).and_then(|p| p.get(j)) == Some(&offset))
                        .count();
                    start.push((v, n as f64));
                }
            }
        }
        start
    }

    /// Pin every break count of this model to a placement of each candidate's breaks (as
    /// [`Builder::placement_start`] reads it): with every shift fixed too, what is left to
    /// solve is the allocation of agents to queues, an LP.
    pub fn pin_placement(&mut self, placed: &[Vec<u32>]) {
        for (v, n) in self.placement_start(placed) {
            self.lm.constrain(constraint!(v.var == n));
        }
    }

    /// Starting values of every break count of this model from `counts` (taken from
    /// another model of the site, [`Builder::break_counts`]); 0 where `counts` has none —
    /// a shift type nobody worked there. HiGHS fixes every integer value of a start and
    /// completes only the continuous ones, so a start without its break counts is lost.
    pub fn break_start(&self, counts: &BreakCounts) -> Vec<(Var, f64)> {
        let mut start = Vec::new();
        for g in &self.breaks {
            for (j, (_, positions)) in g.slots.iter().enumerate() {
                for &(offset, v) in positions {
                    start.push((v, counts.get(&(g.key, j, offset)).copied().unwrap_or(0.0)));
                }
            }
        }
        start
    }

    /// Sum of the duty counts of classes `ks` in interval `i`.
    fn duty_sum(&self, ks: impl IntoIterator<Item = usize>, i: usize) -> Expression {
        ks.into_iter()
            .filter_map(|k| self.duty[k][i])
            .map(|v| Expression::from(v.var))
            .sum()
    }

    /// Coverage of real-time queues: allocations plus understaffing equal the requirement,
    /// with understaffing split into tiers of one agent whose costs rise with depth (the
    /// last tier is unbounded). A group's allocations never exceed its on-duty agents (times
    /// its attendance, robust planning).
    pub fn queue_coverage(&mut self) {
        let n = self.site.grid.len();
        let hours = self.site.grid.interval_hours();
        let over = self.site.penalties.overstaffing_per_agent_hour * hours;
        for g in 0..self.groups.len() {
            for i in 0..n {
                if self.y[g][i].is_empty() {
                    continue;
                }
                let duty = self.group_attendance[g] * self.duty_sum([2 * g, 2 * g + 1], i);
                let alloc: Expression = self.y[g][i]
                    .iter()
                    .map(|(_, v)| Expression::from(v.var))
                    .sum();
                self.lm.constrain(constraint!(alloc <= duty));
                for (_, v) in self.y[g][i].clone() {
                    self.cost(CostFamily::Overstaffing, v, -over);
                }
            }
        }
        let tiers = self.site.penalties.understaffing_per_agent_hour.clone();
        if !self.req.scenarios.is_empty() {
            self.sample_average_coverage(&tiers);
            return;
        }
        for (q, queue) in self.site.queues.iter().enumerate() {
            if queue.is_deferred() {
                continue;
            }
            for i in 0..n {
                let need = self.req.agents[q][i];
                if need <= 0.0 {
                    continue;
                }
                let mut expr = self.allocated_to(q, i);
                let shortfall = self.add_shortfall(&mut expr, &tiers, hours);
                self.shortfall
                    .insert((q, i), CoverageRow { need, shortfall });
                self.lm.constrain(constraint!(expr == need));
            }
        }
    }

    /// Valid inequalities that tighten the LP relaxation of real-time coverage without
    /// excluding any roster (mixed-integer rounding). For a set `Q` of real-time queues in
    /// an interval, the agents present who can serve `Q` number `P` (shifts of the skill
    /// groups with a skill in `Q`), `σ_j·v_j` of them are on break (integer break counts `v_j`,
    /// `σ_j` the share of the interval a break takes), and the shortfall tiers of `Q`'s rows
    /// sum to `s`, so `P − Σ σ_j v_j + s ≥ d`, `d` the queues' summed requirement with
    /// fractional part `φ > 0`. Rounding (MIR) gives
    /// `s ≥ φ·(⌈d⌉ − P) + Σ (φ·⌊σ_j⌋ + max(0, frac(σ_j) + φ − 1))·v_j`:
    /// where the relaxation meets a fractional requirement exactly with fractional shifts, a
    /// roster must staff the next whole agent or leave part of the requirement short. The
    /// same rounding applies to team leads ([`Builder::lead_rounding_cut`]).
    /// Sets `Q`: each queue, each skill group's queues, and all of the interval's staffed
    /// real-time queues (with forecast samples `d` is the row's largest sample need, and `s`
    /// its pieces of expected shortfall). Not built in elastic (diagnosis) models, or in
    /// sub-models that count breaks by their expected share.
    pub fn coverage_rounding_cuts(&mut self) {
        if self.elastic || self.shortfall.is_empty() {
            return;
        }
        if !self.with_breaks && !self.site.break_rules.is_empty() {
            return;
        }
        for i in 0..self.site.grid.len() {
            let active: Vec<usize> = (0..self.site.queues.len())
                .filter(|&q| self.shortfall.contains_key(&(q, i)))
                .collect();
            if active.is_empty() {
                continue;
            }
            let mut sets: Vec<Vec<usize>> = active.iter().map(|&q| vec![q]).collect();
            for per_group in &self.y {
                let qs: Vec<usize> = per_group[i]
                    .iter()
                    .map(|&(q, _)| q)
                    .filter(|q| active.contains(q))
                    .collect();
                if !qs.is_empty() {
                    sets.push(qs);
                }
            }
            sets.push(active);
            sets.sort();
            sets.dedup();
            for set in sets {
                self.rounding_cut(&set, i);
            }
            self.lead_rounding_cut(i);
        }
    }

    /// One [`Builder::coverage_rounding_cuts`] inequality for queues `set` in interval `i`.
    fn rounding_cut(&mut self, set: &[usize], i: usize) {
        let need: f64 = set.iter().map(|q| self.shortfall[&(*q, i)].need).sum();
        let classes: Vec<usize> = (0..self.groups.len())
            .filter(|&g| self.y[g][i].iter().any(|(q, _)| set.contains(q)))
            .flat_map(|g| [2 * g, 2 * g + 1])
            .collect();
        if classes.is_empty() {
            return;
        }
        let short: Expression = set
            .iter()
            .flat_map(|q| self.shortfall[&(*q, i)].shortfall.iter())
            .map(|u| Expression::from(u.var))
            .sum();
        self.mir_cut(&classes, short, need, i);
    }

    /// The team-lead form of [`Builder::coverage_rounding_cuts`] in interval `i`: agents on
    /// duty are at least the real-time requirement `D` less its shortfall `S`, so leads on
    /// duty (net of breaks) `L` and the lead shortfall `t` satisfy `L + t + S/r ≥ D/r`
    /// (`r` the lead ratio) — rounded like the queues' rows.
    fn lead_rounding_cut(&mut self, i: usize) {
        let Some(&t) = self.lead_shortfall.get(&i) else {
            return;
        };
        let ratio = self.site.team_lead_ratio;
        let mut need = 0.0;
        let mut slack = Expression::from(t.var);
        for q in 0..self.site.queues.len() {
            if let Some(row) = self.shortfall.get(&(q, i)) {
                need += row.need / ratio;
                for u in &row.shortfall {
                    slack += u.var / ratio;
                }
            }
        }
        let leads = [2 * self.groups.len(), 2 * self.groups.len() + 1];
        self.mir_cut(&leads, slack, need, i);
    }

    /// The rounding inequality for `P − Σ σ_j v_j + slack ≥ need` in interval `i`, where `P`
    /// counts the shifts of duty classes `classes` present, `v_j` their integer break counts
    /// taking shares `σ_j` of the interval, and `slack` is a non-negative expression:
    /// `slack ≥ φ·(⌈need⌉ − P) + Σ (φ·⌊σ_j⌋ + max(0, frac(σ_j) + φ − 1))·v_j`, `φ` the
    /// fractional part of `need` (MIR on the row with every integer term kept).
    ///
    /// Written on the model's variables with `P = duty + Σ σ_j v_j`, each break's term is
    /// `(φ·frac(σ_j) − max(0, frac(σ_j) + φ − 1))·v_j`: zero for breaks filling the interval,
    /// and for breaks taking part of it the same multiple `ρ(f) = φ − max(0, f + φ − 1)/f` of
    /// `f·v_j` for every break with fractional share `f`. So each class's part-interval break
    /// load is one variable ([`Builder::part_break_load`]) taken with the largest `ρ` among
    /// its shares — a larger coefficient on a non-negative term keeps the inequality valid —
    /// which keeps the rows short (Tokyo: 150 k fewer nonzeros than the break counts).
    fn mir_cut(&mut self, classes: &[usize], slack: Expression, need: f64, i: usize) {
        let phi = need - need.floor();
        if !(1e-6..=1.0 - 1e-6).contains(&phi) {
            return;
        }
        let mut lhs = slack + phi * self.duty_sum(classes.iter().copied(), i);
        for &k in classes {
            if let Some((load, fracs)) = self.part_break_load(k, i) {
                let rho = fracs
                    .iter()
                    .map(|&f| (phi * f - mir_break_coefficient(phi, f)) / f)
                    .fold(0.0, f64::max);
                lhs += rho * load.var;
            }
        }
        self.lm.constrain(constraint!(lhs >= phi * need.ceil()));
    }

    /// For duty class `k` in interval `i`: a variable equal to the agents on breaks that take
    /// only part of the interval (`Σ frac(σ_j)·v_j`), and the distinct fractional shares;
    /// `None` without such breaks. Created once, on first use.
    fn part_break_load(&mut self, k: usize, i: usize) -> Option<PartBreaks> {
        use good_lp::IntoAffineExpression;
        if let Some(known) = self.part_breaks.get(&(k, i)) {
            return known.clone();
        }
        let mut expr = Expression::default();
        let mut fracs: Vec<f64> = Vec::new();
        if let Some(load) = self.break_load.get(k) {
            for (v, share) in (&load[i]).linear_coefficients() {
                let f = share - share.floor();
                if f > 1e-9 && f < 1.0 - 1e-9 {
                    expr += f * v;
                    if !fracs.iter().any(|&g| (g - f).abs() < 1e-9) {
                        fracs.push(f);
                    }
                }
            }
        }
        let found = (!fracs.is_empty()).then(|| {
            let var = self.lm.continuous(0.0, f64::INFINITY);
            self.lm.constrain(constraint!(var.var == expr));
            (var, fracs)
        });
        self.part_breaks.insert((k, i), found.clone());
        found
    }

    /// Agents of every skill group allocated to queue `q` in interval `i`.
    fn allocated_to(&self, q: usize, i: usize) -> Expression {
        let mut expr = Expression::default();
        for per_group in &self.y {
            for &(qq, v) in &per_group[i] {
                if qq == q {
                    expr += v.var;
                }
            }
        }
        expr
    }

    /// Add tiered shortfall slacks to `expr`: one agent per tier (the last unbounded), each
    /// costing its tier's penalty per agent-hour × `hours`.
    fn add_shortfall(&mut self, expr: &mut Expression, tiers: &[f64], hours: f64) -> Vec<Var> {
        let mut vars = Vec::with_capacity(tiers.len());
        for (k, &cost) in tiers.iter().enumerate() {
            let last = k + 1 == tiers.len();
            let u = self
                .lm
                .continuous(0.0, if last { f64::INFINITY } else { 1.0 });
            *expr += u.var;
            self.cost(CostFamily::Understaffing, u, cost * hours);
            vars.push(u);
        }
        vars
    }

    /// Robust coverage (sample-average approximation): the agents allocated to a real-time
    /// queue in an interval are the same in every forecast sample, and the objective is the
    /// expected tiered understaffing penalty over the samples — a convex piecewise-linear
    /// function of the allocation alone, written as one row `allocated + Σ u_j = most` (`most`
    /// the largest sample's need: beyond it an agent is idle in every sample) with one
    /// shortfall variable per piece ([`expected_shortfall_segments`]); the solver fills the
    /// cheapest pieces first, which is the function's value. One row and a few variables
    /// per queue and interval instead of a row and a tier set per sample.
    fn sample_average_coverage(&mut self, tiers: &[f64]) {
        let n = self.site.grid.len();
        let hours = self.site.grid.interval_hours();
        for (q, queue) in self.site.queues.iter().enumerate() {
            if queue.is_deferred() {
                continue;
            }
            for i in 0..n {
                let needs: Vec<f64> = self.req.scenarios.iter().map(|a| a[q][i]).collect();
                let most = needs.iter().copied().fold(0.0, f64::max);
                if most <= 0.0 {
                    continue;
                }
                let mut expr = self.allocated_to(q, i);
                let mut shortfall = Vec::new();
                for (width, cost) in expected_shortfall_segments(&needs, tiers) {
                    let u = self.lm.continuous(0.0, width);
                    expr += u.var;
                    self.cost(CostFamily::Understaffing, u, cost * hours);
                    shortfall.push(u);
                }
                self.lm.constrain(constraint!(expr == most));
                self.shortfall.insert(
                    (q, i),
                    CoverageRow {
                        need: most,
                        shortfall,
                    },
                );
            }
        }
    }

    /// Deferred queues: cumulative productive work done by the end of each interval covers
    /// everything due by then (else backlog, penalised per agent-hour per interval late),
    /// and never exceeds what has arrived.
    pub fn deferred_deadlines(&mut self) {
        let hours = self.site.grid.interval_hours();
        let shrinkage = &self.req.shrinkage;
        let backlog_cost = self.site.penalties.backlog_per_agent_hour * hours;
        for (q, d) in self.req.deferred.iter().enumerate() {
            let Some(d) = d else { continue };
            let mut prev: Option<Var> = None;
            for (i, &shrink) in shrinkage[q].iter().enumerate() {
                let mut done_now = Expression::default();
                for g in 0..self.groups.len() {
                    for &(qq, v) in &self.y[g][i] {
                        if qq == q {
                            done_now += (1.0 - shrink) * v.var;
                        }
                    }
                }
                let cum = self.lm.continuous(0.0, f64::INFINITY);
                let before: Expression = prev.map(|p| p.var.into()).unwrap_or_default();
                self.lm.constrain(constraint!(cum.var == before + done_now));
                self.lm.constrain(constraint!(cum.var <= d.arrived_by[i]));
                if d.due_by[i] > 0.0 {
                    let late = self.lm.continuous(0.0, f64::INFINITY);
                    self.lm
                        .constrain(constraint!(cum.var + late.var >= d.due_by[i]));
                    self.cost(CostFamily::Backlog, late, backlog_cost);
                }
                prev = Some(cum);
            }
        }
    }

    /// Team leads on duty ≥ agents on duty / ratio, softly: a shortfall variable per
    /// interval, penalised per missing lead-hour.
    pub fn team_lead_coverage(&mut self) {
        let ratio = self.site.team_lead_ratio;
        let cost =
            self.site.penalties.team_lead_shortfall_per_hour * self.site.grid.interval_hours();
        let leads = [2 * self.groups.len(), 2 * self.groups.len() + 1];
        for i in 0..self.site.grid.len() {
            if (0..2 * self.groups.len()).all(|k| self.duty[k][i].is_none()) {
                continue;
            }
            let a = self.duty_sum(0..2 * self.groups.len(), i);
            let l = self.duty_sum(leads, i);
            let short = self.lm.continuous(0.0, f64::INFINITY);
            self.lm.constrain(constraint!(ratio * (l + short.var) >= a));
            self.cost(CostFamily::TeamLeads, short, cost);
            self.lead_shortfall.insert(i, short);
        }
    }

    /// Requests: hard max-shifts as a constraint; soft ones as weighted penalties
    /// (prefer off: per shift touching the window; prefer work: per window occurrence
    /// without a shift touching it; prefer mode: per shift in the other mode; max shifts:
    /// per shift above the maximum). Hard unavailability is enforced by candidate filtering.
    pub fn requests(&mut self) {
        let site = self.site;
        let mut by_emp: Vec<Vec<usize>> = vec![Vec::new(); site.employees.len()];
        for (c, cand) in self.cands.iter().enumerate() {
            by_emp[cand.employee].push(c);
        }
        for r in &site.requests {
            let e = r.employee;
            let mine: Vec<usize> = by_emp[e].clone();
            match r.kind {
                // At most n shifts in each week of the horizon (weeks from its first day,
                // as the contracts' weekly rules), or in the week of its date.
                RequestKind::MaxShifts(n) => {
                    for (w, week) in request_weeks(site, r) {
                        let in_week: Vec<usize> = mine
                            .iter()
                            .copied()
                            .filter(|&c| week.contains(&self.cands[c].day))
                            .collect();
                        if in_week.len() <= n as usize {
                            continue;
                        }
                        let expr = self.sum_x(in_week);
                        if r.hard {
                            self.hard_le(
                                Family::Requests,
                                format!(
                                    "{} requests.csv line {} (week {})",
                                    self.emp_label(e),
                                    r.line,
                                    w + 1
                                ),
                                expr,
                                f64::from(n),
                            );
                        } else {
                            let excess = self.lm.continuous(0.0, f64::INFINITY);
                            self.lm
                                .constrain(constraint!(expr - excess.var <= f64::from(n)));
                            self.cost(CostFamily::Requests, excess, r.weight);
                        }
                    }
                }
                _ if r.hard => {}
                RequestKind::PreferMode(m) => {
                    let spans = site.request_spans(r);
                    for c in mine {
                        let cand = &self.cands[c];
                        if cand.mode != m
                            && spans.iter().any(|&(a, b)| cand.start < b && a < cand.end)
                        {
                            let x = self.x[c];
                            self.cost(CostFamily::Requests, x, r.weight);
                        }
                    }
                }
                RequestKind::PreferOff | RequestKind::Unavailable => {
                    for (a, b) in site.request_spans(r) {
                        for &c in &mine {
                            if self.cands[c].start < b && a < self.cands[c].end {
                                let x = self.x[c];
                                self.cost(CostFamily::Requests, x, r.weight);
                            }
                        }
                    }
                }
                RequestKind::PreferWork => {
                    for (a, b) in site.request_spans(r) {
                        if b <= site.grid.start_utc() || a >= site.grid.end_utc() {
                            continue;
                        }
                        let touching: Vec<usize> = mine
                            .iter()
                            .copied()
                            .filter(|&c| self.cands[c].start < b && a < self.cands[c].end)
                            .collect();
                        let miss = self.lm.continuous(0.0, 1.0);
                        let expr = self.sum_x(touching);
                        self.lm.constrain(constraint!(miss.var + expr >= 1.0));
                        self.cost(CostFamily::Requests, miss, r.weight);
                    }
                }
            }
        }
    }

    /// Fairness: in each group of comparable employees (same role and contract), the
    /// spread between the most and the fewest weekend shifts — and, separately, late
    /// shifts — costs `fairness.weight` per shift (a soft min-max term: `hi ≥ count_e ≥ lo`
    /// for every member, cost `w·(hi − lo)`). Every member counts, so the fewest is 0 when
    /// someone cannot work weekends; the term then still lowers the most anyone gets.
    pub fn fairness(&mut self) {
        let site = self.site;
        let w = site.fairness.weight;
        if w <= 0.0 {
            return;
        }
        let n = site.employees.len();
        let (mut weekend, mut late) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        for (c, cand) in self.cands.iter().enumerate() {
            let u = site.undesirable(cand.employee, cand.start, cand.end);
            if u.weekend {
                weekend[cand.employee].push(c);
            }
            if u.late {
                late[cand.employee].push(c);
            }
        }
        let mut groups: Vec<((Role, usize), Vec<usize>)> = Vec::new();
        for (e, emp) in site.employees.iter().enumerate() {
            let key = (emp.role, emp.contract);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, m)) => m.push(e),
                None => groups.push((key, vec![e])),
            }
        }
        for kind in [&weekend, &late] {
            for (_, members) in &groups {
                // Nothing to spread when no member can take a shift of this kind.
                if members.len() < 2 || members.iter().all(|&e| kind[e].is_empty()) {
                    continue;
                }
                let hi = self.lm.continuous(0.0, f64::INFINITY);
                let lo = self.lm.continuous(0.0, f64::INFINITY);
                for &e in members {
                    // The count enters both rows: a variable of its own when it is a sum.
                    let count: Expression = match kind[e].as_slice() {
                        [] => Expression::default(),
                        [c] => self.x[*c].var.into(),
                        cs => {
                            let total = self.sum_x(cs.iter().copied());
                            let n = self.lm.continuous(0.0, cs.len() as f64);
                            self.lm.constrain(constraint!(total - n.var == 0.0));
                            n.var.into()
                        }
                    };
                    self.lm
                        .constrain(constraint!(hi.var - count.clone() >= 0.0));
                    self.lm.constrain(constraint!(lo.var - count <= 0.0));
                }
                self.cost(CostFamily::Fairness, hi, w);
                self.cost(CostFamily::Fairness, lo, -w);
            }
        }
    }

    /// Objective breakdown of a solution by family.
    pub fn cost_breakdown(&self, out: &SolveOutcome) -> Vec<(CostFamily, f64)> {
        let mut acc: Vec<(CostFamily, f64)> = Vec::new();
        for &(f, v, k) in &self.costs {
            let val = k * out.value(v);
            match acc.iter_mut().find(|(g, _)| *g == f) {
                Some((_, s)) => *s += val,
                None => acc.push((f, val)),
            }
        }
        // Solver noise (a variable at -1e-12) is no cost: no "-0" in a summary.
        for (_, s) in acc.iter_mut() {
            if s.abs() < 1e-6 {
                *s = 0.0;
            }
        }
        acc.sort_by_key(|a| a.0);
        acc
    }
}
