//! A strong lower bound by column generation (Dantzig–Wolfe on employees).
//!
//! Every hard rule of the benchmark concerns one employee, and only cover links them. The
//! master LP chooses a convex combination of whole-horizon schedules per employee
//! (`Σ_p λ[e,p] = 1`), with cover rows `Σ a[p,d,t] λ + under − over = requirement`. The
//! pricing problem of an employee — their cheapest schedule at the cover duals — is the
//! rostering model itself restricted to that employee ([`Builder::restricted`] with every
//! family except cover, plus `−dual` on each shift), solved exactly by HiGHS. At any
//! iteration `master + Σ_e min(0, reduced cost_e)` is a valid lower bound (Lagrangian), so
//! the bound can be taken whenever time runs out; with pricing proven optimal for all
//! employees and no negative reduced cost it is the LP bound of the set-partitioning
//! formulation, much stronger than the compact model's.
//!
//! The master LP is held in one `highs::Model` that columns are added to, so each re-solve
//! starts from the previous basis (the solve adapter rebuilds models from scratch, which is
//! right for MILPs but wasteful here).

use std::collections::HashMap;
use std::time::Instant;

use highs::{Col, ColProblem, HighsModelStatus, Model, Row};

use super::{Assignment, Instance};
use crate::model::{Builder, Candidate, CostFamily, Family};
use crate::solve::{solve as highs_solve, SolveOptions};
use crate::staffing::Requirements;
use crate::Error;

/// Labels in one day's layer above which the DP pricing gives up (MILP pricing instead).
const LABEL_LIMIT: usize = 200_000;

/// A round of beam pricing that lowers the master by less than this share is followed by
/// an exact pass (see [`Master::generate`]).
const BEAM_STALL: f64 = 5e-4;

/// Beam of the heuristic pricing ([`super::pricing::cheapest_schedule_beam`]).
const PRICING_BEAM: usize = 3;

/// HiGHS `simplex_strategy` values.
const SIMPLEX_PRIMAL: i32 = 4;
const SIMPLEX_DUAL: i32 = 1;

/// Column-generation rounds per dive step.
const DIVE_ROUNDS: usize = 2;

/// Share of the staff still free below which a quick dive re-converges the master at
/// every step.
const DIVE_TAIL: f64 = 0.3;

/// Most column-generation rounds per step of a quick dive's tail.
const DIVE_TAIL_ROUNDS: usize = 10;

/// A cell dive's step decides at least this share of the undecided cells (and at least a
/// horizon's worth), besides every cell the master holds at 0.99 or more.
const CELL_DIVE_SHARE: f64 = 0.1;

/// Column-generation rounds per step of a cell dive's tail (under 30 % of cells undecided).
const CELL_DIVE_TAIL_ROUNDS: usize = 4;

/// A dive step fixes, besides every (nearly) integral schedule, up to this share of the
/// employees still free (at least 3) at their largest value when it is 0.5 or more.
const DIVE_SHARE: f64 = 0.125;

/// In each round of heuristic pricing, every `EXACT_STRIDE`-th employee (in turn) is priced
/// exactly instead: on Instance13 that took the master to 1,385 in 124 s where the beam
/// alone, with an exact pass whenever it stalled, reached 1,506 (strides 12 and 40: 1,388
/// and 1,389; 6: 1,479).
const EXACT_STRIDE: usize = 20;

/// Improving columns the heuristic pricing may add per employee and round.
const PRICING_COLUMNS: usize = 3;

/// What column generation found.
#[derive(Debug, Clone)]
pub struct ColGen {
    /// A valid lower bound on the benchmark objective (`-inf` if pricing never completed).
    pub bound: f64,
    /// Whether no column prices out any more: `bound` is then the set-partitioning LP bound.
    pub converged: bool,
    /// Master solves.
    pub iterations: usize,
    /// The master LP's value at the end (an upper bound on the LP bound; with `converged`
    /// and exact pricing, equal to it).
    pub master: f64,
    /// Columns generated: per employee, the schedules (day → template).
    pub columns: Vec<Vec<Vec<Option<usize>>>>,
    /// The master's last solution value per column (same shape as `columns`).
    pub values: Vec<Vec<f64>>,
}

/// Valid inequalities for the compact model from column generation: with the cover duals
/// `μ` of a round priced exactly, every schedule of employee `e` that keeps their rules has
/// `Σ weights[e][(d, t)] · x[e, d, t] ≥ floors[e]`, where the weight of working `t` on day `d`
/// is its request cost minus `μ(d, t)` and the floor is the DP's cheapest such schedule.
/// Multiplying the cover rows by `μ` shows that the compact LP with these rows is bounded
/// below by `bound`, the Lagrangian bound — where without them it may lie far lower
/// (Instance5: 829 against 1,140).
#[derive(Debug, Clone)]
pub struct LagrangianCuts {
    /// The Lagrangian bound of the round.
    pub bound: f64,
    /// Per employee, the weight of each `(day, template)` they may work.
    pub weights: Vec<HashMap<(usize, usize), f64>>,
    /// Per employee, the least total weight of a schedule keeping their rules.
    pub floors: Vec<f64>,
}

/// The request cost of one employee's schedule.
fn schedule_cost(inst: &Instance, e: usize, row: &[Option<usize>]) -> f64 {
    let mut c = 0.0;
    for r in inst.on_requests.iter().filter(|r| r.staff == e) {
        if row[r.day] != Some(r.shift) {
            c += f64::from(r.weight);
        }
    }
    for r in inst.off_requests.iter().filter(|r| r.staff == e) {
        if row[r.day] == Some(r.shift) {
            c += f64::from(r.weight);
        }
    }
    c
}

/// Lagrangian bound, cover duals by (day, template), and each employee's cheapest DP value
/// from one exactly priced round.
type ExactRound = (f64, HashMap<(usize, usize), f64>, Vec<f64>);

/// The master LP's solution by cell ([`Master::cell_values`]): per employee and day the
/// share working, and per (employee, day, template) the share working it.
pub type CellValues = (Vec<Vec<f64>>, HashMap<(usize, usize, usize), f64>);

/// The restricted master LP and its pricing.
pub struct Master<'a> {
    inst: &'a Instance,
    site: &'a crate::Site,
    req: &'a Requirements,
    cands: &'a [Candidate],
    opts: SolveOptions,
    model: Option<Model>,
    conv: Vec<Row>,
    cover_rows: HashMap<(usize, usize), Vec<Row>>,
    cover_index: Vec<(usize, usize)>,
    /// Per employee, the schedules generated (day → template).
    pub columns: Vec<Vec<Vec<Option<usize>>>>,
    cols: Vec<Vec<Col>>,
    /// HiGHS column index of each schedule, for reading the primal solution.
    col_pos: Vec<Vec<usize>>,
    n_cols: usize,
    /// Employees fixed to one of their columns (diving).
    fixed: Vec<Option<usize>>,
    /// The last master solution: per employee, the value of each column.
    pub values: Vec<Vec<f64>>,
    request_cost: HashMap<(usize, usize, usize), f64>,
    /// Per employee and day, the templates the pricing may use: `base_options` less what
    /// the branching rules ([`Master::set_rules`]) forbid.
    options: Vec<Vec<Vec<(usize, u32)>>>,
    /// The candidates' templates per employee and day, without branching rules.
    base_options: Vec<Vec<Vec<(usize, u32)>>>,
    /// Per employee and day, whether a branching rule makes the day a working day.
    forced: Vec<Vec<bool>>,
    /// The branching rules in force (branch-and-price's node; empty at the root).
    rules: Vec<Rule>,
    /// Column generation stops once its bound, rounded up, reaches this (a node that
    /// cannot beat the incumbent).
    pub cutoff: f64,
    on_weight: Vec<f64>,
    use_dp: Vec<bool>,
    by_emp: Vec<Vec<usize>>,
    /// Master solves so far.
    pub iterations: usize,
    /// Beam of the heuristic pricing tried before the exact DP in each round (0: exact
    /// pricing only).
    pub beam: usize,
    /// Whether the exact pricing follows when the heuristic finds no column (off while
    /// diving: a heuristic master is enough to round).
    pub exact_pricing: bool,
    /// The master LP's value at the last solve.
    pub master_value: f64,
    /// A quick dive (for masters priced heuristically): a few heuristic rounds per step,
    /// several employees fixed at once. Otherwise each step re-converges the master
    /// (exact pricing included) and fixes the (nearly) integral schedules or the single
    /// largest.
    pub fast_dive: bool,
    /// From the last round in which every employee was priced exactly by the DP with
    /// nobody fixed: the Lagrangian bound, the cover duals and each employee's cheapest
    /// DP value (what [`Master::lagrangian_cuts`] needs).
    last_exact: Option<ExactRound>,
    /// Threads pricing the employees side by side (from the options' threads; all cores
    /// when they leave the choice open). The master does not depend on it.
    pub workers: usize,
}

