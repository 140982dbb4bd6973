//! Plain domain data: the validated site. Built by [`crate::input::load_site`].

pub mod breaks;
pub mod calendar;

pub use breaks::{BreakKind, BreakRule, BreakSlot};
pub use calendar::{Interval, TimeGrid};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use crate::staffing::erlang::ServiceTarget;

/// Contact channel of a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Real-time voice: Erlang C.
    Phone,
    /// Real-time chat with concurrency: Erlang C on concurrent slots.
    Chat,
    /// Deferred work with a response time.
    Email,
}

impl Channel {
    /// Parse `phone`, `chat` or `email`.
    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "phone" => Some(Channel::Phone),
            "chat" => Some(Channel::Chat),
            "email" => Some(Channel::Email),
            _ => None,
        }
    }
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Chat => "chat",
            Channel::Email => "email",
        }
    }
}

/// A queue: a channel in a language, with its service target.
#[derive(Debug, Clone, PartialEq)]
pub struct Queue {
    /// Id, e.g. `phone-ja`.
    pub id: String,
    /// Channel.
    pub channel: Channel,
    /// Language code.
    pub language: String,
    /// Service target (real-time queues).
    pub target: ServiceTarget,
    /// Chats handled at once by one agent (1 for phone and email).
    pub concurrency: u32,
    /// Response time in hours (deferred queues).
    pub response_time_hours: f64,
}

impl Queue {
    /// True for deferred (email) queues.
    pub fn is_deferred(&self) -> bool {
        self.channel == Channel::Email
    }
}

/// Labour rules of a contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    /// Id, e.g. `full_time`.
    pub id: String,
    /// Minimum paid hours per 7-day week.
    pub min_hours_per_week: f64,
    /// Maximum paid hours per 7-day week.
    pub max_hours_per_week: f64,
    /// Minimum shifts per week.
    pub min_shifts_per_week: u32,
    /// Maximum shifts per week.
    pub max_shifts_per_week: u32,
    /// Minimum rest between shifts, hours.
    pub min_rest_hours: f64,
    /// Maximum consecutive working days.
    pub max_consecutive_days: u32,
    /// Minimum days off per 7-day week.
    pub min_days_off_per_week: u32,
}

/// Where a shift is worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShiftMode {
    /// From home: no seat.
    Remote,
    /// In the office: takes a seat.
    Onsite,
}

impl ShiftMode {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ShiftMode::Remote => "remote",
            ShiftMode::Onsite => "onsite",
        }
    }
}

/// Where an employee may work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkMode {
    /// Remote shifts only.
    Remote,
    /// On-site shifts only.
    Onsite,
    /// Either.
    Hybrid,
}

impl WorkMode {
    /// Whether an employee with this work mode may work a shift in `mode`.
    pub fn allows(self, mode: ShiftMode) -> bool {
        matches!(
            (self, mode),
            (WorkMode::Hybrid, _)
                | (WorkMode::Remote, ShiftMode::Remote)
                | (WorkMode::Onsite, ShiftMode::Onsite)
        )
    }
}

/// Role of an employee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Handles contacts.
    Agent,
    /// Supervises agents; counts toward lead coverage, not queue coverage.
    TeamLead,
}

/// A shift template: when shifts of this kind may start and how long they are.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftTemplate {
    /// Id.
    pub id: String,
    /// Allowed lengths in minutes (one for fixed shifts; a range for flexible slots).
    pub lengths_minutes: Vec<u32>,
    /// Earliest local start.
    pub earliest_start: NaiveTime,
    /// Latest local start.
    pub latest_start: NaiveTime,
    /// Start step, minutes.
    pub start_step_minutes: u32,
    /// Remote or on-site.
    pub mode: ShiftMode,
    /// Indices into [`Site::contracts`] allowed to use it.
    pub contracts: Vec<usize>,
    /// Unpaid meal minutes.
    pub meal_minutes: u32,
}

/// An employee.
#[derive(Debug, Clone, PartialEq)]
pub struct Employee {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Index into [`Site::contracts`].
    pub contract: usize,
    /// Where they may work.
    pub work_mode: WorkMode,
    /// Home time zone.
    pub tz: Tz,
    /// Indices into [`Site::queues`].
    pub skills: Vec<usize>,
    /// Hourly cost.
    pub hourly_cost: f64,
    /// Override of the contract's minimum weekly hours.
    pub min_hours: Option<f64>,
    /// Override of the contract's maximum weekly hours.
    pub max_hours: Option<f64>,
}

