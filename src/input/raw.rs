//! Raw serde structs mirroring the site files one to one. No logic lives here:
//! [`crate::input::validate`] turns them into the domain [`crate::domain::Site`].
//!
//! Every optional field has the default stated in the README; defaults are
//! applied during validation, not here, so that "missing" stays visible.

use serde::{Deserialize, Serialize};

/// A date given as a string or as a bare TOML date, as its `YYYY-MM-DD` text (checked,
/// like a string, where the site is validated).
fn date_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match toml::Value::deserialize(d)? {
        toml::Value::String(s) => Ok(s),
        toml::Value::Datetime(dt) if dt.date.is_some() && dt.time.is_none() => Ok(dt.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a date such as \"2026-11-30\", found {}",
            other.type_str()
        ))),
    }
}

/// `site.toml`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    /// Display name of the site.
    pub name: String,
    /// IANA time zone of the site, e.g. `Asia/Tokyo`.
    pub timezone: String,
    /// First local date of the planning horizon (`YYYY-MM-DD`), quoted or as a bare TOML
    /// date (`start_date = 2026-11-30` is valid TOML, and a planner writes it so).
    #[serde(deserialize_with = "date_text")]
    pub start_date: String,
    /// Number of days in the horizon.
    pub days: u32,
    /// Interval length in minutes: 15 or 30.
    #[serde(default)]
    pub interval_minutes: Option<u32>,
    /// On-site seat capacity (agents and leads on on-site shifts at once). Default: unlimited.
    #[serde(default)]
    pub seats: Option<u32>,
    /// Shrinkage as a fraction in [0, 1): share of paid time lost to meetings, training, absence.
    #[serde(default)]
    pub shrinkage: Option<f64>,
    /// One team lead on duty per this many agents on duty. Default 12.
    #[serde(default)]
    pub team_lead_ratio: Option<f64>,
    /// Stagger rule: at most this share of a skill group's agents present (per work mode) may
    /// be on break in the same interval (e.g. 0.3), and always at least one. Default: no limit.
    #[serde(default)]
    pub max_on_break_share: Option<f64>,
    /// Penalty weights of the objective.
    #[serde(default)]
    pub penalties: Option<RawPenalties>,
    /// Fairness of weekend and late shifts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fairness: Option<RawFairness>,
    /// Queues (channel + language).
    #[serde(default)]
    pub queues: Vec<RawQueue>,
    /// Contracts and their labour rules, keyed by contract name.
    #[serde(default)]
    pub contracts: Vec<RawContract>,
    /// Shift templates.
    #[serde(default)]
    pub shift_templates: Vec<RawShiftTemplate>,
    /// Break rules by shift length (none = shifts without planned breaks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub break_rules: Vec<RawBreakRule>,
    /// Cover wanted per shift template and day (none = no such rule).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub template_cover: Vec<RawTemplateCover>,
}

/// `[[template_cover]]` in `site.toml`: shifts of one template wanted on a date or on every
/// such weekday (soft, with costs per shift short and over).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawTemplateCover {
    /// Template id.
    pub template: String,
    /// A date `YYYY-MM-DD` (or give `weekday`).
    #[serde(default)]
    pub date: Option<String>,
    /// A weekday `mon`..`sun`, every week of the horizon (or give `date`).
    #[serde(default)]
    pub weekday: Option<String>,
    /// Shifts of the template wanted that day.
    pub required: u32,
    /// Cost per shift short. Default 1000.
    #[serde(default)]
    pub under_weight: Option<f64>,
    /// Cost per shift over. Default 0.
    #[serde(default)]
    pub over_weight: Option<f64>,
}

/// `[penalties]` in `site.toml`. Money units are the site's currency.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawPenalties {
    /// Cost per missing agent per hour, by depth: first entry for the 1st missing agent,
    /// second for the 2nd, last entry for every further one. Must be non-decreasing.
    #[serde(default)]
    pub understaffing_per_agent_hour: Option<Vec<f64>>,
    /// Cost per surplus agent per hour.
    #[serde(default)]
    pub overstaffing_per_agent_hour: Option<f64>,
    /// Cost per missing team lead per hour.
    #[serde(default)]
    pub team_lead_shortfall_per_hour: Option<f64>,
    /// Extra cost per hour of an on-site shift over a remote one (seat, commute allowance).
    #[serde(default)]
    pub onsite_cost_per_hour: Option<f64>,
    /// Cost per agent-hour of deferred (email) work still unfinished at its deadline.
    #[serde(default)]
    pub backlog_per_agent_hour: Option<f64>,
}