impl<'a> Master<'a> {
    /// A master with one column per employee: their schedule in `start`.
    pub fn new(
        inst: &'a Instance,
        site: &'a crate::Site,
        req: &'a Requirements,
        cands: &'a [Candidate],
        start: &Assignment,
        opts: &SolveOptions,
    ) -> Master<'a> {
        let n = inst.staff.len();
        let mut pb = ColProblem::default();
        let conv: Vec<Row> = (0..n).map(|_| pb.add_row(1.0..=1.0)).collect();
        let mut cover_rows: HashMap<(usize, usize), Vec<Row>> = HashMap::new();
        let mut cover_index = Vec::new();
        let mut cover_row_list = Vec::new();
        for c in &inst.cover {
            let r = pb.add_row(f64::from(c.requirement)..=f64::from(c.requirement));
            cover_rows.entry((c.day, c.shift)).or_default().push(r);
            cover_index.push((c.day, c.shift));
            cover_row_list.push(r);
        }
        let mut model = Model::new(pb);
        model.make_quiet();
        if let Some(t) = opts.threads.filter(|&t| t > 0) {
            model.set_option(&b"threads"[..], t as i32);
        }
        // Primal simplex from the last basis: adding columns keeps it primal feasible
        // (Instance13 at 26 rounds, 9,000 columns: 1.1 s a solve instead of 3 s with
        // HiGHS's default choice).
        model.set_option(&b"simplex_strategy"[..], SIMPLEX_PRIMAL);
        model.set_option(&b"presolve"[..], "off");
        for (c, r) in inst.cover.iter().zip(&cover_row_list) {
            model.add_col(f64::from(c.under), 0.0.., [(*r, 1.0)]);
            model.add_col(f64::from(c.over), 0.0.., [(*r, -1.0)]);
        }
        let mut on_weight = vec![0.0; n];
        let mut request_cost: HashMap<(usize, usize, usize), f64> = HashMap::new();
        for r in &inst.on_requests {
            on_weight[r.staff] += f64::from(r.weight);
            *request_cost.entry((r.staff, r.day, r.shift)).or_default() -= f64::from(r.weight);
        }
        for r in &inst.off_requests {
            *request_cost.entry((r.staff, r.day, r.shift)).or_default() += f64::from(r.weight);
        }
        let mut options: Vec<Vec<Vec<(usize, u32)>>> = vec![vec![Vec::new(); inst.days]; n];
        let mut by_emp: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (k, cand) in cands.iter().enumerate() {
            options[cand.employee][cand.day].push((cand.template, cand.paid_minutes));
            by_emp[cand.employee].push(k);
        }
        let use_dp = (0..n)
            .map(|e| super::pricing::applicable(site, e, cands))
            .collect();
        let mut m = Master {
            inst,
            site,
            req,
            cands,
            opts: opts.clone(),
            model: Some(model),
            conv,
            cover_rows,
            cover_index,
            columns: vec![Vec::new(); n],
            cols: vec![Vec::new(); n],
            col_pos: vec![Vec::new(); n],
            n_cols: 2 * inst.cover.len(),
            fixed: vec![None; n],
            values: vec![Vec::new(); n],
            request_cost,
            base_options: options.clone(),
            forced: vec![vec![false; inst.days]; n],
            rules: Vec::new(),
            cutoff: f64::INFINITY,
            options,
            on_weight,
            use_dp,
            by_emp,
            iterations: 0,
            beam: PRICING_BEAM,
            exact_pricing: true,
            master_value: f64::INFINITY,
            fast_dive: false,
            last_exact: None,
            workers: opts
                .threads
                .map(|t| t as usize)
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
                .max(1),
        };
        for (e, row) in start.iter().enumerate() {
            m.add_column(e, row.clone());
        }
        m
    }

    /// Add a schedule of employee `e` (unless it is already there); its index.
    pub fn add_column(&mut self, e: usize, row: Vec<Option<usize>>) -> usize {
        if let Some(k) = self.columns[e].iter().position(|r| *r == row) {
            return k;
        }
        let mut f = vec![(self.conv[e], 1.0)];
        for (d, t) in row.iter().enumerate() {
            if let Some(rs) = t.and_then(|t| self.cover_rows.get(&(d, t))) {
                f.extend(rs.iter().map(|&r| (r, 1.0)));
            }
        }
        let cost = schedule_cost(self.inst, e, &row);
        let model = self.model.as_mut().expect("master model");
        // A column of a fixed employee may not enter.
        let col = if self.fixed[e].is_some() {
            model.add_col(cost, 0.0..=0.0, f)
        } else {
            model.add_col(cost, 0.0.., f)
        };
        self.columns[e].push(row);
        self.cols[e].push(col);
        self.col_pos[e].push(self.n_cols);
        self.n_cols += 1;
        self.columns[e].len() - 1
    }

    /// Fix employee `e` to column `k` (every other column of theirs at 0).
    pub fn fix(&mut self, e: usize, k: usize) {
        let model = self.model.as_mut().expect("master model");
        for (j, &c) in self.cols[e].iter().enumerate() {
            if j == k {
                model.change_column_bounds(c, 1.0..=1.0);
            } else {
                model.change_column_bounds(c, 0.0..=0.0);
            }
        }
        self.fixed[e] = Some(k);
    }

    /// Column generation until no column prices out, `deadline`, or `max_iterations`
    /// master solves. Returns the master LP value and, when every employee was priced
    /// exactly in the last round and nobody is fixed, a valid Lagrangian lower bound.
    #[allow(clippy::needless_range_loop)]
    pub fn generate(
        &mut self,
        deadline: Instant,
        max_iterations: usize,
        log: bool,
    ) -> Result<(f64, Option<f64>, bool), Error> {
        let n = self.inst.staff.len();
        let families: Vec<Family> = Family::ALL
            .iter()
            .copied()
            .filter(|&f| f != Family::TemplateCover)
            .collect();
        let all_on: f64 = self.on_weight.iter().sum();
        let mut best_bound: Option<f64> = None;
        let mut rounds = 0;
        let mut prev_master = f64::INFINITY;
        loop {
            rounds += 1;
            self.iterations += 1;
            let round_started = Instant::now();
            let model = self.model.take().expect("master model");
            let solved = model.try_solve().map_err(|e| {
                Error::Solve(format!(
                    "HiGHS failed on the column-generation master: {e:?}"
                ))
            })?;
            if solved.status() != HighsModelStatus::Optimal {
                return Err(Error::Solve(format!(
                    "column-generation master ended {:?}",
                    solved.status()
                )));
            }
            let master_secs = round_started.elapsed().as_secs_f64();
            let master = solved.objective_value();
            let sol = solved.get_solution();
            let duals: Vec<f64> = sol.dual_rows().to_vec();
            let primal: Vec<f64> = sol.columns().to_vec();
            self.model = Some(Model::from(solved));
            for e in 0..n {
                self.values[e] = self.col_pos[e].iter().map(|&c| primal[c]).collect();
            }
            let mut mu: HashMap<(usize, usize), f64> = HashMap::new();
            for (k, key) in self.cover_index.iter().enumerate() {
                *mu.entry(*key).or_default() += duals[n + k];
            }
            let mut lagrange = master;
            // Columns added this round: new ones only (`add_column` ignores a schedule already
            // in, so a round repeating old columns ends the loop instead of cycling).
            let cols_before = self.n_cols;
            let mut exact = self.fixed.iter().all(Option::is_none);
            let mut dp_values = vec![f64::NAN; n];
            // Heuristic pricing first (the DP with a beam: an order of magnitude faster, and
            // the exact DP for every `EXACT_STRIDE`-th employee); the exact pricing of
            // everybody, which alone gives a bound, only when it finds nothing or stalls.
            // Stopped by the deadline before every employee was priced.
            let mut timed_out = false;
            // Per employee, the cheapest schedule the heuristic pricing found.
            let mut beam_best = vec![f64::INFINITY; n];
            // Per employee priced exactly in it, the cheapest schedule's value or a lower
            // bound on it (the exact pass takes it from here).
            let mut priced_exactly: Vec<Option<f64>> = vec![None; n];
            // The employees are priced side by side by `self.workers` threads against a
            // dense copy of each one's costs (the DP's inner loop then reads an array, not
            // two hash maps); the columns go in afterwards in employee order, so the master
            // does not depend on the thread count.
            let costs: Vec<Vec<f64>> = (0..n).map(|e| self.dense_costs(&mu, e)).collect();
            let round = self.iterations;
            let pricing = self.pricing();
            let priced = price_side_by_side(n, self.workers, deadline, |e| {
                if pricing.beam == 0 || pricing.fixed[e].is_some() || !pricing.use_dp[e] {
                    return Priced::Skipped;
                }
                // Only labels that can still give a negative reduced cost count.
                let below = duals[e] - pricing.on_weight[e] - 1e-6;
                if e % EXACT_STRIDE == round % EXACT_STRIDE {
                    Priced::Exact(pricing.exact(e, &costs[e], below))
                } else {
                    Priced::Beam(pricing.beam_columns(e, &costs[e], below))
                }
            });
            for (e, got) in priced.into_iter().enumerate() {
                let below = duals[e] - self.on_weight[e] - 1e-6;
                let found = match got {
                    Priced::Skipped => continue,
                    Priced::TimedOut => {
                        timed_out = true;
                        continue;
                    }
                    Priced::Beam(found) => found,
                    Priced::Exact(got) => {
                        match &got {
                            Some(best) => {
                                priced_exactly[e] = Some(best.as_ref().map_or(below, |b| b.1))
                            }
                            // Past the label limit: the exact pass prices by the MILP.
                            None => self.use_dp[e] = false,
                        }
                        got.map(|best| best.into_iter().collect())
                    }
                };
                for (row, value) in found.unwrap_or_default() {
                    if value + self.on_weight[e] - duals[e] < -1e-6 {
                        beam_best[e] = beam_best[e].min(value);
                        self.add_column(e, row);
                    }
                }
            }
            let heuristic = self.n_cols > cols_before;
            // The exact pass also runs when the beam's columns hardly move the master any
            // more: on Instance13 the beam went on adding columns worth 0.01 % a round for
            // 100 rounds at 1,548, and one exact pass took the master to 1,496.
            let stalled = heuristic && prev_master - master < BEAM_STALL * master.abs().max(1.0);
            let exact_pass =
                (!heuristic || stalled) && !timed_out && (self.exact_pricing || self.beam == 0);
            exact &= exact_pass;
            // Schedules cheaper than `threshold` have a negative reduced cost; the DP looks
            // only below it, or below the beam's best schedule at these duals when that is
            // lower (the cheapest schedule is then at most that).
            let thresholds: Vec<f64> = (0..n).map(|e| duals[e] - self.on_weight[e]).collect();
            let below = |e: usize| thresholds[e].min(beam_best[e] + 1e-6);
            let pricing = self.pricing();
            let mut exactly = if exact_pass {
                price_side_by_side(n, self.workers, deadline, |e| {
                    if pricing.fixed[e].is_some()
                        || priced_exactly[e].is_some()
                        || !pricing.use_dp[e]
                    {
                        return Priced::Skipped;
                    }
                    Priced::Exact(pricing.exact(e, &costs[e], below(e)))
                })
            } else {
                Vec::new()
            };
            for e in (0..n).filter(|_| exact_pass) {
                if self.fixed[e].is_some() {
                    continue;
                }
                let dp = std::mem::replace(&mut exactly[e], Priced::Skipped);
                let needs_milp = priced_exactly[e].is_none() && !self.use_dp[e];
                if matches!(dp, Priced::TimedOut) || (needs_milp && Instant::now() > deadline) {
                    exact = false;
                    timed_out = true;
                    break;
                }
                let pi = duals[e];
                let threshold = thresholds[e];
                // The cheapest schedule's value, or a lower bound on it: `threshold` when
                // nothing lies below it (reduced cost ≥ 0: nothing for the bound). Taken from
                // the heuristic pass when it priced this employee exactly.
                let value = match (priced_exactly[e], dp) {
                    (Some(value), _) => Some(value),
                    (None, Priced::Exact(got)) => match got {
                        Some(Some((row, value))) => {
                            if value - threshold < -1e-6 {
                                self.add_column(e, row);
                            }
                            Some(value)
                        }
                        // Rounding: the beam's schedule lies below `below` yet the DP found
                        // nothing; the beam's value stands (its column is in).
                        Some(None) => Some(beam_best[e].min(threshold)),
                        // Past the label limit: the MILP from now on.
                        None => {
                            self.use_dp[e] = false;
                            None
                        }
                    },
                    _ => None,
                };
                if let Some(value) = value {
                    dp_values[e] = value;
                    lagrange += (value - threshold).min(0.0);
                    continue;
                }
                // MILP pricing: the rostering model restricted to this employee.
                let sub: Vec<Candidate> = self.by_emp[e]
                    .iter()
                    .map(|&c| self.cands[c].clone())
                    .collect();
                let k = sub.len();
                let mut b =
                    Builder::restricted(self.site, self.req, sub, vec![false; k], false, false);
                b.build(&families);
                for (j, &c) in self.by_emp[e].iter().enumerate() {
                    let key = (self.cands[c].day, self.cands[c].template);
                    if let Some(&m) = mu.get(&key) {
                        let x = b.x[j];
                        b.add_cost(CostFamily::Understaffing, x, -m);
                    }
                }
                let lm = std::mem::take(&mut b.lm);
                let left = deadline
                    .saturating_duration_since(Instant::now())
                    .as_secs_f64()
                    .max(0.05);
                let out = highs_solve(
                    lm,
                    &SolveOptions {
                        time_limit: left,
                        gap: 0.0,
                        max_nodes: None,
                        verbose: false,
                        ..self.opts.clone()
                    },
                )?;
                // Other employees' on-requests appear as forced misses (they have no
                // candidates in this sub-model): a constant to take off.
                let constant = all_on - self.on_weight[e];
                if out.bound.is_finite() {
                    lagrange += (out.bound - constant - pi).min(0.0);
                } else {
                    exact = false;
                }
                if !out.status.has_solution() {
                    exact = false;
                    continue;
                }
                if out.objective - constant - pi < -1e-6 {
                    let mut row = vec![None; self.inst.days];
                    for (j, &c) in self.by_emp[e].iter().enumerate() {
                        if out.value(b.x[j]) > 0.5 {
                            row[self.cands[c].day] = Some(self.cands[c].template);
                        }
                    }
                    self.add_column(e, row);
                }
            }
            let added = self.n_cols - cols_before;
            // Every employee priced exactly against this round's duals (columns the beam
            // added from the same duals leave the Lagrangian bound valid).
            if exact {
                best_bound = Some(best_bound.map_or(lagrange, |b: f64| b.max(lagrange)));
                if self.rules.is_empty() && dp_values.iter().all(|v| v.is_finite()) {
                    self.last_exact = Some((lagrange, mu.clone(), dp_values));
                }
            }
            if log {
                eprintln!(
                    "colgen: iteration {}: master {master:.2}, bound {:?}, {added} columns added{} ({:.1} s, master LP {master_secs:.1} s)",
                    self.iterations,
                    best_bound,
                    if heuristic { " by the beam" } else { "" },
                    round_started.elapsed().as_secs_f64()
                );
            }
            if exact && added == 0 {
                self.master_value = master;
                return Ok((master, Some(best_bound.unwrap_or(master).max(master)), true));
            }
            if added == 0 {
                // Converged only if everybody was priced (heuristically or exactly).
                self.master_value = master;
                return Ok((master, best_bound, !timed_out));
            }
            self.master_value = master;
            prev_master = master;
            let rounded_done = best_bound.is_some_and(|b| {
                let b = super::rounded_up(b);
                b >= master - 1e-6 || b >= self.cutoff - 1e-6
            });
            if Instant::now() > deadline || rounds >= max_iterations || rounded_done {
                return Ok((master, best_bound, false));
            }
        }
    }

    /// Diving: repeatedly fix the employees whose schedule is (nearly) chosen in the master
    /// LP — or the single most chosen one; with [`Master::fast_dive`], more — and
    /// re-generate columns, until the master is integral. Returns the roster, or `None` at
    /// the deadline.
    pub fn dive(&mut self, deadline: Instant, log: bool) -> Result<Option<Assignment>, Error> {
        // Fixing columns leaves the basis dual feasible: dual simplex while diving.
        let exact = self.exact_pricing;
        self.exact_pricing &= !self.fast_dive;
        self.set_simplex(SIMPLEX_DUAL);
        let got = self.dive_inner(deadline, log);
        self.set_simplex(SIMPLEX_PRIMAL);
        self.exact_pricing = exact;
        got
    }

    /// The schedule each employee is fixed to (after a dive the deadline stopped), `None`
    /// for the free ones.
    pub fn fixed_schedules(&self) -> Vec<Option<Vec<Option<usize>>>> {
        (0..self.inst.staff.len())
            .map(|e| self.fixed[e].map(|k| self.columns[e][k].clone()))
            .collect()
    }

    /// Dual simplex for the master's re-solves (after bounds change: diving, branching),
    /// or primal (after columns are added: column generation at the root).
    pub fn use_dual_simplex(&mut self, dual: bool) {
        self.set_simplex(if dual { SIMPLEX_DUAL } else { SIMPLEX_PRIMAL });
    }

    fn set_simplex(&mut self, strategy: i32) {
        let model = self.model.as_mut().expect("master model");
        model.set_option(&b"simplex_strategy"[..], strategy);
    }

    fn dive_inner(&mut self, deadline: Instant, log: bool) -> Result<Option<Assignment>, Error> {
        let n = self.inst.staff.len();
        loop {
            // A quick dive re-converges the master (heuristically) once few are free.
            let free = self.fixed.iter().filter(|f| f.is_none()).count();
            let tail = self.fast_dive && free as f64 <= DIVE_TAIL * n as f64;
            let rounds = match (self.fast_dive, tail) {
                (false, _) => 30,
                (true, false) => DIVE_ROUNDS,
                (true, true) => DIVE_TAIL_ROUNDS,
            };
            let (value, _, _) = self.generate(deadline, rounds, false)?;
            if log {
                eprintln!(
                    "colgen: dive at {value:.2}, {} fixed, {} master solves so far",
                    self.fixed.iter().flatten().count(),
                    self.iterations
                );
            }
            let mut integral = true;
            for e in 0..n {
                if self.fixed[e].is_some() {
                    continue;
                }
                if self.values[e].iter().any(|&v| v > 1e-6 && v < 1.0 - 1e-6) {
                    integral = false;
                }
            }
            if integral {
                let mut a = Vec::with_capacity(n);
                for e in 0..n {
                    let k = match self.fixed[e] {
                        Some(k) => k,
                        None => self.values[e].iter().position(|&v| v > 0.5).unwrap_or(0),
                    };
                    a.push(self.columns[e][k].clone());
                }
                if log {
                    eprintln!("colgen: dive ends at {value:.2}");
                }
                return Ok(Some(a));
            }
            // The largest value of each free employee, largest first.
            let mut tops: Vec<(f64, usize, usize)> = (0..n)
                .filter(|&e| self.fixed[e].is_none())
                .filter_map(|e| {
                    let (k, &v) = self.values[e]
                        .iter()
                        .enumerate()
                        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))?;
                    Some((v, e, k))
                })
                .collect();
            tops.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            // Every (nearly) integral schedule, then more at 0.5 or above up to a share of
            // the free employees, and at least the single largest.
            // In a quick dive's tail (the master re-converged at each step) every schedule
            // at 0.5 or above.
            let room = if tail {
                tops.len()
            } else if self.fast_dive {
                ((tops.len() as f64 * DIVE_SHARE).ceil() as usize).max(3)
            } else {
                0
            };
            let many = tops
                .iter()
                .enumerate()
                .take_while(|&(i, t)| t.0 > 0.99 || (i < room && t.0 >= 0.5))
                .count();
            // Nothing at 0.5: a smaller share of the largest (one at a time took the dive
            // on Instance13 from 60 to only 89 of 120 staff fixed in 60 s).
            let many = if many == 0 && self.fast_dive {
                let share = if tail { DIVE_SHARE } else { DIVE_SHARE / 3.0 };
                (tops.len() as f64 * share).ceil() as usize
            } else {
                many
            };
            for &(_, e, k) in tops.iter().take(many.max(1)) {
                self.fix(e, k);
            }
            if Instant::now() > deadline {
                return Ok(None);
            }
        }
    }

    /// What the pricing needs from the master, to share between threads.
    fn pricing(&self) -> Pricing<'_> {
        Pricing {
            site: self.site,
            options: &self.options,
            forced: &self.forced,
            fixed: &self.fixed,
            use_dp: &self.use_dp,
            on_weight: &self.on_weight,
            beam: self.beam,
        }
    }

    /// [`Master::weight`] of every (day, template) of employee `e`, by `d · templates + t`.
    fn dense_costs(&self, mu: &HashMap<(usize, usize), f64>, e: usize) -> Vec<f64> {
        let nt = self.site.templates.len();
        let mut v = vec![0.0; self.inst.days * nt];
        for (d, opts) in self.options[e].iter().enumerate() {
            for &(t, _) in opts {
                v[d * nt + t] = self.weight(mu, e, d, t);
            }
        }
        v
    }

    /// What employee `e` working template `t` on day `d` costs against cover duals `mu`:
    /// its request cost minus the dual (the pricing DP's cost, the cuts' weight).
    fn weight(&self, mu: &HashMap<(usize, usize), f64>, e: usize, d: usize, t: usize) -> f64 {
        self.request_cost.get(&(e, d, t)).copied().unwrap_or(0.0)
            - mu.get(&(d, t)).copied().unwrap_or(0.0)
    }

    /// The Lagrangian cuts of the last round in which every employee was priced exactly by
    /// the DP with nobody fixed (`None` before such a round).
    pub fn lagrangian_cuts(&self) -> Option<LagrangianCuts> {
        let (bound, mu, floors) = self.last_exact.as_ref()?;
        let weights = (0..self.inst.staff.len())
            .map(|e| {
                let mut w = HashMap::new();
                for (d, opts) in self.base_options[e].iter().enumerate() {
                    for &(t, _) in opts {
                        w.insert((d, t), self.weight(mu, e, d, t));
                    }
                }
                w
            })
            .collect();
        Some(LagrangianCuts {
            bound: *bound,
            weights,
            floors: floors.clone(),
        })
    }

    /// Reduced-cost fixing: the cells `(employee, day, template or None for off)` that no
    /// roster costing at most `ub − 1` can use. A roster costs at least the Lagrangian
    /// bound plus, for every employee, how far their schedule's weight lies above their
    /// floor (see [`LagrangianCuts`]); so a cell whose cheapest schedule through it (the DP
    /// with that day forced) lies more than `ub − 1 − bound` above the floor is out, and so
    /// is a cell no schedule keeping the rules passes through. Employees are examined in
    /// order until `deadline`; cells not examined, or where the DP gave up, stay in.
    pub fn excluded_cells(
        &self,
        cuts: &LagrangianCuts,
        ub: u64,
        deadline: Instant,
    ) -> Vec<(usize, usize, Option<usize>)> {
        let slack = ub as f64 - 1.0 - cuts.bound + 1e-6;
        let mut out = Vec::new();
        for e in 0..self.inst.staff.len() {
            if Instant::now() > deadline {
                break;
            }
            let w = &cuts.weights[e];
            let cost = |d: usize, t: usize| w.get(&(d, t)).copied().unwrap_or(0.0);
            let days = self.base_options[e].len();
            let mut options = self.base_options[e].clone();
            let mut forced = vec![false; days];
            for d in 0..days {
                let here = self.base_options[e][d].clone();
                let cells = here
                    .iter()
                    .map(|&(t, m)| (Some(t), vec![(t, m)]))
                    .chain(std::iter::once((None, Vec::new())));
                forced[d] = true;
                for (cell, only) in cells {
                    options[d] = only;
                    let got = super::pricing::cheapest_schedule_forced(
                        self.site,
                        e,
                        &options,
                        &cost,
                        LABEL_LIMIT,
                        &forced,
                        None,
                    );
                    let out_of_reach = match got {
                        None => false,
                        Some(None) => true,
                        Some(Some((_, v))) => v > cuts.floors[e] + slack,
                    };
                    if out_of_reach {
                        out.push((e, d, cell));
                    }
                }
                options[d] = here;
                forced[d] = false;
            }
        }
        out
    }

    /// Each employee's cheapest schedule by their own requests alone (no cover): a feasible
    /// roster, by the DP pricing; `None` if the DP does not apply to someone or gives up.
    pub fn own_schedules(&self) -> Option<Assignment> {
        let mut a = Vec::new();
        for e in 0..self.inst.staff.len() {
            if !self.use_dp[e] {
                return None;
            }
            let cost =
                |d: usize, t: usize| self.request_cost.get(&(e, d, t)).copied().unwrap_or(0.0);
            let got = super::pricing::cheapest_schedule(
                self.site,
                e,
                &self.base_options[e],
                &cost,
                LABEL_LIMIT,
            );
            if std::env::var_os("SHIFTWISE_LOG_PRICING").is_some() && !matches!(got, Some(Some(_)))
            {
                eprintln!(
                    "pricing: own schedule of staff {e}: {}",
                    if got.is_none() {
                        "label limit"
                    } else {
                        "infeasible"
                    }
                );
            }
            let (row, _) = got??;
            a.push(row);
        }
        Some(a)
    }

    /// Undo every fixing (back to the root master).
    pub fn unfix_all(&mut self) {
        let model = self.model.as_mut().expect("master model");
        for e in 0..self.fixed.len() {
            if self.fixed[e].take().is_some() {
                for &c in &self.cols[e] {
                    model.change_column_bounds(c, 0.0..);
                }
            }
        }
    }
}

