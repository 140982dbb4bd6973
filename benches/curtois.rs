//! The Shift Scheduling Benchmark (Curtois & Qu): every instance in
//! `../shared/benchmarks/curtois/` solved with `shiftwise bench-curtois`'s library call,
//! each solution re-checked by the benchmark's own rules (an independent checker below,
//! written from the benchmark README, not from the model), printed as a table.
//!
//! `SHIFTWISE_CURTOIS_LIMIT` seconds per instance (default 600); `SHIFTWISE_CURTOIS_INSTANCES`
//! a comma-separated subset (e.g. `Instance1,Instance4`); `SHIFTWISE_CURTOIS_THREADS` HiGHS
//! threads and LNS sub-MILPs side by side (default 2; 1 when two benchmark processes share
//! the two cores); `SHIFTWISE_CURTOIS_DIR` another folder of instance files (every
//! `*.txt` in it). Run: `cargo bench --bench curtois`.

use std::collections::HashMap;
use std::path::Path;

use shiftwise::curtois::{self, Assignment, Instance};
use shiftwise::solve::SolveOptions;

/// Published best known (proven optimal) values, as listed in the benchmark's README.
const BEST: &[(&str, u64)] = &[
    ("Instance1", 607),
    ("Instance2", 828),
    ("Instance3", 1001),
    ("Instance4", 1716),
    ("Instance5", 1143),
    ("Instance6", 1950),
    ("Instance7", 1056),
    ("Instance8", 1300),
    ("Instance13", 1348),
    ("Instance17", 5746),
    ("Instance21", 21133),
];

/// The benchmark's hard rules and objective, from its README only: `Ok(objective)` or the
/// first broken rule. Works on the parsed instance's plain data (ids, numbers), not on the
/// model.
fn check(inst: &Instance, a: &Assignment) -> Result<u64, String> {
    let days = inst.days;
    for (s, staff) in inst.staff.iter().enumerate() {
        let row = &a[s];
        let work: Vec<bool> = row.iter().map(Option::is_some).collect();
        for d in 0..days.saturating_sub(1) {
            if let (Some(x), Some(y)) = (row[d], row[d + 1]) {
                if inst.shifts[x].cannot_follow.contains(&y) {
                    return Err(format!("rotation: {} day {d}", staff.id));
                }
            }
        }
        let mut count: HashMap<usize, u32> = HashMap::new();
        for t in row.iter().flatten() {
            *count.entry(*t).or_default() += 1;
        }
        for &(t, max) in &staff.max_shifts {
            if count.get(&t).copied().unwrap_or(0) > max {
                return Err(format!("max shifts: {}", staff.id));
            }
        }
        let minutes: u32 = row.iter().flatten().map(|&t| inst.shifts[t].minutes).sum();
        if minutes < staff.min_total_minutes || minutes > staff.max_total_minutes {
            return Err(format!("total minutes: {} {minutes}", staff.id));
        }
        let mut d = 0;
        while d < days {
            let mut e = d;
            while e < days && work[e] == work[d] {
                e += 1;
            }
            let (len, inner) = (e - d, d > 0 && e < days);
            if work[d] && len as u32 > staff.max_consecutive_shifts {
                return Err(format!("max consecutive shifts: {}", staff.id));
            }
            if work[d] && inner && (len as u32) < staff.min_consecutive_shifts {
                return Err(format!("min consecutive shifts: {}", staff.id));
            }
            if !work[d] && inner && (len as u32) < staff.min_consecutive_days_off {
                return Err(format!("min consecutive days off: {}", staff.id));
            }
            d = e;
        }
        let weekends = (0..days.div_ceil(7))
            .filter(|w| [7 * w + 5, 7 * w + 6].iter().any(|&d| d < days && work[d]))
            .count() as u32;
        if weekends > staff.max_weekends {
            return Err(format!("max weekends: {}", staff.id));
        }
        if inst.days_off[s].iter().any(|&d| work[d]) {
            return Err(format!("days off: {}", staff.id));
        }
    }
    let mut total = 0u64;
    for r in &inst.on_requests {
        if a[r.staff][r.day] != Some(r.shift) {
            total += u64::from(r.weight);
        }
    }
    for r in &inst.off_requests {
        if a[r.staff][r.day] == Some(r.shift) {
            total += u64::from(r.weight);
        }
    }
    for c in &inst.cover {
        let n = a.iter().filter(|r| r[c.day] == Some(c.shift)).count() as u64;
        let want = u64::from(c.requirement);
        total += if n < want {
            (want - n) * u64::from(c.under)
        } else {
            (n - want) * u64::from(c.over)
        };
    }
    Ok(total)
}

fn main() {
    let dir = std::env::var_os("SHIFTWISE_CURTOIS_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/benchmarks/curtois"),
        std::path::PathBuf::from,
    );
    if !dir.is_dir() {
        println!("skipped: no benchmark instances at {}", dir.display());
        return;
    }
    let limit: f64 = std::env::var("SHIFTWISE_CURTOIS_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600.0);
    let threads: u32 = std::env::var("SHIFTWISE_CURTOIS_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let pick: Option<Vec<String>> = std::env::var("SHIFTWISE_CURTOIS_INSTANCES")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("benchmark folder")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.strip_suffix(".txt").map(String::from)
        })
        .filter(|n| pick.as_ref().is_none_or(|p| p.contains(n)))
        .collect();
    // Instances by number, other files by name after them.
    names.sort_by_key(|n| {
        let number = n.trim_start_matches("Instance").parse::<u32>().ok();
        (number.is_none(), number, n.clone())
    });
    println!("time limit {limit} s per instance, {threads} HiGHS threads");
    println!(
        "{:<12} {:>10} {:>10} {:>9} {:>10} {:>8}  checker",
        "instance", "objective", "bound", "seconds", "best known", "gap %"
    );
    for name in names {
        let inst = match curtois::load(&dir.join(format!("{name}.txt"))) {
            Ok(i) => i,
            Err(e) => {
                println!("{name:<12} import failed: {e}");
                continue;
            }
        };
        let opts = SolveOptions {
            time_limit: limit,
            gap: 0.0,
            threads: Some(threads),
            seed: 0,
            verbose: false,
            max_nodes: None,
        };
        let best = BEST.iter().find(|(n, _)| *n == name).map(|(_, b)| *b);
        match curtois::solve(&inst, &opts) {
            Ok(out) => {
                let mut verdict = match check(&inst, &out.assignment) {
                    Ok(obj) if obj == out.objective => "ok".to_string(),
                    Ok(obj) => format!("objective differs: checker {obj}"),
                    Err(e) => format!("REJECTED: {e}"),
                };
                // A best known value is some roster's objective: a bound above it is false.
                if let Some(b) = best.filter(|&b| out.bound > b as f64 + 1e-6) {
                    verdict += &format!("; BOUND ABOVE THE BEST KNOWN {b}");
                }
                let gap = best.map_or(String::from("-"), |b| {
                    format!(
                        "{:.2}",
                        100.0 * (out.objective as f64 - b as f64) / b as f64
                    )
                });
                println!(
                    "{name:<12} {:>10} {:>10.1} {:>9.1} {:>10} {:>8}  {verdict}",
                    out.objective,
                    out.bound,
                    out.seconds,
                    best.map_or("-".into(), |b| b.to_string()),
                    gap
                );
            }
            Err(e) => println!("{name:<12} failed: {e}"),
        }
    }
}
