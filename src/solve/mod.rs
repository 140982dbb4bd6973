//! The solver adapter: the only module that touches good_lp's solver types and HiGHS.
//!
//! A model is stated with good_lp ([`LinearModel`]: variables, objective, constraints);
//! [`solve`] hands it to HiGHS with the run's options and reads back HiGHS's own status,
//! objective, dual bound and gap (good_lp's mapping of statuses is lossy, and it does not
//! expose the bound).

use std::num::NonZeroU32;
use std::time::Instant;

use good_lp::{Constraint, Expression, ProblemVariables, Variable, VariableDefinition};
use highs::HighsModelStatus;

/// How to solve.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOptions {
    /// Wall-clock limit in seconds.
    pub time_limit: f64,
    /// Relative MIP gap at which to stop (e.g. 0.005).
    pub gap: f64,
    /// Solver threads (`None` = HiGHS default). HiGHS fixes its thread pool once per
    /// process: all solves in one process must use the same value.
    pub threads: Option<u32>,
    /// Random seed passed to HiGHS (determinism).
    pub seed: u32,
    /// Print the solver's log.
    pub verbose: bool,
    /// Branch-and-bound node limit (a deterministic effort limit; `None` = unlimited).
    pub max_nodes: Option<u32>,
}

impl SolveOptions {
    /// The same options with another time limit.
    pub fn with_time_limit(&self, seconds: f64) -> SolveOptions {
        SolveOptions {
            time_limit: seconds,
            ..self.clone()
        }
    }
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: 60.0,
            gap: 0.005,
            threads: None,
            seed: 0,
            verbose: false,
            max_nodes: None,
        }
    }
}

/// How the solve ended, in HiGHS's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SolveStatus {
    /// Proven optimal (within HiGHS's tolerances and the requested gap).
    Optimal,
    /// Stopped at the time limit with a feasible solution.
    TimeLimit,
    /// Stopped at another limit (iterations, solutions, memory, interrupt) with a solution.
    OtherLimit,
    /// The hard rules cannot all hold.
    Infeasible,
    /// Stopped at a limit without any feasible solution.
    NoSolution,
}

impl SolveStatus {
    /// The status as `summary.json` writes it (`optimal`, `time_limit`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SolveStatus::Optimal => "optimal",
            SolveStatus::TimeLimit => "time_limit",
            SolveStatus::OtherLimit => "other_limit",
            SolveStatus::Infeasible => "infeasible",
            SolveStatus::NoSolution => "no_solution",
        }
    }

    /// True when a solution is available.
    pub fn has_solution(self) -> bool {
        matches!(
            self,
            SolveStatus::Optimal | SolveStatus::TimeLimit | SolveStatus::OtherLimit
        )
    }
}

/// A linear model under construction. Variables are numbered in creation order, which is
/// also their column order in HiGHS.
pub struct LinearModel {
    vars: ProblemVariables,
    count: usize,
    integers: usize,
    objective: Expression,
    constraints: Vec<Constraint>,
    start: Vec<(usize, f64)>,
}

impl Default for LinearModel {
    fn default() -> Self {
        Self::new()
    }
}

impl LinearModel {
    /// An empty model.
    pub fn new() -> Self {
        LinearModel {
            vars: ProblemVariables::new(),
            count: 0,
            integers: 0,
            objective: Expression::default(),
            constraints: Vec::new(),
            start: Vec::new(),
        }
    }
    fn add(&mut self, def: VariableDefinition, integer: bool) -> Var {
        let v = self.vars.add(def);
        let id = Var {
            var: v,
            column: self.count,
        };
        self.count += 1;
        self.integers += usize::from(integer);
        id
    }
    /// A binary variable.
    pub fn binary(&mut self) -> Var {
        self.add(good_lp::variable().binary(), true)
    }
    /// A binary variable fixed to 1 (a decision taken outside this solve).
    pub fn binary_fixed_one(&mut self) -> Var {
        self.add(good_lp::variable().binary().min(1.0), true)
    }
    /// Give HiGHS a starting solution: values of (some) integer variables; HiGHS completes
    /// the continuous ones. A feasible start becomes the first incumbent.
    pub fn set_start(&mut self, values: impl IntoIterator<Item = (Var, f64)>) {
        self.start = values.into_iter().map(|(v, x)| (v.column, x)).collect();
    }
    /// A continuous variable in `[lo, hi]` (`hi` may be `f64::INFINITY`).
    pub fn continuous(&mut self, lo: f64, hi: f64) -> Var {
        let def = if hi.is_finite() {
            good_lp::variable().min(lo).max(hi)
        } else {
            good_lp::variable().min(lo)
        };
        self.add(def, false)
    }
    /// A general integer variable `≥ 0` (counts, e.g. shifts on break at a given time).
    pub fn integer(&mut self) -> Var {
        self.add(good_lp::variable().integer().min(0.0), true)
    }
    /// Add `coef × var` to the objective (minimised).
    pub fn cost(&mut self, var: Var, coef: f64) {
        if coef != 0.0 {
            self.objective += coef * var.var;
        }
    }
    /// Add a constraint.
    pub fn constrain(&mut self, c: Constraint) {
        self.constraints.push(c);
    }
    /// Number of variables.
    pub fn num_vars(&self) -> usize {
        self.count
    }
    /// Number of integer (binary) variables.
    pub fn num_integer(&self) -> usize {
        self.integers
    }
    /// Number of constraints.
    pub fn num_constraints(&self) -> usize {
        self.constraints.len()
    }
    /// Number of nonzero coefficients in the constraints.
    pub fn num_nonzeros(&self) -> usize {
        use good_lp::IntoAffineExpression;
        self.constraints
            .iter()
            .map(|c| c.expression().linear_coefficients().count())
            .sum()
    }
}

