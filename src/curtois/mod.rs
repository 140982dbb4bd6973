//! The Shift Scheduling Benchmark of Curtois & Qu (schedulingbenchmarks.org), solved with
//! shiftwise's own rostering model.
//!
//! [`parse`] reads an instance file (every problem reported as `file:line: what is wrong`),
//! [`to_site`] maps it to a [`Site`]: a UTC site starting on a Monday with one-day
//! intervals, one contract per staff member, one fixed-start template per shift type
//! (starting 00:00, so a day's shift never reaches the next day), days off as hard
//! unavailability, and the benchmark's rules as the product's rule families
//! ([`crate::domain::Rules`]). Costs other than cover and requests are zero, so the
//! model's objective is the benchmark's. [`solve`] runs the model (see [`search`]) and
//! [`write_solution`] writes `employee,day,shift` rows.

pub mod branch;
pub mod colgen;
pub mod descent;
pub mod planted;
pub mod pricing;
pub mod search;

use std::collections::HashMap;
use std::path::Path;

use chrono::{NaiveDate, NaiveTime, Weekday};

use crate::domain::{
    Contract, ContractRules, Employee, Fairness, Forecast, Penalties, Request, RequestDay,
    RequestKind, Role, Rules, ShiftMode, ShiftRequest, ShiftTemplate, Site, TemplateCover,
    TimeGrid, WorkMode,
};
use crate::error::InputProblem;
use crate::Error;

pub use search::{lns_workers, solve, solve_with_workers, CurtoisOutcome};

/// A shift type.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftType {
    /// Id, e.g. `D`.
    pub id: String,
    /// Length in minutes.
    pub minutes: u32,
    /// Shift types (indices) that may not be worked on the day after this one.
    pub cannot_follow: Vec<usize>,
}

/// A staff member and their limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Staff {
    /// Id.
    pub id: String,
    /// Most shifts of each type over the horizon: (shift type index, cap).
    pub max_shifts: Vec<(usize, u32)>,
    /// Most minutes over the horizon.
    pub max_total_minutes: u32,
    /// Fewest minutes over the horizon.
    pub min_total_minutes: u32,
    /// Most consecutive working days.
    pub max_consecutive_shifts: u32,
    /// Shortest block of working days (not touching the horizon's ends).
    pub min_consecutive_shifts: u32,
    /// Shortest block of days off (not touching the horizon's ends).
    pub min_consecutive_days_off: u32,
    /// Most weekends worked.
    pub max_weekends: u32,
}

/// A request to work (or not) a shift on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftPreference {
    /// Staff index.
    pub staff: usize,
    /// Day.
    pub day: usize,
    /// Shift type index.
    pub shift: usize,
    /// Cost when not granted.
    pub weight: u32,
}

/// Cover of one shift type on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct Cover {
    /// Day.
    pub day: usize,
    /// Shift type index.
    pub shift: usize,
    /// Wanted number of staff.
    pub requirement: u32,
    /// Cost per staff short.
    pub under: u32,
    /// Cost per staff over.
    pub over: u32,
}

/// A parsed benchmark instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// Name (file stem).
    pub name: String,
    /// Horizon in days (day 0 is a Monday).
    pub days: usize,
    /// Shift types.
    pub shifts: Vec<ShiftType>,
    /// Staff.
    pub staff: Vec<Staff>,
    /// `days_off[s]`: days staff `s` must not work.
    pub days_off: Vec<Vec<usize>>,
    /// Shift-on requests.
    pub on_requests: Vec<ShiftPreference>,
    /// Shift-off requests.
    pub off_requests: Vec<ShiftPreference>,
    /// Cover requirements.
    pub cover: Vec<Cover>,
}

/// A solution: `assignment[s][d]` is the shift type staff `s` works on day `d`, if any.
pub type Assignment = Vec<Vec<Option<usize>>>;