/// `[fairness]` in `site.toml`: undesirable shifts spread evenly among employees of the
/// same role and contract.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawFairness {
    /// Cost per shift of spread between the most and the fewest weekend (or late) shifts
    /// in a group. Default 1000; 0 turns fairness off.
    #[serde(default)]
    pub weight: Option<f64>,
    /// A shift ending after this local time (`HH:MM`, employee's zone) is late. Default `21:00`.
    #[serde(default)]
    pub late_end_after: Option<String>,
    /// Weekend days, e.g. `["sat", "sun"]` (the default).
    #[serde(default)]
    pub weekend_days: Option<Vec<String>>,
}

/// `[[queues]]` in `site.toml`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawQueue {
    /// Queue id, e.g. `phone-ja`.
    pub id: String,
    /// `phone`, `chat` or `email`.
    pub channel: String,
    /// Language code, e.g. `ja`.
    pub language: String,
    /// Target share answered within `answer_within_seconds` (phone, chat). Default 0.8.
    #[serde(default)]
    pub service_level: Option<f64>,
    /// Service-level threshold in seconds (phone, chat). Default 20 for phone, 60 for chat.
    #[serde(default)]
    pub answer_within_seconds: Option<f64>,
    /// Optional cap on average speed of answer, seconds.
    #[serde(default)]
    pub max_asa_seconds: Option<f64>,
    /// Optional maximum occupancy in (0, 1].
    #[serde(default)]
    pub max_occupancy: Option<f64>,
    /// Chats one agent handles at once (chat only). Default 2.
    #[serde(default)]
    pub concurrency: Option<u32>,
    /// Email response time in hours (email only). Default 24.
    #[serde(default)]
    pub response_time_hours: Option<f64>,
}

/// `[[contracts]]` in `site.toml`: labour rules.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawContract {
    /// `full_time`, `part_time` or `student` (or any name employees refer to).
    pub id: String,
    /// Minimum paid hours per week. Default 0.
    #[serde(default)]
    pub min_hours_per_week: Option<f64>,
    /// Maximum paid hours per week. Default 40.
    #[serde(default)]
    pub max_hours_per_week: Option<f64>,
    /// Minimum shifts per week. Default 0.
    #[serde(default)]
    pub min_shifts_per_week: Option<u32>,
    /// Maximum shifts per week. Default 5.
    #[serde(default)]
    pub max_shifts_per_week: Option<u32>,
    /// Minimum rest between the end of one shift and the start of the next, hours. Default 11.
    #[serde(default)]
    pub min_rest_hours: Option<f64>,
    /// Maximum consecutive working days. Default 6.
    #[serde(default)]
    pub max_consecutive_days: Option<u32>,
    /// Minimum days off in every 7-day week of the horizon. Default 1.
    #[serde(default)]
    pub min_days_off_per_week: Option<u32>,
    /// Minimum paid hours over the whole horizon. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_hours_per_horizon: Option<f64>,
    /// Maximum paid hours over the whole horizon. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_hours_per_horizon: Option<f64>,
    /// Caps on shifts of a template over the horizon, e.g. `{ late = 10 }`. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_shifts_per_template: Option<std::collections::BTreeMap<String, u32>>,
    /// Shortest block of consecutive working days (blocks touching the horizon's ends
    /// exempt). Default 1 (no rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_consecutive_days: Option<u32>,
    /// Shortest block of consecutive days off (blocks touching the horizon's ends exempt).
    /// Default 1 (no rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_consecutive_days_off: Option<u32>,
    /// Most weekends worked over the horizon. Default: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_weekends: Option<u32>,
}

