//! The horizon rule families ([`shiftwise::domain::Rules`]), one tiny site each, written as
//! `site.toml` text: the full model keeps the rule (and `verify` agrees), the model without
//! that family breaks it (and `verify` names the rule).

mod common;

use common::{rules, solve_all, solve_with, without, Tiny};
use shiftwise::domain::ShiftRequest;
use shiftwise::model::Family;

/// Two fixed 2-hour templates, `early` (06:00) and `late` (20:00); `late_extra` is added to
/// the late template (e.g. `not_followed_by`), `contract_extra` to the contract, `cover` is
/// appended as `[[template_cover]]` tables. No queue demand: only the cover drives shifts.
fn site(days: usize, contract_extra: &str, late_extra: &str, cover: &[(usize, &str)]) -> Tiny {
    let mut t = Tiny::new(days).agent("A", "ft", "onsite", "phone", 1.0);
    t.contracts += contract_extra;
    t.templates = format!(
        "[[shift_templates]]\nid = \"early\"\nlength_hours = 2\nearliest_start = \"06:00\"\nlatest_start = \"06:00\"\nwork_mode = \"onsite\"\ncontracts = [\"ft\"]\n\
         [[shift_templates]]\nid = \"late\"\nlength_hours = 2\nearliest_start = \"20:00\"\nlatest_start = \"20:00\"\nwork_mode = \"onsite\"\ncontracts = [\"ft\"]\n{late_extra}"
    );
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(); // Tiny's Monday
    for (day, template) in cover {
        let date = start + chrono::Duration::days(*day as i64);
        t.templates += &format!(
            "[[template_cover]]\ntemplate = \"{template}\"\ndate = \"{date}\"\nrequired = 1\nunder_weight = 1000\n"
        );
    }
    t
}

fn worked_days(plan: &shiftwise::plan::Plan) -> Vec<usize> {
    let mut d: Vec<usize> = plan.roster.shifts.iter().map(|s| s.day).collect();
    d.sort_unstable();
    d
}

#[test]
fn forbidden_successions() {
    let s = site(
        2,
        "",
        "not_followed_by = [\"early\"]\n",
        &[(0, "late"), (1, "early")],
    )
    .site();
    assert_eq!(
        solve_all(&s).roster.shifts.len(),
        1,
        "late then early is forbidden"
    );
    let (plan, v) = solve_with(&s, &without(Family::ForbiddenSuccessions));
    assert_eq!(plan.roster.shifts.len(), 2);
    assert_eq!(rules(&v), vec!["forbidden_succession"]);
}

#[test]
fn succession_allowed_the_other_way_round() {
    // early then late is not forbidden: both shifts are worked.
    let s = site(
        2,
        "",
        "not_followed_by = [\"early\"]\n",
        &[(0, "early"), (1, "late")],
    )
    .site();
    assert_eq!(solve_all(&s).roster.shifts.len(), 2);
}

#[test]
fn max_shifts_per_template() {
    let s = site(
        2,
        "max_shifts_per_template = { early = 1 }\n",
        "",
        &[(0, "early"), (1, "early")],
    )
    .site();
    assert_eq!(solve_all(&s).roster.shifts.len(), 1);
    let (plan, v) = solve_with(&s, &without(Family::TemplateCaps));
    assert_eq!(plan.roster.shifts.len(), 2);
    assert_eq!(rules(&v), vec!["max_shifts_per_template"]);
}

#[test]
fn horizon_hours() {
    // Nothing to cover, but 4 paid hours are due over the horizon: two 2-hour shifts.
    let s = site(3, "min_hours_per_horizon = 4\n", "", &[]).site();
    assert_eq!(solve_all(&s).roster.shifts.len(), 2);
    let (plan, v) = solve_with(&s, &without(Family::HorizonHours));
    assert_eq!(plan.roster.shifts.len(), 0);
    assert_eq!(rules(&v), vec!["horizon_hours"]);
    // And a maximum: 2 hours over the horizon, three days of cover.
    let s = site(
        3,
        "max_hours_per_horizon = 2\n",
        "",
        &[(0, "early"), (1, "early"), (2, "early")],
    )
    .site();
    assert_eq!(solve_all(&s).roster.shifts.len(), 1);
}

#[test]
fn min_consecutive_days() {
    // Cover on day 2 of 5 only; a one-day block inside the horizon is too short.
    let s = site(5, "min_consecutive_days = 2\n", "", &[(2, "early")]).site();
    let plan = solve_all(&s);
    assert_eq!(plan.roster.shifts.len(), 2, "{:?}", worked_days(&plan));
    let (plan, v) = solve_with(&s, &without(Family::MinConsecutiveDays));
    assert_eq!(worked_days(&plan), vec![2]);
    assert_eq!(rules(&v), vec!["min_consecutive_days"]);
    // A block touching the horizon's end is exempt.
    let s = site(5, "min_consecutive_days = 2\n", "", &[(4, "early")]).site();
    assert_eq!(worked_days(&solve_all(&s)), vec![4]);
}

