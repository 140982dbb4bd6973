//! Benchmark: the speed of the descent with every break placed (the search that decides
//! short plans), by a fixed amount of work rather than a time limit.
//!
//! On `data/tokyo` (all its 31,158 candidate shifts, 5 queues, one week at 30 minutes), from
//! the roster a plan's search hands over — here the greedy roster taken by
//! [`shiftwise::model::descent::descend`] (breaks at their expected share, no kicks, not
//! timed) to its local optimum — with each break where it costs least given the shifts before
//! it: [`shiftwise::model::descent::descend_placed`] with one chain (no second core), seed 7
//! and at most 150 kicks — the settling of the breaks, the sweeps to a local optimum and
//! 150 kicks with their repairs. Its work does not depend on the clock, so the wall time
//! measures the descent's speed alone, and the roster it ends on must be the same on every
//! run (printed: a run that differs aborts the bench). Three runs, each timed with
//! `Instant`; the table gives each run's seconds, kicks, moves and objective, and the
//! median.
//!
//! There is no target in the issues: the figure is what a 20-s plan's search gets done
//! in its time (seeds, kicks per plan and gaps in the README). A plain timed harness
//! (`harness = false`), as a run of several seconds does not suit criterion's sampling.
//!
//! ```text
//! cargo bench --bench descent
//! ```

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use shiftwise::model::descent::{descend, descend_placed, DescentOptions, PlacedShift, Signals};
use shiftwise::model::{candidate_shifts, greedy::greedy_roster};

/// Kicks per run.
const KICKS: usize = 150;
/// Runs.
const RUNS: usize = 3;

fn main() -> ExitCode {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/tokyo");
    let site = match shiftwise::load_site(&dir) {
        Ok((site, _)) => site,
        Err(e) => {
            eprintln!("descent bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let req = shiftwise::staffing::requirements(&site);
    let cands = candidate_shifts(&site);
    let searched = DescentOptions {
        seed: 7,
        budget: f64::INFINITY,
        spread_first: true,
        perturb: false,
        kicks: None,
    };
    let (searched, _) = descend(
        &site,
        &req,
        &cands,
        &greedy_roster(&site, &req, &cands),
        &searched,
    );
    let start: Vec<PlacedShift> = searched.into_iter().map(|c| (c, Vec::new())).collect();
    let how = DescentOptions {
        seed: 7,
        budget: f64::INFINITY,
        spread_first: false,
        perturb: true,
        kicks: Some(KICKS),
    };
    println!(
        "descent on tokyo: {} candidate shifts, searched start of {} shifts, {KICKS} kicks, one chain",
        cands.len(),
        start.len()
    );
    println!(
        "{:>4} {:>9} {:>6} {:>6} {:>12}",
        "run", "seconds", "kicks", "moves", "objective"
    );
    let mut seconds = Vec::new();
    let mut first: Option<Vec<PlacedShift>> = None;
    for run in 1..=RUNS {
        let t = Instant::now();
        let (roster, stats) = descend_placed(&site, &req, &cands, &start, &how, &Signals::none());
        let s = t.elapsed().as_secs_f64();
        println!(
            "{run:>4} {s:>9.2} {:>6} {:>6} {:>12.0}",
            stats.kicks, stats.moves, stats.end
        );
        match &first {
            Some(f) if *f != roster => {
                eprintln!("descent bench: run {run} ended on another roster than run 1");
                return ExitCode::FAILURE;
            }
            Some(_) => {}
            None => first = Some(roster),
        }
        seconds.push(s);
    }
    seconds.sort_by(f64::total_cmp);
    println!("median {:.2} s", seconds[RUNS / 2]);
    ExitCode::SUCCESS
}
