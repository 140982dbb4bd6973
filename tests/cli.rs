//! The binary end to end: requirements, plan, verify on real folders.

mod common;

use std::path::Path;

use common::{bin, write_site, Tiny};

#[test]
fn requirements_csv_matches_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("req.csv");
    let st = bin()
        .args(["requirements", "data/tokyo", "-o"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let (site, _) = shiftwise::load_site(Path::new("data/tokyo")).unwrap();
    let req = shiftwise::staffing::requirements(&site);
    let mut rd = csv::Reader::from_path(&out).unwrap();
    let headers = rd.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        vec![
            "interval_start",
            "queue",
            "contacts",
            "aht_seconds",
            "offered_load",
            "agents_base",
            "agents_required",
            "expected_service_level",
            "deferred_due_by"
        ]
    );
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), site.grid.len() * site.queues.len());
    // Row k is interval k / queues, queue k % queues.
    for (k, row) in rows.iter().enumerate().step_by(37) {
        let (i, q) = (k / site.queues.len(), k % site.queues.len());
        assert_eq!(&row[1], site.queues[q].id.as_str());
        assert!(row[0].starts_with(
            &site.grid.intervals[i]
                .start_local
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        ));
        assert!(
            row[0].ends_with("+09:00"),
            "site time carries its offset: {}",
            &row[0]
        );
        let required: f64 = row[6].parse().unwrap();
        assert!((required - req.agents[q][i]).abs() < 0.006);
        assert_eq!(row[5].parse::<u32>().unwrap(), req.agents_base[q][i]);
    }
}

#[test]
fn plan_writes_a_roster_that_verify_accepts_and_a_tampered_one_it_rejects() {
    let site_dir = tempfile::tempdir().unwrap();
    let t = Tiny::new(2)
        .agent("A", "ft", "onsite", "phone", 100.0)
        .agent("B", "ft", "onsite", "phone", 120.0)
        .need("phone", 0, "08:00", 2)
        .need("phone", 1, "09:00", 1);
    write_site(site_dir.path(), &t);
    let out = tempfile::tempdir().unwrap();
    let o = bin()
        .arg("plan")
        .arg(site_dir.path())
        .arg("-o")
        .arg(out.path())
        .args(["--time-limit", "20", "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["status"], "optimal");
    assert_eq!(summary["shifts"], 3);
    for f in ["roster.csv", "coverage.csv", "summary.json"] {
        assert!(out.path().join(f).exists(), "{f} written");
    }
    // coverage.csv: one row per interval and queue, the need of 2 at 08:00 on day 0 met.
    let coverage = std::fs::read_to_string(out.path().join("coverage.csv")).unwrap();
    let mut lines = coverage.lines();
    assert_eq!(
        lines.next(),
        Some("interval_start,queue,required,scheduled,gap")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows.len(),
        2 * 48,
        "2 days of 30-minute intervals, one queue"
    );
    let peak = rows
        .iter()
        .find(|r| r[0].starts_with("2026-01-05T08:00"))
        .expect("08:00 row");
    assert_eq!((peak[2], peak[3], peak[4]), ("2.00", "2.00", "0.00"));
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "atomic writes leave no temporary files"
    );

    let roster = out.path().join("roster.csv");
    let ok = bin()
        .arg("verify")
        .arg(site_dir.path())
        .arg(&roster)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("0 violation(s)"));

    // Give A a second shift on a day they already work: verify must refuse it.
    let text = std::fs::read_to_string(&roster).unwrap();
    let a_row = text
        .lines()
        .find(|l| l.starts_with("A,"))
        .unwrap()
        .to_string();
    let shifted = a_row
        .replace("T08:00", "T12:00")
        .replace("T10:00", "T14:00")
        .replace("T09:00", "T13:00")
        .replace("T11:00", "T15:00");
    let tampered = out.path().join("tampered.csv");
    std::fs::write(&tampered, format!("{text}{shifted}\n")).unwrap();
    let bad = bin()
        .arg("verify")
        .arg(site_dir.path())
        .arg(&tampered)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stdout).contains("one_shift_per_day"),
        "{}",
        String::from_utf8_lossy(&bad.stdout)
    );
}

