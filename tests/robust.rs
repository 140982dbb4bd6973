//! Robust planning (sample-average approximation) and what-if staffing.

mod common;

use common::{exact, Tiny};
use shiftwise::model::Family;
use shiftwise::plan::plan_for_requirements;
use shiftwise::staffing::requirements;

#[test]
fn planning_on_samples_hedges_where_the_mean_does_not() {
    // Five agents at 100/h; one 30-minute interval at 09:00 that needs 1 agent in one
    // forecast sample and 3 in the other (mean 2). Hand-solved, 2-hour shifts:
    // - on the mean: 2 agents, no shortfall (cost 400);
    // - on the samples: a 3rd agent costs 200 + 1.5 idle hours × 10 and 0.5 h idle in the
    //   low sample × 10 / 2, and saves half of a 1st-tier missing half hour in the high
    //   sample: 1000 × 0.5 / 2 = 250 → 3 agents.
    let mut t = Tiny::new(1);
    for id in ["A", "B", "C", "D", "E"] {
        t = t.agent(id, "ft", "onsite", "phone", 100.0);
    }
    let site = t.need("phone", 0, "09:00", 1).site();
    let base = requirements(&site);
    let mut low = base.agents.clone();
    let mut high = base.agents.clone();
    low[0][18] = 1.0;
    high[0][18] = 3.0;
    let mut mean = base.clone();
    mean.agents[0][18] = 2.0;
    let on_mean = plan_for_requirements(&site, &exact(), Family::ALL, mean.clone()).unwrap();
    assert_eq!(on_mean.roster.shifts.len(), 2);
    let mut robust = mean;
    robust.scenarios = vec![low, high];
    let hedged = plan_for_requirements(&site, &exact(), Family::ALL, robust).unwrap();
    assert_eq!(hedged.roster.shifts.len(), 3);
    // The objective is the expected penalty: labour 600 + overstaffing; no shortfall.
    let under: f64 = hedged
        .summary
        .cost(shiftwise::model::CostFamily::Understaffing);
    assert!(under.abs() < 1e-6, "{under}");
}

#[test]
fn robust_requirements_are_deterministic_and_average_their_samples() {
    use shiftwise::scenarios::robust::robust_requirements;
    use shiftwise::scenarios::{Noise, Scenario};
    let mut t = Tiny::new(1).agent("A", "ft", "onsite", "phone", 100.0);
    for h in 8..16 {
        t = t.demand("phone", 0, &format!("{h:02}:00"), 30.0, 180.0);
    }
    let site = t.site();
    let sc = Scenario::stochastic(
        "noisy",
        Noise {
            daily_cv: 0.1,
            interval_cv: 0.2,
            absenteeism: 0.0,
            absenteeism_contracts: None,
        },
    );
    let a = robust_requirements(&site, &sc, 6, 7);
    let b = robust_requirements(&site, &sc, 6, 7);
    assert_eq!(a.scenarios, b.scenarios, "same seed, same samples");
    assert_eq!(a.scenarios.len(), 6);
    let drawn = a
        .robust
        .as_ref()
        .map(|r| (r.scenario.as_str(), r.samples, r.seed));
    assert_eq!(
        drawn,
        Some(("noisy", 6, 7)),
        "what the plan's summary reports"
    );
    let c = robust_requirements(&site, &sc, 6, 8);
    assert_ne!(a.scenarios, c.scenarios, "another seed, other samples");
    for i in 0..site.grid.len() {
        let mean = a.scenarios.iter().map(|s| s[0][i]).sum::<f64>() / 6.0;
        assert!((a.agents[0][i] - mean).abs() < 1e-9);
    }
    // The samples vary where there is demand.
    let i = 16; // 08:00
    let first = a.scenarios[0][0][i];
    assert!(a.scenarios.iter().any(|s| (s[0][i] - first).abs() > 1e-9));
}

#[test]
fn what_if_finds_the_smallest_number_of_extra_people() {
    use shiftwise::scenarios::whatif::{what_if, Extra};
    use shiftwise::scenarios::Scenario;
    // One agent; two are needed at 09:00 (15 calls of 60 s: 1 agent answers 58 % within
    // 20 s, 2 answer 94 %): one extra agent is the smallest number that meets 80/20.
    let t = Tiny::new(1)
        .agent("A", "ft", "onsite", "phone", 100.0)
        .need("phone", 0, "09:00", 2);
    let site = t.site();
    let sc = Scenario::deterministic("base");
    let extra = Extra {
        contract: "ft",
        skills: None,
        counts: &[0, 1, 2],
    };
    let v = what_if(&site, &sc, &extra, &exact(), 1, 0, None).unwrap();
    let meets: Vec<bool> = v.iter().map(|x| x.meets).collect();
    assert_eq!(meets, vec![false, true, true]);
    assert_eq!(v[1].extra, 1);
    assert!(v[0].service[0].1 < v[0].service[0].2, "short without help");
    // Labour by hand: one 2-hour shift at 100/h alone, two with the extra agent, and no
    // more with a second extra (the need is two).
    let labour: Vec<f64> = v.iter().map(|x| x.labour).collect();
    assert_eq!(labour, vec![200.0, 400.0, 400.0]);
}