/// `[[shift_templates]]` in `site.toml`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawShiftTemplate {
    /// Template id, e.g. `day-onsite`.
    pub id: String,
    /// Shift length in hours (span from start to end, meal included). For flexible
    /// slots give `min_length_hours` and `max_length_hours` instead.
    #[serde(default)]
    pub length_hours: Option<f64>,
    /// Shortest flexible slot, hours.
    #[serde(default)]
    pub min_length_hours: Option<f64>,
    /// Longest flexible slot, hours.
    #[serde(default)]
    pub max_length_hours: Option<f64>,
    /// Step between flexible slot lengths, minutes; a multiple of the interval. Default: the interval.
    #[serde(default)]
    pub length_step_minutes: Option<u32>,
    /// Earliest local start, `HH:MM`.
    pub earliest_start: String,
    /// Latest local start, `HH:MM` (may be before `earliest_start` for overnight windows? no: must be later).
    pub latest_start: String,
    /// Start step in minutes; a multiple of the interval. Default: the interval length.
    #[serde(default)]
    pub start_step_minutes: Option<u32>,
    /// `remote` or `onsite`.
    pub work_mode: String,
    /// Contracts allowed to work this template.
    pub contracts: Vec<String>,
    /// Unpaid meal break minutes (subtracted from paid hours). Default 0.
    #[serde(default)]
    pub meal_minutes: Option<u32>,
    /// Templates that may not be worked on the day after a shift of this one (rotation,
    /// e.g. no early shift after a late one). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_followed_by: Option<Vec<String>>,
}

/// One row of `employees.csv`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RawEmployee {
    /// Unique employee id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `agent` or `team_lead`.
    pub role: String,
    /// Contract id from `site.toml`.
    pub contract: String,
    /// `remote`, `onsite` or `hybrid`.
    pub work_mode: String,
    /// Home IANA time zone; empty means the site's zone.
    pub timezone: String,
    /// Queue ids separated by `;` (may be empty for team leads).
    pub skills: String,
    /// Hourly cost in the site's currency.
    pub hourly_cost: String,
    /// Optional column: override of the contract's minimum weekly hours.
    #[serde(default)]
    pub min_hours: String,
    /// Optional column: override of the contract's maximum weekly hours.
    #[serde(default)]
    pub max_hours: String,
}

/// One row of `forecast.csv`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RawForecast {
    /// Local start of the interval, `YYYY-MM-DDTHH:MM`, optionally with a UTC offset
    /// (`+09:00`) to disambiguate the repeated hour when DST ends.
    pub interval_start: String,
    /// Queue id.
    pub queue: String,
    /// Expected contacts arriving in the interval.
    pub contacts: String,
    /// Average handle time in seconds.
    pub aht_seconds: String,
    /// Optional column: shrinkage of this interval and queue (fraction), overriding the
    /// site's; empty = the site's value.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub shrinkage: String,
}

/// One row of `requests.csv`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RawRequest {
    /// Employee id.
    pub employee: String,
    /// `unavailable`, `prefer_off`, `prefer_work`, `prefer_mode` or `max_shifts`.
    pub kind: String,
    /// A date `YYYY-MM-DD` (dated request) — or empty when `weekday` is given.
    pub date: String,
    /// A weekday `mon`..`sun` (recurring every week of the horizon) — or empty when `date` is given.
    pub weekday: String,
    /// Start of the time window, `HH:MM` in the employee's own zone; empty = whole day.
    pub from: String,
    /// End of the window, `HH:MM` (`24:00` allowed); empty = whole day.
    pub to: String,
    /// `hard` or `soft`.
    pub strength: String,
    /// Weight of a soft request in the site's currency; empty for hard ones.
    pub weight: String,
    /// `remote`/`onsite` for `prefer_mode`, a number for `max_shifts`; else empty.
    pub value: String,
    /// Free text shown in reports.
    pub note: String,
}

/// `[[break_rules]]` in `site.toml`: the breaks a shift of a given length carries.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawBreakRule {
    /// The rule applies to shifts at least this long (hours); of several, the one with the
    /// largest `min_shift_hours` not above the shift's length applies.
    pub min_shift_hours: f64,
    /// Meal length in minutes (0 = no meal). Default 0.
    #[serde(default)]
    pub meal_minutes: Option<u32>,
    /// Earliest meal start, hours after the shift starts. Default 3.
    #[serde(default)]
    pub meal_earliest_hours: Option<f64>,
    /// Latest meal start, hours after the shift starts. Default 5.
    #[serde(default)]
    pub meal_latest_hours: Option<f64>,
    /// Mindfulness breaks: 0, 1 or 2 (with 2, one on each side of the meal or of mid-shift). Default 0.
    #[serde(default)]
    pub mindfulness_breaks: Option<u32>,
    /// Length of a mindfulness break, minutes. Default 15.
    #[serde(default)]
    pub mindfulness_minutes: Option<u32>,
    /// Minimum time between two breaks, minutes. Default 60.
    #[serde(default)]
    pub min_gap_minutes: Option<u32>,
    /// No break in the first or last this-many minutes of the shift. Default 60.
    #[serde(default)]
    pub edge_minutes: Option<u32>,
}