/// Read and parse an instance file.
pub fn load(path: &Path) -> Result<Instance, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let file = path.display().to_string();
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::from(InputProblem::new(&file, "the file is not UTF-8 text")))?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse(&text, &file, &name)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Section {
    Horizon,
    Shifts,
    Staff,
    DaysOff,
    OnRequests,
    OffRequests,
    Cover,
}

/// Parse instance text; `file` names the file in error messages (`file:line: …`).
pub fn parse(text: &str, file: &str, name: &str) -> Result<Instance, Error> {
    let mut section: Option<Section> = None;
    // (line number, section, fields)
    let mut rows: Vec<(usize, Section, Vec<String>)> = Vec::new();
    let problem = |line: usize, reason: String| -> Error {
        Error::from(InputProblem::new(file, reason).line(line))
    };
    for (k, raw) in text.lines().enumerate() {
        let line = k + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(rest) = l.strip_prefix("SECTION_") {
            section = Some(match rest {
                "HORIZON" => Section::Horizon,
                "SHIFTS" => Section::Shifts,
                "STAFF" => Section::Staff,
                "DAYS_OFF" => Section::DaysOff,
                "SHIFT_ON_REQUESTS" => Section::OnRequests,
                "SHIFT_OFF_REQUESTS" => Section::OffRequests,
                "COVER" => Section::Cover,
                _ => return Err(problem(line, format!("unknown section {l:?}"))),
            });
            continue;
        }
        let Some(s) = section else {
            return Err(problem(
                line,
                format!("data {l:?} before any SECTION_ line"),
            ));
        };
        rows.push((
            line,
            s,
            l.split(',').map(|f| f.trim().to_string()).collect(),
        ));
    }
    let num = |line: usize, what: &str, v: &str| -> Result<u32, Error> {
        v.parse::<u32>().map_err(|_| {
            problem(
                line,
                format!("{what}: {v:?} is not a non-negative whole number"),
            )
        })
    };
    let horizon: Vec<_> = rows.iter().filter(|r| r.1 == Section::Horizon).collect();
    let days = match horizon.as_slice() {
        [(line, _, f)] if f.len() == 1 => num(*line, "horizon length", &f[0])? as usize,
        [(line, _, _)] => {
            return Err(problem(
                *line,
                "SECTION_HORIZON holds one number (the days)".into(),
            ))
        }
        [] => {
            return Err(Error::from(InputProblem::new(
                file,
                "no SECTION_HORIZON with the number of days",
            )))
        }
        [_, (line, _, _), ..] => {
            return Err(problem(
                *line,
                "SECTION_HORIZON holds one number (the days)".into(),
            ))
        }
    };
    if days == 0 || days > 3660 {
        let line = horizon[0].0;
        return Err(problem(
            line,
            format!("horizon of {days} days is out of range"),
        ));
    }
    let of = |s: Section| rows.iter().filter(move |r| r.1 == s);
    // Shifts: ids first (the "cannot follow" lists refer forward).
    let mut shift_ids: HashMap<String, usize> = HashMap::new();
    let mut shifts = Vec::new();
    for (line, _, f) in of(Section::Shifts) {
        if f.len() != 3 && f.len() != 2 {
            return Err(problem(
                *line,
                format!(
                    "a shift line has 3 fields (ID, length in minutes, shifts that cannot follow), found {}",
                    f.len()
                ),
            ));
        }
        if f[0].is_empty() || shift_ids.insert(f[0].clone(), shifts.len()).is_some() {
            return Err(problem(
                *line,
                format!("shift id {:?} is empty or repeated", f[0]),
            ));
        }
        let minutes = num(*line, "shift length in minutes", &f[1])?;
        if minutes == 0 || minutes > 24 * 60 {
            return Err(problem(
                *line,
                format!("shift length {minutes} minutes must be 1–1440"),
            ));
        }
        shifts.push(ShiftType {
            id: f[0].clone(),
            minutes,
            cannot_follow: Vec::new(),
        });
    }
    if shifts.is_empty() {
        return Err(Error::from(InputProblem::new(
            file,
            "no shift types (SECTION_SHIFTS is missing or empty)",
        )));
    }
    let shift_of = |line: usize, id: &str| -> Result<usize, Error> {
        shift_ids
            .get(id)
            .copied()
            .ok_or_else(|| problem(line, format!("unknown shift id {id:?}")))
    };
    for (k, (line, _, f)) in of(Section::Shifts).enumerate() {
        if let Some(list) = f.get(2) {
            for id in list.split('|').map(str::trim).filter(|s| !s.is_empty()) {
                let t = shift_of(*line, id)?;
                shifts[k].cannot_follow.push(t);
            }
        }
    }
    let mut staff_ids: HashMap<String, usize> = HashMap::new();
    let mut staff = Vec::new();
    for (line, _, f) in of(Section::Staff) {
        if f.len() != 8 {
            return Err(problem(
                *line,
                format!(
                    "a staff line has 8 fields (ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends), found {}",
                    f.len()
                ),
            ));
        }
        if f[0].is_empty() || staff_ids.insert(f[0].clone(), staff.len()).is_some() {
            return Err(problem(
                *line,
                format!("staff id {:?} is empty or repeated", f[0]),
            ));
        }
        let mut max_shifts = Vec::new();
        for pair in f[1].split('|').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((id, cap)) = pair.split_once('=') else {
                return Err(problem(
                    *line,
                    format!("MaxShifts entry {pair:?} is not ShiftID=max"),
                ));
            };
            max_shifts.push((
                shift_of(*line, id.trim())?,
                num(*line, "MaxShifts", cap.trim())?,
            ));
        }
        let s = Staff {
            id: f[0].clone(),
            max_shifts,
            max_total_minutes: num(*line, "MaxTotalMinutes", &f[2])?,
            min_total_minutes: num(*line, "MinTotalMinutes", &f[3])?,
            max_consecutive_shifts: num(*line, "MaxConsecutiveShifts", &f[4])?,
            min_consecutive_shifts: num(*line, "MinConsecutiveShifts", &f[5])?,
            min_consecutive_days_off: num(*line, "MinConsecutiveDaysOff", &f[6])?,
            max_weekends: num(*line, "MaxWeekends", &f[7])?,
        };
        if s.min_total_minutes > s.max_total_minutes {
            return Err(problem(
                *line,
                format!(
                    "MinTotalMinutes {} is above MaxTotalMinutes {}",
                    s.min_total_minutes, s.max_total_minutes
                ),
            ));
        }
        staff.push(s);
    }
    if staff.is_empty() {
        return Err(Error::from(InputProblem::new(
            file,
            "no staff (SECTION_STAFF is missing or empty)",
        )));
    }
    let staff_of = |line: usize, id: &str| -> Result<usize, Error> {
        staff_ids
            .get(id)
            .copied()
            .ok_or_else(|| problem(line, format!("unknown staff id {id:?}")))
    };
    let day_of = |line: usize, v: &str| -> Result<usize, Error> {
        let d = num(line, "day", v)? as usize;
        if d >= days {
            return Err(problem(
                line,
                format!(
                    "day {d} is outside the horizon of {days} days (0–{})",
                    days - 1
                ),
            ));
        }
        Ok(d)
    };
    let mut days_off = vec![Vec::new(); staff.len()];
    for (line, _, f) in of(Section::DaysOff) {
        let s = staff_of(*line, &f[0])?;
        for v in f[1..].iter().filter(|v| !v.is_empty()) {
            days_off[s].push(day_of(*line, v)?);
        }
    }
    let prefs = |sec: Section| -> Result<Vec<ShiftPreference>, Error> {
        let mut out = Vec::new();
        for (line, _, f) in of(sec) {
            if f.len() != 4 {
                return Err(problem(
                    *line,
                    format!(
                        "a request line has 4 fields (EmployeeID, Day, ShiftID, Weight), found {}",
                        f.len()
                    ),
                ));
            }
            out.push(ShiftPreference {
                staff: staff_of(*line, &f[0])?,
                day: day_of(*line, &f[1])?,
                shift: shift_of(*line, &f[2])?,
                weight: num(*line, "weight", &f[3])?,
            });
        }
        Ok(out)
    };
    let on_requests = prefs(Section::OnRequests)?;
    let off_requests = prefs(Section::OffRequests)?;
    let mut cover = Vec::new();
    for (line, _, f) in of(Section::Cover) {
        if f.len() != 5 {
            return Err(problem(
                *line,
                format!(
                    "a cover line has 5 fields (Day, ShiftID, Requirement, Weight for under, Weight for over), found {}",
                    f.len()
                ),
            ));
        }
        cover.push(Cover {
            day: day_of(*line, &f[0])?,
            shift: shift_of(*line, &f[1])?,
            requirement: num(*line, "requirement", &f[2])?,
            under: num(*line, "weight for under", &f[3])?,
            over: num(*line, "weight for over", &f[4])?,
        });
    }
    Ok(Instance {
        name: name.to_string(),
        days,
        shifts,
        staff,
        days_off,
        on_requests,
        off_requests,
        cover,
    })
}