/// One employee's pricing in a round (see [`price_side_by_side`]).
enum Priced {
    /// Not priced (fixed, not priced by the DP, or not in this pass).
    Skipped,
    /// Not priced: the deadline had passed.
    TimedOut,
    /// The beam's cheapest schedules below the threshold (`None`: the DP gave up).
    Beam(Option<Vec<(Vec<Option<usize>>, f64)>>),
    /// The exact DP's cheapest schedule below the threshold (outer `None`: the DP gave up).
    Exact(Option<Option<(Vec<Option<usize>>, f64)>>),
}

/// The master's data the pricing reads, borrowed apart from the HiGHS model so that
/// threads may share it.
struct Pricing<'m> {
    site: &'m crate::Site,
    options: &'m [Vec<Vec<(usize, u32)>>],
    forced: &'m [Vec<bool>],
    fixed: &'m [Option<usize>],
    use_dp: &'m [bool],
    on_weight: &'m [f64],
    beam: usize,
}

impl Pricing<'_> {
    /// Employee `e`'s cheapest schedule at `costs` ([`Master::dense_costs`]) if it costs
    /// less than `below` (the exact DP under the employee's branching decisions):
    /// `Some(None)` when none does, `None` past the label limit.
    #[allow(clippy::type_complexity)]
    fn exact(
        &self,
        e: usize,
        costs: &[f64],
        below: f64,
    ) -> Option<Option<(Vec<Option<usize>>, f64)>> {
        let nt = self.site.templates.len();
        super::pricing::cheapest_schedule_forced(
            self.site,
            e,
            &self.options[e],
            &|d: usize, t: usize| costs[d * nt + t],
            LABEL_LIMIT,
            &self.forced[e],
            Some(below),
        )
    }

    /// The beam DP's cheapest schedules for employee `e` (up to [`PRICING_COLUMNS`]).
    fn beam_columns(
        &self,
        e: usize,
        costs: &[f64],
        below: f64,
    ) -> Option<Vec<(Vec<Option<usize>>, f64)>> {
        let nt = self.site.templates.len();
        super::pricing::cheapest_schedules_beam(
            self.site,
            e,
            &self.options[e],
            &|d: usize, t: usize| costs[d * nt + t],
            LABEL_LIMIT,
            self.beam,
            PRICING_COLUMNS,
            &self.forced[e],
            Some(below),
        )
    }
}

