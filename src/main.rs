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
        /// Site folder (site.toml, employees.csv, forecast.csv, requests.csv, and
        /// scenarios.toml when there is one).
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
        #[arg(long, default_value_t = 60.0, value_parser = positive_number)]
        time_limit: f64,
        /// Relative MIP gap to stop at.
        #[arg(long, default_value_t = 0.005, value_parser = gap_fraction)]
        gap: f64,
        /// Solver threads (default: HiGHS's choice).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        threads: Option<u32>,
        /// Solver random seed.
        #[arg(long, default_value_t = 0)]
        seed: u32,
        /// Show the solver log (HiGHS writes it to stdout, so not with --json).
        #[arg(long, conflicts_with = "json")]
        verbose: bool,
        /// Print the summary as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Seconds to spend explaining denied requests (each re-solves one employee's week
        /// with the request enforced); 0 skips the explanations.
        #[arg(long, default_value_t = 60.0, value_parser = non_negative_number)]
        explain_seconds: f64,
        /// No progress indicator on stderr (it is only drawn when stderr is a terminal).
        #[arg(long)]
        quiet: bool,
        /// Pinned shifts: a roster CSV (rows of roster.csv) whose shifts are kept as they are;
        /// the rest is optimized around them.
        #[arg(long, conflicts_with = "robust")]
        pin: Option<PathBuf>,
        /// Scenario file for --robust (default: SITE/scenarios.toml).
        #[arg(long)]
        scenarios: Option<PathBuf>,
        /// Plan against forecast samples of a scenario at once (sample-average approximation):
        /// coverage is priced as the average penalty over the samples.
        #[arg(long)]
        robust: bool,
        /// Forecast samples for --robust.
        #[arg(long, default_value_t = 8, value_parser = at_least_one, requires = "robust")]
        robust_samples: usize,
        /// Scenario to sample for --robust (default: the file's first stochastic one).
        #[arg(long, requires = "robust")]
        robust_scenario: Option<String>,
    },
    /// Rebuild OUTDIR/report.html from OUTDIR/roster.csv (and breaks.csv) of an existing
    /// plan: coverage, costs and request outcomes are recomputed from the roster; reasons for
    /// denied requests come from OUTDIR/requests-report.csv when it is there.
    Report {
        /// Site folder.
        site: PathBuf,
        /// Folder of the plan: roster.csv is read and report.html written there.
        outdir: PathBuf,
    },
    /// Check a roster against every hard rule and recompute its coverage.
    Verify {
        /// Site folder.
        site: PathBuf,
        /// roster.csv to check.
        roster: PathBuf,
    },
    /// Re-plan a published roster after changes, changing as little as possible:
    /// nothing before --from changes; shifts in the window are re-optimized with a cost per
    /// changed employee-day (×3 within 24 h, ×2 within 72 h); later shifts stand.
    /// Writes the new roster and changes.csv (who must be told what).
    Replan {
        /// Site folder.
        site: PathBuf,
        /// The published roster.csv (breaks.csv beside it).
        #[arg(long)]
        published: PathBuf,
        /// Site-local time from which shifts may change, `YYYY-MM-DDTHH:MM`.
        #[arg(long)]
        from: String,
        /// Extra requests in requests.csv format (sick calls, moved exams, new leave).
        #[arg(long)]
        changes: Option<PathBuf>,
        /// Updated forecast rows in forecast.csv format (any subset).
        #[arg(long)]
        forecast_update: Option<PathBuf>,
        /// Hours after --from in which shifts may change.
        #[arg(long, default_value_t = 48.0, value_parser = positive_number)]
        window_hours: f64,
        /// Cost of one changed employee-day (default: an average 8-hour shift's labour).
        #[arg(long, value_parser = non_negative_number)]
        change_cost: Option<f64>,
        /// Output folder.
        #[arg(short, long, default_value = "out")]
        output: PathBuf,
        /// Solver time limit, seconds.
        #[arg(long, default_value_t = 30.0, value_parser = positive_number)]
        time_limit: f64,
    },
    /// Check a shift swap against every hard rule and report its cost and coverage impact,
    /// or (--suggest) list the feasible partners ranked by impact.
    Swap {
        /// Site folder.
        site: PathBuf,
        /// The roster.csv (breaks.csv beside it).
        #[arg(long)]
        roster: PathBuf,
        /// EMP:YYYY-MM-DD — the shift given away.
        #[arg(long, conflicts_with = "suggest")]
        give: Option<String>,
        /// EMP2[:YYYY-MM-DD] — who takes it; with a date, EMP2's shift that day comes back.
        #[arg(long, requires = "give")]
        take: Option<String>,
        /// EMP:YYYY-MM-DD — list who could take this shift.
        #[arg(long)]
        suggest: Option<String>,
    },
    /// The smallest number of extra people of a contract that keeps every queue's service
    /// target on a scenario: plans each variant (in parallel, one solver thread each) on the
    /// scenario's forecast and measures it.
    Whatif {
        /// Site folder.
        site: PathBuf,
        /// Scenario name in the scenario file.
        #[arg(long)]
        scenario: String,
        /// CONTRACT:FROM..TO — extra people of that contract to try, e.g. `student:0..20`.
        #[arg(long)]
        add: String,
        /// Step between the numbers tried.
        #[arg(long, default_value_t = 1, value_parser = at_least_one)]
        step: usize,
        /// Skills of the extra people, queue ids separated by `;` (default: the contract's
        /// most common agent's).
        #[arg(long)]
        skills: Option<String>,
        /// Scenario file (default: SITE/scenarios.toml).
        #[arg(long)]
        scenarios: Option<PathBuf>,
        /// Solver time limit per variant, seconds.
        #[arg(long, default_value_t = 30.0, value_parser = positive_number)]
        time_limit: f64,
        /// Samples of a stochastic scenario's noise and absenteeism each roster is judged on.
        #[arg(long, default_value_t = 200, value_parser = at_least_one)]
        samples: usize,
        /// Random seed of those samples (and of --robust's planning samples).
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Plan each variant robustly (as `plan --robust`) on samples of the scenario's
        /// noise and its absenteeism, instead of on its mean forecast.
        #[arg(long)]
        robust: bool,
        /// Forecast samples each variant is planned on with --robust.
        #[arg(long, default_value_t = 8, value_parser = at_least_one, requires = "robust")]
        robust_samples: usize,
    },
    /// Export a roster in another format.
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
    /// Evaluate a fixed roster under forecast scenarios (scenarios.toml), in parallel and
    /// deterministically; writes OUTDIR/scenarios.csv and OUTDIR/report.html and prints a
    /// short table.
    Evaluate {
        /// Site folder.
        site: PathBuf,
        /// roster.csv to evaluate (breaks.csv is read from beside it).
        #[arg(long)]
        roster: PathBuf,
        /// Scenario file (default: SITE/scenarios.toml).
        #[arg(long)]
        scenarios: Option<PathBuf>,
        /// Samples per stochastic scenario.
        #[arg(long, default_value_t = 1000, value_parser = at_least_one)]
        samples: usize,
        /// Random seed: results depend only on it, the roster and the scenarios.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Output folder for scenarios.csv and report.html.
        #[arg(short, long, default_value = "out")]
        output: PathBuf,
        /// Worker threads (default: rayon's choice, one per core).
        #[arg(long, value_parser = at_least_one)]
        threads: Option<usize>,
        /// No progress indicator on stderr (it is only drawn when stderr is a terminal).
        #[arg(long)]
        quiet: bool,
    },
    /// Solve a Shift Scheduling Benchmark instance (Curtois & Qu) with the rostering model;
    /// prints `instance, objective, lower bound, status, seconds`.
    BenchCurtois {
        /// Instance file (e.g. Instance1.txt).
        instance: PathBuf,
        /// Wall-clock limit in seconds.
        #[arg(long, default_value_t = 600.0, value_parser = positive_number)]
        time_limit: f64,
        /// Threads: HiGHS's, and as many neighbourhood-search sub-MILPs side by side (at
        /// most 4; default: HiGHS's choice, and one sub-MILP per core).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        threads: Option<u32>,
        /// Random seed of the neighbourhood search and HiGHS.
        #[arg(long, default_value_t = 0)]
        seed: u32,
        /// Where to write the solution (`employee,day,shift`).
        #[arg(short, long, default_value = "solution.csv")]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// One iCalendar file (OUTDIR/{employee}.ics) per employee with a shift: shifts and
    /// breaks in the employee's own time zone, for import into a phone calendar.
    ///
    /// DTSTAMP is the roster file's modification time (whole seconds; the current time if
    /// the file system has none), so exporting the same roster twice gives identical files.
    Ics {
        /// Site folder.
        site: PathBuf,
        /// Output folder (created if missing).
        outdir: PathBuf,
        /// roster.csv to export (breaks.csv is read from beside it).
        #[arg(long)]
        roster: PathBuf,
    },
}