/// What a request asks.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestKind {
    /// Not available in the window (classes, leave).
    Unavailable,
    /// Would rather not work in the window.
    PreferOff,
    /// Would like to work in the window.
    PreferWork,
    /// Would like to work in this mode.
    PreferMode(ShiftMode),
    /// At most this many shifts in the horizon.
    MaxShifts(u32),
}

/// When a request applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestDay {
    /// One date (employee's local date).
    Date(NaiveDate),
    /// Every such weekday of the horizon.
    Weekly(Weekday),
    /// The whole horizon (for kinds without a day).
    Always,
}

/// An employee request.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Line in `requests.csv` (1-based, header = 1).
    pub line: usize,
    /// Index into [`Site::employees`].
    pub employee: usize,
    /// What is asked.
    pub kind: RequestKind,
    /// When.
    pub day: RequestDay,
    /// Local window in the employee's zone, in minutes from local midnight `[from, to)`;
    /// `None` = the whole day.
    pub window: Option<(u32, u32)>,
    /// Hard (never violated) or soft.
    pub hard: bool,
    /// Cost of violating a soft request.
    pub weight: f64,
    /// Free text.
    pub note: String,
}

/// Objective weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Penalties {
    /// Cost per missing agent-hour by depth (1st, 2nd, ... agent short; last repeats).
    pub understaffing_per_agent_hour: Vec<f64>,
    /// Cost per surplus agent-hour.
    pub overstaffing_per_agent_hour: f64,
    /// Cost per missing team-lead-hour.
    pub team_lead_shortfall_per_hour: f64,
    /// Extra cost per on-site hour.
    pub onsite_cost_per_hour: f64,
    /// Cost per agent-hour of deferred work left unfinished by its deadline.
    pub backlog_per_agent_hour: f64,
}

impl Default for Penalties {
    fn default() -> Self {
        Penalties {
            understaffing_per_agent_hour: vec![10_000.0, 20_000.0, 40_000.0],
            overstaffing_per_agent_hour: 100.0,
            team_lead_shortfall_per_hour: 5_000.0,
            onsite_cost_per_hour: 0.0,
            backlog_per_agent_hour: 15_000.0,
        }
    }
}

/// Fairness: weekend and late-evening shifts spread evenly among comparable employees
/// (same role and contract), as a soft min-max term per kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Fairness {
    /// Cost per shift of spread (most minus fewest undesirable shifts of one kind in a
    /// group of comparable employees).
    pub weight: f64,
    /// A shift ending after this local time (minutes from midnight, employee's zone), or
    /// on a later local date than it starts, is a late shift.
    pub late_end_after_minutes: u32,
    /// Weekend days (employee-local start date).
    pub weekend: Vec<Weekday>,
}

impl Default for Fairness {
    fn default() -> Self {
        Fairness {
            weight: 1_000.0,
            late_end_after_minutes: 21 * 60,
            weekend: vec![Weekday::Sat, Weekday::Sun],
        }
    }
}

/// Whether a shift is undesirable, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Undesirable {
    /// Starts on a weekend day (employee-local).
    pub weekend: bool,
    /// Ends late in the evening or past midnight (employee-local).
    pub late: bool,
}

/// Forecast: contacts and AHT per queue and interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// `contacts[q][i]`: expected contacts arriving in interval `i` for queue `q`.
    pub contacts: Vec<Vec<f64>>,
    /// `aht_seconds[q][i]`: average handle time.
    pub aht_seconds: Vec<Vec<f64>>,
    /// `shrinkage[q][i]`: per-interval shrinkage when `forecast.csv` has a `shrinkage`
    /// column (cells left empty hold the site's value); `None` = the site's value everywhere.
    pub shrinkage: Option<Vec<Vec<f64>>>,
}

