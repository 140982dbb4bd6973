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
    run_highs(model, opts, false)
}

/// Solve the LP relaxation of `model` (integrality dropped): its objective is a lower
/// bound on the MILP's. Returned as an outcome with status `Optimal` and `bound = objective`.
pub fn solve_relaxation(
    model: LinearModel,
    opts: &SolveOptions,
) -> Result<SolveOutcome, crate::Error> {
    run_highs(model, opts, true)
}

fn run_highs(
    model: LinearModel,
    opts: &SolveOptions,
    relax: bool,
) -> Result<SolveOutcome, crate::Error> {
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
    if !opts.verbose {
        highs.make_quiet();
    } else {
        highs.set_option(&b"output_flag"[..], true);
        highs.set_option(&b"log_to_console"[..], true);
    }
    highs.set_option(&b"time_limit"[..], opts.time_limit.max(0.01));
    highs.set_option(&b"mip_rel_gap"[..], opts.gap.max(0.0));
    highs.set_option(&b"random_seed"[..], opts.seed.min(i32::MAX as u32) as i32);
    if let Some(n) = opts.max_nodes {
        highs.set_option(&b"mip_max_nodes"[..], n.min(i32::MAX as u32) as i32);
    }
    if let Some(t) = opts.threads.and_then(NonZeroU32::new) {
        highs.set_threads(t);
    }
    if let Some(cols) = &start {
        highs
            .try_set_solution(Some(cols), None, None, None)
            .map_err(|e| {
                crate::Error::Solve(format!("HiGHS rejected the starting solution: {e:?}"))
            })?;
    }
    if relax {
        highs.set_option(&b"solve_relaxation"[..], true);
        // Interior point, which on Tokyo with breaks takes 13.9 s where dual simplex takes
        // 79 s. Crossover only when IPX's own result is imprecise ("choose"): always off, IPX
        // ended with status "unknown" (no bound at all) on the 300-person site; always on,
        // it costs Tokyo 1.5–3 s for the same objective.
        highs.set_option(&b"solver"[..], "ipm");
        highs.set_option(&b"run_crossover"[..], "choose");
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
    let (bound, gap) = if size.1 > 0 && !relax {
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
}