/// A flag's number above zero (seconds, hours), finite.
fn positive_number(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err("must be a number above 0".into()),
    }
}

/// A flag's number of zero or more (seconds, a cost), finite.
fn non_negative_number(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err("must be a number of 0 or more".into()),
    }
}

/// `--gap`: a relative gap in [0, 1).
fn gap_fraction(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.0..1.0).contains(&x) => Ok(x),
        _ => Err("must be a fraction in [0, 1), e.g. 0.005 for 0.5 %".into()),
    }
}

/// A count of at least one (samples, threads, a step).
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("must be a whole number, at least 1".into()),
    }
}

/// The scenario file: `given`, else `SITE/scenarios.toml`, which must then exist.
fn scenario_file(site: &std::path::Path, given: Option<PathBuf>) -> Result<PathBuf, Error> {
    match given {
        Some(p) => Ok(p),
        None => {
            let p = site.join("scenarios.toml");
            if p.exists() {
                Ok(p)
            } else {
                Err(Error::Usage(format!(
                    "no scenario file: {} does not exist; write one or pass --scenarios FILE",
                    p.display()
                )))
            }
        }
    }
}

/// Read a roster file, saying on stderr when the site plans breaks but no `breaks.csv` lies
/// beside it: every shift is then read without its breaks (and `verify` reports each).
fn read_roster(
    s: &shiftwise::Site,
    path: &std::path::Path,
) -> Result<shiftwise::roster::Roster, Error> {
    let breaks = path.with_file_name("breaks.csv");
    // Only about a roster that is there (else the missing roster's own error says it all).
    if !s.break_rules.is_empty() && path.exists() && !breaks.exists() {
        eprintln!(
            "warning: no {} beside the roster: its shifts are read without breaks",
            breaks.display()
        );
    }
    report::read_roster(s, path)
}