/// A validated planning problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Name.
    pub name: String,
    /// Time grid of the horizon.
    pub grid: TimeGrid,
    /// On-site seats; `None` = unlimited.
    pub seats: Option<u32>,
    /// Shrinkage fraction.
    pub shrinkage: f64,
    /// Agents per team lead.
    pub team_lead_ratio: f64,
    /// Objective weights.
    pub penalties: Penalties,
    /// Fairness rule for weekend and late shifts.
    pub fairness: Fairness,
    /// Queues.
    pub queues: Vec<Queue>,
    /// Contracts.
    pub contracts: Vec<Contract>,
    /// Shift templates.
    pub templates: Vec<ShiftTemplate>,
    /// Break rules by shift length.
    pub break_rules: Vec<BreakRule>,
    /// Stagger rule: most share of a skill group's present agents on break at once.
    pub max_on_break_share: Option<f64>,
    /// Employees.
    pub employees: Vec<Employee>,
    /// Forecast.
    pub forecast: Forecast,
    /// Requests.
    pub requests: Vec<Request>,
    /// Rostering rules beyond the weekly contract limits (successions, horizon totals,
    /// sequences, weekends, per-template cover and shift requests); all off by default.
    pub rules: Rules,
}

impl Site {
    /// Site time zone.
    pub fn tz(&self) -> Tz {
        self.grid.tz
    }

    /// Index of queue `id`.
    pub fn queue_index(&self, id: &str) -> Option<usize> {
        self.queues.iter().position(|q| q.id == id)
    }

    /// Whether a shift of employee `e` over `[start, end)` is a weekend or late shift, in
    /// the employee's own zone (see [`Fairness`]).
    pub fn undesirable(&self, e: usize, start: DateTime<Utc>, end: DateTime<Utc>) -> Undesirable {
        use chrono::{Datelike, Timelike};
        let tz = self.employees[e].tz;
        let (s, t) = (start.with_timezone(&tz), end.with_timezone(&tz));
        let end_minute = t.hour() * 60 + t.minute();
        Undesirable {
            weekend: self.fairness.weekend.contains(&s.weekday()),
            late: t.date_naive() > s.date_naive()
                || end_minute > self.fairness.late_end_after_minutes,
        }
    }

    /// Index of employee `id`.
    pub fn employee_index(&self, id: &str) -> Option<usize> {
        self.employees.iter().position(|e| e.id == id)
    }

    /// Effective weekly hour limits of employee `e` (override, else contract).
    pub fn weekly_hours(&self, e: usize) -> (f64, f64) {
        let emp = &self.employees[e];
        let c = &self.contracts[emp.contract];
        (
            emp.min_hours.unwrap_or(c.min_hours_per_week),
            emp.max_hours.unwrap_or(c.max_hours_per_week),
        )
    }

    /// UTC spans `[from, to)` during which request `r` applies, expanded over the horizon
    /// (recurring entries repeat on every matching local date of the employee).
    pub fn request_spans(&self, r: &Request) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let tz = self.employees[r.employee].tz;
        // Employee-local dates that can touch the horizon: one day of slack each side
        // covers any time-zone difference.
        let first = self.grid.start_date - chrono::Duration::days(1);
        let dates = (0..self.grid.days as i64 + 2).map(|d| first + chrono::Duration::days(d));
        let matching: Vec<NaiveDate> = match r.day {
            RequestDay::Date(d) => vec![d],
            RequestDay::Weekly(w) => {
                use chrono::Datelike;
                dates.filter(|d| d.weekday() == w).collect()
            }
            RequestDay::Always => {
                return vec![(self.grid.start_utc(), self.grid.end_utc())];
            }
        };
        matching
            .into_iter()
            .map(|date| {
                let (from, to) = r.window.unwrap_or((0, 24 * 60));
                let at = |minutes: u32| {
                    let day_start = calendar::start_of_local_day(tz, date);
                    if minutes == 0 {
                        return day_start;
                    }
                    if minutes >= 24 * 60 {
                        return calendar::start_of_local_day(tz, date + chrono::Duration::days(1));
                    }
                    let naive = date.and_time(NaiveTime::MIN)
                        + chrono::Duration::minutes(i64::from(minutes));
                    // A time skipped by DST maps to the first instant after the gap;
                    // the earlier of two repeated instants is taken for a repeated time.
                    calendar::resolve_local(tz, naive, None).unwrap_or_else(|e| match e {
                        calendar::LocalTimeError::Ambiguous { .. } => {
                            use chrono::TimeZone;
                            tz.from_local_datetime(&naive)
                                .earliest()
                                .map(|t| t.with_timezone(&Utc))
                                .unwrap_or(day_start)
                        }
                        _ => {
                            let mut n = naive;
                            loop {
                                n += chrono::Duration::minutes(15);
                                if let Ok(t) = calendar::resolve_local(tz, n, None) {
                                    break t;
                                }
                            }
                        }
                    })
                };
                (at(from), at(to))
            })
            .collect()
    }
}