/// A model variable: the good_lp handle plus its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Var {
    /// good_lp variable, for building expressions.
    pub var: Variable,
    column: usize,
}

impl From<Var> for Expression {
    fn from(v: Var) -> Expression {
        v.var.into()
    }
}

/// The result of a solve.
#[derive(Debug, Clone)]
pub struct SolveOutcome {
    /// Status.
    pub status: SolveStatus,
    /// Variable values by column (empty without a solution).
    pub values: Vec<f64>,
    /// Objective of the solution found.
    pub objective: f64,
    /// HiGHS's dual (lower) bound.
    pub bound: f64,
    /// Relative gap `(objective − bound) / |objective|` as HiGHS reports it.
    pub gap: f64,
    /// Wall-clock seconds in the solver.
    pub seconds: f64,
    /// Variables, integer variables, constraints.
    pub size: (usize, usize, usize),
}

impl SolveOutcome {
    /// Value of `v` in the solution (0 without one).
    pub fn value(&self, v: Var) -> f64 {
        self.values.get(v.column).copied().unwrap_or(0.0)
    }
}

/// Solve `model` with HiGHS.
pub fn solve(model: LinearModel, opts: &SolveOptions) -> Result<SolveOutcome, crate::Error> {
    run_highs(model, opts)
}

/// How hard the relaxation's interior-point solve works (see [`solve_relaxation_to`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LpEffort {
    /// Stop once the relative primal–dual gap is below this (`None`: HiGHS's default, 1e-8).
    pub gap: Option<f64>,
    /// Let HiGHS presolve the LP. Without presolve the iterate where the time limit stops
    /// the solve is in the model's own space, so its duals still give a bound (weaker the
    /// earlier); with presolve a stopped solve gives none, but a finished one comes sooner.
    pub presolve: bool,
    /// Interior-point iteration limit (a deterministic effort limit; `None` = unlimited).
    /// Like the time limit, without presolve it still leaves a bound.
    pub iterations: Option<u32>,
}

impl LpEffort {
    /// HiGHS's default precision, with presolve.
    pub const EXACT: LpEffort = LpEffort {
        gap: None,
        presolve: true,
        iterations: None,
    };
}

/// Solve the LP relaxation of `model` (integrality dropped) to HiGHS's default precision.
/// `objective` is the LP's value; `bound` is a lower bound on the MILP's computed from the
/// LP's duals (see [`lagrangian_bound`]), equal to the objective up to the solver's
/// tolerances.
pub fn solve_relaxation(
    model: LinearModel,
    opts: &SolveOptions,
) -> Result<SolveOutcome, crate::Error> {
    solve_relaxation_to(model, opts, LpEffort::EXACT)
}