#[test]
fn same_inputs_and_seed_give_the_same_roster_whatever_the_thread_count() {
    // Separate processes: HiGHS fixes its thread pool once per process.
    let site_dir = tempfile::tempdir().unwrap();
    let mut t = Tiny::new(2)
        .agent("A", "ft", "onsite", "phone", 100.0)
        .agent("B", "ft", "onsite", "phone", 110.0)
        .agent("C", "ft", "onsite", "phone", 125.0)
        .agent("D", "ft", "onsite", "phone", 140.0);
    for (d, hh, k) in [
        (0, "08:00", 2),
        (0, "10:30", 1),
        (0, "12:00", 2),
        (1, "09:00", 2),
        (1, "13:00", 1),
    ] {
        t = t.need("phone", d, hh, k);
    }
    write_site(site_dir.path(), &t);
    let run = |threads: &str| {
        let out = tempfile::tempdir().unwrap();
        let o = bin()
            .arg("plan")
            .arg(site_dir.path())
            .arg("-o")
            .arg(out.path())
            .args(["--threads", threads, "--seed", "7", "--gap", "0"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_to_string(out.path().join("roster.csv")).unwrap()
    };
    let one = run("1");
    assert!(one.lines().count() > 2);
    assert_eq!(run("1"), one);
    assert_eq!(run("2"), one);
}

#[test]
fn infeasible_site_exits_1_with_the_rule_named() {
    let site_dir = tempfile::tempdir().unwrap();
    // A must work at least once a week but is on leave all week: no candidate shift exists.
    let mut t = Tiny::new(7).agent("A", "ft", "onsite", "phone", 100.0);
    t.contracts = t
        .contracts
        .replace("min_shifts_per_week = 0", "min_shifts_per_week = 1");
    for wd in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        t.requests
            .push(format!("A,unavailable,,{wd},,,hard,,,leave"));
    }
    write_site(site_dir.path(), &t);
    let out = tempfile::tempdir().unwrap();
    let o = bin()
        .arg("plan")
        .arg(site_dir.path())
        .arg("-o")
        .arg(out.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("weekly shifts") && err.contains("A week 1"),
        "{err}"
    );
    assert!(
        !out.path().join("roster.csv").exists(),
        "no roster is written when there is none"
    );
}

#[test]
fn bad_roster_file_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("roster.csv");
    std::fs::write(
        &roster,
        "employee,name,date,template,work_mode,start_site,end_site,start_employee,end_employee,employee_timezone,paid_hours,queues\nNOPE,x,2026-11-30,day-onsite,onsite,2026-11-30T09:00+09:00,2026-11-30T18:00+09:00,,,,8,\n",
    )
    .unwrap();
    let o = bin()
        .args(["verify", "data/tokyo"])
        .arg(&roster)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("roster.csv:2")
            && err.contains("`employee`")
            && err.contains("unknown employee"),
        "{err}"
    );
}

/// A `roster.csv` row of Tokyo that agrees with itself in every column.
const GOOD_ROSTER_ROW: &str = "FT01,Inoue Kazuki,2026-11-30,day-onsite,onsite,2026-11-30T09:00+09:00,2026-11-30T18:00+09:00,2026-11-30T09:00+09:00,2026-11-30T18:00+09:00,Asia/Tokyo,8,phone-ja 70%; chat-ja 30%";