/// `price(e)` for every employee `e < n`, by `workers` threads (employees dealt out in
/// turn), in employee order; `TimedOut` for those reached after `deadline`.
fn price_side_by_side<F>(n: usize, workers: usize, deadline: Instant, price: F) -> Vec<Priced>
where
    F: Fn(usize) -> Priced + Sync,
{
    let one = |e: usize| {
        if Instant::now() > deadline {
            Priced::TimedOut
        } else {
            price(e)
        }
    };
    let workers = workers.clamp(1, n.max(1));
    if workers == 1 {
        return (0..n).map(one).collect();
    }
    let mut out: Vec<Option<Priced>> = (0..n).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let one = &one;
                scope.spawn(move || {
                    (w..n)
                        .step_by(workers)
                        .map(|e| (e, one(e)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (e, p) in h.join().expect("a pricing thread panicked") {
                out[e] = Some(p);
            }
        }
    });
    out.into_iter()
        .map(|p| p.expect("every employee priced"))
        .collect()
}

/// A branching decision of branch-and-price, on one employee's day: whether they work it
/// (`Work`), or whether they work a given template on it (`Shift`). Each keeps the other
/// decisions of the day free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Employee, day, works it (`true`) or is off (`false`).
    Work(usize, usize, bool),
    /// Employee, day, template, works it (`true`) or not (`false`).
    Shift(usize, usize, usize, bool),
}