/// Per-contract rostering rules over the whole horizon (all off by default).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContractRules {
    /// Minimum paid minutes over the horizon (0 = none).
    pub min_minutes_per_horizon: u32,
    /// Maximum paid minutes over the horizon.
    pub max_minutes_per_horizon: Option<u32>,
    /// Caps on shifts of one template over the horizon: (template index, most shifts).
    pub max_shifts_per_template: Vec<(usize, u32)>,
    /// Every block of consecutive working days is at least this long, except blocks touching
    /// the start or end of the horizon (0 or 1 = none).
    pub min_consecutive_days: u32,
    /// Every block of consecutive days off is at least this long, except blocks touching
    /// the start or end of the horizon (0 or 1 = none).
    pub min_consecutive_days_off: u32,
    /// Most weekends worked (a weekend is worked when any of its weekend days has a shift;
    /// weekend days are `fairness.weekend_days`, grouped by Monday-based calendar week).
    pub max_weekends: Option<u32>,
}

/// A cover requirement for one shift template on one day: at least (and at most)
/// `required` shifts of the template starting that day, softly.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateCover {
    /// Day index.
    pub day: usize,
    /// Template index.
    pub template: usize,
    /// Shifts wanted.
    pub required: u32,
    /// Cost per shift short.
    pub under_weight: f64,
    /// Cost per shift over.
    pub over_weight: f64,
}

/// A soft request to work (or not to work) a given template on a given day.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftRequest {
    /// Employee index.
    pub employee: usize,
    /// Day index.
    pub day: usize,
    /// Template index.
    pub template: usize,
    /// `true`: wants this shift; `false`: wants not to work it.
    pub work: bool,
    /// Cost when not granted.
    pub weight: f64,
}

/// Rostering rules beyond the weekly contract limits; the default turns every one off.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rules {
    /// Per contract (indexed like [`Site::contracts`]; missing entries are the default).
    pub contracts: Vec<ContractRules>,
    /// `not_followed_by[t]`: templates that may not be worked on the day after a shift of
    /// template `t` (rotation, e.g. no early shift after a late one); missing = none.
    pub not_followed_by: Vec<Vec<usize>>,
    /// Per-template, per-day cover requirements.
    pub template_cover: Vec<TemplateCover>,
    /// Template-specific shift requests.
    pub shift_requests: Vec<ShiftRequest>,
}

static NO_CONTRACT_RULES: ContractRules = ContractRules {
    min_minutes_per_horizon: 0,
    max_minutes_per_horizon: None,
    max_shifts_per_template: Vec::new(),
    min_consecutive_days: 0,
    min_consecutive_days_off: 0,
    max_weekends: None,
};

impl Site {
    /// The horizon rules of employee `e`'s contract.
    pub fn contract_rules(&self, e: usize) -> &ContractRules {
        self.rules
            .contracts
            .get(self.employees[e].contract)
            .unwrap_or(&NO_CONTRACT_RULES)
    }

    /// Templates that may not follow template `t` on the next day.
    pub fn not_followed_by(&self, t: usize) -> &[usize] {
        self.rules
            .not_followed_by
            .get(t)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Weekends of the horizon: the days of each Monday-based calendar week that are
    /// weekend days (`fairness.weekend`), one entry per week that has any.
    pub fn weekends(&self) -> Vec<Vec<usize>> {
        use chrono::Datelike;
        let mut out: Vec<(NaiveDate, Vec<usize>)> = Vec::new();
        for d in 0..self.grid.days {
            let date = self.grid.date(d);
            if !self.fairness.weekend.contains(&date.weekday()) {
                continue;
            }
            let monday =
                date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday()));
            match out.last_mut() {
                Some((m, days)) if *m == monday => days.push(d),
                _ => out.push((monday, vec![d])),
            }
        }
        out.into_iter().map(|(_, d)| d).collect()
    }
}
