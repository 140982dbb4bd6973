//! Writers (atomic) and the roster reader: `roster.csv`, `coverage.csv`, `summary.json`,
//! `requirements.csv`.

pub mod html;
pub mod ics;
pub mod svg;

use std::path::Path;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::domain::calendar::format_offset;
use crate::domain::BreakKind;
use crate::domain::{ShiftMode, Site};
use crate::error::{Error, InputProblem, InputProblems};
use crate::input::write_atomic;
use crate::plan::Plan;
use crate::roster::{PlacedBreak, Roster, Shift};
use crate::staffing::Requirements;

/// Format an instant as local time with offset in `tz`: `2026-11-30T09:00+09:00`.
pub fn local_stamp(t: DateTime<Utc>, tz: Tz) -> String {
    let l = t.with_timezone(&tz);
    format!(
        "{}{}",
        l.format("%Y-%m-%dT%H:%M"),
        format_offset(crate::domain::calendar::offset_seconds(tz, t))
    )
}

/// One row of `roster.csv`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RosterRow {
    /// Employee id.
    pub employee: String,
    /// Employee name.
    pub name: String,
    /// Site-local date of the shift start.
    pub date: String,
    /// Shift template id.
    pub template: String,
    /// `remote` or `onsite`.
    pub work_mode: String,
    /// Start, site time with offset.
    pub start_site: String,
    /// End, site time with offset.
    pub end_site: String,
    /// Start in the employee's zone.
    pub start_employee: String,
    /// End in the employee's zone.
    pub end_employee: String,
    /// Employee's zone.
    pub employee_timezone: String,
    /// Paid hours.
    pub paid_hours: f64,
    /// Share of on-queue time per queue, e.g. `phone-ja 70%; chat-ja 30%`.
    pub queues: String,
}

fn csv_bytes<T: Serialize>(rows: &[T], path: &Path) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)
            .map_err(|e| Error::io(path, std::io::Error::other(e)))?;
    }
    w.into_inner()
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))
}

/// Rows of `roster.csv` for a roster.
pub fn roster_rows(site: &Site, roster: &Roster) -> Vec<RosterRow> {
    roster
        .shifts
        .iter()
        .map(|s| {
            let emp = &site.employees[s.employee];
            RosterRow {
                employee: emp.id.clone(),
                name: emp.name.clone(),
                date: site.grid.date(s.day).to_string(),
                template: site.templates[s.template].id.clone(),
                work_mode: s.mode.as_str().into(),
                start_site: local_stamp(s.start, site.tz()),
                end_site: local_stamp(s.end, site.tz()),
                start_employee: local_stamp(s.start, emp.tz),
                end_employee: local_stamp(s.end, emp.tz),
                employee_timezone: emp.tz.name().into(),
                paid_hours: f64::from(s.paid_minutes) / 60.0,
                queues: s
                    .allocation
                    .iter()
                    .map(|&(q, f)| format!("{} {:.0}%", site.queues[q].id, f * 100.0))
                    .collect::<Vec<_>>()
                    .join("; "),
            }
        })
        .collect()
}

/// One row of `coverage.csv`.
#[derive(Debug, Clone, Serialize)]
struct CoverageRow<'a> {
    interval_start: String,
    queue: &'a str,
    required: String,
    scheduled: String,
    gap: String,
}

/// `gap` as `coverage.csv` prints it to two decimals: one that rounds to nothing is 0, not
/// "-0.00".
fn rounded_gap(gap: f64) -> f64 {
    if gap.abs() < 0.005 {
        0.0
    } else {
        gap
    }
}

/// Write `roster.csv`, `coverage.csv`, `breaks.csv`, `requests-report.csv` and
/// `summary.json` into `dir`, each atomically.
pub fn write_plan(dir: &Path, site: &Site, plan: &Plan) -> Result<(), Error> {
    let p = dir.join("roster.csv");
    write_atomic(&p, &csv_bytes(&roster_rows(site, &plan.roster), &p)?)?;
    let mut rows = Vec::new();
    for (i, iv) in site.grid.intervals.iter().enumerate() {
        for (q, queue) in site.queues.iter().enumerate() {
            let c = &plan.coverage[q][i];
            rows.push(CoverageRow {
                interval_start: local_stamp(iv.start_utc, site.tz()),
                queue: &queue.id,
                required: format!("{:.2}", c.required),
                scheduled: format!("{:.2}", c.scheduled),
                gap: format!("{:.2}", rounded_gap(c.scheduled - c.required)),
            });
        }
    }
    let p = dir.join("coverage.csv");
    write_atomic(&p, &csv_bytes(&rows, &p)?)?;
    let p = dir.join("breaks.csv");
    let breaks = break_rows(site, &plan.roster);
    let bytes = if breaks.is_empty() {
        format!("{}\n", BREAK_COLUMNS.join(",")).into_bytes()
    } else {
        csv_bytes(&breaks, &p)?
    };
    write_atomic(&p, &bytes)?;
    write_requests_report(&dir.join("requests-report.csv"), site, &plan.requests)?;
    let p = dir.join("summary.json");
    let json = serde_json::to_vec_pretty(&plan.summary)
        .map_err(|e| Error::io(&p, std::io::Error::other(e)))?;
    write_atomic(&p, &json)
}

