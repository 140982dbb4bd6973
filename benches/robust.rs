//! Robust planning against planning on the mean forecast, on `data/prime-day` (or the
//! site in `SHIFTWISE_ROBUST_SITE`): both rosters are planned with the same time limit
//! (`SHIFTWISE_ROBUST_LIMIT`, default 60 s), the robust one on `SHIFTWISE_ROBUST_SAMPLES`
//! (default 8) forecast samples of `SHIFTWISE_ROBUST_SCENARIO` (default: the site's first
//! stochastic scenario), then both are
//! evaluated with `shiftwise::scenarios::evaluate` on a fresh held-out sample of that
//! scenario (1,000 samples, a seed the planning samples never use). Prints, per roster:
//! labour cost, paid hours, and per queue the mean and 5th percentile of the horizon's
//! service level, agent-hours short and contacts answered late. Plain timed harness.

use std::path::PathBuf;
use std::time::Instant;

use shiftwise::model::{CostFamily, Family};
use shiftwise::plan::{plan, plan_for_requirements, Plan};
use shiftwise::scenarios::robust::{pick_scenario, robust_requirements};
use shiftwise::scenarios::{evaluate, load_scenarios};
use shiftwise::solve::SolveOptions;

fn env<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let dir = PathBuf::from(env("SHIFTWISE_ROBUST_SITE", "data/prime-day".to_string()));
    let limit: f64 = env("SHIFTWISE_ROBUST_LIMIT", 60.0);
    let samples: usize = env("SHIFTWISE_ROBUST_SAMPLES", 8);
    let (site, _) = shiftwise::load_site(&dir).expect("site loads");
    let list = load_scenarios(&dir.join("scenarios.toml"), &site).expect("scenarios load");
    let name = std::env::var("SHIFTWISE_ROBUST_SCENARIO").ok();
    let sc = pick_scenario(&list, name.as_deref())
        .expect("the scenario")
        .clone();
    let opts = SolveOptions {
        time_limit: limit,
        gap: 0.005,
        threads: None,
        seed: 0,
        verbose: false,
        max_nodes: None,
    };
    let t = Instant::now();
    let mean = plan(&site, &opts).expect("mean plan");
    let mean_s = t.elapsed().as_secs_f64();
    let req = robust_requirements(&site, &sc, samples, 0);
    let t = Instant::now();
    let robust = plan_for_requirements(&site, &opts, Family::ALL, req).expect("robust plan");
    let robust_s = t.elapsed().as_secs_f64();
    println!(
        "{}: scenario {}, {samples} planning samples, {limit} s limit; held-out evaluation: 1000 samples, seed 9001",
        site.name, sc.name
    );
    for (name, p, secs) in [("mean", &mean, mean_s), ("robust", &robust, robust_s)] {
        report(&site, name, p, secs, &sc);
    }
}

fn report(
    site: &shiftwise::Site,
    name: &str,
    p: &Plan,
    secs: f64,
    sc: &shiftwise::scenarios::Scenario,
) {
    let labour: f64 = p
        .summary
        .costs
        .iter()
        .filter(|(f, _)| *f == CostFamily::Labour)
        .map(|(_, c)| c)
        .sum();
    let ev = evaluate(site, &p.roster, std::slice::from_ref(sc), 1000, 9001);
    println!(
        "{name:>7}: {:.0} s, status {:?}, {} shifts, {:.0} paid hours, labour {:.0}, objective {:.0}",
        secs, p.summary.status, p.summary.shifts, p.summary.paid_hours, labour, p.summary.objective
    );
    for q in &ev.scenarios[0].queues {
        let h = &q.horizon;
        println!(
            "         {:<10} SL mean {:.3} p5 {:.3} (target {:.2}); agent-hours short {:.1}; late contacts {:.0}",
            q.queue, h.service_level.mean, h.service_level.p5, q.target, h.agent_hours_short, h.late_contacts
        );
    }
}
