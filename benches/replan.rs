//! Re-planning after a sick call on `data/prime-day`: the roster is planned first (or read
//! from `SHIFTWISE_REPLAN_ROSTER`), then the first agent working on the peak day
//! 2027-07-13 with a shift starting at or after 09:00 calls in sick at 09:00 and the
//! roster is re-planned from 09:00 (`living::plan_committed`, 48-hour window, change cost
//! `SHIFTWISE_REPLAN_CHANGE_COST` or the default, `SHIFTWISE_REPLAN_LIMIT` seconds, default 20). Prints the re-plan time (target:
//! under 5 s), the employee-days changed, and the peak day's contact-weighted service
//! level per queue (via `scenarios::evaluate` on the plan's forecast) for the published
//! roster, the published roster without the sick shift, and the re-planned roster.
//! Plain timed harness.

use std::path::Path;
use std::time::Instant;

use shiftwise::living::{
    changes, default_change_cost, excuse_absences, plan_committed, Commitments, Published,
};
use shiftwise::roster::Roster;
use shiftwise::scenarios::{evaluate, Scenario};
use shiftwise::solve::SolveOptions;
use shiftwise::Site;

fn main() {
    let dir = Path::new("data/prime-day");
    let (site, _) = shiftwise::load_site(dir).expect("site loads");
    let opts = |limit: f64| SolveOptions {
        time_limit: limit,
        gap: 0.001,
        threads: None,
        seed: 0,
        verbose: false,
        max_nodes: None,
    };
    let published = match std::env::var("SHIFTWISE_REPLAN_ROSTER") {
        Ok(p) => shiftwise::report::read_roster(&site, Path::new(&p)).expect("roster reads"),
        Err(_) => {
            shiftwise::plan::plan(&site, &opts(40.0))
                .expect("plan")
                .roster
        }
    };
    let peak = site
        .grid
        .day_of_date(chrono::NaiveDate::from_ymd_opt(2027, 7, 13).unwrap())
        .expect("peak day in the horizon");
    let from = shiftwise::input::validate::parse_site_time(&site, "2027-07-13T09:00").unwrap();
    let sick = published
        .shifts
        .iter()
        .find(|s| {
            s.day == peak
                && s.start >= from
                && site.employees[s.employee].role == shiftwise::domain::Role::Agent
        })
        .expect("an agent working later on the peak day");
    let id = site.employees[sick.employee].id.clone();
    let mut sick_site = site.clone();
    let text = format!(
        "employee,kind,date,weekday,from,to,strength,weight,value,note\n{id},unavailable,2027-07-13,,09:00,24:00,hard,,,sick\n"
    );
    let tmp = std::env::temp_dir().join("shiftwise-replan-bench-changes.csv");
    std::fs::write(&tmp, text).unwrap();
    shiftwise::input::validate::add_requests_from(&mut sick_site, &tmp).expect("changes load");
    let (sick_site, _) = excuse_absences(&sick_site, &published);
    let limit: f64 = std::env::var("SHIFTWISE_REPLAN_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20.0);
    let commit = Commitments {
        pinned: vec![],
        published: Some(Published {
            roster: published.clone(),
            from,
            window: chrono::Duration::hours(48),
            change_cost: std::env::var("SHIFTWISE_REPLAN_CHANGE_COST")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| default_change_cost(&site)),
        }),
    };
    let t = Instant::now();
    let re = plan_committed(&sick_site, &opts(limit), &commit, &[]).expect("re-plan");
    let secs = t.elapsed().as_secs_f64();
    let changed = changes(&sick_site, &published, &re.roster);
    let check = shiftwise::verify::verify(&sick_site, &re.roster, &re.requirements.agents);
    assert!(check.violations.is_empty(), "{:?}", check.violations);
    let mut without = published.clone();
    without
        .shifts
        .retain(|s| !(s.employee == sick.employee && s.day == peak));
    println!(
        "prime-day: {id} sick from 09:00 on 2027-07-13 (shift {}); re-plan {:?} in {secs:.1} s (target < 5 s), {} employee-days changed:",
        sick.start.with_timezone(&site.tz()).format("%H:%M"),
        re.summary.status,
        changed.len()
    );
    for c in &changed {
        println!(
            "  {} {} {}: {} → {}",
            c.employee, c.date, c.change, c.before, c.after
        );
    }
    println!("peak-day service level per queue: published / after the sick call / re-planned");
    let sl = |r: &Roster| day_service(&site, r, peak);
    let (a, b, c) = (sl(&published), sl(&without), sl(&re.roster));
    for q in 0..site.queues.len() {
        println!(
            "  {:<10} {:.3} / {:.3} / {:.3}",
            site.queues[q].id, a[q], b[q], c[q]
        );
    }
}

/// Contact-weighted service level of each queue on day `d`, on the plan's forecast.
fn day_service(site: &Site, roster: &Roster, d: usize) -> Vec<f64> {
    let ev = evaluate(site, roster, &[Scenario::deterministic("base")], 1, 0);
    ev.scenarios[0]
        .queues
        .iter()
        .map(|q| q.days[d].service_level.mean)
        .collect()
}
