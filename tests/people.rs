//! Students, requests and fairness: classes never overlapped, soft requests granted when
//! free and denied with the reason found by re-solving, weekend shifts shared evenly.

mod common;

use common::{exact, solve_all, solve_with, without, Tiny};
use shiftwise::model::Family;
use shiftwise::people::{explain_denials, fair_shares, RequestStatus};

/// A student contract with flexible 2–6 h slots and a 10-hour weekly cap.
fn student_site(days: usize) -> Tiny {
    let mut t = Tiny::new(days);
    t.contracts += "[[contracts]]\nid = \"student\"\nmin_hours_per_week = 0\nmax_hours_per_week = 10\nmin_shifts_per_week = 0\nmax_shifts_per_week = 7\nmin_rest_hours = 0\nmax_consecutive_days = 7\nmin_days_off_per_week = 0\n";
    t.templates += "[[shift_templates]]\nid = \"flex\"\nmin_length_hours = 2\nmax_length_hours = 6\nearliest_start = \"07:00\"\nlatest_start = \"16:00\"\nstart_step_minutes = 30\nwork_mode = \"remote\"\ncontracts = [\"student\"]\n";
    t
}

#[test]
fn a_student_never_works_in_class_and_gets_a_flexible_slot_around_it() {
    // Demand 08:00–12:30 on Monday; the only agent is a student with class 09:30–11:00
    // every Monday. The best the student can do is a slot before class and one after —
    // but one shift a day: so one flexible slot on one side, never overlapping class.
    let mut t = student_site(1).agent("S", "student", "remote", "phone", 100.0);
    for hhmm in ["08:00", "08:30", "09:00", "11:00", "11:30", "12:00"] {
        t = t.need("phone", 0, hhmm, 1);
    }
    t.requests
        .push("S,unavailable,,mon,09:30,11:00,hard,,,lecture".into());
    let site = t.site();
    let plan = solve_all(&site); // verify: no availability violation
    let s = &plan.roster.shifts;
    assert_eq!(s.len(), 1, "one flexible slot");
    let class_from = site.grid.intervals[19].start_utc; // 09:30
    let class_to = site.grid.intervals[22].start_utc; // 11:00
    assert!(!s[0].overlaps(class_from, class_to), "slot {:?}", s[0]);
    // A 2-hour minimum: a slot covering 08:00–09:30 (1.5 h) must be 2 h long, which
    // would run into class — so the slot is after class: 11:00–13:00 covers 3 intervals,
    // the same as 07:30–09:30; both are 2 h, and verify accepted it.
    assert_eq!(s[0].length_minutes(), 120);
}

#[test]
fn the_weekly_hour_cap_of_a_student_contract_holds() {
    // Demand every day; the student's cap of 10 hours a week stops at five 2-hour slots.
    let mut t = student_site(7).agent("S", "student", "remote", "phone", 100.0);
    for d in 0..7 {
        t = t.need("phone", d, "09:00", 1);
    }
    let site = t.site();
    let plan = solve_all(&site);
    let hours: f64 = plan
        .roster
        .shifts
        .iter()
        .map(|s| f64::from(s.paid_minutes) / 60.0)
        .sum();
    assert!(hours <= 10.0 + 1e-9, "{hours} h");
    assert_eq!(plan.roster.shifts.len(), 5);
    let (plan, _) = solve_with(&site, &without(Family::WeeklyHours));
    assert_eq!(plan.roster.shifts.len(), 7, "without the cap, every day");
}

/// Explain the plan's denied requests (exact re-solves, a minute's budget).
fn explain(site: &shiftwise::Site, plan: &mut shiftwise::plan::Plan) {
    explain_denials(
        site,
        &plan.requirements,
        &plan.roster,
        &mut plan.requests,
        &exact(),
        60.0,
    )
    .unwrap();
}