impl Rule {
    fn employee(&self) -> usize {
        self.cell().0
    }

    /// The (employee, day) the rule decides.
    fn cell(&self) -> (usize, usize) {
        match *self {
            Rule::Work(e, d, _) | Rule::Shift(e, d, _, _) => (e, d),
        }
    }

    /// Whether a schedule of the rule's employee keeps it.
    pub fn keeps(&self, row: &[Option<usize>]) -> bool {
        match *self {
            Rule::Work(_, d, on) => row[d].is_some() == on,
            Rule::Shift(_, d, t, on) => (row[d] == Some(t)) == on,
        }
    }
}

impl Master<'_> {
    /// Put a branch-and-price node's rules in force (replacing the previous node's): columns
    /// breaking one may not enter, and the pricing generates only schedules keeping them.
    /// An employee left without a column gets their cheapest schedule under the rules by
    /// their requests. `Some(false)`: some employee has no schedule keeping the rules (the
    /// node is empty); `None`: the DP gave up deciding that. Needs nobody fixed.
    pub fn set_rules(&mut self, rules: &[Rule]) -> Option<bool> {
        debug_assert!(self.fixed.iter().all(Option::is_none));
        self.rules = rules.to_vec();
        self.options = self.base_options.clone();
        for f in &mut self.forced {
            f.iter_mut().for_each(|x| *x = false);
        }
        for r in rules {
            match *r {
                Rule::Work(e, d, true) => self.forced[e][d] = true,
                Rule::Work(e, d, false) => self.options[e][d].clear(),
                Rule::Shift(e, d, t, true) => {
                    self.options[e][d].retain(|&(u, _)| u == t);
                    self.forced[e][d] = true;
                }
                Rule::Shift(e, d, t, false) => self.options[e][d].retain(|&(u, _)| u != t),
            }
        }
        // A day that must be worked with nothing left to work on it.
        let stuck = self
            .forced
            .iter()
            .zip(&self.options)
            .any(|(f, o)| f.iter().zip(o).any(|(&f, o)| f && o.is_empty()));
        let n = self.inst.staff.len();
        let mut by_emp: Vec<Vec<Rule>> = vec![Vec::new(); n];
        for r in rules {
            by_emp[r.employee()].push(*r);
        }
        for (e, mine) in by_emp.iter().enumerate() {
            let mut any = false;
            let model = self.model.as_mut().expect("master model");
            for (row, &c) in self.columns[e].iter().zip(&self.cols[e]) {
                let ok = mine.iter().all(|r| r.keeps(row));
                any |= ok;
                if ok {
                    model.change_column_bounds(c, 0.0..);
                } else {
                    model.change_column_bounds(c, 0.0..=0.0);
                }
            }
            if !any && !stuck {
                let cost =
                    |d: usize, t: usize| self.request_cost.get(&(e, d, t)).copied().unwrap_or(0.0);
                let got = super::pricing::cheapest_schedule_forced(
                    self.site,
                    e,
                    &self.options[e],
                    &cost,
                    LABEL_LIMIT,
                    &self.forced[e],
                    None,
                )?;
                match got {
                    Some((row, _)) => {
                        self.add_column(e, row);
                    }
                    None => return Some(false),
                }
            }
        }
        Some(!stuck)
    }

    /// The master LP's value over the columns it holds, without pricing (the rules in
    /// force): an estimate from above of a node's bound, for strong branching. `None` when
    /// the LP has no solution over these columns; an error when HiGHS fails (the master is
    /// then gone, as after [`Master::generate`] fails).
    pub fn restricted_value(&mut self) -> Result<Option<f64>, Error> {
        let model = self.model.take().expect("master model");
        let solved = model.try_solve().map_err(|e| {
            Error::Solve(format!(
                "HiGHS failed on the column-generation master: {e:?}"
            ))
        })?;
        let value =
            (solved.status() == HighsModelStatus::Optimal).then(|| solved.objective_value());
        self.model = Some(Model::from(solved));
        Ok(value)
    }

    /// Whether the DP prices every employee (branch-and-price needs it).
    pub fn dp_everywhere(&self) -> bool {
        self.use_dp.iter().all(|&u| u)
    }

    /// The master's solution by cell: per employee and day, the share working, and per
    /// (employee, day, template) the share working that template.
    pub fn cell_values(&self) -> CellValues {
        let n = self.inst.staff.len();
        let mut work = vec![vec![0.0; self.inst.days]; n];
        let mut shift: HashMap<(usize, usize, usize), f64> = HashMap::new();
        for (e, mine) in work.iter_mut().enumerate() {
            for (row, &v) in self.columns[e].iter().zip(&self.values[e]) {
                if v <= 1e-9 {
                    continue;
                }
                for (d, t) in row.iter().enumerate() {
                    if let Some(t) = *t {
                        mine[d] += v;
                        *shift.entry((e, d, t)).or_default() += v;
                    }
                }
            }
        }
        (work, shift)
    }

    /// A dive on cells instead of whole schedules: each step puts in force, as branching
    /// rules ([`Master::set_rules`]), the cells (employee, day: works template t / is off)
    /// of each free employee's most chosen schedule that the master LP holds at 0.99 or
    /// more — at least [`CELL_DIVE_SHARE`] of the undecided cells, largest first — and
    /// re-generates columns under the rules, until the master is integral. Cells taken
    /// from one schedule of each employee cannot contradict each other, and the rest of
    /// that employee's horizon stays free to re-arrange around them (where fixing a whole
    /// schedule decides all of it at once). Returns the roster, or `None` at the deadline
    /// (the master then holds the rules reached: [`Master::rounded`] is a roster keeping
    /// them). Leaves the rules in force; `set_rules(&[])` lifts them.
    pub fn cell_dive(&mut self, deadline: Instant, log: bool) -> Result<Option<Assignment>, Error> {
        let exact = self.exact_pricing;
        self.exact_pricing = false;
        self.set_simplex(SIMPLEX_DUAL);
        let got = self.cell_dive_inner(deadline, log);
        self.set_simplex(SIMPLEX_PRIMAL);
        self.exact_pricing = exact;
        got
    }

    fn cell_dive_inner(
        &mut self,
        deadline: Instant,
        log: bool,
    ) -> Result<Option<Assignment>, Error> {
        let (n, days) = (self.inst.staff.len(), self.inst.days);
        let mut rules: Vec<Rule> = self.rules.clone();
        let mut decided = vec![vec![false; days]; n];
        for r in &rules {
            let (e, d) = r.cell();
            decided[e][d] = true;
        }
        loop {
            let open = decided.iter().flatten().filter(|&&x| !x).count();
            let rounds = if (open as f64) < DIVE_TAIL * (n * days) as f64 {
                CELL_DIVE_TAIL_ROUNDS
            } else {
                DIVE_ROUNDS
            };
            let (value, _, _) = self.generate(deadline, rounds, false)?;
            if log {
                eprintln!(
                    "colgen: cell dive at {value:.2}, {} of {} cells decided, {} master solves so far",
                    n * days - open,
                    n * days,
                    self.iterations
                );
            }
            let integral = self
                .values
                .iter()
                .all(|vs| vs.iter().all(|&v| v <= 1e-6 || v >= 1.0 - 1e-6));
            if integral {
                return Ok(Some(self.rounded()));
            }
            if Instant::now() > deadline {
                return Ok(None);
            }
            let (work, shift) = self.cell_values();
            let top = self.rounded();
            let mut cells: Vec<(f64, Rule)> = Vec::new();
            for (e, row) in top.iter().enumerate() {
                for (d, t) in row.iter().enumerate() {
                    if decided[e][d] {
                        continue;
                    }
                    cells.push(match *t {
                        Some(t) => (
                            shift.get(&(e, d, t)).copied().unwrap_or(0.0),
                            Rule::Shift(e, d, t, true),
                        ),
                        None => (1.0 - work[e][d], Rule::Work(e, d, false)),
                    });
                }
            }
            if cells.is_empty() {
                // Every cell decided yet fractional: only where an employee is priced by the
                // MILP, whose columns need not keep the rules. The rounding is a roster.
                return Ok(Some(top));
            }
            cells.sort_by(|a, b| b.0.total_cmp(&a.0));
            let least = ((cells.len() as f64 * CELL_DIVE_SHARE).ceil() as usize)
                .max(days)
                .min(cells.len());
            let sure = cells.iter().take_while(|c| c.0 >= 0.99).count();
            for &(_, r) in cells.iter().take(sure.max(least)) {
                let (e, d) = r.cell();
                decided[e][d] = true;
                rules.push(r);
            }
            match self.set_rules(&rules) {
                Some(true) => {}
                // Cells of one schedule per employee never contradict each other; `None` is
                // the DP giving up on an employee left without a column. Stop the dive.
                _ => return Ok(None),
            }
        }
    }

    /// Each employee's most chosen schedule in the master's solution: a feasible roster.
    pub fn rounded(&self) -> Assignment {
        (0..self.inst.staff.len())
            .map(|e| {
                let k = self.values[e]
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
                    .map_or(0, |(k, _)| k);
                self.columns[e][k].clone()
            })
            .collect()
    }
}

