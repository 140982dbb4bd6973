//! Breaks: placed inside shifts by the optimizer, away from peaks, checked by `verify`.

mod common;

use common::{exact, solve_all, Tiny};
use shiftwise::domain::BreakKind;
use shiftwise::model::Builder;
use shiftwise::solve::{solve, solve_relaxation, SolveStatus};
use shiftwise::staffing::requirements;
use shiftwise::verify::verify;

fn hhmm(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%H:%M").to_string()
}

/// Each shift's first break start, `HH:MM`, sorted.
fn first_break_starts(plan: &shiftwise::plan::Plan) -> Vec<String> {
    let mut starts: Vec<String> = plan
        .roster
        .shifts
        .iter()
        .map(|s| hhmm(s.breaks[0].start))
        .collect();
    starts.sort();
    starts
}

/// One 3-hour shift at 08:00 with one 30-minute break 60–90 min in: starts 09:00 or 09:30.
fn three_hour_site() -> Tiny {
    let mut t = Tiny::new(1)
        .agent("A", "ft", "onsite", "phone", 100.0)
        .agent("B", "ft", "onsite", "phone", 100.0);
    t.templates = "[[shift_templates]]\nid = \"three\"\nlength_hours = 3\nearliest_start = \"08:00\"\nlatest_start = \"08:00\"\nwork_mode = \"onsite\"\ncontracts = [\"ft\"]\n\n[[break_rules]]\nmin_shift_hours = 3\nmindfulness_breaks = 1\nmindfulness_minutes = 30\nedge_minutes = 60\nmin_gap_minutes = 60\n".into();
    for hh in ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30"] {
        t = t.need("phone", 0, hh, 1);
    }
    t
}

#[test]
fn two_agents_stagger_their_only_possible_breaks() {
    let site = three_hour_site().site();
    let plan = solve_all(&site);
    assert_eq!(
        plan.roster.shifts.len(),
        2,
        "one agent alone would leave the queue empty during the break"
    );
    let mut starts: Vec<String> = plan
        .roster
        .shifts
        .iter()
        .map(|s| {
            assert_eq!(s.breaks.len(), 1);
            assert_eq!(s.breaks[0].kind, BreakKind::Mindfulness);
            hhmm(s.breaks[0].start)
        })
        .collect();
    starts.sort();
    assert_eq!(
        starts,
        vec!["09:00", "09:30"],
        "the only placements that keep one agent on the phone"
    );
    assert_eq!(plan.summary.understaffed_intervals, 0);
    let check = verify(&site, &plan.roster, &plan.requirements.agents);
    assert!(check.violations.is_empty(), "{:?}", check.violations);
    assert!(
        check.understaffed_agent_hours < 1e-9,
        "coverage net of breaks is complete"
    );
}

#[test]
fn verify_catches_a_break_outside_its_window_and_missing_breaks() {
    let site = three_hour_site().site();
    let plan = solve_all(&site);
    let mut bad = plan.roster.clone();
    let s = &mut bad.shifts[0];
    s.breaks[0].start = s.start + chrono::Duration::minutes(30);
    s.breaks[0].end = s.breaks[0].start + chrono::Duration::minutes(30);
    let v = verify(&site, &bad, &plan.requirements.agents).violations;
    assert!(
        v.iter()
            .all(|x| x.rule == "breaks" && x.employee == site.employees[bad.shifts[0].employee].id),
        "{v:?}"
    );
    assert!(
        v.iter().any(|x| x.detail.contains("outside its window")),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|x| x.detail.contains("within 60 min of the shift's start")),
        "{v:?}"
    );
    let mut none = plan.roster.clone();
    none.shifts[1].breaks.clear();
    let v = verify(&site, &none, &plan.requirements.agents).violations;
    assert!(
        v.iter()
            .any(|x| x.rule == "breaks" && x.detail.contains("needs 1")),
        "{v:?}"
    );
}

