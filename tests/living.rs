//! Living rosters: pins kept, pins that break a rule named, minimal-change re-planning
//! after a sick call, the past never changed, swaps checked by verify.

mod common;

use common::{exact, solve_all, Tiny};
use shiftwise::living::{changes, plan_committed, suggest_swaps, swap, Commitments, Published};
use shiftwise::plan::plan;
use shiftwise::roster::Roster;
use shiftwise::verify::verify;

/// Six interchangeable agents (equal cost) and a need of two at 09:00 and one at 13:00
/// every day of a week; at most five shifts a week each.
fn week() -> Tiny {
    let mut t = Tiny::new(7);
    t.contracts = t
        .contracts
        .replace("max_shifts_per_week = 7", "max_shifts_per_week = 5");
    for id in ["A", "B", "C", "D", "E", "F"] {
        t = t.agent(id, "ft", "onsite", "phone", 100.0);
    }
    for d in 0..7 {
        t = t.need("phone", d, "09:00", 2).need("phone", d, "13:00", 1);
    }
    t
}

#[test]
fn pinned_shifts_are_kept_and_the_rest_planned_around_them() {
    let site = week().site();
    let base = solve_all(&site);
    // Pin A to 12:00–14:00 on day 0, a shift the optimizer would not pick.
    let a = site.employee_index("A").unwrap();
    let start = site.grid.intervals[24].start_utc; // 12:00
    let pin = shiftwise::roster::Shift {
        employee: a,
        day: 0,
        template: 0,
        start,
        end: start + chrono::Duration::hours(2),
        mode: shiftwise::domain::ShiftMode::Onsite,
        paid_minutes: 120,
        allocation: vec![],
        breaks: vec![],
    };
    assert!(!base
        .roster
        .shifts
        .iter()
        .any(|s| s.employee == a && s.start == start));
    let c = Commitments {
        pinned: vec![pin.clone()],
        published: None,
    };
    // Through the re-planning model and through the ordinary planning path.
    let committed = plan_committed(&site, &exact(), &c, &[2]).unwrap();
    let pinned =
        shiftwise::plan::plan_pinned(&site, &exact(), std::slice::from_ref(&pin), &[2]).unwrap();
    for p in [committed, pinned] {
        assert!(p
            .roster
            .shifts
            .iter()
            .any(|s| s.employee == a && s.start == start && s.day == 0));
        assert!(verify(&site, &p.roster, &p.requirements.agents)
            .violations
            .is_empty());
        // 09:00 on day 0 still needs two: covered by others.
        assert!(p.coverage[0][18].scheduled >= 2.0 - 1e-6);
    }
}

#[test]
fn pins_that_break_a_hard_rule_are_named_by_row_and_rule() {
    let mut t = week();
    t.requests
        .push("A,unavailable,2026-01-05,,11:00,15:00,hard,,,exam".into());
    let site = t.site();
    let a = site.employee_index("A").unwrap();
    let at = |i: usize| site.grid.intervals[i].start_utc;
    let shift = |i: usize| shiftwise::roster::Shift {
        employee: a,
        day: 0,
        template: 0,
        start: at(i),
        end: at(i) + chrono::Duration::hours(2),
        mode: shiftwise::domain::ShiftMode::Onsite,
        paid_minutes: 120,
        allocation: vec![],
        breaks: vec![],
    };
    // Row 3: during A's exam.
    let err = plan_committed(
        &site,
        &exact(),
        &Commitments {
            pinned: vec![shift(16), shift(24)],
            published: None,
        },
        &[2, 3],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("pin row 3: availability"), "{err}");
    // Two pins on the same day for A, both allowed alone: named together.
    let err = plan_committed(
        &site,
        &exact(),
        &Commitments {
            pinned: vec![shift(16), shift(18)],
            published: None,
        },
        &[2, 5],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("pin rows 2, 5"), "{err}");
    assert!(
        err.contains("one_shift_per_day") || err.contains("double_booking"),
        "{err}"
    );
}

