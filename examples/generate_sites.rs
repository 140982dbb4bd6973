//! Generate the example sites from the bank call data.
//!
//! ```text
//! cargo run --release --example generate_sites -- [--out data] [--people N --name NAME] [--bank PATH]
//! ```
//!
//! Without `--people` it regenerates the product's three example sites under OUT
//! (default `data`):
//!
//! * `tokyo/` — Tokyo Contact Center, 60 people, one week from Monday 2026-11-30,
//!   Japanese and English phone/chat plus Japanese email, costs in yen;
//! * `prime-day/` — the same site and staff (plus extra students and part-timers) in
//!   the week of 2027-07-12, with Prime Day volume (×2.2, ×3.0 in the evening) on
//!   07-13 and 07-14;
//! * `seattle-dst/` — a 15-person center in Los Angeles time whose week crosses the
//!   end of daylight saving time (2026-11-01 has 25 hours), costs in USD.
//!
//! With `--people N --name NAME` it writes one Tokyo-like site scaled to N people to
//! OUT/NAME, e.g. for benchmarks. Its demand is calibrated so the site is exactly as
//! loaded as Tokyo (required agent-hours ÷ the agents' maximum hours, see
//! `shiftwise::generate::staffing_load`): proportional demand would be lighter at a
//! larger size, because Erlang staffing has economies of scale.
//!
//! Everything is deterministic: each preset has a fixed seed (Tokyo and Prime Day
//! 20261130, Seattle 20261029), so rerunning gives byte-identical files. The demand
//! shape comes from `../shared/data/bank-calls/bank_calls_5min.csv` (override with
//! `--bank`). After writing, every site is checked with
//! `shiftwise::input::validate_site`; the program exits with status 1 on any error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use shiftwise::generate::{generate_site, write_site, DemandShape, SiteSpec, BANK_CALLS_CSV};

struct Args {
    out: PathBuf,
    people: Option<usize>,
    name: Option<String>,
    bank: PathBuf,
}

const USAGE: &str = "usage: generate_sites [--out DIR] [--people N --name NAME] [--bank PATH]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        out: PathBuf::from("data"),
        people: None,
        name: None,
        bank: PathBuf::from(BANK_CALLS_CSV),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--out" => args.out = PathBuf::from(value("--out")?),
            "--people" => {
                let v = value("--people")?;
                let n: usize = v
                    .parse()
                    .map_err(|_| format!("--people: not a whole number: {v}"))?;
                if n == 0 {
                    return Err("--people must be at least 1".into());
                }
                args.people = Some(n);
            }
            "--name" => args.name = Some(value("--name")?),
            "--bank" => args.bank = PathBuf::from(value("--bank")?),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if args.people.is_some() != args.name.is_some() {
        return Err(format!("--people and --name go together\n{USAGE}"));
    }
    Ok(args)
}

/// Write one site, validate it from disk and print a summary. Returns false on errors.
fn emit(dir: &Path, spec: &SiteSpec, shape: &DemandShape) -> bool {
    let site = generate_site(spec, shape);
    if let Err(e) = write_site(dir, &site) {
        eprintln!("{}: cannot write: {e}", dir.display());
        return false;
    }
    let v = shiftwise::input::validate_site(dir);
    let per_queue: Vec<String> = site
        .contacts_per_queue()
        .iter()
        .map(|(q, c)| format!("{q} {c:.0}"))
        .collect();
    let load = v
        .site
        .as_ref()
        .map_or(f64::NAN, shiftwise::generate::staffing_load);
    println!(
        "{}: {} — {} people, {} requests, {} days, {:.0} contacts ({}), load {load:.2}",
        dir.display(),
        spec.name,
        site.employees.len(),
        site.requests.len(),
        spec.days,
        site.total_contacts(),
        per_queue.join(", ")
    );
    let per_day: Vec<String> = site
        .contacts_per_date()
        .iter()
        .map(|(d, c)| format!("{} {c:.0}", &d[5..]))
        .collect();
    println!("  per day: {}", per_day.join(", "));
    for w in &v.warnings {
        println!("  warning: {w}");
    }
    for e in &v.errors {
        println!("  error: {e}");
    }
    v.errors.is_empty()
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let shape = match DemandShape::load(&args.bank) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot read the bank call data: {e}");
            return ExitCode::FAILURE;
        }
    };
    let dow: Vec<String> = shape
        .day_of_week
        .iter()
        .map(|f| format!("{f:.3}"))
        .collect();
    println!(
        "demand shape from {} weekdays: day-of-week factors Mon..Fri [{}], daily CV {:.3} (after day-of-week {:.3})",
        shape.days,
        dow.join(", "),
        shape.daily_cv,
        shape.residual_cv
    );
    let sites: Vec<(String, SiteSpec)> = match (args.people, args.name) {
        (Some(n), Some(name)) => {
            let tokyo = match generate_site(&SiteSpec::tokyo(), &shape).load() {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("the Tokyo preset does not validate: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let mut spec = SiteSpec::tokyo().with_people(n).with_load(tokyo);
            spec.name = format!("Tokyo Contact Center ({n} people)");
            vec![(name, spec)]
        }
        _ => vec![
            ("tokyo".into(), SiteSpec::tokyo()),
            ("prime-day".into(), SiteSpec::prime_day()),
            ("seattle-dst".into(), SiteSpec::seattle_dst()),
        ],
    };
    let mut ok = true;
    for (dir, spec) in &sites {
        ok &= emit(&args.out.join(dir), spec, &shape);
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