/// A and B can cover the 09:00 need on Monday; A prefers Monday off (weight 100).
fn request_site(need: u32) -> shiftwise::Site {
    let mut t = Tiny::new(1)
        .agent("A", "ft", "onsite", "phone", 100.0)
        .agent("B", "ft", "onsite", "phone", 100.0)
        .need("phone", 0, "09:00", need);
    t.requests
        .push("A,prefer_off,2026-01-05,,,,soft,100,,dentist".into());
    t.site()
}

#[test]
fn a_soft_request_is_granted_when_it_costs_nothing() {
    let site = request_site(1);
    let plan = solve_all(&site);
    assert_eq!(plan.requests.len(), 1);
    assert_eq!(plan.requests[0].status, RequestStatus::Granted);
    assert_eq!(plan.summary.requests.granted, 1);
}

#[test]
fn a_soft_request_is_denied_with_the_queue_it_would_leave_short() {
    // Two agents needed at 09:00 (one 30-minute interval). Granting A's day off leaves
    // phone one agent short for 30 minutes: 1000/agent-hour × 0.5 h = 500, against A's
    // 2-hour shift at 100/h = 200 and its 1.5 idle hours at 10/h = 15 saved. Hand-solved:
    // deny (215 + 100 penalty < 500); granting costs 500 − 215 = 285 more than the
    // roster without the penalty.
    let site = request_site(2);
    let mut plan = solve_all(&site);
    assert_eq!(plan.requests[0].status, RequestStatus::Denied);
    assert!((plan.requests[0].penalty - 100.0).abs() < 1e-9);
    explain(&site, &mut plan);
    let o = &plan.requests[0];
    let cost = o.cost_to_grant.expect("explained");
    assert!((cost - 285.0).abs() < 1e-3, "cost to grant {cost}");
    assert_eq!(
        o.reason,
        "denied: phone would be 1.0 agents short 09:00–09:30 on Mon (now 0.0)"
    );
}

#[test]
fn with_no_explanation_time_a_denial_says_how_to_get_one() {
    let site = request_site(2);
    let mut plan = solve_all(&site);
    explain_denials(
        &site,
        &plan.requirements,
        &plan.roster,
        &mut plan.requests,
        &exact(),
        0.0,
    )
    .unwrap();
    let o = &plan.requests[0];
    assert_eq!(o.cost_to_grant, None);
    assert_eq!(
        o.reason,
        "denied: not explained (plan with --explain-seconds above 0)"
    );
}

#[test]
fn a_request_that_breaks_a_hard_rule_says_so() {
    // A's contract asks for a shift every day of the week: A cannot have Monday off,
    // whatever it costs.
    let mut t = Tiny::new(7)
        .agent("A", "min1", "onsite", "phone", 100.0)
        .need("phone", 0, "09:00", 1);
    t.contracts += "[[contracts]]\nid = \"min1\"\nmin_hours_per_week = 0\nmax_hours_per_week = 60\nmin_shifts_per_week = 7\nmax_shifts_per_week = 7\nmin_rest_hours = 0\nmax_consecutive_days = 7\nmin_days_off_per_week = 0\n";
    t.templates = t.templates.replace("[\"ft\"]", "[\"ft\", \"min1\"]");
    t.requests
        .push("A,prefer_off,2026-01-05,,,,soft,100,,dentist".into());
    let site = t.site();
    let mut plan = solve_all(&site);
    assert_eq!(plan.requests[0].status, RequestStatus::Denied);
    explain(&site, &mut plan);
    assert!(
        plan.requests[0].reason.contains("breaking a hard rule"),
        "{}",
        plan.requests[0].reason
    );
    assert_eq!(plan.requests[0].cost_to_grant, None);
}

#[test]
fn request_statuses_count_partly_granted_recurring_requests() {
    // A prefers Mondays and Tuesdays off (two windows) but is needed on Tuesday only:
    // one window granted, one not.
    let mut t = Tiny::new(2)
        .agent("A", "ft", "onsite", "phone", 100.0)
        .need("phone", 1, "09:00", 1);
    t.requests.push("A,prefer_off,,mon,,,soft,100,,".into());
    t.requests.push("A,prefer_off,,tue,,,soft,100,,".into());
    t.requests
        .push("A,prefer_work,,mon,08:00,10:00,soft,10,,".into());
    t.requests.push("A,max_shifts,,,,,soft,50,1,".into());
    let site = t.site();
    let plan = solve_all(&site);
    let st: Vec<_> = plan.requests.iter().map(|o| o.status).collect();
    assert_eq!(
        st,
        vec![
            RequestStatus::Granted,
            RequestStatus::Denied,
            RequestStatus::Denied,
            RequestStatus::Granted
        ]
    );
}