#[test]
fn lunches_move_away_from_a_noon_spike() {
    let mut t = Tiny::new(1);
    for id in ["A", "B", "C", "D"] {
        t = t.agent(id, "ft", "onsite", "phone", 100.0);
    }
    t.templates = "[[shift_templates]]\nid = \"day\"\nlength_hours = 9\nearliest_start = \"08:00\"\nlatest_start = \"08:00\"\nwork_mode = \"onsite\"\ncontracts = [\"ft\"]\nmeal_minutes = 60\n\n[[break_rules]]\nmin_shift_hours = 7\nmeal_minutes = 60\nmeal_earliest_hours = 3\nmeal_latest_hours = 5\nedge_minutes = 60\n".into();
    // Two agents needed all day, four at the 12:00–13:00 spike.
    for slot in 16..34 {
        let hh = format!("{:02}:{:02}", slot / 2, (slot % 2) * 30);
        t = if hh == "12:00" || hh == "12:30" {
            t.demand("phone", 0, &hh, 60.0, 60.0)
        } else {
            t.need("phone", 0, &hh, 2)
        };
    }
    let site = t.site();
    let req = requirements(&site);
    assert!(
        req.agents[0][24] >= 3.0 && req.agents[0][25] >= 3.0,
        "the spike needs more than two agents"
    );
    let plan = solve_all(&site);
    assert_eq!(plan.roster.shifts.len(), 4);
    let noon = site.grid.intervals[24].start_utc;
    for s in &plan.roster.shifts {
        assert_eq!(s.breaks.len(), 1);
        let meal = s.breaks[0];
        assert!(
            meal.end <= noon || meal.start >= noon + chrono::Duration::hours(1),
            "meal {}–{} hits the spike",
            hhmm(meal.start),
            hhmm(meal.end)
        );
    }
    let optimized = verify(&site, &plan.roster, &plan.requirements.agents);
    assert!(optimized.violations.is_empty());
    // Mid-window lunches (12:00) all fall in the spike: the optimized placement is better.
    let fixed = verify(
        &site,
        &plan.roster.with_mid_window_breaks(&site),
        &plan.requirements.agents,
    );
    assert!(fixed.violations.is_empty(), "{:?}", fixed.violations);
    assert!(
        fixed.understaffed_agent_hours > optimized.understaffed_agent_hours + 1.0,
        "{} vs {}",
        fixed.understaffed_agent_hours,
        optimized.understaffed_agent_hours
    );
}

#[test]
fn stagger_rule_limits_how_many_are_on_break_at_once() {
    // Three identical agents with an hour's lunch starting 11:00–13:00 and demand for one
    // agent all day: with a 34 % share at most one person is at lunch, so the lunches must
    // be 11:00, 12:00 and 13:00 (a fourth agent would not fit: the rule then is infeasible).
    let mut t = Tiny::new(1);
    for id in ["A", "B", "C"] {
        t = t.agent(id, "min", "onsite", "phone", 100.0);
    }
    t.contracts = "[[contracts]]\nid = \"min\"\nmin_hours_per_week = 1\nmax_hours_per_week = 60\nmax_shifts_per_week = 7\nmin_rest_hours = 0\nmax_consecutive_days = 7\nmin_days_off_per_week = 0\n".into();
    t.templates = "[[shift_templates]]\nid = \"day\"\nlength_hours = 9\nearliest_start = \"08:00\"\nlatest_start = \"08:00\"\nwork_mode = \"onsite\"\ncontracts = [\"min\"]\nmeal_minutes = 60\n\n[[break_rules]]\nmin_shift_hours = 7\nmeal_minutes = 60\nmeal_earliest_hours = 3\nmeal_latest_hours = 5\n".into();
    t.header += "max_on_break_share = 0.34\n";
    for slot in 16..34 {
        t = t.need(
            "phone",
            0,
            &format!("{:02}:{:02}", slot / 2, (slot % 2) * 30),
            1,
        );
    }
    let site = t.site();
    let plan = solve_all(&site);
    assert_eq!(
        plan.roster.shifts.len(),
        3,
        "every agent has a minimum to work"
    );
    assert_eq!(first_break_starts(&plan), vec!["11:00", "12:00", "13:00"]);
    for i in 0..site.grid.len() {
        let iv = site.grid.intervals[i].start_utc;
        let at_lunch = plan
            .roster
            .shifts
            .iter()
            .filter(|s| s.breaks.iter().any(|b| b.start <= iv && iv < b.end))
            .count();
        assert!(at_lunch <= 1, "{at_lunch} at lunch at {}", hhmm(iv));
    }
    // verify enforces the rule independently: bunch two lunches together.
    let mut bunched = plan.roster.clone();
    let first = bunched.shifts[0].breaks[0];
    let second = &mut bunched.shifts[1].breaks[0];
    second.start = first.start;
    second.end = first.end;
    let v = verify(&site, &bunched, &plan.requirements.agents).violations;
    assert!(v.iter().any(|x| x.rule == "stagger"), "{v:?}");
}