/// Run column generation from the schedules of `start` until convergence or `limit`
/// seconds; `opts` gives threads and seed (HiGHS's thread count must match the process's).
#[allow(clippy::too_many_arguments)]
pub fn column_generation<'a>(
    inst: &'a Instance,
    site: &'a crate::Site,
    req: &'a Requirements,
    cands: &'a [Candidate],
    start: &Assignment,
    opts: &SolveOptions,
    limit: f64,
    log: bool,
) -> Result<(Master<'a>, ColGen), Error> {
    let started = Instant::now();
    let mut m = Master::new(inst, site, req, cands, start, opts);
    let deadline = started + std::time::Duration::from_secs_f64(limit.max(0.0));
    let (_, bound, converged) = m.generate(deadline, usize::MAX, log)?;
    let cg = ColGen {
        bound: bound.unwrap_or(f64::NEG_INFINITY),
        converged,
        iterations: m.iterations,
        master: m.master_value,
        columns: m.columns.clone(),
        values: m.values.clone(),
    };
    Ok((m, cg))
}

/// Price-and-branch: the master as a MILP over the generated columns (one schedule per
/// employee), solved by HiGHS within `limit` seconds. Any solution is a feasible roster,
/// since every column is a feasible schedule of its employee.
pub fn master_ip(
    inst: &Instance,
    cg: &ColGen,
    start: &Assignment,
    opts: &SolveOptions,
    limit: f64,
) -> Result<Option<Assignment>, Error> {
    Ok(master_ip_status(inst, cg, start, opts, limit)?.0)
}