/// Two identical agents (A one unit cheaper) and a need on Saturday and Sunday.
fn weekend_site() -> shiftwise::Site {
    Tiny::new(7)
        .agent("A", "ft", "onsite", "phone", 100.0)
        .agent("B", "ft", "onsite", "phone", 101.0)
        .need("phone", 5, "09:00", 1)
        .need("phone", 6, "09:00", 1)
        .site()
}

#[test]
fn fairness_splits_weekend_shifts_between_equivalent_agents() {
    let site = weekend_site();
    // 2026-01-10/11 is a weekend: one shift each, though A is cheaper.
    let plan = solve_all(&site);
    let shares = fair_shares(&site, &plan.roster);
    let weekend: Vec<usize> = shares.iter().map(|f| f.weekend_shifts).collect();
    assert_eq!(weekend, vec![1, 1]);
    assert_eq!(
        plan.summary
            .fairness
            .iter()
            .map(|f| f.weekend_share)
            .collect::<Vec<_>>(),
        vec![0.5, 0.5]
    );
    // Without the fairness term the cheaper agent takes both.
    let (plan, _) = solve_with(&site, &without(Family::Fairness));
    let weekend: Vec<usize> = fair_shares(&site, &plan.roster)
        .iter()
        .map(|f| f.weekend_shifts)
        .collect();
    assert_eq!(weekend, vec![2, 0]);
}

#[test]
fn late_shifts_are_counted_in_the_employees_own_zone() {
    // A shift 19:00–22:00 UTC ends late for a UTC agent (after 21:00) but not for one in
    // America/New_York, where it ends at 17:00 local.
    let mut t = Tiny::new(1);
    t.employees
        .push("U,U,agent,ft,onsite,UTC,phone,100,,".into());
    t.employees
        .push("N,N,agent,ft,onsite,America/New_York,phone,100,,".into());
    let site = t.site();
    let start = site.grid.intervals[38].start_utc; // 19:00 UTC
    let end = start + chrono::Duration::hours(3);
    assert!(site.undesirable(0, start, end).late);
    assert!(!site.undesirable(1, start, end).late);
    assert!(!site.undesirable(0, start, end).weekend, "a Monday");
}

/// Two weeks from Monday 2026-01-05; A is needed every day at 09:00 and may work every
/// day (no run of days is too long); one request row.
fn need_every_day(request: &str) -> shiftwise::Site {
    let mut t = Tiny::new(14).agent("A", "ft", "onsite", "phone", 100.0);
    for d in 0..14 {
        t = t.need("phone", d, "09:00", 1);
    }
    t.requests.push(request.into());
    t.contracts = t
        .contracts
        .replace("max_consecutive_days = 7", "max_consecutive_days = 14");
    t.site()
}

/// Shifts of the plan in each of the two weeks.
fn per_week(plan: &shiftwise::plan::Plan) -> Vec<usize> {
    (0..2)
        .map(|w| plan.roster.shifts.iter().filter(|s| s.day / 7 == w).count())
        .collect()
}