#[test]
fn what_if_judges_each_roster_on_the_scenarios_absenteeism() {
    use shiftwise::scenarios::whatif::{what_if, Extra};
    use shiftwise::scenarios::Scenario;
    // One agent covers the 09:00 need on the forecast itself; with half the staff off sick
    // (no other noise) the roster meets the target only when A shows up, about half the
    // samples, so its mean service level falls well below 80 %.
    let site = one_agent_needed_at_nine();
    let extra = Extra {
        contract: "ft",
        skills: None,
        counts: &[0],
    };
    let base = what_if(
        &site,
        &Scenario::deterministic("base"),
        &extra,
        &exact(),
        1,
        0,
        None,
    )
    .unwrap();
    assert!(base[0].meets, "{:?}", base[0].service);
    let sick = sick(0.5, None);
    let v = what_if(&site, &sick, &extra, &exact(), 400, 3, None).unwrap();
    let (_, level, target) = v[0].service[0];
    assert!(!v[0].meets && level < 0.7 * target, "{:?}", v[0].service);
    assert!(level > 0.2, "A is there in about half the samples: {level}");
    // The same seed gives the same figures.
    let again = what_if(&site, &sick, &extra, &exact(), 400, 3, None).unwrap();
    assert_eq!(again[0].service, v[0].service);
}

/// One full-time agent A at 100/h; the 09:00 interval needs one agent.
fn one_agent_needed_at_nine() -> shiftwise::Site {
    Tiny::new(1)
        .agent("A", "ft", "onsite", "phone", 100.0)
        .need("phone", 0, "09:00", 1)
        .site()
}

/// Two full-time agents at 100/h and two students at 60/h, all able to take the same
/// 2-hour shifts; the 09:00 interval needs 2 agents.
fn students_and_full_timers() -> shiftwise::Site {
    let mut t = Tiny::new(1);
    t.contracts.push_str(
        "[[contracts]]\nid = \"st\"\nmin_hours_per_week = 0\nmax_hours_per_week = 20\nmin_shifts_per_week = 0\nmax_shifts_per_week = 5\nmin_rest_hours = 0\nmax_consecutive_days = 7\nmin_days_off_per_week = 0\n",
    );
    t.templates = t
        .templates
        .replace("contracts = [\"ft\"]", "contracts = [\"ft\", \"st\"]");
    t.agent("F1", "ft", "onsite", "phone", 100.0)
        .agent("F2", "ft", "onsite", "phone", 100.0)
        .agent("S1", "st", "onsite", "phone", 60.0)
        .agent("S2", "st", "onsite", "phone", 60.0)
        .need("phone", 0, "09:00", 2)
        .site()
}

fn sick(absenteeism: f64, contracts: Option<Vec<usize>>) -> shiftwise::scenarios::Scenario {
    shiftwise::scenarios::Scenario::stochastic(
        "sick",
        shiftwise::scenarios::Noise {
            daily_cv: 0.0,
            interval_cv: 0.0,
            absenteeism,
            absenteeism_contracts: contracts,
        },
    )
}

fn worked_by(plan: &shiftwise::plan::Plan, site: &shiftwise::Site) -> Vec<String> {
    let mut ids: Vec<String> = plan
        .roster
        .shifts
        .iter()
        .map(|s| site.employees[s.employee].id.clone())
        .collect();
    ids.sort();
    ids
}

#[test]
fn absenteeism_of_one_contract_lowers_only_its_agents_supply() {
    use shiftwise::scenarios::robust::attendance;
    let site = students_and_full_timers();
    let st = site.contracts.iter().position(|c| c.id == "st").unwrap();
    let only_students = attendance(&site, &sick(0.3, Some(vec![st])));
    let expected: Vec<f64> = site
        .employees
        .iter()
        .map(|e| if e.id.starts_with('S') { 0.7 } else { 1.0 })
        .collect();
    assert_eq!(only_students, expected);
    let everyone = attendance(&site, &sick(0.3, None));
    assert!(
        everyone.iter().all(|&a| (a - 0.7).abs() < 1e-12),
        "{everyone:?}"
    );
    let deterministic = attendance(
        &site,
        &shiftwise::scenarios::Scenario::deterministic("base"),
    );
    assert!(deterministic.iter().all(|&a| a == 1.0));
}