/// [`solve_relaxation`] with a given effort. The last iterations of an interior-point
/// solve only polish digits nobody reads: on Tokyo with breaks a gap of 1e-3 ends after 54
/// iterations instead of 75, a fifth of the time sooner. `bound` stays rigorous whatever the
/// precision — it is computed from the duals by weak duality, never taken from the primal
/// objective. `status`: `Optimal` when solved to the gap (HiGHS itself may call such a point
/// "unknown": its own check is 1e-7), `TimeLimit` (`OtherLimit`) when stopped by the time
/// (iteration) limit with a bound, i.e. without presolve, `NoSolution` when stopped without.
pub fn solve_relaxation_to(
    model: LinearModel,
    opts: &SolveOptions,
    effort: LpEffort,
) -> Result<SolveOutcome, crate::Error> {
    let size = (model.count, model.integers, model.constraints.len());
    let lp = LpData::new(&model);
    drop(model);
    let solved = solve_lp(&lp, opts, effort)?;
    let seconds = solved.seconds;
    let stopped = matches!(
        solved.status,
        HighsModelStatus::ReachedTimeLimit | HighsModelStatus::ReachedIterationLimit
    ) && !effort.presolve;
    let answered = stopped
        || matches!(
            solved.status,
            HighsModelStatus::Optimal | HighsModelStatus::Unknown | HighsModelStatus::ModelEmpty
        );
    let (values, objective, bound) = if answered && solved.columns.len() == size.0 {
        let bound = lagrangian_bound(&lp, &solved.duals);
        (solved.columns, solved.objective, bound)
    } else {
        (Vec::new(), f64::NAN, f64::NAN)
    };
    let tolerance = 2.0 * effort.gap.unwrap_or(1e-8).max(1e-8);
    let solved_to_gap = matches!(
        solved.status,
        HighsModelStatus::Optimal | HighsModelStatus::ModelEmpty
    ) || (solved.status == HighsModelStatus::Unknown
        && objective - bound <= tolerance * (1.0 + objective.abs()));
    let status = match solved.status {
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
            SolveStatus::Infeasible
        }
        _ if !bound.is_finite() => SolveStatus::NoSolution,
        _ if solved_to_gap => SolveStatus::Optimal,
        HighsModelStatus::ReachedTimeLimit if stopped => SolveStatus::TimeLimit,
        _ if stopped => SolveStatus::OtherLimit,
        _ => SolveStatus::NoSolution,
    };
    Ok(SolveOutcome {
        status,
        values,
        objective,
        bound,
        gap: if bound.is_finite() {
            (objective - bound).max(0.0) / objective.abs().max(1e-9)
        } else {
            f64::NAN
        },
        seconds,
        size,
    })
}

/// What HiGHS returned for an LP.
struct LpSolution {
    status: HighsModelStatus,
    columns: Vec<f64>,
    duals: Vec<f64>,
    objective: f64,
    seconds: f64,
}

/// Solve `lp` with HiGHS's interior-point method (see [`solve_relaxation_to`]).
fn solve_lp(
    lp: &LpData,
    opts: &SolveOptions,
    effort: LpEffort,
) -> Result<LpSolution, crate::Error> {
    let mut pb = highs::RowProblem::default();
    let cols: Vec<highs::Col> = (0..lp.cost.len())
        .map(|j| pb.add_column(lp.cost[j], lp.lower[j]..=lp.upper[j]))
        .collect();
    for i in 0..lp.rhs.len() {
        let entries = lp.row(i).map(|(j, a)| (cols[j], a));
        if lp.equality[i] {
            pb.add_row(lp.rhs[i]..=lp.rhs[i], entries);
        } else {
            pb.add_row(..=lp.rhs[i], entries);
        }
    }
    let mut highs = pb.optimise(highs::Sense::Minimise);
    set_common_options(&mut highs, opts);
    // Interior point: on Tokyo with breaks it took 13.9 s where dual simplex took 79 s
    // (fifth session). Crossover only when IPX's own result is imprecise ("choose"): always
    // off, IPX ended with status "unknown" on the 300-person site before the bound was
    // computed from the duals; always on, it cost Tokyo 1.5–3 s for the same objective.
    highs.set_option(&b"solver"[..], "ipm");
    highs.set_option(&b"run_crossover"[..], "choose");
    if !effort.presolve {
        highs.set_option(&b"presolve"[..], "off");
    }
    if let Some(n) = effort.iterations {
        highs.set_option(&b"ipm_iteration_limit"[..], n.min(i32::MAX as u32) as i32);
    }
    if let Some(gap) = effort.gap {
        highs.set_option(&b"ipm_optimality_tolerance"[..], gap);
        // Otherwise IPX goes on until its iterate is close enough to a vertex to start
        // crossover, whatever the gap.
        highs.set_option(&b"start_crossover_tolerance"[..], 1.0);
    }
    let started = Instant::now();
    let solved = highs
        .try_solve()
        .map_err(|e| crate::Error::Solve(format!("HiGHS failed on the LP relaxation: {e:?}")))?;
    let seconds = started.elapsed().as_secs_f64();
    let solution = solved.get_solution();
    Ok(LpSolution {
        status: solved.status(),
        columns: solution.columns().to_vec(),
        duals: solution.dual_rows().to_vec(),
        objective: solved.objective_value() + lp.constant,
        seconds,
    })
}