#[test]
fn a_sick_call_changes_only_a_handful_of_shifts_and_never_the_past() {
    let t = week();
    let site = t.site();
    let published = solve_all(&site).roster;
    // Someone who works on day 3 calls in sick for day 3.
    let sick = published
        .shifts
        .iter()
        .find(|s| s.day == 3)
        .unwrap()
        .employee;
    let sick_id = site.employees[sick].id.clone();
    let mut t2 = t.clone();
    t2.requests
        .push(format!("{sick_id},unavailable,2026-01-08,,,,hard,,,sick"));
    let sick_site = t2.site();
    let from = site.grid.intervals[2 * 48 + 40].start_utc; // day 2, 20:00
    let c = Commitments {
        pinned: vec![],
        published: Some(Published {
            roster: published.clone(),
            from,
            window: chrono::Duration::days(7),
            change_cost: 50.0,
        }),
    };
    let re = plan_committed(&sick_site, &exact(), &c, &[]).unwrap();
    assert!(verify(&sick_site, &re.roster, &re.requirements.agents)
        .violations
        .is_empty());
    let changed = changes(&sick_site, &published, &re.roster);
    // Bound from the instance: the sick agent loses one shift and one colleague takes
    // it (added, or moved if they already worked that day): at most two employee-days.
    assert!(changed.len() <= 2, "{changed:#?}");
    assert!(changed
        .iter()
        .any(|c| c.employee == sick_id && c.change == "removed"));
    // The past is untouched.
    let past = |r: &Roster| {
        let mut v: Vec<_> = r
            .shifts
            .iter()
            .filter(|s| s.start < from)
            .map(|s| (s.employee, s.start, s.end, s.mode.as_str()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(past(&published), past(&re.roster));
    // Planning the changed site from scratch moves many more people.
    let fresh = plan(&sick_site, &exact()).unwrap().roster;
    let fresh_changes = changes(&sick_site, &published, &fresh).len();
    eprintln!(
        "re-plan changed {}, fresh plan {fresh_changes}",
        changed.len()
    );
    assert!(
        fresh_changes > 2 * changed.len(),
        "fresh plan changed {fresh_changes}, re-plan {}",
        changed.len()
    );
}

#[test]
fn an_infeasible_swap_is_refused_with_the_rule_and_a_feasible_one_allowed() {
    let site = week().site();
    let roster = solve_all(&site).roster;
    // Two people who both work day 0: giving one's shift to the other double-books them.
    let day0: Vec<usize> = roster
        .shifts
        .iter()
        .filter(|s| s.day == 0)
        .map(|s| s.employee)
        .collect();
    let (a, b) = (day0[0], day0[1]);
    let o = swap(&site, &roster, (a, 0), b, None).unwrap();
    assert!(
        o.broken
            .iter()
            .any(|r| r.contains("one_shift_per_day") || r.contains("double_booking")),
        "{:?}",
        o.broken
    );
    // Someone free on day 0 with spare weekly capacity can take it.
    let suggestions = suggest_swaps(&site, &roster, (a, 0)).unwrap();
    assert!(!suggestions.is_empty());
    for s in &suggestions {
        assert!(s.outcome.broken.is_empty());
        assert!(verify(
            &site,
            &s.outcome.roster,
            &shiftwise::staffing::requirements(&site).agents
        )
        .violations
        .is_empty());
    }
    // A swap with oneself is no swap: refused, not "allowed".
    let err = swap(&site, &roster, (a, 0), a, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("with themselves"), "{err}");
}

#[test]
fn an_absence_counts_toward_the_weekly_minimum() {
    // A must work at least 5 shifts a week and is planned Monday to Friday; sick on
    // Wednesday, A would otherwise have to make the shift up on the weekend.
    let mut t = Tiny::new(7).agent("A", "min5", "onsite", "phone", 100.0);
    t.contracts += "[[contracts]]\nid = \"min5\"\nmin_hours_per_week = 10\nmax_hours_per_week = 60\nmin_shifts_per_week = 5\nmax_shifts_per_week = 5\nmin_rest_hours = 0\nmax_consecutive_days = 7\nmin_days_off_per_week = 0\n";
    t.templates = t.templates.replace("[\"ft\"]", "[\"ft\", \"min5\"]");
    for d in 0..5 {
        t = t.need("phone", d, "09:00", 1);
    }
    let published = solve_all(&t.site()).roster;
    assert_eq!(published.shifts.len(), 5);
    t.requests
        .push("A,unavailable,2026-01-07,,,,hard,,,sick".into());
    let sick = t.site();
    let (excused, n) = shiftwise::living::excuse_absences(&sick, &published);
    assert_eq!(n, 1);
    let c = &excused.contracts[excused.employees[0].contract];
    assert_eq!((c.min_shifts_per_week, c.min_hours_per_week), (4, 8.0));
    let from = sick.grid.intervals[0].start_utc;
    let commit = Commitments {
        pinned: vec![],
        published: Some(Published {
            roster: published.clone(),
            from,
            window: chrono::Duration::days(7),
            change_cost: 10.0,
        }),
    };
    let re = plan_committed(&excused, &exact(), &commit, &[]).unwrap();
    assert_eq!(re.roster.shifts.len(), 4, "no make-up shift on the weekend");
    // Without the excuse the minimum forces a weekend shift.
    let forced = plan_committed(&sick, &exact(), &commit, &[]).unwrap();
    assert_eq!(forced.roster.shifts.len(), 5);
    assert!(forced.roster.shifts.iter().any(|s| s.day >= 5));
}

#[test]
fn plan_pin_and_replan_from_the_command_line() {
    use common::{bin, write_site};
    let mut t = week();
    t.requests
        .push("A,unavailable,2026-01-05,,11:00,15:00,hard,,,exam".into());
    let dir = tempfile::tempdir().unwrap();
    let site_dir = dir.path().join("site");
    std::fs::create_dir(&site_dir).unwrap();
    write_site(&site_dir, &t);
    let out = dir.path().join("out");
    let ok = bin()
        .arg("plan")
        .arg(&site_dir)
        .arg("-o")
        .arg(&out)
        .args(["--time-limit", "20", "--explain-seconds", "0"])
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let roster = std::fs::read_to_string(out.join("roster.csv")).unwrap();
    let header = roster.lines().next().unwrap();
    // Pin A to 12:00–14:00 on Monday, in the middle of the exam: refused, row named.
    let pin = dir.path().join("pin.csv");
    std::fs::write(
        &pin,
        format!("{header}\nA,A,2026-01-05,two,onsite,2026-01-05T12:00+00:00,2026-01-05T14:00+00:00,2026-01-05T12:00+00:00,2026-01-05T14:00+00:00,UTC,2,phone 100%\n"),
    )
    .unwrap();
    let bad = bin()
        .arg("plan")
        .arg(&site_dir)
        .arg("-o")
        .arg(dir.path().join("pinned"))
        .arg("--pin")
        .arg(&pin)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("pin row 2: availability"), "{err}");
    // Re-plan after B calls in sick for Wednesday: changes.csv names B.
    let changes = dir.path().join("changes.csv");
    std::fs::write(
        &changes,
        "employee,kind,date,weekday,from,to,strength,weight,value,note\nB,unavailable,2026-01-07,,,,hard,,,sick\n",
    )
    .unwrap();
    let re = bin()
        .arg("replan")
        .arg(&site_dir)
        .arg("--published")
        .arg(out.join("roster.csv"))
        .args(["--from", "2026-01-06T20:00", "--changes"])
        .arg(&changes)
        .arg("-o")
        .arg(dir.path().join("re"))
        .output()
        .unwrap();
    assert!(
        re.status.success(),
        "{}",
        String::from_utf8_lossy(&re.stderr)
    );
    let listed = std::fs::read_to_string(dir.path().join("re").join("changes.csv")).unwrap();
    assert!(listed.starts_with("employee,date,change,before,after\n"));
    let b_worked_wed = roster.lines().any(|l| l.starts_with("B,B,2026-01-07"));
    assert_eq!(
        listed.contains("B,2026-01-07,removed"),
        b_worked_wed,
        "{listed}"
    );
    // A bad --from is a usage error.
    let bad_from = bin()
        .arg("replan")
        .arg(&site_dir)
        .arg("--published")
        .arg(out.join("roster.csv"))
        .args(["--from", "tomorrow"])
        .output()
        .unwrap();
    assert_eq!(bad_from.status.code(), Some(2));
    // So is a --from outside the roster's week: nothing would be re-planned.
    let outside = bin()
        .arg("replan")
        .arg(&site_dir)
        .arg("--published")
        .arg(out.join("roster.csv"))
        .args(["--from", "2027-01-06T20:00"])
        .output()
        .unwrap();
    assert_eq!(outside.status.code(), Some(2));
    let err = String::from_utf8_lossy(&outside.stderr);
    assert!(err.contains("outside the planning horizon"), "{err}");
}

#[test]
fn swap_from_the_command_line() {
    use common::{bin, write_site};
    let dir = tempfile::tempdir().unwrap();
    let site_dir = dir.path().join("site");
    std::fs::create_dir(&site_dir).unwrap();
    write_site(&site_dir, &week());
    let site = week().site();
    let roster = solve_all(&site).roster;
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let path = out.join("roster.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    for r in shiftwise::report::roster_rows(&site, &roster) {
        w.serialize(r).unwrap();
    }
    w.flush().unwrap();
    let day0: Vec<String> = roster
        .shifts
        .iter()
        .filter(|s| s.day == 0)
        .map(|s| site.employees[s.employee].id.clone())
        .collect();
    // Giving a Monday shift to someone already working Monday: refused, rule named.
    let o = bin()
        .arg("swap")
        .arg(&site_dir)
        .arg("--roster")
        .arg(&path)
        .args([
            "--give",
            &format!("{}:2026-01-05", day0[0]),
            "--take",
            &day0[1],
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("swap refused"), "{text}");
    assert!(
        text.contains("one_shift_per_day") || text.contains("double_booking"),
        "{text}"
    );
    // --suggest lists partners, each one allowed.
    let o = bin()
        .arg("swap")
        .arg(&site_dir)
        .arg("--roster")
        .arg(&path)
        .args(["--suggest", &format!("{}:2026-01-05", day0[0])])
        .output()
        .unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("feasible partner(s)"), "{text}");
    let first = text.lines().nth(1).expect("a partner").to_string();
    assert!(first.contains("takes it"), "{first}");
}

#[test]
fn an_agent_who_goes_home_sick_mid_shift_leaves_the_roster_and_the_rest_is_covered() {
    // A works 08:00–10:00 (the cheaper agent); B is free. Phone needs one agent 08:00–10:00.
    // At 09:00 A goes home sick: re-planned from 09:00, A's shift (started before `from`)
    // can no longer be kept, and B is called in at 09:00 for the hour left.
    let t = Tiny::new(1)
        .agent("A", "ft", "onsite", "phone", 100.0)
        .agent("B", "ft", "onsite", "phone", 150.0)
        .need("phone", 0, "08:00", 1)
        .need("phone", 0, "08:30", 1)
        .need("phone", 0, "09:00", 1)
        .need("phone", 0, "09:30", 1);
    let site = t.site();
    let published = solve_all(&site).roster;
    assert_eq!(published.shifts.len(), 1);
    assert_eq!(site.employees[published.shifts[0].employee].id, "A");
    let mut t2 = t.clone();
    t2.requests
        .push("A,unavailable,2026-01-05,,09:00,24:00,hard,,,went home sick".into());
    let sick = t2.site();
    let from = sick.grid.intervals[18].start_utc; // 09:00
    let c = Commitments {
        pinned: vec![],
        published: Some(Published {
            roster: published.clone(),
            from,
            window: chrono::Duration::days(1),
            change_cost: 50.0,
        }),
    };
    let re = plan_committed(&sick, &exact(), &c, &[]).unwrap();
    assert!(
        verify(&sick, &re.roster, &re.requirements.agents)
            .violations
            .is_empty(),
        "the sick agent's shift was kept"
    );
    let who: Vec<&str> = re
        .roster
        .shifts
        .iter()
        .map(|s| sick.employees[s.employee].id.as_str())
        .collect();
    assert_eq!(who, ["B"]);
    assert_eq!(re.roster.shifts[0].start, from);
    // Re-planned from 10:00, after A's shift ended: it was worked, and stays.
    let later = Commitments {
        pinned: vec![],
        published: Some(Published {
            roster: published.clone(),
            from: sick.grid.intervals[20].start_utc,
            window: chrono::Duration::days(1),
            change_cost: 50.0,
        }),
    };
    let re = plan_committed(&sick, &exact(), &later, &[]).unwrap();
    assert_eq!(re.roster.shifts.len(), 1);
    assert_eq!(sick.employees[re.roster.shifts[0].employee].id, "A");
}