/// One row of `requirements.csv`.
#[derive(Debug, Clone, Serialize)]
struct RequirementRow<'a> {
    interval_start: String,
    queue: &'a str,
    contacts: String,
    aht_seconds: String,
    offered_load: String,
    agents_base: u32,
    agents_required: String,
    expected_service_level: String,
    deferred_due_by: String,
}

/// Write `requirements.csv` atomically.
pub fn write_requirements(path: &Path, site: &Site, req: &Requirements) -> Result<(), Error> {
    let mut rows = Vec::new();
    for (i, iv) in site.grid.intervals.iter().enumerate() {
        for (q, queue) in site.queues.iter().enumerate() {
            rows.push(RequirementRow {
                interval_start: local_stamp(iv.start_utc, site.tz()),
                queue: &queue.id,
                contacts: format!("{}", site.forecast.contacts[q][i]),
                aht_seconds: format!("{}", site.forecast.aht_seconds[q][i]),
                offered_load: format!("{:.3}", req.offered_load[q][i]),
                agents_base: req.agents_base[q][i],
                agents_required: format!("{:.2}", req.agents[q][i]),
                expected_service_level: format!("{:.4}", req.service_level[q][i]),
                deferred_due_by: req.deferred[q]
                    .as_ref()
                    .map(|d| format!("{:.3}", d.due_by[i]))
                    .unwrap_or_default(),
            });
        }
    }
    write_atomic(path, &csv_bytes(&rows, path)?)
}

/// Read a `roster.csv` back against `site`, reporting every bad row with its line.
pub fn read_roster(site: &Site, path: &Path) -> Result<Roster, Error> {
    let (mut roster, _) = read_roster_with_lines(site, path)?;
    roster.sort();
    Ok(roster)
}

