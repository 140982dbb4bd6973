//! The `shiftwise` command: a thin shell over the library. Exit codes: 0 success,
//! 1 no roster (infeasible or no solution in time) or a roster that fails verification,
//! 2 bad input or usage.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use shiftwise::solve::SolveOptions;
use shiftwise::{report, staffing, Error};

#[derive(Parser)]
#[command(
    name = "shiftwise",
    version,
    about = "Workforce scheduling for contact centers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a site folder and list every problem (file:line: field: value: reason).
    Validate {
        /// Site folder (site.toml, employees.csv, forecast.csv, requests.csv).
        site: PathBuf,
    },
    /// Agents required per interval and queue (Erlang C, chat concurrency, email deadlines, shrinkage).
    Requirements {
        /// Site folder.
        site: PathBuf,
        /// Output CSV.
        #[arg(short, long, default_value = "requirements.csv")]
        output: PathBuf,
    },
    /// Build the optimal roster.
    Plan {
        /// Site folder.
        site: PathBuf,
        /// Output folder for roster.csv, coverage.csv, summary.json.
        #[arg(short, long, default_value = "out")]
        output: PathBuf,
        /// Solver time limit, seconds.
        #[arg(long, default_value_t = 60.0)]
        time_limit: f64,
        /// Relative MIP gap to stop at.
        #[arg(long, default_value_t = 0.005)]
        gap: f64,
        /// Solver threads (default: HiGHS's choice).
        #[arg(long)]
        threads: Option<u32>,
        /// Solver random seed.
        #[arg(long, default_value_t = 0)]
        seed: u32,
        /// Show the solver log.
        #[arg(long)]
        verbose: bool,
        /// Print the summary as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Check a roster against every hard rule and recompute its coverage.
    Verify {
        /// Site folder.
        site: PathBuf,
        /// roster.csv to check.
        roster: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprint!("error: {e}");
            if !e.to_string().ends_with('\n') {
                eprintln!();
            }
            match e {
                Error::Solve(_) => ExitCode::from(1),
                _ => ExitCode::from(2),
            }
        }
    }
}

fn load(site: &std::path::Path) -> Result<shiftwise::Site, Error> {
    let (s, warnings) = shiftwise::load_site(site)?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    Ok(s)
}

fn run(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::Validate { site } => {
            let v = shiftwise::validate_site(&site);
            for w in &v.warnings {
                eprintln!("warning: {w}");
            }
            for e in &v.errors {
                eprintln!("error: {e}");
            }
            if v.errors.is_empty() {
                let s = v.site.as_ref().expect("validated site");
                println!(
                    "{}: ok — {} employees, {} queues, {} intervals of {} min from {} ({}), {} requests",
                    site.display(),
                    s.employees.len(),
                    s.queues.len(),
                    s.grid.len(),
                    s.grid.interval_minutes,
                    s.grid.start_date,
                    s.grid.tz,
                    s.requests.len()
                );
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("{}: {} error(s)", site.display(), v.errors.len());
                Ok(ExitCode::from(2))
            }
        }
        Command::Requirements { site, output } => {
            let s = load(&site)?;
            let req = staffing::requirements(&s);
            report::write_requirements(&output, &s, &req)?;
            let hours = s.grid.interval_hours();
            for (q, queue) in s.queues.iter().enumerate() {
                let agent_hours: f64 = req.agents[q].iter().sum::<f64>() * hours;
                let peak = req.agents[q].iter().cloned().fold(0.0, f64::max);
                println!(
                    "{:<10} {:>9.1} agent-hours, peak {:>5.1} agents",
                    queue.id, agent_hours, peak
                );
            }
            println!("wrote {}", output.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan {
            site,
            output,
            time_limit,
            gap,
            threads,
            seed,
            verbose,
            json,
        } => {
            if time_limit.is_nan() || time_limit <= 0.0 || !(0.0..1.0).contains(&gap) {
                return Err(Error::Usage(
                    "--time-limit must be positive and --gap in [0, 1)".into(),
                ));
            }
            let s = load(&site)?;
            let opts = SolveOptions {
                time_limit,
                gap,
                threads,
                seed,
                verbose,
                max_nodes: None,
            };
            let plan = shiftwise::plan::plan(&s, &opts)?;
            let check = shiftwise::verify::verify(&s, &plan.roster, &plan.requirements.agents);
            report::write_plan(&output, &s, &plan)?;
            let sm = &plan.summary;
            if json {
                println!("{}", serde_json::to_string_pretty(sm).unwrap_or_default());
            } else {
                println!("{} — {:?}", sm.site, sm.status);
                println!(
                    "  objective {:.0}, bound {:.0}, gap {:.2}%, {:.1} s; model {} candidate shifts, {} variables, {} constraints",
                    sm.objective,
                    sm.bound,
                    sm.gap * 100.0,
                    sm.solve_seconds,
                    sm.model.candidate_shifts,
                    sm.model.variables,
                    sm.model.constraints
                );
                for (f, c) in &sm.costs {
                    println!("  {:<14} {:>12.0}", format!("{f:?}"), c);
                }
                println!(
                    "  {} shifts, {:.0} paid hours; {} understaffed interval-queues ({:.1} agent-hours short)",
                    sm.shifts, sm.paid_hours, sm.understaffed_intervals, sm.understaffed_agent_hours
                );
                println!(
                    "  wrote {}/roster.csv, coverage.csv, summary.json",
                    output.display()
                );
            }
            if !check.violations.is_empty() {
                for v in &check.violations {
                    eprintln!("verify: {v}");
                }
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { site, roster } => {
            let s = load(&site)?;
            let r = report::read_roster(&s, &roster)?;
            let req = staffing::requirements(&s);
            let check = shiftwise::verify::verify(&s, &r, &req.agents);
            for v in &check.violations {
                println!("violation: {v}");
            }
            println!(
                "{} shifts, {} violation(s), {:.1} agent-hours understaffed on real-time queues",
                r.shifts.len(),
                check.violations.len(),
                check.understaffed_agent_hours
            );
            Ok(if check.violations.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