#[test]
fn a_max_shifts_request_caps_each_week_of_the_horizon() {
    // A asks for at most 2 shifts a week.
    // Hard: two in each week, four in all (a cap over the horizon would allow two).
    let hard = need_every_day("A,max_shifts,,,,,hard,,2,");
    let plan = solve_all(&hard);
    assert_eq!(per_week(&plan), vec![2, 2]);
    // Soft and cheaper than the shortfall: A works every day, two weeks over their cap,
    // five shifts too many in each, priced per shift above it.
    let soft = need_every_day("A,max_shifts,,,,,soft,1,2,");
    let plan = solve_all(&soft);
    assert_eq!(per_week(&plan), vec![7, 7]);
    let o = &plan.requests[0];
    assert_eq!(o.status, RequestStatus::Denied, "{}", o.detail);
    assert!((o.penalty - 10.0).abs() < 1e-9, "{}", o.penalty);
    assert!(
        o.detail
            .contains("7 shifts in the busiest week for at most 2 a week (2 of 2 weeks over)"),
        "{}",
        o.detail
    );
    // That roster, checked against the hard request: one violation per week.
    let req = shiftwise::staffing::requirements(&hard);
    let v = shiftwise::verify::verify(&hard, &plan.roster, &req.agents);
    let weeks: Vec<&str> = v
        .violations
        .iter()
        .filter(|x| x.rule == "max_shifts_request")
        .map(|x| x.detail.as_str())
        .collect();
    assert_eq!(weeks.len(), 2, "{weeks:?}");
    assert!(
        weeks[0].contains("7 shifts in week 1") && weeks[1].contains("7 shifts in week 2"),
        "{weeks:?}"
    );
}

#[test]
fn a_dated_max_shifts_request_caps_only_the_week_of_its_date() {
    // Exam week: at most 2 shifts in the week holding Wednesday 2026-01-14 (the second).
    let hard = need_every_day("A,max_shifts,2026-01-14,,,,hard,,2,exams");
    let plan = solve_all(&hard);
    assert_eq!(per_week(&plan), vec![7, 2]);
    let o = &plan.requests[0];
    assert_eq!(o.status, RequestStatus::Granted, "{}", o.detail);
    assert_eq!(
        shiftwise::people::request_when(&hard.requests[0]),
        "the week of 2026-01-14"
    );
    // Soft at 1 a shift: A works every day, five shifts over in that week only.
    let soft = need_every_day("A,max_shifts,2026-01-14,,,,soft,1,2,exams");
    let plan = solve_all(&soft);
    assert_eq!(per_week(&plan), vec![7, 7]);
    let o = &plan.requests[0];
    assert_eq!(o.status, RequestStatus::Denied, "{}", o.detail);
    assert!((o.penalty - 5.0).abs() < 1e-9, "{}", o.penalty);
    assert_eq!(o.detail, "7 shifts for at most 2");
    // That roster against the hard request: one violation, in the second week.
    let req = shiftwise::staffing::requirements(&hard);
    let v = shiftwise::verify::verify(&hard, &plan.roster, &req.agents);
    let broken: Vec<&str> = v
        .violations
        .iter()
        .filter(|x| x.rule == "max_shifts_request")
        .map(|x| x.detail.as_str())
        .collect();
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(broken[0].contains("7 shifts in week 2"), "{broken:?}");
    // A date outside the horizon caps nothing (validation warns about it).
    let outside = need_every_day("A,max_shifts,2026-02-04,,,,hard,,2,exams");
    let plan = solve_all(&outside);
    assert_eq!(per_week(&plan), vec![7, 7]);
    assert_eq!(plan.requests[0].status, RequestStatus::NotApplicable);
}

#[test]
fn a_recurring_request_kept_on_some_of_its_days_is_partly_granted() {
    // Two weeks; A prefers Mondays off but alone can take the need on the second Monday
    // (working costs 200 + the request's 100, the shortfall 1000/h × 0.5 h): one of the
    // two Mondays kept.
    let mut t = Tiny::new(14)
        .agent("A", "ft", "onsite", "phone", 100.0)
        .need("phone", 7, "09:00", 1);
    t.requests.push("A,prefer_off,,mon,,,soft,100,,".into());
    let plan = solve_all(&t.site());
    let o = &plan.requests[0];
    assert_eq!(o.status, RequestStatus::Partly, "{}", o.detail);
    assert!((o.penalty - 100.0).abs() < 1e-9, "{}", o.penalty);
    assert_eq!(
        (plan.summary.requests.granted, plan.summary.requests.partly),
        (0, 1)
    );
}