#[test]
fn a_robust_plan_hedges_against_absent_students_with_full_timers() {
    use shiftwise::scenarios::robust::robust_requirements;
    use shiftwise::verify::verify;
    // Hand-solved (2-hour shifts, the need is one 30-minute interval, first shortfall
    // tier 1000/agent-hour):
    // - on the forecast: the two students (labour 240, no shortfall);
    // - with each student shift missed half the time, a student is half an agent: two
    //   students 240 + one missing agent × 0.5 h × 1000 = 740; one of each 320 + 250 = 570;
    //   both students and a full-timer 440; the two full-timers 400 → F1 and F2.
    let site = students_and_full_timers();
    let plain = shiftwise::plan::plan(&site, &exact()).unwrap();
    assert_eq!(worked_by(&plain, &site), ["S1", "S2"]);
    let st = site.contracts.iter().position(|c| c.id == "st").unwrap();
    let req = robust_requirements(&site, &sick(0.5, Some(vec![st])), 4, 0);
    let hedged = plan_for_requirements(&site, &exact(), Family::ALL, req).unwrap();
    assert_eq!(worked_by(&hedged, &site), ["F1", "F2"]);
    let v = verify(&site, &hedged.roster, &hedged.requirements.agents).violations;
    assert!(v.is_empty(), "{v:?}");
    // Absence of every contract: everyone is half an agent, so four shifts cover the need.
    let req = robust_requirements(&site, &sick(0.5, None), 4, 0);
    let all_sick = plan_for_requirements(&site, &exact(), Family::ALL, req).unwrap();
    assert_eq!(all_sick.roster.shifts.len(), 4);
    // Idle time counts the agents expected there: 4 shifts × 2 h × ½ present less the
    // 1 agent-hour of need, at 10 an hour (absent agents are not idle ones).
    let idle: f64 = all_sick
        .summary
        .cost(shiftwise::model::CostFamily::Overstaffing);
    assert!((idle - 30.0).abs() < 1e-6, "{idle}");
}

#[test]
fn what_if_with_robust_plans_hedges_against_the_scenario() {
    use shiftwise::scenarios::whatif::{what_if, Extra};
    // A and one extra full-timer; the 09:00 need is one agent, and every shift is missed
    // half the time. Planned on the mean forecast, one shift covers the need and the queue
    // is unstaffed whenever that agent is away (about half the samples); planned robustly,
    // each agent is half an agent, so both work and the queue is empty only when both are
    // away (about a quarter).
    let site = one_agent_needed_at_nine();
    let extra = Extra {
        contract: "ft",
        skills: None,
        counts: &[1],
    };
    let sc = sick(0.5, None);
    let plain = what_if(&site, &sc, &extra, &exact(), 400, 3, None).unwrap();
    let hedged = what_if(&site, &sc, &extra, &exact(), 400, 3, Some(4)).unwrap();
    assert_eq!(plain[0].labour, 200.0, "one 2-hour shift at 100/h");
    assert_eq!(hedged[0].labour, 400.0, "both agents work");
    let (plain_level, hedged_level) = (plain[0].service[0].1, hedged[0].service[0].1);
    assert!(
        hedged_level > plain_level + 0.15,
        "{plain_level} → {hedged_level}"
    );
}

#[test]
fn expected_shortfall_pieces_price_every_allocation_as_the_samples_do() {
    use shiftwise::model::expected_shortfall_segments;
    let tiers = [1000.0, 2000.0, 4000.0];
    // Sample k short by d pays tier t for the part of d in (t, t + 1], the last open.
    let tiered = |d: f64| -> f64 {
        (0..tiers.len())
            .map(|t| {
                let part = if t + 1 == tiers.len() {
                    (d - t as f64).max(0.0)
                } else {
                    (d - t as f64).clamp(0.0, 1.0)
                };
                part * tiers[t]
            })
            .sum()
    };
    for needs in [
        vec![2.6],
        vec![1.0, 3.0],
        vec![0.4, 2.25, 5.7, 3.1, 0.0, 4.45, 2.25, 6.9],
        vec![0.3, 0.3, 0.3],
    ] {
        let pieces = expected_shortfall_segments(&needs, &tiers);
        let most = needs.iter().copied().fold(0.0, f64::max);
        let total: f64 = pieces.iter().map(|p| p.0).sum();
        assert!((total - most).abs() < 1e-9, "{needs:?}: {pieces:?}");
        let mut by_cost = pieces.clone();
        by_cost.sort_by(|a, b| a.1.total_cmp(&b.1));
        for step in 0..=140 {
            let a = most * step as f64 / 140.0;
            let direct: f64 =
                needs.iter().map(|&n| tiered((n - a).max(0.0))).sum::<f64>() / needs.len() as f64;
            // The solver's view: `most − a` of shortfall, cheapest pieces first.
            let mut left = most - a;
            let mut filled = 0.0;
            for &(width, cost) in &by_cost {
                let take = left.min(width);
                filled += take * cost;
                left -= take;
            }
            assert!(
                (direct - filled).abs() < 1e-6,
                "{needs:?} at {a}: {direct} against {filled}"
            );
        }
    }
    // One sample: the tiers themselves, the deepest bounded by the need.
    assert_eq!(
        expected_shortfall_segments(&[2.5], &tiers),
        vec![(0.5, 4000.0), (1.0, 2000.0), (1.0, 1000.0)]
    );
}