/// A site with breaks just large enough for the neighbourhood search (over
/// `SEARCH_THRESHOLD_WITH_BREAKS` candidates) whose full MILP HiGHS proves quickly: once the
/// LP bound is in, the full MILP runs on the bound's core, so the plan ends proven optimal
/// (the relaxation alone stays below the optimum: breaks must fall on whole intervals).
#[test]
fn the_full_milp_beside_the_search_proves_a_small_site_with_breaks() {
    let t = meal_site(5, 12, 30, 14..44, [20..26, 34..38], (70.0, 35.0));
    let site = t.site();
    let n_cands = shiftwise::model::candidate_shifts(&site).len();
    assert!(
        n_cands > shiftwise::plan::SEARCH_THRESHOLD_WITH_BREAKS,
        "{n_cands} candidates: the search must run"
    );
    let plan = solve_all(&site);
    let search = plan
        .summary
        .search
        .as_ref()
        .expect("planned by the search path");
    // The searched roster went through the descent with every break placed.
    let placed = search.placed.expect("the descent with breaks placed ran");
    assert!(placed.end <= placed.start + 1e-6 * placed.start.abs());
    // Oracle: the same model solved directly by HiGHS to optimality.
    let req = requirements(&site);
    let model = || {
        let mut b = Builder::new(
            &site,
            &req,
            shiftwise::model::candidate_shifts(&site),
            false,
        );
        b.build_all();
        std::mem::take(&mut b.lm)
    };
    let relaxation = solve_relaxation(model(), &exact()).unwrap().objective;
    let optimum = solve(model(), &exact()).unwrap();
    assert_eq!(optimum.status, SolveStatus::Optimal);
    assert!(
        relaxation < optimum.objective * (1.0 - 1e-3),
        "the relaxation {relaxation} must not prove the optimum {} by itself",
        optimum.objective
    );
    let s = &plan.summary;
    assert!(
        (s.objective - optimum.objective).abs() <= 1e-6 * optimum.objective,
        "plan {} vs optimum {}",
        s.objective,
        optimum.objective
    );
    assert_eq!(
        s.status,
        SolveStatus::Optimal,
        "bound {} gap {}",
        s.bound,
        s.gap
    );
    assert!(s.bound <= optimum.objective + 1e-6 * optimum.objective);
}

/// `agents` agents on 9-hour shifts starting 06:00–15:00 every `step` minutes with a
/// one-hour meal 3–5 h in, over `days` days; demand in `slots` (half-hours of the day) of
/// `levels.0` contacts in the two `peaks`, `levels.1` elsewhere.
fn meal_site(
    days: usize,
    agents: u32,
    step: u32,
    slots: std::ops::Range<u32>,
    peaks: [std::ops::Range<u32>; 2],
    levels: (f64, f64),
) -> Tiny {
    let mut t = Tiny::new(days);
    for k in 0..agents {
        t = t.agent(
            &format!("A{k:02}"),
            "ft",
            "onsite",
            "phone",
            100.0 + f64::from(k),
        );
    }
    t.templates = format!("[[shift_templates]]\nid = \"day\"\nlength_hours = 9\nearliest_start = \"06:00\"\nlatest_start = \"15:00\"\nstart_step_minutes = {step}\nwork_mode = \"onsite\"\ncontracts = [\"ft\"]\nmeal_minutes = 60\n\n[[break_rules]]\nmin_shift_hours = 7\nmeal_minutes = 60\nmeal_earliest_hours = 3\nmeal_latest_hours = 5\nedge_minutes = 60\n");
    for day in 0..days {
        for slot in slots.clone() {
            let hh = format!("{:02}:{:02}", slot / 2, (slot % 2) * 30);
            let peak = peaks.iter().any(|p| p.contains(&slot));
            t = t.demand(
                "phone",
                day,
                &hh,
                if peak { levels.0 } else { levels.1 },
                60.0,
            );
        }
    }
    t
}