/// The instance's first day: a Monday (2024-01-01).
pub fn start_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date")
}

/// Map the instance onto a shiftwise [`Site`] (see the module doc).
pub fn to_site(inst: &Instance) -> Site {
    let utc: chrono_tz::Tz = chrono_tz::UTC;
    let start = start_date();
    let contracts = inst
        .staff
        .iter()
        .map(|s| Contract {
            id: s.id.clone(),
            min_hours_per_week: 0.0,
            max_hours_per_week: 7.0 * 24.0,
            min_shifts_per_week: 0,
            max_shifts_per_week: 7,
            min_rest_hours: 0.0,
            max_consecutive_days: s.max_consecutive_shifts,
            min_days_off_per_week: 0,
        })
        .collect();
    let templates = inst
        .shifts
        .iter()
        .enumerate()
        .map(|(t, sh)| ShiftTemplate {
            id: sh.id.clone(),
            lengths_minutes: vec![sh.minutes],
            earliest_start: NaiveTime::MIN,
            latest_start: NaiveTime::MIN,
            start_step_minutes: 60,
            mode: ShiftMode::Remote,
            // Open to every staff member without a zero cap on it.
            contracts: (0..inst.staff.len())
                .filter(|&s| !inst.staff[s].max_shifts.contains(&(t, 0)))
                .collect(),
            meal_minutes: 0,
        })
        .collect();
    let employees = inst
        .staff
        .iter()
        .enumerate()
        .map(|(k, s)| Employee {
            id: s.id.clone(),
            name: s.id.clone(),
            role: Role::Agent,
            contract: k,
            work_mode: WorkMode::Remote,
            tz: utc,
            skills: Vec::new(),
            hourly_cost: 0.0,
            min_hours: None,
            max_hours: None,
        })
        .collect();
    let mut requests = Vec::new();
    for (s, days) in inst.days_off.iter().enumerate() {
        for &d in days {
            requests.push(Request {
                line: 0,
                employee: s,
                kind: RequestKind::Unavailable,
                day: RequestDay::Date(start + chrono::Duration::days(d as i64)),
                window: None,
                hard: true,
                weight: 0.0,
                note: "day off".into(),
            });
        }
    }
    let rules = Rules {
        contracts: inst
            .staff
            .iter()
            .map(|s| ContractRules {
                min_minutes_per_horizon: s.min_total_minutes,
                max_minutes_per_horizon: Some(s.max_total_minutes),
                max_shifts_per_template: s.max_shifts.clone(),
                min_consecutive_days: s.min_consecutive_shifts,
                min_consecutive_days_off: s.min_consecutive_days_off,
                max_weekends: Some(s.max_weekends),
            })
            .collect(),
        not_followed_by: inst
            .shifts
            .iter()
            .map(|s| s.cannot_follow.clone())
            .collect(),
        template_cover: inst
            .cover
            .iter()
            .map(|c| TemplateCover {
                day: c.day,
                template: c.shift,
                required: c.requirement,
                under_weight: f64::from(c.under),
                over_weight: f64::from(c.over),
            })
            .collect(),
        shift_requests: inst
            .on_requests
            .iter()
            .map(|r| (r, true))
            .chain(inst.off_requests.iter().map(|r| (r, false)))
            .map(|(r, work)| ShiftRequest {
                employee: r.staff,
                day: r.day,
                template: r.shift,
                work,
                weight: f64::from(r.weight),
            })
            .collect(),
    };
    Site {
        name: inst.name.clone(),
        grid: TimeGrid::new(utc, start, inst.days, 24 * 60),
        seats: None,
        shrinkage: 0.0,
        team_lead_ratio: 12.0,
        penalties: Penalties {
            understaffing_per_agent_hour: vec![0.0],
            overstaffing_per_agent_hour: 0.0,
            team_lead_shortfall_per_hour: 0.0,
            onsite_cost_per_hour: 0.0,
            backlog_per_agent_hour: 0.0,
        },
        fairness: Fairness {
            weight: 0.0,
            late_end_after_minutes: 24 * 60,
            weekend: vec![Weekday::Sat, Weekday::Sun],
        },
        queues: Vec::new(),
        contracts,
        templates,
        break_rules: Vec::new(),
        max_on_break_share: None,
        employees,
        forecast: Forecast {
            contacts: Vec::new(),
            aht_seconds: Vec::new(),
            shrinkage: None,
        },
        requests,
        rules,
    }
}