/// [`read_roster`] keeping file order, with each shift's line in the file (for messages
/// about particular rows, e.g. pinned shifts).
pub fn read_roster_with_lines(site: &Site, path: &Path) -> Result<(Roster, Vec<usize>), Error> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut problems = Vec::new();
    let columns = [
        "employee",
        "name",
        "date",
        "template",
        "work_mode",
        "start_site",
        "end_site",
        "start_employee",
        "end_employee",
        "employee_timezone",
        "paid_hours",
        "queues",
    ];
    let rows: Vec<(usize, RosterRow)> =
        crate::input::parse_csv(&file, &text, &columns, &[], &mut problems);
    let mut roster = Roster::default();
    let mut lines = Vec::new();
    let roster_unreadable = rows.is_empty() && !problems.is_empty();
    // Each row's line and employee, to tell afterwards whose rows were rejected.
    let mut row_employees = Vec::new();
    for (line, r) in rows {
        let p = |field: &str, value: &str, why: &str| {
            InputProblem::new(&file, why)
                .line(line)
                .field(field)
                .value(value)
        };
        let e = site.employee_index(&r.employee);
        row_employees.push((line, e));
        if e.is_none() {
            problems.push(p("employee", &r.employee, "unknown employee"));
        }
        let t = site.templates.iter().position(|t| t.id == r.template);
        if t.is_none() {
            problems.push(p("template", &r.template, "unknown shift template"));
        }
        let mode = match r.work_mode.as_str() {
            "remote" => Some(ShiftMode::Remote),
            "onsite" => Some(ShiftMode::Onsite),
            _ => {
                problems.push(p("work_mode", &r.work_mode, "must be remote or onsite"));
                None
            }
        };
        let parse = |field: &str, s: &str, problems: &mut Vec<InputProblem>| {
            let t = parse_stamp(s);
            if t.is_none() {
                problems.push(p(
                    field,
                    s,
                    "not a time with offset like 2026-11-30T09:00+09:00",
                ));
            }
            t
        };
        let start = parse("start_site", &r.start_site, &mut problems);
        let end = parse("end_site", &r.end_site, &mut problems);
        if let (Some(e), Some(t), Some(mode), Some(start), Some(end)) = (e, t, mode, start, end) {
            if end <= start {
                problems.push(p("end_site", &r.end_site, "shift ends before it starts"));
                continue;
            }
            let local_date = start.with_timezone(&site.tz()).date_naive();
            let Some(day) = site.grid.day_of_date(local_date) else {
                let last = site.grid.date(site.grid.days.saturating_sub(1));
                problems.push(p(
                    "start_site",
                    &r.start_site,
                    &format!(
                        "outside the planning horizon ({} to {last}): a roster of another \
                         week or site?",
                        site.grid.start_date
                    ),
                ));
                continue;
            };
            let len = (end - start).num_minutes().max(0) as u32;
            let Some(allocation) = parse_allocation(site, &r.queues) else {
                problems.push(p(
                    "queues",
                    &r.queues,
                    "expected queue shares like `phone-ja 70%; chat-ja 30%` (known queue ids)",
                ));
                continue;
            };
            let shift = Shift {
                employee: e,
                day,
                template: t,
                start,
                end,
                mode,
                paid_minutes: len.saturating_sub(site.templates[t].meal_minutes),
                allocation,
                breaks: Vec::new(),
            };
            let before = problems.len();
            repeated_columns_agree(site, &shift, &r, &p, &mut problems);
            if problems.len() == before {
                lines.push(line);
                roster.shifts.push(shift);
            }
        }
    }
    // Employees with a rejected row: their breaks are not also reported as outside any
    // shift (one error per break would bury the row's own).
    let bad_lines: std::collections::HashSet<usize> =
        problems.iter().filter_map(|p| p.line).collect();
    let rejected: std::collections::HashSet<usize> = row_employees
        .into_iter()
        .filter(|(line, _)| bad_lines.contains(line))
        .filter_map(|(_, e)| e)
        .collect();
    // Breaks: `breaks.csv` beside the roster, when present.
    let breaks_path = path.with_file_name("breaks.csv");
    if breaks_path.exists() {
        let bfile = breaks_path.display().to_string();
        let text = std::fs::read_to_string(&breaks_path).map_err(|e| Error::io(&breaks_path, e))?;
        let rows: Vec<(usize, BreakRow)> =
            crate::input::parse_csv(&bfile, &text, BREAK_COLUMNS, &[], &mut problems);
        for (line, r) in rows {
            let p = |field: &str, value: &str, why: &str| {
                InputProblem::new(&bfile, why)
                    .line(line)
                    .field(field)
                    .value(value)
            };
            let kind = match r.kind.as_str() {
                "meal" => BreakKind::Meal,
                "mindfulness" => BreakKind::Mindfulness,
                other => {
                    problems.push(p("kind", other, "must be meal or mindfulness"));
                    continue;
                }
            };
            let (Some(start), Some(end)) = (parse_stamp(&r.start_site), parse_stamp(&r.end_site))
            else {
                problems.push(p(
                    "start_site",
                    &r.start_site,
                    "not a time with offset like 2026-11-30T12:00+09:00",
                ));
                continue;
            };
            if end <= start {
                problems.push(p("end_site", &r.end_site, "break ends before it starts"));
                continue;
            }
            let e = site.employee_index(&r.employee);
            if roster_unreadable || e.is_some_and(|e| rejected.contains(&e)) {
                continue;
            }
            match roster
                .shifts
                .iter_mut()
                .find(|s| Some(s.employee) == e && s.start <= start && start < s.end)
            {
                Some(shift) => shift.breaks.push(PlacedBreak { kind, start, end }),
                None => problems.push(p(
                    "start_site",
                    &r.start_site,
                    "no shift of this employee contains this break",
                )),
            }
        }
        roster
            .shifts
            .iter_mut()
            .for_each(|s| s.breaks.sort_by_key(|b| b.start));
    }
    if !problems.is_empty() {
        return Err(Error::Input(InputProblems(problems)));
    }
    Ok((roster, lines))
}

/// The `queues` column of `roster.csv` (`phone-ja 70%; chat-ja 30%`, empty for leads) as
/// (queue index, share) pairs; `None` if a part is not `<queue id> <percent>%`.
fn parse_allocation(site: &Site, text: &str) -> Option<Vec<(usize, f64)>> {
    text.split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (id, pct) = part.rsplit_once(' ')?;
            let q = site.queue_index(id.trim())?;
            let share: f64 = pct.trim().strip_suffix('%')?.trim().parse().ok()?;
            (share.is_finite() && (0.0..=100.0).contains(&share)).then_some((q, share / 100.0))
        })
        .collect()
}