#[test]
fn min_consecutive_days_off() {
    // Cover on days 1 and 3 of 5: a single day off between them is too short, so day 2 is
    // worked too (cheaper than leaving a cover short).
    let s = site(
        5,
        "min_consecutive_days_off = 2\n",
        "",
        &[(1, "early"), (3, "early")],
    )
    .site();
    assert_eq!(worked_days(&solve_all(&s)), vec![1, 2, 3]);
    let (plan, v) = solve_with(&s, &without(Family::MinConsecutiveDaysOff));
    assert_eq!(worked_days(&plan), vec![1, 3]);
    assert_eq!(rules(&v), vec!["min_consecutive_days_off"]);
}

#[test]
fn max_weekends() {
    // Tiny starts on Monday 2026-01-05: days 5 and 12 are Saturdays.
    let s = site(14, "max_weekends = 1\n", "", &[(5, "early"), (12, "early")]).site();
    assert_eq!(solve_all(&s).roster.shifts.len(), 1);
    let (plan, v) = solve_with(&s, &without(Family::MaxWeekends));
    assert_eq!(worked_days(&plan), vec![5, 12]);
    assert_eq!(rules(&v), vec!["max_weekends"]);
}

#[test]
fn template_cover() {
    let s = site(1, "", "", &[(0, "late")]).site();
    let plan = solve_all(&s);
    assert_eq!(plan.roster.shifts.len(), 1);
    assert_eq!(s.templates[plan.roster.shifts[0].template].id, "late");
    let (plan, _) = solve_with(&s, &without(Family::TemplateCover));
    assert_eq!(plan.roster.shifts.len(), 0, "nothing else asks for a shift");
}

#[test]
fn template_cover_by_weekday_and_over_weight() {
    // Every Monday of two weeks wants one early shift. The first Monday's phones want a
    // second agent at 06:00: B on an early shift too would save 1000/h × 0.5 h = 500 of
    // shortfall for 2 of labour and 15 of idle time (1.5 h × 10) — worth it, unless a
    // second early shift costs the over weight of 500.
    let with_over = |over: &str| {
        let mut t = site(14, "", "", &[])
            .agent("B", "ft", "onsite", "phone", 1.0)
            .need("phone", 0, "06:00", 2);
        t.templates += &format!("[[template_cover]]\ntemplate = \"early\"\nweekday = \"mon\"\nrequired = 1\nunder_weight = 1000\n{over}");
        t.site()
    };
    let s = with_over("over_weight = 500\n");
    assert_eq!(s.rules.template_cover.len(), 2);
    assert_eq!(worked_days(&solve_all(&s)), vec![0, 7]);
    assert_eq!(worked_days(&solve_all(&with_over(""))), vec![0, 0, 7]);
}

#[test]
fn shift_requests() {
    let mut s = site(2, "", "", &[]).site();
    s.rules.shift_requests.push(ShiftRequest {
        employee: 0,
        day: 1,
        template: 1,
        work: true,
        weight: 1000.0,
    });
    let plan = solve_all(&s);
    assert_eq!(worked_days(&plan), vec![1]);
    let (plan, _) = solve_with(&s, &without(Family::ShiftRequests));
    assert!(plan.roster.shifts.is_empty());
}

#[test]
fn defaults_keep_every_rule_off() {
    let s = site(3, "", "", &[]).site();
    assert!(s.rules.template_cover.is_empty());
    assert!(s.rules.contracts.iter().all(|r| {
        r.min_minutes_per_horizon == 0
            && r.max_minutes_per_horizon.is_none()
            && r.max_shifts_per_template.is_empty()
            && r.min_consecutive_days <= 1
            && r.min_consecutive_days_off <= 1
            && r.max_weekends.is_none()
    }));
    assert!(s.rules.not_followed_by.iter().all(Vec::is_empty));
}

#[test]
fn unknown_template_in_a_rule_is_an_input_error() {
    let t = site(
        2,
        "max_shifts_per_template = { night = 1 }\n",
        "not_followed_by = [\"dawn\"]\n",
        &[],
    );
    let (a, b, c, d) = t.texts();
    let v = shiftwise::input::validate::validate_strings(&a, &b, &c, &d);
    let text: Vec<String> = v.errors.iter().map(|e| e.to_string()).collect();
    assert!(
        text.iter()
            .any(|e| e.contains("night") && e.contains("unknown shift template")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|e| e.contains("dawn") && e.contains("unknown shift template")),
        "{text:?}"
    );
}