/// Two days, six agents starting on the hour, a morning and an evening peak: enough
/// freedom for a poor roster to be far from the best.
fn two_day_peaks() -> Tiny {
    meal_site(2, 6, 60, 14..46, [18..22, 36..42], (60.0, 25.0))
}

/// The exact model (breaks placed) over `chosen` candidates, every one fixed on, solved.
fn priced<'a>(
    site: &'a shiftwise::Site,
    req: &'a shiftwise::staffing::Requirements,
    cands: &[shiftwise::model::Candidate],
    chosen: &[usize],
) -> shiftwise::model::days::Priced<'a> {
    let sub: Vec<_> = chosen.iter().map(|&c| cands[c].clone()).collect();
    let n = sub.len();
    let mut b = Builder::restricted(site, req, sub, vec![true; n], false, true);
    b.build_all();
    let out = solve(std::mem::take(&mut b.lm), &exact()).unwrap();
    assert_eq!(out.status, SolveStatus::Optimal);
    shiftwise::model::days::Priced {
        selected: chosen.to_vec(),
        model: b,
        outcome: out,
    }
}

#[test]
fn day_neighbourhoods_take_a_poor_roster_to_the_optimum() {
    let site = two_day_peaks().site();
    let req = requirements(&site);
    let cands = shiftwise::model::candidate_shifts(&site);
    // Everybody on the earliest shift of both days: the evening peak is left uncovered.
    let earliest = |e: usize, d: usize| {
        (0..cands.len())
            .filter(|&c| cands[c].employee == e && cands[c].day == d)
            .min_by_key(|&c| cands[c].start)
            .unwrap()
    };
    let poor: Vec<usize> = (0..6)
        .flat_map(|e| (0..2).map(move |d| (e, d)))
        .map(|(e, d)| earliest(e, d))
        .collect();
    let start = priced(&site, &req, &cands, &poor);
    let before = start.outcome.objective;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let (best, stats) = shiftwise::model::days::improve_by_days(
        &site,
        &req,
        &cands,
        shiftwise::model::Family::ALL,
        start,
        deadline,
        &exact(),
        false,
    )
    .unwrap();
    // Oracle: the full model solved by HiGHS.
    let mut full = Builder::new(&site, &req, cands.clone(), false);
    full.build_all();
    let optimum = solve(std::mem::take(&mut full.lm), &exact()).unwrap();
    assert_eq!(optimum.status, SolveStatus::Optimal);
    let got = best.outcome.objective;
    assert!(
        got < before - 1.0,
        "{got} against the poor roster's {before}"
    );
    assert!(
        (got - optimum.objective).abs() <= 1e-6 * optimum.objective,
        "days {got} vs optimum {}",
        optimum.objective
    );
    assert_eq!((stats.start, stats.end), (before, got));
    assert!(stats.improvements >= 1 && stats.subproblems > stats.improvements);
    assert!(
        stats.converged,
        "two days, a minute: a whole round ends it, not the deadline"
    );
    // The result is a roster of the site's candidates, one shift per agent and day.
    let mut cells: Vec<(usize, usize)> = best
        .selected
        .iter()
        .map(|&c| (cands[c].employee, cands[c].day))
        .collect();
    cells.sort_unstable();
    cells.dedup();
    assert_eq!(cells.len(), best.selected.len());
}