/// Columns of `breaks.csv`.
pub const BREAK_COLUMNS: &[&str] = &[
    "employee",
    "date",
    "kind",
    "start_site",
    "end_site",
    "start_employee",
    "end_employee",
];

/// One row of `breaks.csv`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BreakRow {
    /// Employee id.
    pub employee: String,
    /// Site-local date of the shift.
    pub date: String,
    /// `meal` or `mindfulness`.
    pub kind: String,
    /// Start, site time with offset.
    pub start_site: String,
    /// End, site time with offset.
    pub end_site: String,
    /// Start in the employee's zone.
    pub start_employee: String,
    /// End in the employee's zone.
    pub end_employee: String,
}

/// Rows of `breaks.csv` for a roster.
pub fn break_rows(site: &Site, roster: &Roster) -> Vec<BreakRow> {
    let mut rows = Vec::new();
    for s in &roster.shifts {
        let emp = &site.employees[s.employee];
        for b in &s.breaks {
            rows.push(BreakRow {
                employee: emp.id.clone(),
                date: site.grid.date(s.day).to_string(),
                kind: b.kind.as_str().into(),
                start_site: local_stamp(b.start, site.tz()),
                end_site: local_stamp(b.end, site.tz()),
                start_employee: local_stamp(b.start, emp.tz),
                end_employee: local_stamp(b.end, emp.tz),
            });
        }
    }
    rows
}

/// Parse `2026-11-30T09:00+09:00` (or full RFC 3339) into UTC.
fn parse_stamp(s: &str) -> Option<DateTime<Utc>> {
    parse_stamp_with_offset(s).map(|t| t.with_timezone(&Utc))
}

/// A time with its offset as written, like `2026-11-30T09:00+09:00`.
fn parse_stamp_with_offset(s: &str) -> Option<DateTime<chrono::FixedOffset>> {
    DateTime::parse_from_str(&format!("{s}:00"), "%Y-%m-%dT%H:%M%:z:%S")
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .ok()
}

/// Whether `text` writes `date`: ISO `2026-11-30`, or as a spreadsheet saving the file in
/// its locale may (`2026/11/30`, `11/30/2026`, `30/11/2026`, `30.11.2026`); any reading that
/// gives the date will do, the column being only a repetition of the shift's start.
fn same_date(text: &str, date: chrono::NaiveDate) -> bool {
    ["%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y"]
        .iter()
        .any(|f| chrono::NaiveDate::parse_from_str(text, f) == Ok(date))
}

/// Check the columns a `roster.csv` row repeats from its shift — the employee's name and
/// time zone, the site date, the offsets, the times in the employee's zone, the paid hours
/// and the queue shares — against the shift itself, pushing one problem per column that
/// disagrees (a hand edit there would change nothing the tools compute, so the row would
/// not be what it says).
fn repeated_columns_agree(
    site: &Site,
    shift: &Shift,
    r: &RosterRow,
    p: &dyn Fn(&str, &str, &str) -> InputProblem,
    problems: &mut Vec<InputProblem>,
) {
    let emp = &site.employees[shift.employee];
    if r.name.trim() != emp.name {
        problems.push(p(
            "name",
            &r.name,
            &format!("employee {} is {} in employees.csv", emp.id, emp.name),
        ));
    }
    let date = site.grid.date(shift.day);
    if !same_date(r.date.trim(), date) {
        problems.push(p(
            "date",
            &r.date,
            &format!("the shift starts on {date} in site time"),
        ));
    }
    if r.employee_timezone.trim() != emp.tz.name() {
        problems.push(p(
            "employee_timezone",
            &r.employee_timezone,
            &format!("{}'s time zone is {}", emp.id, emp.tz.name()),
        ));
    }
    for (field, text, at, tz, whose) in [
        (
            "start_site",
            &r.start_site,
            shift.start,
            site.tz(),
            "the site's",
        ),
        ("end_site", &r.end_site, shift.end, site.tz(), "the site's"),
        (
            "start_employee",
            &r.start_employee,
            shift.start,
            emp.tz,
            "the employee's",
        ),
        (
            "end_employee",
            &r.end_employee,
            shift.end,
            emp.tz,
            "the employee's",
        ),
    ] {
        let want = local_stamp(at, tz);
        let offset = crate::domain::calendar::offset_seconds(tz, at);
        let agrees = parse_stamp_with_offset(text)
            .is_some_and(|t| t == at && t.offset().local_minus_utc() == offset);
        if !agrees {
            problems.push(p(
                field,
                text,
                &format!("should be {want}, the shift's time in {whose} zone"),
            ));
        }
    }
    let paid = f64::from(shift.paid_minutes) / 60.0;
    if r.paid_hours.is_nan() || (r.paid_hours - paid).abs() > 0.01 {
        problems.push(p(
            "paid_hours",
            &r.paid_hours.to_string(),
            &format!("the shift is paid {paid} h (its length less the template's meal)"),
        ));
    }
    if let Some(&(q, _)) = shift
        .allocation
        .iter()
        .find(|(q, _)| !emp.skills.contains(q))
    {
        problems.push(p(
            "queues",
            &r.queues,
            &format!("{} is not skilled for {}", emp.id, site.queues[q].id),
        ));
    }
    // Whole percents, shares under 0.5 % left out: a few points either way.
    let total: f64 = shift.allocation.iter().map(|(_, s)| s).sum();
    if !shift.allocation.is_empty() && (total - 1.0).abs() > 0.03 {
        problems.push(p(
            "queues",
            &r.queues,
            &format!("the shares add up to {:.0}%, not 100%", total * 100.0),
        ));
    }
}