/// The least integer objective a lower bound allows. The bound is a float sum (column
/// generation adds hundreds of duals; HiGHS works to tolerances), so a value less than
/// 10⁻⁵ of itself above an integer counts as that integer: on Instance17 a bound of 5,746
/// plus rounding noise rounded up to 5,747 and "proved" a roster of 5,747 optimal, one
/// above the optimum. (Tested in `search`, where the bounds are rounded.)
pub(crate) fn rounded_up(bound: f64) -> f64 {
    (bound - 1e-5 * bound.abs().max(1.0)).ceil()
}

/// The benchmark objective of an assignment (requests and cover), computed from the
/// instance alone.
pub fn objective(inst: &Instance, a: &Assignment) -> u64 {
    let mut total = 0u64;
    for r in &inst.on_requests {
        if a[r.staff][r.day] != Some(r.shift) {
            total += u64::from(r.weight);
        }
    }
    for r in &inst.off_requests {
        if a[r.staff][r.day] == Some(r.shift) {
            total += u64::from(r.weight);
        }
    }
    for c in &inst.cover {
        let n = a.iter().filter(|row| row[c.day] == Some(c.shift)).count() as u64;
        let want = u64::from(c.requirement);
        total += if n < want {
            (want - n) * u64::from(c.under)
        } else {
            (n - want) * u64::from(c.over)
        };
    }
    total
}

/// Write `employee,day,shift` rows (one per worked day, days from 0) atomically.
pub fn write_solution(path: &Path, inst: &Instance, a: &Assignment) -> Result<(), Error> {
    let mut out = String::from("employee,day,shift\n");
    for (s, row) in a.iter().enumerate() {
        for (d, t) in row.iter().enumerate() {
            if let Some(t) = t {
                out += &format!("{},{d},{}\n", inst.staff[s].id, inst.shifts[*t].id);
            }
        }
    }
    crate::input::write_atomic(path, out.as_bytes())
}