/// A linear model as plain data for the relaxation: `min cost·x + constant` subject to
/// `row(i)·x ≤ rhs[i]` (`= rhs[i]` where `equality[i]`), `lower ≤ x ≤ upper`.
struct LpData {
    cost: Vec<f64>,
    constant: f64,
    lower: Vec<f64>,
    upper: Vec<f64>,
    row_start: Vec<usize>,
    entries: Vec<(usize, f64)>,
    rhs: Vec<f64>,
    equality: Vec<bool>,
}

impl LpData {
    fn new(model: &LinearModel) -> LpData {
        use good_lp::IntoAffineExpression;
        let mut column = std::collections::HashMap::with_capacity(model.count);
        let (mut lower, mut upper) = (Vec::new(), Vec::new());
        for (j, (v, def)) in model.vars.iter_variables_with_def().enumerate() {
            column.insert(v, j);
            lower.push(def.get_min());
            upper.push(def.get_max());
        }
        let mut cost = vec![0.0; lower.len()];
        for (v, c) in (&model.objective).linear_coefficients() {
            cost[column[&v]] += c;
        }
        let mut row_start = vec![0];
        let mut entries = Vec::new();
        let (mut rhs, mut equality) = (Vec::new(), Vec::new());
        // good_lp keeps every constraint as `expression ≤ 0` or `expression = 0`.
        for c in &model.constraints {
            let e = c.expression();
            entries.extend(e.linear_coefficients().map(|(v, a)| (column[&v], a)));
            row_start.push(entries.len());
            rhs.push(-e.constant());
            equality.push(c.is_equality());
        }
        LpData {
            cost,
            constant: model.objective.constant(),
            lower,
            upper,
            row_start,
            entries,
            rhs,
            equality,
        }
    }

    fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.entries[self.row_start[i]..self.row_start[i + 1]]
            .iter()
            .copied()
    }
}

/// A lower bound on `lp` (and so on any MILP it relaxes) from row multipliers `duals`
/// (HiGHS's sign convention: `≤` rows non-positive), valid for any multipliers, precise or
/// not: for `λ ≥ 0` on `≤` rows and free on equalities, every feasible `x` has
/// `cost·x ≥ cost·x + Σ λᵢ (rowᵢ·x − rhsᵢ) = −λ·rhs + Σⱼ dⱼ xⱼ ≥ −λ·rhs + Σⱼ min(dⱼ lⱼ, dⱼ uⱼ)`
/// with reduced costs `d = cost + Aᵀλ` (weak duality). Multipliers of the wrong sign are
/// taken as 0. A column without an upper bound needs `dⱼ ≥ 0`; an imprecise solve can
/// leave it slightly negative, so each such column is repaired by moving the multiplier
/// of one of its rows (where that keeps its sign); a column still negative then takes the
/// bound its rows imply ([`implied_bounds`]) — if it has none, −∞.
fn lagrangian_bound(lp: &LpData, duals: &[f64]) -> f64 {
    let m = lp.rhs.len();
    if duals.len() != m {
        return f64::NAN;
    }
    let mut lambda: Vec<f64> = (0..m)
        .map(|i| {
            if lp.equality[i] {
                -duals[i]
            } else {
                (-duals[i]).max(0.0)
            }
        })
        .collect();
    let n = lp.cost.len();
    let mut d = lp.cost.clone();
    // Rows of each column, for the repair.
    let mut col_rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for (i, &l) in lambda.iter().enumerate() {
        for (j, a) in lp.row(i) {
            d[j] += l * a;
            if lp.upper[j] == f64::INFINITY || lp.lower[j] == f64::NEG_INFINITY {
                col_rows[j].push((i, a));
            }
        }
    }
    for _ in 0..5 {
        let mut repaired = true;
        for j in 0..n {
            // A little past zero, so that rounding in the update cannot leave it at −1e-13.
            let margin = 1e-9 * (1.0 + lp.cost[j].abs());
            let need = if lp.upper[j] == f64::INFINITY && d[j] < 0.0 {
                margin - d[j]
            } else if lp.lower[j] == f64::NEG_INFINITY && d[j] > 0.0 {
                -margin - d[j]
            } else {
                continue;
            };
            // Raise (or lower) d[j] by `need` through one row: Δλ·a = need; preferably a
            // row where that pushes no other unbounded column the wrong way (chains such as
            // cumulative email work share equality rows pairwise).
            let allowed = |&(i, a): &(usize, f64)| lp.equality[i] || lambda[i] + need / a >= 0.0;
            let harmless = |&(i, a): &(usize, f64)| {
                let step = need / a;
                lp.row(i).all(|(k, b)| {
                    k == j
                        || !((lp.upper[k] == f64::INFINITY && step * b < 0.0)
                            || (lp.lower[k] == f64::NEG_INFINITY && step * b > 0.0))
                })
            };
            let fix = col_rows[j]
                .iter()
                .copied()
                .filter(allowed)
                .find(harmless)
                .or_else(|| col_rows[j].iter().copied().find(allowed));
            let Some((i, a)) = fix else {
                repaired = false;
                continue;
            };
            let step = need / a;
            lambda[i] += step;
            for (k, b) in lp.row(i) {
                d[k] += step * b;
            }
        }
        if repaired {
            break;
        }
    }
    // Columns left with a reduced cost of the wrong sign for an infinite bound take the
    // bound the rows imply instead (every feasible point keeps it).
    let open = |j: usize| {
        (lp.upper[j] == f64::INFINITY && d[j] < 0.0)
            || (lp.lower[j] == f64::NEG_INFINITY && d[j] > 0.0)
    };
    let (lower, upper) = if (0..n).any(open) {
        implied_bounds(lp)
    } else {
        (lp.lower.clone(), lp.upper.clone())
    };
    let mut bound = lp.constant;
    for (l, r) in lambda.iter().zip(&lp.rhs) {
        bound -= l * r;
    }
    for ((&dj, &lo), &hi) in d.iter().zip(&lower).zip(&upper) {
        let term = if dj == 0.0 {
            0.0
        } else if dj > 0.0 {
            dj * lo
        } else {
            dj * hi
        };
        if term == f64::NEG_INFINITY {
            return f64::NEG_INFINITY;
        }
        bound += term;
    }
    bound
}