#[test]
fn roster_columns_that_repeat_the_shift_must_agree_with_it() {
    let (site, _) = shiftwise::load_site(Path::new("data/tokyo")).unwrap();
    let header = "employee,name,date,template,work_mode,start_site,end_site,start_employee,end_employee,employee_timezone,paid_hours,queues";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.csv");
    let read = |row: &str, breaks: Option<&str>| {
        std::fs::write(&path, format!("{header}\n{row}\n")).unwrap();
        let b = dir.path().join("breaks.csv");
        match breaks {
            Some(rows) => std::fs::write(
                &b,
                format!(
                    "employee,date,kind,start_site,end_site,start_employee,end_employee\n{rows}\n"
                ),
            )
            .unwrap(),
            None => {
                let _ = std::fs::remove_file(&b);
            }
        }
        shiftwise::report::read_roster(&site, &path)
    };
    let shifts = read(GOOD_ROSTER_ROW, None).unwrap().shifts;
    assert_eq!(shifts.len(), 1);
    for (from, to, field) in [
        ("Inoue Kazuki", "Inoue Kazuko", "name"),
        (",2026-11-30,day", ",2026-12-01,day", "date"),
        (
            "+09:00,2026-11-30T09:00+09:00",
            "+09:00,2026-11-30T12:00+09:00",
            "start_employee",
        ),
        ("18:00+09:00,Asia", "19:00+09:00,Asia", "end_employee"),
        ("Asia/Tokyo", "Asia/Seoul", "employee_timezone"),
        (",8,", ",3,", "paid_hours"),
        (",8,", ",NaN,", "paid_hours"),
        ("phone-ja 70%; chat-ja 30%", "phone-en 100%", "queues"),
        (
            "phone-ja 70%; chat-ja 30%",
            "phone-ja 70%; chat-ja 70%",
            "queues",
        ),
        // The same instant written with an offset that is not Tokyo's.
        (
            "onsite,2026-11-30T09:00+09:00",
            "onsite,2026-11-30T08:00+08:00",
            "start_site",
        ),
    ] {
        let row = GOOD_ROSTER_ROW.replacen(from, to, 1);
        assert_ne!(row, GOOD_ROSTER_ROW);
        let err = read(&row, None).expect_err(&row).to_string();
        assert!(
            err.contains(&format!("roster.csv:2: field `{field}`")) && err.starts_with("1 problem"),
            "{row}\n{err}"
        );
    }
    // A break that ends before it starts is an input error on its line.
    let meal = "FT01,2026-11-30,meal,2026-11-30T13:00+09:00,2026-11-30T12:00+09:00,2026-11-30T13:00+09:00,2026-11-30T12:00+09:00";
    let err = read(GOOD_ROSTER_ROW, Some(meal)).unwrap_err().to_string();
    assert!(err.contains("breaks.csv:2: field `end_site`"), "{err}");
    // A rejected row's breaks are not also reported as outside every shift: one problem.
    let meal = "FT01,2026-11-30,meal,2026-11-30T13:00+09:00,2026-11-30T14:00+09:00,2026-11-30T13:00+09:00,2026-11-30T14:00+09:00";
    assert_eq!(
        read(GOOD_ROSTER_ROW, Some(meal)).unwrap().shifts[0]
            .breaks
            .len(),
        1
    );
    let err = read(&GOOD_ROSTER_ROW.replace(",8,", ",3,"), Some(meal))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("1 problem") && err.contains("paid_hours"),
        "{err}"
    );
    // So are an unreadable roster's: its header is the one problem.
    std::fs::write(&path, header.replace(",queues", "")).unwrap();
    let err = shiftwise::report::read_roster(&site, &path)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("1 problem") && err.contains("roster.csv:1"),
        "{err}"
    );
}

#[test]
fn roster_reader_never_panics_on_mangled_files() {
    use rand::{Rng, SeedableRng};
    let (site, _) = shiftwise::load_site(Path::new("data/tokyo")).unwrap();
    let header = "employee,name,date,template,work_mode,start_site,end_site,start_employee,end_employee,employee_timezone,paid_hours,queues";
    let good = GOOD_ROSTER_ROW;
    let breaks = "employee,date,kind,start_site,end_site,start_employee,end_employee\nFT01,2026-11-30,meal,2026-11-30T13:00+09:00,2026-11-30T14:00+09:00,,";
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let pieces = [
        "",
        ",",
        "\"",
        "é",
        "25:99",
        "2026-13-40T09:00+09:00",
        "-1",
        "NaN",
        "onsite",
        "meal",
        "FT01",
        "\n",
        "+99:99",
        "9999999999999",
    ];
    for case in 0..1500 {
        let mut roster = format!("{header}\n{good}\n");
        let mut brk = breaks.to_string();
        for _ in 0..rng.gen_range(1..4) {
            let target = if rng.gen_bool(0.5) {
                &mut roster
            } else {
                &mut brk
            };
            let at = rng.gen_range(0..=target.len());
            let at = (0..=at)
                .rev()
                .find(|&i| target.is_char_boundary(i))
                .unwrap_or(0);
            match rng.gen_range(0..3) {
                0 => target.insert_str(at, pieces[rng.gen_range(0..pieces.len())]),
                1 => target.truncate(at),
                _ => {
                    let bytes: Vec<u8> = (0..rng.gen_range(1..8)).map(|_| rng.gen()).collect();
                    target.insert_str(at, &String::from_utf8_lossy(&bytes));
                }
            }
        }
        std::fs::write(dir.path().join("roster.csv"), &roster).unwrap();
        std::fs::write(dir.path().join("breaks.csv"), &brk).unwrap();
        let result = std::panic::catch_unwind(|| {
            shiftwise::report::read_roster(&site, &dir.path().join("roster.csv"))
        });
        assert!(
            result.is_ok(),
            "case {case} panicked:\n{roster}\n---\n{brk}"
        );
    }
}