/// [`master_ip`], also telling whether HiGHS proved the MILP optimal (or infeasible).
pub fn master_ip_status(
    inst: &Instance,
    cg: &ColGen,
    start: &Assignment,
    opts: &SolveOptions,
    limit: f64,
) -> Result<(Option<Assignment>, bool), Error> {
    use crate::solve::LinearModel;
    use good_lp::{constraint, Expression};
    let mut lm = LinearModel::new();
    let mut lambda = Vec::new();
    let mut start_values = Vec::new();
    let mut cover_expr: HashMap<(usize, usize), Expression> = HashMap::new();
    for (e, cols) in cg.columns.iter().enumerate() {
        let mut conv = Expression::default();
        let mut mine = Vec::new();
        for row in cols {
            let v = lm.binary();
            lm.cost(v, schedule_cost(inst, e, row));
            conv += v.var;
            for (d, t) in row.iter().enumerate() {
                if let Some(t) = t {
                    *cover_expr.entry((d, *t)).or_default() += v.var;
                }
            }
            start_values.push((v, f64::from(u8::from(row == &start[e]))));
            mine.push(v);
        }
        lm.constrain(constraint!(conv == 1.0));
        lambda.push(mine);
    }
    for c in &inst.cover {
        let under = lm.continuous(0.0, f64::INFINITY);
        let over = lm.continuous(0.0, f64::INFINITY);
        lm.cost(under, f64::from(c.under));
        lm.cost(over, f64::from(c.over));
        let expr = cover_expr
            .get(&(c.day, c.shift))
            .cloned()
            .unwrap_or_default();
        lm.constrain(constraint!(
            expr + under.var - over.var == f64::from(c.requirement)
        ));
    }
    // A start only when the incumbent's schedules are all among the columns.
    if start_values.iter().filter(|(_, x)| *x > 0.5).count() == inst.staff.len() {
        lm.set_start(start_values);
    }
    let out = highs_solve(
        lm,
        &SolveOptions {
            time_limit: limit.max(0.05),
            gap: 0.0,
            max_nodes: None,
            verbose: false,
            ..opts.clone()
        },
    )?;
    let optimal = matches!(
        out.status,
        crate::solve::SolveStatus::Optimal | crate::solve::SolveStatus::Infeasible
    );
    if !out.status.has_solution() {
        return Ok((None, optimal));
    }
    let mut a = Vec::new();
    for (e, vars) in lambda.iter().enumerate() {
        let k = vars.iter().position(|&v| out.value(v) > 0.5).unwrap_or(0);
        a.push(cg.columns[e][k].clone());
    }
    Ok((Some(a), optimal))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::candidate_shifts;

    /// 14 days, three shift types, four staff with caps and sequence rules, cover on every
    /// day (short of it costs 100, over it 1) and a few requests.
    pub(crate) fn instance() -> Instance {
        let mut text = String::from(
            "SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nE,480,\nL,480,E\nN,600,E|L\n\n\
             SECTION_STAFF\nA,E=14|L=6|N=3,4800,2880,4,2,2,1\nB,E=14|L=14|N=0,4800,2400,3,2,2,2\n\
             C,E=14|L=14|N=4,5400,2880,5,2,1,2\nD,E=8|L=14|N=2,4800,1920,4,1,2,1\n\n\
             SECTION_DAYS_OFF\nA,3\nB,0,7\n\nSECTION_SHIFT_ON_REQUESTS\nA,1,E,2\nC,5,N,3\n\n\
             SECTION_SHIFT_OFF_REQUESTS\nB,2,L,2\nD,9,E,1\n\nSECTION_COVER\n",
        );
        for d in 0..14 {
            text.push_str(&format!(
                "{d},E,{},100,1\n{d},L,1,100,1\n{d},N,{},100,1\n",
                1 + d % 2,
                d % 3 / 2
            ));
        }
        crate::curtois::parse(&text, "cg.txt", "cg").unwrap()
    }

    /// The instance as a site, its requirements and its candidate shifts.
    fn parts(inst: &Instance) -> (crate::Site, Requirements, Vec<Candidate>) {
        let site = crate::curtois::to_site(inst);
        let req = crate::staffing::requirements(&site);
        let cands = candidate_shifts(&site);
        (site, req, cands)
    }

    pub(crate) fn master<'a>(
        inst: &'a Instance,
        site: &'a crate::Site,
        req: &'a Requirements,
        cands: &'a [Candidate],
        beam: usize,
    ) -> Master<'a> {
        let m = Master::new(
            inst,
            site,
            req,
            cands,
            &vec![vec![None; inst.days]; inst.staff.len()],
            &SolveOptions::default(),
        );
        let start = m.own_schedules().expect("the DP applies");
        let mut m = Master::new(inst, site, req, cands, &start, &SolveOptions::default());
        m.beam = beam;
        m
    }

    /// Heuristic pricing first changes the path, not the answer: with and without it the
    /// bound rounds up to the same value, the LP optimum's ceiling.
    #[test]
    fn beam_pricing_converges_to_the_exact_lp_bound() {
        let inst = instance();
        let (site, req, cands) = parts(&inst);
        let far = Instant::now() + std::time::Duration::from_secs(3600);
        let mut exact = master(&inst, &site, &req, &cands, 0);
        let (v0, b0, c0) = exact.generate(far, usize::MAX, false).unwrap();
        let mut beam = master(&inst, &site, &req, &cands, PRICING_BEAM);
        let (v1, b1, c1) = beam.generate(far, usize::MAX, false).unwrap();
        // Either converged or stopped once the rounded-up bound met the master's value:
        // both bounds round up to the LP optimum's ceiling.
        let (b0, b1) = (b0.unwrap(), b1.unwrap());
        assert!(b0 <= v0 + 1e-6 && b1 <= v1 + 1e-6);
        assert!(c0 || b0.ceil() >= v0 - 1e-6);
        assert!(c1 || b1.ceil() >= v1 - 1e-6);
        assert_eq!((b0 - 1e-6).ceil(), (b1 - 1e-6).ceil(), "{b0} vs {b1}");
        // A dive from the converged master: a roster keeping every rule (checked by
        // `verify`), never below the bound.
        let a = beam.dive(far, false).unwrap().expect("dive ends");
        let obj = crate::curtois::objective(&inst, &a) as f64;
        assert!(obj >= b1 - 1e-6);
        assert_keeps_every_rule(&site, &req, &cands, &a);
    }

    /// Pricing side by side leaves the master as one thread leaves it: the same columns
    /// in the same order, the same values, bound and number of rounds.
    #[test]
    fn pricing_threads_do_not_change_the_master() {
        let inst = instance();
        let (site, req, cands) = parts(&inst);
        let far = Instant::now() + std::time::Duration::from_secs(3600);
        let run = |workers: usize| {
            let mut m = master(&inst, &site, &req, &cands, PRICING_BEAM);
            m.workers = workers;
            let (value, bound, converged) = m.generate(far, usize::MAX, false).unwrap();
            (value, bound, converged, m.iterations, m.columns, m.values)
        };
        let one = run(1);
        assert!(one.3 > 1, "pricing should take several rounds");
        assert_eq!(one, run(3));
    }

    /// Every employee's result comes back at their index, whichever thread priced them;
    /// past the deadline nobody is priced.
    #[test]
    fn price_side_by_side_keeps_the_employee_order() {
        let far = Instant::now() + std::time::Duration::from_secs(3600);
        for workers in [1, 2, 5] {
            let got = price_side_by_side(7, workers, far, |e| {
                Priced::Beam(Some(vec![(vec![Some(e)], e as f64)]))
            });
            for (e, p) in got.iter().enumerate() {
                match p {
                    Priced::Beam(Some(v)) => assert_eq!(v[0].1, e as f64),
                    _ => panic!("employee {e} not priced with {workers} workers"),
                }
            }
        }
        let past = Instant::now() - std::time::Duration::from_millis(1);
        let got = price_side_by_side(4, 2, past, |_| Priced::Skipped);
        assert!(got.iter().all(|p| matches!(p, Priced::TimedOut)));
    }

    /// `verify` finds no broken rule in roster `a`.
    fn assert_keeps_every_rule(
        site: &crate::Site,
        req: &Requirements,
        cands: &[Candidate],
        a: &Assignment,
    ) {
        let violations = crate::verify::verify(site, &as_roster(cands, a), &req.agents).violations;
        assert!(violations.is_empty(), "{violations:?}");
    }

    /// The roster's shifts as candidate shifts, for `verify`.
    fn as_roster(cands: &[Candidate], a: &Assignment) -> crate::roster::Roster {
        let mut shifts = Vec::new();
        for (e, row) in a.iter().enumerate() {
            for (d, t) in row.iter().enumerate() {
                if let Some(t) = t {
                    let c = cands
                        .iter()
                        .find(|c| c.employee == e && c.day == d && c.template == *t)
                        .expect("a candidate");
                    shifts.push(c.to_shift());
                }
            }
        }
        crate::roster::Roster { shifts }
    }

    /// A cell dive from a fractional master ends integral: every employee on one schedule
    /// of value 1, the roster keeping every rule the dive put in force and every hard rule
    /// (`verify`), never below the bound or the optimum. Stopped at once,
    /// the master's rounding is still a roster `verify` accepts.
    #[test]
    fn a_cell_dive_ends_on_a_roster_keeping_its_rules() {
        // The odd cycle's master is fractional at the root (halves), so the dive has cells
        // to decide; its optimum is 5 (by hand and by brute force in `branch`).
        let inst = crate::curtois::branch::tests::odd_cycle();
        let (site, req, cands) = parts(&inst);
        let far = Instant::now() + std::time::Duration::from_secs(3600);
        let mut m = master(&inst, &site, &req, &cands, PRICING_BEAM);
        let (_, bound, _) = m.generate(far, usize::MAX, false).unwrap();
        assert!(m
            .values
            .iter()
            .flatten()
            .any(|&v| v > 1e-6 && v < 1.0 - 1e-6));
        let a = m.cell_dive(far, false).unwrap().expect("the dive ends");
        for (e, row) in a.iter().enumerate() {
            let used: Vec<usize> = (0..m.values[e].len())
                .filter(|&k| m.values[e][k] > 1e-6)
                .collect();
            assert_eq!(used.len(), 1, "employee {e}: {:?}", m.values[e]);
            assert_eq!(&m.columns[e][used[0]], row);
        }
        assert!(!m.rules.is_empty());
        for r in &m.rules {
            assert!(
                r.keeps(&a[r.employee()]),
                "{r:?} broken by {:?}",
                a[r.employee()]
            );
        }
        let obj = crate::curtois::objective(&inst, &a) as f64;
        assert!(obj >= bound.expect("converged") - 1e-6);
        assert!(obj >= 5.0);
        assert_keeps_every_rule(&site, &req, &cands, &a);
        // Lifted: the root again.
        assert_eq!(m.set_rules(&[]), Some(true));
        // Stopped at once: the master's rounding (or its roster, had it been integral
        // already) is a roster `verify` accepts.
        let mut late = master(&inst, &site, &req, &cands, PRICING_BEAM);
        let stopped = late.cell_dive(Instant::now(), false).unwrap();
        let rounded = stopped.unwrap_or_else(|| late.rounded());
        assert_keeps_every_rule(&site, &req, &cands, &rounded);
    }

    /// A deadline already past: not reported as converged, and no bound.
    #[test]
    fn a_deadline_is_not_convergence() {
        let inst = instance();
        let (site, req, cands) = parts(&inst);
        let mut m = master(&inst, &site, &req, &cands, PRICING_BEAM);
        let (_, bound, converged) = m.generate(Instant::now(), usize::MAX, false).unwrap();
        assert!(!converged);
        assert!(bound.is_none());
    }
}