/// Column bounds tightened by what the rows imply (activity-based bound propagation, a few
/// passes): where every other term of a row is bounded, so is a column's. Every point
/// that satisfies the rows and the original bounds satisfies these. A small relative margin
/// covers rounding.
fn implied_bounds(lp: &LpData) -> (Vec<f64>, Vec<f64>) {
    let (mut lo, mut hi) = (lp.lower.clone(), lp.upper.clone());
    let widen = |v: f64| 1e-9 * (1.0 + v.abs());
    for _ in 0..PROPAGATION_PASSES {
        let mut changed = false;
        for i in 0..lp.rhs.len() {
            // Least and greatest activity of the row: finite parts and infinite terms.
            let (mut min_sum, mut min_inf, mut max_sum, mut max_inf) = (0.0, 0, 0.0, 0);
            // (Zero coefficients are left out: 0·∞ has no value.)
            for (j, a) in lp.row(i).filter(|&(_, a)| a != 0.0) {
                let (x, y) = (a * lo[j], a * hi[j]);
                let (least, most) = if a > 0.0 { (x, y) } else { (y, x) };
                if least == f64::NEG_INFINITY {
                    min_inf += 1;
                } else {
                    min_sum += least;
                }
                if most == f64::INFINITY {
                    max_inf += 1;
                } else {
                    max_sum += most;
                }
            }
            let rhs = lp.rhs[i];
            // The others' sum of extreme activities, where finite (`term`: this column's).
            let others = |term: f64, infinite: usize, sum: f64| {
                if term.is_infinite() {
                    (infinite == 1).then_some(sum)
                } else {
                    (infinite == 0).then_some(sum - term)
                }
            };
            for (j, a) in lp.row(i).filter(|&(_, a)| a != 0.0) {
                let (x, y) = (a * lo[j], a * hi[j]);
                let (least, most) = if a > 0.0 { (x, y) } else { (y, x) };
                // a·xⱼ ≤ rhs − the others' least; on equalities also ≥ rhs − their greatest.
                let greatest = if lp.equality[i] {
                    others(most, max_inf, max_sum)
                } else {
                    None
                };
                for (rest, at_most) in [(others(least, min_inf, min_sum), true), (greatest, false)]
                {
                    let Some(rest) = rest else { continue };
                    let limit = (rhs - rest) / a;
                    // Dividing by a negative coefficient turns "at most" into "at least".
                    if (a > 0.0) == at_most {
                        if limit + widen(limit) < hi[j] {
                            hi[j] = limit + widen(limit);
                            changed = true;
                        }
                    } else if limit - widen(limit) > lo[j] {
                        lo[j] = limit - widen(limit);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    (lo, hi)
}

/// Passes of [`implied_bounds`]: each carries bounds one row further along a chain of rows.
const PROPAGATION_PASSES: usize = 20;

/// The options every HiGHS solve takes from `opts`: log, time limit, seed, threads.
fn set_common_options(highs: &mut highs::Model, opts: &SolveOptions) {
    if !opts.verbose {
        highs.make_quiet();
    } else {
        highs.set_option(&b"output_flag"[..], true);
        highs.set_option(&b"log_to_console"[..], true);
    }
    highs.set_option(&b"time_limit"[..], opts.time_limit.max(0.01));
    highs.set_option(&b"random_seed"[..], opts.seed.min(i32::MAX as u32) as i32);
    if let Some(t) = opts.threads.and_then(NonZeroU32::new) {
        highs.set_threads(t);
    }
}

fn run_highs(model: LinearModel, opts: &SolveOptions) -> Result<SolveOutcome, crate::Error> {
    let size = (model.count, model.integers, model.constraints.len());
    let start = (!model.start.is_empty()).then(|| {
        let mut cols = vec![0.0; model.count];
        for &(c, x) in &model.start {
            cols[c] = x;
        }
        cols
    });
    let mut problem = model
        .vars
        .minimise(model.objective)
        .using(good_lp::solvers::highs::highs);
    for c in model.constraints {
        problem = good_lp::SolverModel::with(problem, c);
    }
    let mut highs = problem
        .try_into_inner()
        .map_err(|e| crate::Error::Solve(format!("cannot pass the model to HiGHS: {e}")))?;
    set_common_options(&mut highs, opts);
    highs.set_option(&b"mip_rel_gap"[..], opts.gap.max(0.0));
    if let Some(n) = opts.max_nodes {
        highs.set_option(&b"mip_max_nodes"[..], n.min(i32::MAX as u32) as i32);
    }
    if let Some(cols) = &start {
        highs
            .try_set_solution(Some(cols), None, None, None)
            .map_err(|e| {
                crate::Error::Solve(format!("HiGHS rejected the starting solution: {e:?}"))
            })?;
    }
    let started = Instant::now();
    let solved = highs.try_solve().map_err(|e| {
        crate::Error::Solve(match opts.threads {
            Some(t) => format!(
                "HiGHS failed ({e:?}); HiGHS fixes its thread pool once per process, so every solve in one process must ask for the same thread count (this one asked for {t})"
            ),
            None => format!("HiGHS failed: {e:?}"),
        })
    })?;
    let seconds = started.elapsed().as_secs_f64();
    // Read the raw info value: the binding's typed accessor panics on HiGHS's "-1" (no
    // status, e.g. infeasibility proven in presolve). 2 = feasible (HiGHS kSolutionStatusFeasible).
    let feasible = solved
        .int_info_value(c"primal_solution_status")
        .is_ok_and(|v| v == 2);
    let status = match solved.status() {
        HighsModelStatus::Optimal
        | HighsModelStatus::ObjectiveBound
        | HighsModelStatus::ObjectiveTarget
        | HighsModelStatus::ModelEmpty => SolveStatus::Optimal,
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
            SolveStatus::Infeasible
        }
        HighsModelStatus::ReachedTimeLimit if feasible => SolveStatus::TimeLimit,
        HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedInterrupt
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedMemoryLimit
            if feasible =>
        {
            SolveStatus::OtherLimit
        }
        HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedInterrupt
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedMemoryLimit => SolveStatus::NoSolution,
        other => {
            return Err(crate::Error::Solve(format!(
                "HiGHS stopped with status {other:?}"
            )))
        }
    };
    let objective = if status.has_solution() {
        solved.objective_value()
    } else {
        f64::NAN
    };
    let (bound, gap) = if size.1 > 0 {
        (
            solved
                .double_info_value(c"mip_dual_bound")
                .unwrap_or(f64::NAN),
            solved.double_info_value(c"mip_gap").unwrap_or(f64::NAN),
        )
    } else {
        (objective, 0.0)
    };
    let values = if status.has_solution() {
        solved.get_solution().columns().to_vec()
    } else {
        Vec::new()
    };
    Ok(SolveOutcome {
        status,
        values,
        objective,
        bound,
        gap,
        seconds,
        size,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_printed_status_is_the_one_summary_json_writes() {
        use super::SolveStatus::*;
        for st in [Optimal, TimeLimit, OtherLimit, Infeasible, NoSolution] {
            assert_eq!(
                serde_json::to_string(&st).unwrap(),
                format!("\"{}\"", st.as_str())
            );
        }
    }

    use super::*;
    use good_lp::constraint;

    #[test]
    fn knapsack_optimum_and_bound() {
        // max 5a + 4b + 3c  s.t. 2a + 3b + c <= 5, binary. By enumeration: {a,b} = 9 (weight 5),
        // {a,c} = 8, {b,c} = 7, all three too heavy. As a minimisation: optimum −9 at a = b = 1, c = 0.
        let mut m = LinearModel::new();
        let (a, b, c) = (m.binary(), m.binary(), m.binary());
        m.cost(a, -5.0);
        m.cost(b, -4.0);
        m.cost(c, -3.0);
        m.constrain(constraint!(2.0 * a.var + 3.0 * b.var + c.var <= 5.0));
        let out = solve(m, &SolveOptions::default()).unwrap();
        assert_eq!(out.status, SolveStatus::Optimal);
        assert!((out.objective + 9.0).abs() < 1e-6, "{}", out.objective);
        assert!(out.bound <= out.objective + 1e-6);
        assert_eq!(
            (
                out.value(a).round(),
                out.value(b).round(),
                out.value(c).round()
            ),
            (1.0, 1.0, 0.0)
        );
        assert_eq!(out.size, (3, 3, 1));
    }

    #[test]
    fn infeasible_is_reported() {
        let mut m = LinearModel::new();
        let a = m.binary();
        m.constrain(constraint!(a.var >= 2.0));
        let out = solve(m, &SolveOptions::default()).unwrap();
        assert_eq!(out.status, SolveStatus::Infeasible);
        assert!(out.values.is_empty());
    }

    /// min 3a + 2b + 5s with a ∈ [0, 1], b ∈ [0, 2], s ≥ 0, a chain c1 = a + b,
    /// c2 = c1 + s − 0.5 (c1, c2 ≥ 0 unbounded), c2 ≥ 3.2 and a + b ≤ 2.5. By hand:
    /// a + b + s ≥ 3.7 with a + b ≤ 2.5, so s ≥ 1.2 (cost 6); b = 2 (4) and a = 0.5 (1.5),
    /// the cheaper per unit first: 11.5.
    fn chain_lp() -> LinearModel {
        let mut m = LinearModel::new();
        let a = m.continuous(0.0, 1.0);
        let b = m.continuous(0.0, 2.0);
        let s = m.continuous(0.0, f64::INFINITY);
        let c1 = m.continuous(0.0, f64::INFINITY);
        let c2 = m.continuous(0.0, f64::INFINITY);
        m.cost(a, 3.0);
        m.cost(b, 2.0);
        m.cost(s, 5.0);
        m.constrain(constraint!(c1.var == a.var + b.var));
        m.constrain(constraint!(c2.var == c1.var + s.var - 0.5));
        m.constrain(constraint!(c2.var >= 3.2));
        m.constrain(constraint!(a.var + b.var <= 2.5));
        m
    }

    #[test]
    fn relaxation_bound_meets_a_hand_solved_lp() {
        let out = solve_relaxation(chain_lp(), &SolveOptions::default()).unwrap();
        assert_eq!(out.status, SolveStatus::Optimal);
        assert!((out.objective - 11.5).abs() < 1e-6, "{}", out.objective);
        assert!((out.bound - 11.5).abs() < 1e-6, "{}", out.bound);
        assert!(out.bound <= 11.5 + 1e-9);
    }

    #[test]
    fn lagrangian_bound_is_valid_for_any_multipliers() {
        use rand::{Rng, SeedableRng};
        let lp = LpData::new(&chain_lp());
        let exact = solve_lp(&lp, &SolveOptions::default(), LpEffort::EXACT).unwrap();
        assert!((lagrangian_bound(&lp, &exact.duals) - 11.5).abs() < 1e-6);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut finite = 0;
        for trial in 0..2000 {
            // Small noise first (an imprecise solve), then anything, wrong signs included.
            let scale = if trial < 1000 { 1e-4 } else { 3.0 };
            let duals: Vec<f64> = exact
                .duals
                .iter()
                .map(|y| y + scale * rng.gen_range(-1.0..1.0) * (1.0 + y.abs()))
                .collect();
            let bound = lagrangian_bound(&lp, &duals);
            assert!(bound <= 11.5 + 1e-9, "{duals:?} gave {bound}");
            if trial < 1000 {
                // The repair keeps the unbounded columns' reduced costs non-negative.
                assert!(bound > 11.5 - 0.01, "{duals:?} gave {bound}");
            }
            finite += usize::from(bound.is_finite());
        }
        assert!(finite >= 1000, "{finite}");
    }

    #[test]
    fn a_loose_interior_point_gap_keeps_a_valid_bound() {
        // A covering LP with random costs: 60 columns in [0, 1] plus an unbounded slack per
        // row at a high price; 40 rows each needing 2.5 of the columns it holds.
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let rows: Vec<Vec<usize>> = (0..40)
            .map(|_| (0..60).filter(|_| rng.gen_bool(0.15)).collect())
            .collect();
        let costs: Vec<f64> = (0..60).map(|_| rng.gen_range(1.0..10.0)).collect();
        let build = || {
            let mut m = LinearModel::new();
            let x: Vec<Var> = (0..60).map(|_| m.binary()).collect();
            for (j, &c) in costs.iter().enumerate() {
                m.cost(x[j], c);
            }
            for row in &rows {
                let slack = m.continuous(0.0, f64::INFINITY);
                m.cost(slack, 50.0);
                let covered: Expression = row.iter().map(|&j| x[j].var).sum();
                m.constrain(constraint!(covered + slack.var >= 2.5));
            }
            m
        };
        let exact = solve_relaxation(build(), &SolveOptions::default()).unwrap();
        let loose = solve_relaxation_to(
            build(),
            &SolveOptions::default(),
            LpEffort {
                gap: Some(1e-2),
                presolve: true,
                iterations: None,
            },
        )
        .unwrap();
        assert_eq!(exact.status, SolveStatus::Optimal);
        assert_eq!(loose.status, SolveStatus::Optimal);
        assert!(
            loose.bound <= exact.objective + 1e-6,
            "{} > {}",
            loose.bound,
            exact.objective
        );
        assert!(
            loose.bound >= exact.objective * (1.0 - 0.02),
            "{} far below {}",
            loose.bound,
            exact.objective
        );
        assert!((exact.bound - exact.objective).abs() <= 1e-6 * exact.objective);
        // Without presolve, a solve stopped early still gives a valid bound; with presolve
        // it gives none.
        let after = |iterations: u32, presolve: bool| {
            solve_relaxation_to(
                build(),
                &SolveOptions::default(),
                LpEffort {
                    gap: Some(1e-2),
                    presolve,
                    iterations: Some(iterations),
                },
            )
            .unwrap()
        };
        let stopped = after(3, false);
        assert_eq!(stopped.status, SolveStatus::OtherLimit);
        assert!(stopped.bound.is_finite());
        assert!(after(6, false).bound > stopped.bound - 1e-6);
        assert_eq!(after(3, true).status, SolveStatus::NoSolution);
        assert!(stopped.bound <= exact.objective + 1e-6);
    }

    /// Two people, each on shift (x ∈ [0, 1], cost 1) or not, each shift's one break
    /// (a count per interval, unbounded above) in interval 1 or 2, a break taking half an
    /// interval; 1.5 agents needed in each interval, a shortfall costing 10. By hand: both
    /// work with their breaks in different intervals, cost 2; the LP cannot do better
    /// (summing the intervals, 1.5·(x₁ + x₂) + shortfalls ≥ 3).
    fn break_count_lp() -> LinearModel {
        let mut m = LinearModel::new();
        let x: Vec<Var> = (0..2).map(|_| m.continuous(0.0, 1.0)).collect();
        let b: Vec<Vec<Var>> = (0..2)
            .map(|_| (0..2).map(|_| m.continuous(0.0, f64::INFINITY)).collect())
            .collect();
        for (xp, bp) in x.iter().zip(&b) {
            m.cost(*xp, 1.0);
            m.constrain(constraint!(bp[0].var + bp[1].var == xp.var));
        }
        for (b0, b1) in b[0].iter().zip(&b[1]) {
            let short = m.continuous(0.0, f64::INFINITY);
            m.cost(short, 10.0);
            m.constrain(constraint!(
                x[0].var + x[1].var - 0.5 * b0.var - 0.5 * b1.var + short.var >= 1.5
            ));
        }
        m
    }

    #[test]
    fn rows_imply_bounds_on_unbounded_counts() {
        let lp = LpData::new(&break_count_lp());
        let (lo, hi) = implied_bounds(&lp);
        // Columns: x₁, x₂, b₁₁, b₁₂, b₂₁, b₂₂, short₁, short₂.
        for j in 2..6 {
            assert!((hi[j] - 1.0).abs() < 1e-6, "break count {j}: {}", hi[j]);
            assert!(lo[j].abs() < 1e-6);
        }
        assert_eq!(
            hi[6],
            f64::INFINITY,
            "nothing bounds a shortfall from above"
        );
        assert_eq!(&hi[..2], &[1.0, 1.0]);
    }

    #[test]
    fn break_count_bound_is_finite_and_valid_for_any_multipliers() {
        use rand::{Rng, SeedableRng};
        let out = solve_relaxation(break_count_lp(), &SolveOptions::default()).unwrap();
        assert!((out.objective - 2.0).abs() < 1e-6, "{}", out.objective);
        assert!((out.bound - 2.0).abs() < 1e-6, "{}", out.bound);
        let lp = LpData::new(&break_count_lp());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for _ in 0..2000 {
            let duals: Vec<f64> = (0..lp.rhs.len())
                .map(|_| rng.gen_range(-12.0..12.0))
                .collect();
            let bound = lagrangian_bound(&lp, &duals);
            assert!(
                bound.is_finite() && bound <= 2.0 + 1e-9,
                "{duals:?} gave {bound}"
            );
        }
    }
}