/// One row of `requests-report.csv`.
#[derive(Debug, Clone, Serialize)]
struct RequestRow<'a> {
    line: usize,
    employee: &'a str,
    kind: String,
    when: String,
    strength: &'static str,
    weight: String,
    status: &'static str,
    detail: &'a str,
    penalty: String,
    cost_to_grant: String,
    reason: &'a str,
    note: &'a str,
}

/// Write `requests-report.csv` atomically: every request in file order with its status
/// (granted / partly / denied / not_applicable), what was counted, the penalty it adds,
/// the cost of granting it and, for denied soft requests, the reason in plain words.
pub fn write_requests_report(
    path: &Path,
    site: &Site,
    outcomes: &[crate::people::RequestOutcome],
) -> Result<(), Error> {
    use crate::domain::RequestKind;
    let rows: Vec<RequestRow> = outcomes
        .iter()
        .map(|o| {
            let r = &site.requests[o.request];
            let kind = match r.kind {
                RequestKind::Unavailable => "unavailable".to_string(),
                RequestKind::PreferOff => "prefer_off".into(),
                RequestKind::PreferWork => "prefer_work".into(),
                RequestKind::PreferMode(m) => format!("prefer_mode {}", m.as_str()),
                RequestKind::MaxShifts(n) => format!("max_shifts {n}"),
            };
            RequestRow {
                line: r.line,
                employee: &site.employees[r.employee].id,
                kind,
                when: crate::people::request_when(r),
                strength: if r.hard { "hard" } else { "soft" },
                weight: if r.hard {
                    String::new()
                } else {
                    format!("{}", r.weight)
                },
                status: o.status.as_str(),
                detail: &o.detail,
                penalty: format!("{:.0}", o.penalty),
                cost_to_grant: o
                    .cost_to_grant
                    .map(|c| format!("{c:.0}"))
                    .unwrap_or_default(),
                reason: &o.reason,
                note: &r.note,
            }
        })
        .collect();
    let bytes = if rows.is_empty() {
        b"line,employee,kind,when,strength,weight,status,detail,penalty,cost_to_grant,reason,note\n"
            .to_vec()
    } else {
        csv_bytes(&rows, path)?
    };
    write_atomic(path, &bytes)
}

/// Write `changes.csv` atomically: one row per employee-day whose shift changed
/// (`employee,date,change,before,after`), for notifying exactly those people.
pub fn write_changes(path: &Path, changes: &[crate::living::Change]) -> Result<(), Error> {
    let bytes = if changes.is_empty() {
        b"employee,date,change,before,after\n".to_vec()
    } else {
        csv_bytes(changes, path)?
    };
    write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_roster_date_may_be_written_as_a_spreadsheet_writes_it() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        for ok in [
            "2026-11-03",
            "2026/11/03",
            "11/3/2026",
            "3/11/2026",
            "03.11.2026",
        ] {
            assert!(super::same_date(ok, d), "{ok}");
        }
        for bad in ["2026-11-04", "11/4/2026", "2026-03-11x", "", "yesterday"] {
            assert!(!super::same_date(bad, d), "{bad}");
        }
    }

    #[test]
    fn a_gap_that_rounds_to_nothing_prints_as_zero() {
        let show = |g: f64| format!("{:.2}", super::rounded_gap(g));
        assert_eq!(show(-0.001), "0.00");
        assert_eq!(show(-0.0), "0.00");
        assert_eq!(show(-0.006), "-0.01");
        assert_eq!(show(0.25), "0.25");
    }
}