#[test]
fn a_start_keeps_its_break_counts_so_a_stopped_sub_milp_keeps_the_incumbent() {
    let site = two_day_peaks().site();
    let req = requirements(&site);
    let cands = shiftwise::model::candidate_shifts(&site);
    let mut full = Builder::new(&site, &req, cands.clone(), false);
    full.build_all();
    let best = solve(std::mem::take(&mut full.lm), &exact()).unwrap();
    let counts = full.break_counts(&best);
    assert!(counts.values().any(|&v| v >= 1.0), "some meal is placed");
    // The same model again, started from that roster, stopped before any node: it keeps
    // the start — only if the start carries the break counts.
    let run = |with_breaks: bool| {
        let mut b = Builder::new(&site, &req, cands.clone(), false);
        b.build_all();
        let mut start: Vec<_> = (0..cands.len())
            .map(|c| (b.x[c], best.value(full.x[c]).round()))
            .collect();
        if with_breaks {
            start.extend(b.break_start(&counts));
        }
        b.lm.set_start(start);
        let opts = shiftwise::solve::SolveOptions {
            max_nodes: Some(0),
            ..exact()
        };
        solve(std::mem::take(&mut b.lm), &opts).unwrap()
    };
    let kept = run(true);
    assert!(kept.status.has_solution());
    assert!(
        kept.objective <= best.objective + 1e-6 * best.objective,
        "{} vs {}",
        kept.objective,
        best.objective
    );
    let lost = run(false);
    assert!(
        !lost.status.has_solution() || lost.objective > best.objective + 1e-6 * best.objective,
        "without its break counts the start is rejected (got {:?} {})",
        lost.status,
        lost.objective
    );
}

#[test]
fn a_robust_plan_keeps_the_stagger_rule_across_contracts_of_one_team() {
    // The stagger site with C on another contract whose shifts are missed half the time
    // (robust planning splits C into a group of its own), and two agents wanted 12:00–14:00
    // so that lunches would rather bunch at 11:00. A team is a skill set and mode whatever
    // the contracts: at most one of the three at lunch, so 11:00, 12:00 and 13:00 again.
    let mut t = Tiny::new(1);
    for (id, contract) in [("A", "min"), ("B", "min"), ("C", "st")] {
        t = t.agent(id, contract, "onsite", "phone", 100.0);
    }
    let contract = |id: &str| {
        format!("[[contracts]]\nid = \"{id}\"\nmin_hours_per_week = 1\nmax_hours_per_week = 60\nmax_shifts_per_week = 7\nmin_rest_hours = 0\nmax_consecutive_days = 7\nmin_days_off_per_week = 0\n")
    };
    t.contracts = format!("{}\n{}", contract("min"), contract("st"));
    t.templates = "[[shift_templates]]\nid = \"day\"\nlength_hours = 9\nearliest_start = \"08:00\"\nlatest_start = \"08:00\"\nwork_mode = \"onsite\"\ncontracts = [\"min\", \"st\"]\nmeal_minutes = 60\n\n[[break_rules]]\nmin_shift_hours = 7\nmeal_minutes = 60\nmeal_earliest_hours = 3\nmeal_latest_hours = 5\n".into();
    t.header += "max_on_break_share = 0.34\n";
    for slot in 16..34 {
        let agents = if (24..28).contains(&slot) { 2 } else { 1 };
        t = t.need(
            "phone",
            0,
            &format!("{:02}:{:02}", slot / 2, (slot % 2) * 30),
            agents,
        );
    }
    let site = t.site();
    let st = site.contracts.iter().position(|c| c.id == "st").unwrap();
    let sick = shiftwise::scenarios::Scenario::stochastic(
        "sick",
        shiftwise::scenarios::Noise {
            daily_cv: 0.0,
            interval_cv: 0.0,
            absenteeism: 0.5,
            absenteeism_contracts: Some(vec![st]),
        },
    );
    let req = shiftwise::scenarios::robust::robust_requirements(&site, &sick, 1, 0);
    let plan =
        shiftwise::plan::plan_for_requirements(&site, &exact(), shiftwise::model::Family::ALL, req)
            .unwrap();
    let v = verify(&site, &plan.roster, &plan.requirements.agents).violations;
    assert!(v.is_empty(), "{v:?}");
    assert_eq!(first_break_starts(&plan), vec!["11:00", "12:00", "13:00"]);
}