#[test]
fn roster_csv_round_trips_the_queue_split_and_rejects_a_bad_one() {
    use shiftwise::report::{read_roster, write_plan};
    let site = Tiny::new(1)
        .agent("A", "ft", "onsite", "phone", 100.0)
        .need("phone", 0, "08:00", 1)
        .site();
    let plan = common::solve_all(&site);
    let dir = tempfile::tempdir().unwrap();
    write_plan(dir.path(), &site, &plan).unwrap();
    let back = read_roster(&site, &dir.path().join("roster.csv")).unwrap();
    assert_eq!(back.shifts.len(), plan.roster.shifts.len());
    for (a, b) in back.shifts.iter().zip(&plan.roster.shifts) {
        assert_eq!(a.allocation.len(), b.allocation.len());
        for (&(qa, sa), &(qb, sb)) in a.allocation.iter().zip(&b.allocation) {
            assert_eq!(qa, qb);
            assert!(
                (sa - sb).abs() <= 0.005 + 1e-9,
                "{sa} vs {sb} (whole percents)"
            );
        }
    }
    let text = std::fs::read_to_string(dir.path().join("roster.csv")).unwrap();
    std::fs::write(
        dir.path().join("roster.csv"),
        text.replace("phone 100%", "phone lots"),
    )
    .unwrap();
    let err = read_roster(&site, &dir.path().join("roster.csv"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("roster.csv:2: field `queues`: value \"phone lots\""),
        "{err}"
    );
}

/// A limit too short for Tokyo's relaxation (about 16 s): the plan still returns its roster,
/// says plainly that it has no bound (no "NaN"), and summary.json has `null` for both.
#[test]
fn plan_without_a_bound_says_so() {
    let out = tempfile::tempdir().unwrap();
    let run = bin()
        .args([
            "plan",
            "data/tokyo",
            "--time-limit",
            "2",
            "--explain-seconds",
            "0",
            "-o",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("no bound"), "{stdout}");
    assert!(!stdout.contains("NaN"), "{stdout}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("summary.json")).unwrap())
            .unwrap();
    assert!(summary["bound"].is_null() && summary["gap"].is_null());
    assert!(summary["objective"].as_f64().unwrap() > 0.0);
}

#[test]
fn flags_out_of_range_are_usage_errors_naming_the_flag() {
    // Each used to run with a silent stand-in (NaN seconds: no time budget at all).
    for (cmd, flag, value) in [
        ("plan", "--time-limit", "nan"),
        ("plan", "--explain-seconds", "nan"),
        ("plan", "--explain-seconds", "-1"),
        ("plan", "--threads", "0"),
        ("plan", "--gap", "2"),
        ("plan", "--robust-samples", "0"),
        ("evaluate", "--samples", "0"),
        ("evaluate", "--threads", "0"),
        ("replan", "--window-hours", "0"),
        ("replan", "--change-cost", "nan"),
    ] {
        let mut c = bin();
        c.args([cmd, "data/tokyo"]);
        match cmd {
            "evaluate" => c.args(["--roster", "roster.csv"]),
            "replan" => c.args(["--published", "roster.csv", "--from", "2026-12-01T09:00"]),
            _ => &mut c,
        };
        let o = c.arg(format!("{flag}={value}")).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{cmd} {flag}={value}: {err}");
        assert!(
            err.contains(&format!("invalid value '{value}' for '{flag}")),
            "{err}"
        );
    }
}

#[test]
fn a_roster_without_its_breaks_file_is_read_with_a_warning_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("roster.csv");
    let header = "employee,name,date,template,work_mode,start_site,end_site,start_employee,end_employee,employee_timezone,paid_hours,queues";
    std::fs::write(&roster, format!("{header}\n{GOOD_ROSTER_ROW}\n")).unwrap();
    let run = || {
        bin()
            .args(["verify", "data/tokyo"])
            .arg(&roster)
            .output()
            .unwrap()
    };
    let o = run();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning: no") && err.contains("breaks.csv beside the roster"),
        "{err}"
    );
    // Tokyo plans breaks: the 9-hour shift lacks its meal and two short breaks.
    assert_eq!(o.status.code(), Some(1));
    // With the file there (even empty of rows), no warning.
    std::fs::write(
        dir.path().join("breaks.csv"),
        "employee,date,kind,start_site,end_site,start_employee,end_employee\n",
    )
    .unwrap();
    let err = String::from_utf8_lossy(&run().stderr).into_owned();
    assert!(!err.contains("beside the roster"), "{err}");
}

#[test]
fn whatif_names_the_smallest_count_and_says_when_its_plans_did_not_hedge() {
    // One agent; the 09:00 interval needs one, and every shift is missed half the time:
    // on the mean forecast no count meets the target in every sample, and the output says
    // the plans did not hedge; `--robust-samples` alone is refused (it needs --robust).
    let dir = tempfile::tempdir().unwrap();
    let t = Tiny::new(1)
        .agent("A", "ft", "onsite", "phone", 100.0)
        .need("phone", 0, "09:00", 1);
    write_site(dir.path(), &t);
    std::fs::write(
        dir.path().join("scenarios.toml"),
        "[[scenario]]\nname = \"base\"\nkind = \"deterministic\"\n\n[[scenario]]\nname = \"sick\"\nkind = \"stochastic\"\nabsenteeism = 0.5\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let o = bin()
            .arg("whatif")
            .arg(dir.path())
            .args(["--add", "ft:0..1", "--time-limit", "5", "--samples", "50"])
            .args(extra)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).to_string(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let (code, out, err) = run(&["--scenario", "base"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("smallest that meets every target: +0 ft"),
        "{out}"
    );
    assert!(!out.contains("--robust plans them"), "{out}");
    let (code, out, err) = run(&["--scenario", "sick"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("no variant tried meets every target"), "{out}");
    assert!(
        out.contains("planned on the scenario's mean forecast"),
        "{out}"
    );
    let (code, out, err) = run(&["--scenario", "sick", "--robust", "--robust-samples", "2"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!out.contains("mean forecast"), "{out}");
    let (code, _, err) = run(&["--scenario", "sick", "--robust-samples", "2"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--robust"), "{err}");
}

#[test]
fn a_robust_plan_says_what_it_was_planned_against() {
    let dir = tempfile::tempdir().unwrap();
    let t = Tiny::new(1)
        .agent("A", "ft", "onsite", "phone", 100.0)
        .agent("B", "ft", "onsite", "phone", 100.0)
        .need("phone", 0, "09:00", 1);
    write_site(dir.path(), &t);
    std::fs::write(
        dir.path().join("scenarios.toml"),
        "[[scenario]]\nname = \"sick\"\nkind = \"stochastic\"\ninterval_cv = 0.2\nabsenteeism = 0.5\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let plan = |extra: &[&str]| {
        let o = bin()
            .arg("plan")
            .arg(dir.path())
            .arg("-o")
            .arg(out.path())
            .args(["--time-limit", "10", "--explain-seconds", "0", "--quiet"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let summary: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.path().join("summary.json")).unwrap(),
        )
        .unwrap();
        (String::from_utf8_lossy(&o.stdout).to_string(), summary)
    };
    let (text, summary) = plan(&["--robust", "--robust-samples", "3", "--seed", "4"]);
    assert_eq!(summary["robust"]["scenario"], "sick");
    assert_eq!(summary["robust"]["samples"], 3);
    assert_eq!(summary["robust"]["seed"], 4);
    assert!(
        text.contains("expected values over 3 forecast sample(s) of scenario sick (seed 4)"),
        "{text}"
    );
    // Half the shifts missed: both agents are rostered for the need of one.
    assert_eq!(summary["shifts"], 2, "{summary}");
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(
        html.contains("planned robustly") && html.contains("of scenario sick (seed 4)"),
        "the report says it too"
    );
    let (text, summary) = plan(&[]);
    assert!(summary["robust"].is_null(), "{summary}");
    assert!(!text.contains("robust"), "{text}");
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(!html.contains("planned robustly"));
    assert_eq!(summary["shifts"], 1, "{summary}");
}

#[test]
fn a_closed_output_pipe_ends_the_run_without_a_panic() {
    // `shiftwise validate SITE | head -0`: the reader is gone before anything is printed.
    let mut child = bin()
        .args(["validate", "data/tokyo"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("failed printing"),
        "{err}"
    );
}

#[test]
fn a_missing_roster_is_one_error_and_a_roster_of_another_week_names_the_horizon() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("roster.csv");
    let o = bin()
        .args(["verify", "data/tokyo"])
        .arg(&missing)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        !err.contains("warning"),
        "no warning about its breaks.csv:\n{err}"
    );
    assert!(err.contains("roster.csv"), "{err}");
    // One shift a year later than Tokyo's week.
    std::fs::write(
        &missing,
        "employee,name,date,template,work_mode,start_site,end_site,start_employee,end_employee,employee_timezone,paid_hours,queues\n\
         FT01,x,2027-11-30,day-onsite,onsite,2027-11-30T08:00+09:00,2027-11-30T17:00+09:00,2027-11-30T08:00+09:00,2027-11-30T17:00+09:00,Asia/Tokyo,8.0,phone-ja 100%\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("breaks.csv"),
        "employee,date,kind,start_site,end_site,start_employee,end_employee\n",
    )
    .unwrap();
    let o = bin()
        .args(["verify", "data/tokyo"])
        .arg(&missing)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("roster.csv:2: field `start_site`")
            && err.contains("outside the planning horizon (2026-11-30 to 2026-12-06)"),
        "{err}"
    );
}