/// Printing to a pipe whose reader has closed (`shiftwise requirements SITE | head`) makes
/// `println!` panic with "failed printing to stdout: Broken pipe". End the run quietly there
/// instead, as other command-line tools do (exit status 141, a shell's code for SIGPIPE).
/// SIGPIPE itself stays ignored, so a solve whose log goes to a closed pipe
/// (`plan --verbose | head`) still finishes and writes its files before the first failed
/// print of our own.
fn end_quietly_on_a_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to std") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    end_quietly_on_a_closed_pipe();
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
            // A site whose files are sound may still ask what no roster can give.
            let beyond = match (&v.site, v.errors.is_empty()) {
                (Some(s), true) => shiftwise::site_problems_beyond_files(&site, s),
                _ => Vec::new(),
            };
            for p in &beyond {
                eprintln!("error: {p}");
            }
            let errors = v.errors.len() + beyond.len();
            if errors == 0 {
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
                eprintln!("{}: {errors} error(s)", site.display());
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
            explain_seconds,
            quiet,
            pin,
            scenarios,
            robust,
            robust_samples,
            robust_scenario,
        } => {
            let s = load(&site)?;
            let opts = SolveOptions {
                time_limit,
                gap,
                threads,
                seed,
                verbose,
                max_nodes: None,
            };
            // HiGHS's log (--verbose) goes to the terminal: no spinner over it.
            let progress = Progress::new(!quiet && !verbose);
            let robust_req = if robust {
                let path = scenario_file(&site, scenarios)?;
                let list = shiftwise::scenarios::load_scenarios(&path, &s)?;
                let sc =
                    shiftwise::scenarios::robust::pick_scenario(&list, robust_scenario.as_deref())
                        .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
                Some(shiftwise::scenarios::robust::robust_requirements(
                    &s,
                    sc,
                    robust_samples,
                    u64::from(seed),
                ))
            } else {
                None
            };
            let pins = match &pin {
                Some(p) => Some(report::read_roster_with_lines(&s, p)?),
                None => None,
            };
            let mut plan =
                progress.step("building model and solving", Some(time_limit), || {
                    match (pins, robust_req) {
                        (Some((pinned, lines)), _) => {
                            shiftwise::plan::plan_pinned(&s, &opts, &pinned.shifts, &lines)
                        }
                        (None, Some(req)) => shiftwise::plan::plan_for_requirements(
                            &s,
                            &opts,
                            shiftwise::model::Family::ALL,
                            req,
                        ),
                        (None, None) => shiftwise::plan::plan(&s, &opts),
                    }
                })?;
            progress.step("explaining requests", Some(explain_seconds), || {
                shiftwise::people::explain_denials(
                    &s,
                    &plan.requirements,
                    &plan.roster,
                    &mut plan.requests,
                    &opts,
                    explain_seconds,
                )
            })?;
            progress.set("verifying and writing files");
            let check = shiftwise::verify::verify(&s, &plan.roster, &plan.requirements.agents);
            report::write_plan(&output, &s, &plan)?;
            report::html::write_report(&output.join("report.html"), &s, &plan)?;
            progress.finish();
            let sm = &plan.summary;
            if json {
                println!("{}", serde_json::to_string_pretty(sm).unwrap_or_default());
            } else {
                println!("{} — {}", sm.site, sm.status.as_str());
                let bound = if sm.bound.is_finite() && sm.gap.is_finite() {
                    format!("bound {:.0}, gap {:.2}%", sm.bound, sm.gap * 100.0)
                } else {
                    "no bound (the relaxation did not finish in time; raise --time-limit)".into()
                };
                println!(
                    "  objective {:.0}, {bound}, {:.1} s; model {} candidate shifts, {} variables, {} constraints",
                    sm.objective,
                    sm.solve_seconds,
                    sm.model.candidate_shifts,
                    sm.model.variables,
                    sm.model.constraints
                );
                if let Some(r) = &sm.robust {
                    println!(
                        "  robust: costs and coverage are expected values over {} forecast sample(s) of scenario {} (seed {})",
                        r.samples, r.scenario, r.seed
                    );
                }
                for (f, c) in &sm.costs {
                    println!("  {:<14} {:>12.0}", format!("{f:?}"), c);
                }
                println!(
                    "  {} shifts, {:.0} paid hours; {} understaffed interval-queues ({:.1} agent-hours short)",
                    sm.shifts, sm.paid_hours, sm.understaffed_intervals, sm.understaffed_agent_hours
                );
                // The plan's allocation may keep agents on email that is due; verify, report
                // and evaluate put every agent on the real-time queues first. Both figures,
                // so the planner does not meet the second one unexplained.
                if (check.understaffed_agent_hours - sm.understaffed_agent_hours).abs() > 0.05 {
                    println!(
                        "    (as the plan allocates agents, roster.csv's queues; with agents on the real-time queues first, as verify, report and evaluate count: {:.1})",
                        check.understaffed_agent_hours
                    );
                }
                println!(
                    "  requests: {} granted, {} partly, {} denied, {} not applicable (requests-report.csv)",
                    sm.requests.granted, sm.requests.partly, sm.requests.denied, sm.requests.not_applicable
                );
                println!(
                    "  wrote {}/roster.csv, coverage.csv, breaks.csv, requests-report.csv, summary.json, report.html",
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
        Command::Report { site, outdir } => {
            let s = load(&site)?;
            let r = read_roster(&s, &outdir.join("roster.csv"))?;
            let mut plan = shiftwise::plan::plan_from_roster(&s, &r);
            let reasons = outdir.join("requests-report.csv");
            if reasons.exists() {
                report::html::merge_request_reasons(&reasons, &s, &mut plan.requests)?;
            }
            let out = outdir.join("report.html");
            report::html::write_report(&out, &s, &plan)?;
            println!(
                "wrote {} ({} shifts, {} understaffed interval-queues, recomputed from roster.csv)",
                out.display(),
                plan.summary.shifts,
                plan.summary.understaffed_intervals
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { site, roster } => {
            let s = load(&site)?;
            let r = read_roster(&s, &roster)?;
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
        Command::Replan {
            site,
            published,
            from,
            changes,
            forecast_update,
            window_hours,
            change_cost,
            output,
            time_limit,
        } => {
            let mut s = load(&site)?;
            let roster = read_roster(&s, &published)?;
            let from_t =
                shiftwise::input::validate::parse_site_time(&s, &from).ok_or_else(|| {
                    Error::Usage(format!(
                        "--from {from}: not a site-local time YYYY-MM-DDTHH:MM in {}",
                        s.tz()
                    ))
                })?;
            if from_t < s.grid.start_utc() || from_t >= s.grid.end_utc() {
                return Err(Error::Usage(format!(
                    "--from {from}: outside the planning horizon ({} to the end of {})",
                    s.grid.start_date,
                    s.grid.date(s.grid.days - 1)
                )));
            }
            if let Some(c) = &changes {
                shiftwise::input::validate::add_requests_from(&mut s, c)?;
            }
            if let Some(f) = &forecast_update {
                shiftwise::input::validate::update_forecast_from(&mut s, f)?;
            }
            let (s, excused) = shiftwise::living::excuse_absences(&s, &roster);
            let commitments = shiftwise::living::Commitments {
                pinned: Vec::new(),
                published: Some(shiftwise::living::Published {
                    roster: roster.clone(),
                    from: from_t,
                    window: chrono::Duration::minutes((window_hours * 60.0) as i64),
                    change_cost: change_cost
                        .unwrap_or_else(|| shiftwise::living::default_change_cost(&s)),
                }),
            };
            let opts = SolveOptions {
                time_limit,
                gap: 0.001,
                threads: None,
                seed: 0,
                verbose: false,
                max_nodes: None,
            };
            let plan = shiftwise::living::plan_committed(&s, &opts, &commitments, &[])?;
            report::write_plan(&output, &s, &plan)?;
            report::html::write_report(&output.join("report.html"), &s, &plan)?;
            let changed = shiftwise::living::changes(&s, &roster, &plan.roster);
            report::write_changes(&output.join("changes.csv"), &changed)?;
            let before = shiftwise::verify::verify(&s, &roster, &plan.requirements.agents);
            let check = shiftwise::verify::verify(&s, &plan.roster, &plan.requirements.agents);
            println!(
                "{} — re-planned from {from}: {}, objective {:.0}, {:.1} s",
                s.name,
                plan.summary.status.as_str(),
                plan.summary.objective,
                plan.summary.solve_seconds
            );
            if excused > 0 {
                println!("  {excused} employee(s) absent: their weekly minimums count the missed shifts as worked");
            }
            println!(
                "  {} employee-days changed (changes.csv); understaffed agent-hours {:.1} with the published roster, {:.1} now",
                changed.len(),
                before.understaffed_agent_hours,
                check.understaffed_agent_hours
            );
            if !check.violations.is_empty() {
                for v in &check.violations {
                    eprintln!("verify: {v}");
                }
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Swap {
            site,
            roster,
            give,
            take,
            suggest,
        } => {
            let s = load(&site)?;
            let r = read_roster(&s, &roster)?;
            let parse =
                |arg: &str, v: &str, need_date: bool| -> Result<(usize, Option<usize>), Error> {
                    let (id, date) = match v.split_once(':') {
                        Some((i, d)) => (i, Some(d)),
                        None => (v, None),
                    };
                    let e = s.employee_index(id).ok_or_else(|| {
                        Error::Usage(format!("--{arg} {v}: unknown employee {id}"))
                    })?;
                    let day = match date {
                        Some(d) => Some(
                            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                                .ok()
                                .and_then(|d| s.grid.day_of_date(d))
                                .ok_or_else(|| {
                                    Error::Usage(format!(
                                        "--{arg} {v}: {d} is not a date in the horizon"
                                    ))
                                })?,
                        ),
                        None if need_date => {
                            return Err(Error::Usage(format!(
                                "--{arg} {v}: expected EMP:YYYY-MM-DD"
                            )))
                        }
                        None => None,
                    };
                    Ok((e, day))
                };
            let show = |o: &shiftwise::living::SwapOutcome| {
                format!(
                    "labour {:+.0}, understaffed agent-hours {:.1} → {:.1}",
                    o.labour_delta, o.understaffed_before, o.understaffed_after
                )
            };
            if let Some(sg) = suggest {
                let (e, d) = parse("suggest", &sg, true)?;
                let list = shiftwise::living::suggest_swaps(&s, &r, (e, d.unwrap_or(0)))?;
                println!("{} feasible partner(s) for {sg}, best first:", list.len());
                for x in &list {
                    let what = match x.take {
                        Some(d2) => format!(
                            "{} takes it and gives back {}",
                            s.employees[x.partner].id,
                            s.grid.date(d2)
                        ),
                        None => format!("{} takes it", s.employees[x.partner].id),
                    };
                    println!("  {what}: {}", show(&x.outcome));
                }
                return Ok(ExitCode::SUCCESS);
            }
            let (Some(g), Some(t)) = (give, take) else {
                return Err(Error::Usage(
                    "give --give EMP:DATE --take EMP2[:DATE2], or --suggest EMP:DATE".into(),
                ));
            };
            let (e, d) = parse("give", &g, true)?;
            let (p, d2) = parse("take", &t, false)?;
            let o = shiftwise::living::swap(&s, &r, (e, d.unwrap_or(0)), p, d2)?;
            if o.broken.is_empty() {
                println!("swap allowed: {}", show(&o));
                Ok(ExitCode::SUCCESS)
            } else {
                println!("swap refused: it breaks {} rule(s):", o.broken.len());
                for b in &o.broken {
                    println!("  {b}");
                }
                Ok(ExitCode::from(1))
            }
        }
        Command::Whatif {
            site,
            scenario,
            add,
            step,
            skills,
            scenarios,
            time_limit,
            samples,
            seed,
            robust,
            robust_samples,
        } => {
            let bad = || {
                Error::Usage(format!(
                    "--add {add}: expected CONTRACT:FROM..TO, e.g. student:0..20"
                ))
            };
            let (contract, range) = add.split_once(':').ok_or_else(bad)?;
            let (a, b) = range.split_once("..").ok_or_else(bad)?;
            let (a, b): (usize, usize) = (
                a.trim().parse().map_err(|_| bad())?,
                b.trim().parse().map_err(|_| bad())?,
            );
            if b < a {
                return Err(Error::Usage(format!(
                    "--add {add}: the range runs backwards ({a} > {b}); write FROM..TO with FROM ≤ TO"
                )));
            }
            let s = load(&site)?;
            let path = scenario_file(&site, scenarios)?;
            let list = shiftwise::scenarios::load_scenarios(&path, &s)?;
            let sc = shiftwise::scenarios::robust::pick_scenario(&list, Some(&scenario))
                .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
            let counts: Vec<usize> = (a..=b).step_by(step).collect();
            let opts = SolveOptions {
                time_limit,
                gap: 0.005,
                threads: Some(1),
                seed: 0,
                verbose: false,
                max_nodes: None,
            };
            let skills: Option<Vec<String>> =
                skills.map(|k| k.split(';').map(|x| x.trim().to_string()).collect());
            let progress = Progress::new(true);
            let label = format!(
                "planning {} variant(s), {time_limit:.0} s each",
                counts.len()
            );
            let variants = progress.step(&label, None, || {
                shiftwise::scenarios::whatif::what_if(
                    &s,
                    sc,
                    &shiftwise::scenarios::whatif::Extra {
                        contract,
                        skills: skills.as_deref(),
                        counts: &counts,
                    },
                    &opts,
                    samples,
                    seed,
                    robust.then_some(robust_samples),
                )
            })?;
            progress.finish();
            println!(
                "{} on scenario {}: extra {contract} people",
                s.name, sc.name
            );
            for v in &variants {
                let worst: Vec<String> = v
                    .service
                    .iter()
                    .map(|(q, sl, t)| format!("{q} {:.0}%/{:.0}%", sl * 100.0, t * 100.0))
                    .collect();
                println!(
                    "  +{:<3} objective {:>12.0}  labour {:>12.0}  {}  worst day: {}",
                    v.extra,
                    v.objective,
                    v.labour,
                    if v.meets {
                        "meets targets"
                    } else {
                        "short      "
                    },
                    worst.join(", ")
                );
            }
            match variants.iter().find(|v| v.meets) {
                Some(v) => println!("smallest that meets every target: +{} {contract}", v.extra),
                None => println!("no variant tried meets every target"),
            }
            let noisy = matches!(sc.kind, shiftwise::scenarios::ScenarioKind::Stochastic(_));
            if noisy && !robust && variants.iter().all(|v| !v.meets) {
                println!(
                    "(each variant was planned on the scenario's mean forecast; --robust plans them against its samples and absenteeism)"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Evaluate {
            site,
            roster,
            scenarios,
            samples,
            seed,
            output,
            threads,
            quiet,
        } => {
            let s = load(&site)?;
            let r = read_roster(&s, &roster)?;
            let path = scenario_file(&site, scenarios)?;
            let list = shiftwise::scenarios::load_scenarios(&path, &s)?;
            let check = shiftwise::verify::verify(&s, &r, &staffing::requirements(&s).agents);
            if !check.violations.is_empty() {
                eprintln!(
                    "warning: the roster breaks {} hard rule(s) (see `shiftwise verify`); evaluating it anyway",
                    check.violations.len()
                );
            }
            let started = std::time::Instant::now();
            let run = || shiftwise::scenarios::evaluate(&s, &r, &list, samples, seed);
            let progress = Progress::new(!quiet);
            let label = format!(
                "evaluating {} scenario(s), {samples} sample(s) per stochastic one",
                list.len()
            );
            let ev = progress.step(&label, None, || -> Result<_, Error> {
                Ok(match threads {
                    Some(n) => rayon::ThreadPoolBuilder::new()
                        .num_threads(n)
                        .build()
                        .map_err(|e| Error::Usage(format!("cannot start {n} threads: {e}")))?
                        .install(run),
                    None => run(),
                })
            })?;
            progress.finish();
            let secs = started.elapsed().as_secs_f64();
            let out = output.join("scenarios.csv");
            shiftwise::scenarios::write_scenarios_csv(&out, &ev)?;
            // report.html with the p5–p95 service-level band of the first stochastic
            // scenario (else the first one).
            let banded = ev
                .scenarios
                .iter()
                .find(|r| r.kind == "stochastic")
                .or(ev.scenarios.first());
            let bands = banded.map(|r| report::html::ServiceBands {
                per_queue: r.cells.service_level_band.clone(),
            });
            let evaluated = shiftwise::plan::plan_from_roster(&s, &r);
            report::html::write_report_with(
                &output.join("report.html"),
                &s,
                &evaluated,
                bands.as_ref(),
            )?;
            print!("{}", shiftwise::scenarios::summary_table(&ev));
            println!(
                "{} scenario(s), {} sample(s) per stochastic one, seed {seed}, {secs:.2} s; wrote {} and report.html (service-level band: {})",
                ev.scenarios.len(),
                ev.samples,
                out.display(),
                banded.map_or("none", |r| r.name.as_str())
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            what:
                ExportCommand::Ics {
                    site,
                    outdir,
                    roster,
                },
        } => {
            let s = load(&site)?;
            let r = read_roster(&s, &roster)?;
            // DTSTAMP: the roster's modification time, for reproducible files.
            let stamp = std::fs::metadata(&roster)
                .and_then(|m| m.modified())
                .map(chrono::DateTime::<chrono::Utc>::from)
                .unwrap_or_else(|_| chrono::Utc::now());
            let stamp = chrono::DateTime::from_timestamp(stamp.timestamp(), 0).unwrap_or(stamp);
            let files = report::ics::write_calendars(&outdir, &s, &r, stamp)?;
            println!(
                "wrote {} calendar file(s) to {}",
                files.len(),
                outdir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchCurtois {
            instance,
            time_limit,
            threads,
            seed,
            output,
        } => {
            use shiftwise::curtois;
            let inst = curtois::load(&instance)?;
            let opts = SolveOptions {
                time_limit,
                gap: 0.0,
                threads,
                seed,
                verbose: false,
                max_nodes: None,
            };
            let out = curtois::solve(&inst, &opts)?;
            if !out.violations.is_empty() {
                for v in &out.violations {
                    eprintln!("violation: {v}");
                }
                return Err(Error::Solve("the roster breaks hard rules".into()));
            }
            curtois::write_solution(&output, &inst, &out.assignment)?;
            println!(
                "{}, {}, {:.1}, {}, {:.1}",
                inst.name, out.objective, out.bound, out.status, out.seconds
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A spinner on stderr for the long steps of `plan`, drawn only when stderr is a terminal
/// (never with `--quiet`); the library itself never touches the terminal.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(enabled: bool) -> Progress {
        use std::io::IsTerminal;
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let style = indicatif::ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr())
                .with_style(style)
                .with_finish(indicatif::ProgressFinish::AndClear)
        });
        Progress { bar }
    }

    /// Run `work` while the spinner, ticking on a background thread, shows `label` and the
    /// seconds elapsed (of `limit`).
    fn step<T>(&self, label: &str, limit: Option<f64>, work: impl FnOnce() -> T) -> T {
        use std::sync::atomic::{AtomicBool, Ordering};
        let Some(bar) = &self.bar else {
            return work();
        };
        /// Stops the ticking thread when the work ends, even by a panic.
        struct Stop<'a>(&'a AtomicBool);
        impl Drop for Stop<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
            }
        }
        let started = std::time::Instant::now();
        let done = AtomicBool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                while !done.load(Ordering::Relaxed) {
                    let secs = started.elapsed().as_secs_f64();
                    bar.set_message(match limit {
                        Some(l) => format!("{label} ({secs:.0} / {l:.0} s)"),
                        None => format!("{label} ({secs:.0} s)"),
                    });
                    bar.tick();
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            });
            let _stop = Stop(&done);
            work()
        })
    }

    /// Show `label` until the next step.
    fn set(&self, label: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(label.to_string());
            bar.tick();
        }
    }

    /// Clear the spinner.
    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
