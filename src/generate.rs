//! Example-site generator: realistic site folders of any size, shaped by real call data.
//!
//! The demand curves come from the bank call-center data set
//! (`../shared/data/bank-calls/bank_calls_5min.csv`, 164 weekdays of 5-minute call
//! counts, 07:00–21:05 local): [`shape_from_bank_calls`] turns it into a
//! [`DemandShape`] — the average weekday profile in 15-minute slots, the day-of-week
//! factors and the day-to-day variation. [`generate_site`] then builds a whole site
//! from a [`SiteSpec`] (queues, contracts, templates, staff groups, volume) and that
//! shape, deterministically from the spec's seed, and [`write_site`] writes the four
//! files (`site.toml`, `employees.csv`, `forecast.csv`, `requests.csv`).
//!
//! How the shape is used:
//! * phone and chat follow the bank's weekday profile with its 07:00 start mapped to
//!   the site's weekday opening (Tokyo: 07:00–21:00 → 08:00–22:00); chat is tilted
//!   slightly toward the evening. Weekends keep the same time-of-day curve, clipped to
//!   the shorter weekend hours, at a fraction of a weekday's volume. Hours outside the
//!   bank's day (e.g. a late opening on a peak day) extrapolate its first or last hour
//!   with a geometric decay. Closed intervals get 0 contacts.
//! * email arrives around the clock: the profile smoothed over ±90 minutes plus a
//!   small night floor.
//! * each day's volume is multiplied by the bank's day-of-week factor and by a seeded
//!   log-normal noise with the bank's day-to-day coefficient of variation (after the
//!   day-of-week effect is removed). Peak days ([`PeakDay`]) multiply the volume again.
//!
//! The presets [`SiteSpec::tokyo`], [`SiteSpec::prime_day`] and
//! [`SiteSpec::seattle_dst`] are the product's example sites; [`SiteSpec::with_people`]
//! scales a preset to any headcount, demand in proportion, for benchmarks. Because
//! Erlang staffing has economies of scale, proportional demand leaves a big site less
//! loaded; [`SiteSpec::with_load`] recalibrates the volume to a given
//! [`staffing_load`] (required agent-hours ÷ the agents' maximum hours).
//!
//! ```no_run
//! use shiftwise::generate::{generate_site, write_site, DemandShape, SiteSpec, BANK_CALLS_CSV};
//! let shape = DemandShape::load(std::path::Path::new(BANK_CALLS_CSV)).unwrap();
//! let tokyo_load = generate_site(&SiteSpec::tokyo(), &shape).load().unwrap();
//! let spec = SiteSpec::tokyo().with_people(300).with_load(tokyo_load);
//! write_site(std::path::Path::new("out/tokyo-300"), &generate_site(&spec, &shape)).unwrap();
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Weekday};
use chrono_tz::Tz;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};
use serde::Deserialize;

use crate::domain::calendar::format_offset;
use crate::domain::{Forecast, Role, Site, TimeGrid};
use crate::error::Error;
use crate::input::files;
use crate::input::raw::{
    RawContract, RawEmployee, RawForecast, RawPenalties, RawQueue, RawRequest, RawShiftTemplate,
    RawSite,
};
use crate::input::validate::{validate_strings, Validation, REQUEST_COLUMNS};

/// Path of the bank call data relative to this crate (`../shared/data/bank-calls/bank_calls_5min.csv`).
pub const BANK_CALLS_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/bank-calls/bank_calls_5min.csv"
);

/// Length of the shape's slots, minutes.
const SLOT: u32 = 15;
/// First minute of the bank's day used (07:00).
const BANK_FIRST_MINUTE: u32 = 7 * 60;
/// Number of 15-minute slots used from the bank's day (07:00–21:00).
const BANK_SLOTS: usize = 56;

// ---------------------------------------------------------------------------------
// Demand shape from the bank data
// ---------------------------------------------------------------------------------

/// The demand shape derived from the bank call data (see [`shape_from_bank_calls`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DemandShape {
    /// Slot length in minutes (15).
    pub slot_minutes: u32,
    /// Local minute of the first slot in the bank's day (420 = 07:00).
    pub first_minute: u32,
    /// Average weekday intraday profile, one value per slot from `first_minute`,
    /// normalised to sum to 1 over the day.
    pub intraday: Vec<f64>,
    /// Relative daily volume Monday..Friday; the five factors average 1.
    pub day_of_week: [f64; 5],
    /// Coefficient of variation of the daily totals (raw, day-of-week effect included).
    pub daily_cv: f64,
    /// Coefficient of variation of the daily totals after dividing out the day-of-week
    /// factor: the day-to-day noise the generator applies.
    pub residual_cv: f64,
    /// Number of complete weekdays the shape was computed from.
    pub days: usize,
}

#[derive(Deserialize)]
struct BankRow {
    #[serde(rename = "DateTime")]
    date_time: String,
    #[serde(rename = "Calls")]
    calls: f64,
}

impl DemandShape {
    /// Read and aggregate the bank CSV at `path` (see [`shape_from_bank_calls`]).
    pub fn load(path: &Path) -> Result<DemandShape, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        shape_from_bank_calls(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Intensity (share of a weekday's volume) of the 15-minute slot starting at
    /// `minute` of the site's day, with the bank's 07:00 mapped to `anchor`. Outside
    /// the bank's 14 hours the first / last hour is extended with a geometric decay.
    fn intensity(&self, anchor: u32, minute: u32) -> f64 {
        let n = self.intraday.len();
        let step = self.slot_minutes.max(1);
        if minute < anchor {
            let first_hour = self.intraday.iter().take(4).sum::<f64>() / 4.0;
            let k = (anchor - minute).div_ceil(step);
            return first_hour * 0.8f64.powi(k as i32);
        }
        let k = ((minute - anchor) / step) as usize;
        if k < n {
            return self.intraday[k];
        }
        let last_hour = self.intraday.iter().rev().take(4).sum::<f64>() / 4.0;
        last_hour * 0.85f64.powi((k - n + 1) as i32)
    }
}

/// Aggregate the bank data (`rownames,DateTime,Calls`; 5-minute counts, local times
/// despite the `Z` suffix) into a [`DemandShape`] with 15-minute slots over
/// 07:00–21:00. Counts at or after 21:00 are ignored, as are weekend rows and days
/// without all 168 five-minute counts of 07:00–21:00.
pub fn shape_from_bank_calls(csv_text: &str) -> Result<DemandShape, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(csv_text.as_bytes());
    // Per date: calls per 15-minute slot, and the number of 5-minute counts seen.
    let mut days: BTreeMap<NaiveDate, (Vec<f64>, usize)> = BTreeMap::new();
    for (i, row) in reader.deserialize::<BankRow>().enumerate() {
        let row = row.map_err(|e| format!("line {}: {e}", i + 2))?;
        let s = row.date_time.trim().trim_end_matches('Z');
        let t = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"))
            .map_err(|_| format!("line {}: not a timestamp: {:?}", i + 2, row.date_time))?;
        if !(row.calls.is_finite() && row.calls >= 0.0) {
            return Err(format!(
                "line {}: calls must be a non-negative number",
                i + 2
            ));
        }
        if matches!(t.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        let minute = t.hour() * 60 + t.minute();
        if minute < BANK_FIRST_MINUTE || minute >= BANK_FIRST_MINUTE + BANK_SLOTS as u32 * SLOT {
            continue;
        }
        let slot = ((minute - BANK_FIRST_MINUTE) / SLOT) as usize;
        let day = days
            .entry(t.date())
            .or_insert_with(|| (vec![0.0; BANK_SLOTS], 0));
        day.0[slot] += row.calls;
        day.1 += 1;
    }
    let complete: Vec<(NaiveDate, Vec<f64>)> = days
        .into_iter()
        .filter(|(_, (_, n))| *n == BANK_SLOTS * (SLOT as usize / 5))
        .map(|(d, (slots, _))| (d, slots))
        .collect();
    if complete.is_empty() {
        return Err("no complete weekday (07:00-21:00 in 5-minute counts) in the data".into());
    }
    // Intraday profile.
    let mut intraday = vec![0.0; BANK_SLOTS];
    for (_, slots) in &complete {
        for (acc, x) in intraday.iter_mut().zip(slots) {
            *acc += x;
        }
    }
    let sum: f64 = intraday.iter().sum();
    if sum <= 0.0 {
        return Err("the data has no calls".into());
    }
    intraday.iter_mut().for_each(|x| *x /= sum);
    // Day-of-week factors.
    let totals: Vec<(usize, f64)> = complete
        .iter()
        .map(|(d, s)| (d.weekday().num_days_from_monday() as usize, s.iter().sum()))
        .collect();
    let mut by_dow = [(0.0, 0usize); 5];
    for &(w, t) in &totals {
        by_dow[w].0 += t;
        by_dow[w].1 += 1;
    }
    let names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
    let mut means = [0.0; 5];
    for w in 0..5 {
        if by_dow[w].1 == 0 {
            return Err(format!("no complete {} in the data", names[w]));
        }
        means[w] = by_dow[w].0 / by_dow[w].1 as f64;
    }
    let overall = means.iter().sum::<f64>() / 5.0;
    let day_of_week = means.map(|m| m / overall);
    // Variation of daily totals, raw and after the day-of-week effect.
    let cv = |xs: &[f64]| {
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64;
        var.sqrt() / m
    };
    let raw: Vec<f64> = totals.iter().map(|&(_, t)| t).collect();
    let residual: Vec<f64> = totals.iter().map(|&(w, t)| t / means[w]).collect();
    Ok(DemandShape {
        slot_minutes: SLOT,
        first_minute: BANK_FIRST_MINUTE,
        intraday,
        day_of_week,
        daily_cv: cv(&raw),
        residual_cv: cv(&residual),
        days: complete.len(),
    })
}

// ---------------------------------------------------------------------------------
// Site specification
// ---------------------------------------------------------------------------------

/// Which pool plausible names are drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameStyle {
    /// Japanese names, family name first (`Sato Haruka`).
    Japanese,
    /// Filipino names (`Kristine Santos`).
    Filipino,
    /// Names common in the US Pacific Northwest.
    American,
    /// Mexican names.
    Mexican,
}

/// Which kind of requests the members of a staff group file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStyle {
    /// No requests.
    None,
    /// Employees: now and then a dated hard leave day, soft prefer-off days and
    /// (hybrid workers) a preferred work mode.
    Staff,
    /// Students: 2–4 recurring hard class blocks on weekdays, plus soft requests
    /// (a preferred day off, evening work, for some a soft cap of 4 shifts).
    Student,
}

/// A group of similar employees (same role, contract, home zone and pay band).
///
/// Attributes with shares (`work_modes`, `skills`) are allotted in those proportions
/// along a low-discrepancy sequence of the member's ordinal, so even a small group
/// gets them about right, and the first *n* members of a group are the same whatever
/// the group's size (the prime-day site reuses the Tokyo staff this way). Costs,
/// reduced hours and requests are drawn from a random stream per member.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffGroup {
    /// Prefix of the employee ids (`FT` → `FT001`, `FT002`, ...).
    pub id_prefix: String,
    /// `agent` or `team_lead`.
    pub role: String,
    /// Contract id.
    pub contract: String,
    /// Number of members.
    pub count: usize,
    /// Home IANA zone; empty = the site's zone. Set it for agents working remotely from
    /// abroad (e.g. `Asia/Manila`).
    pub timezone: String,
    /// Work modes (`onsite`, `hybrid`, `remote`) with their shares.
    pub work_modes: Vec<(String, f64)>,
    /// Skill sets (queue ids joined by `;`, may be empty for team leads) with their shares.
    pub skills: Vec<(String, f64)>,
    /// Hourly cost range (uniform), in the site's currency.
    pub hourly_cost: (f64, f64),
    /// Costs are rounded to a multiple of this.
    pub cost_step: f64,
    /// Name pool.
    pub names: NameStyle,
    /// Share of members on reduced hours, with their `(min_hours, max_hours)` override.
    pub reduced_hours: Option<(f64, f64, f64)>,
    /// Requests the members file.
    pub requests: RequestStyle,
}

/// A queue of the site with its share of the contacts and its average handle time.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSpec {
    /// The queue as written to `site.toml`.
    pub queue: RawQueue,
    /// Share of the site's contacts (the shares of all queues should sum to 1).
    pub share: f64,
    /// Mean handle time, seconds (varied mildly over the day).
    pub aht_seconds: f64,
}

/// A day with extra volume (a sale, a campaign).
#[derive(Debug, Clone, PartialEq)]
pub struct PeakDay {
    /// Index of the day in the horizon (0 = `start_date`).
    pub day: usize,
    /// Volume multiplier before `evening_from` (and for email all day).
    pub multiplier: f64,
    /// Phone/chat volume multiplier from `evening_from` on.
    pub evening_multiplier: f64,
    /// Start of the evening, minutes after local midnight.
    pub evening_from: u32,
    /// Phone/chat closing time that day, minutes after local midnight (`None` = usual).
    pub close: Option<u32>,
}

/// Everything [`generate_site`] needs to build a site.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteSpec {
    /// Display name of the site.
    pub name: String,
    /// IANA zone of the site.
    pub timezone: String,
    /// First local date.
    pub start_date: NaiveDate,
    /// Days in the horizon.
    pub days: usize,
    /// 15 or 30.
    pub interval_minutes: u32,
    /// On-site seats (scaled by [`SiteSpec::with_people`]).
    pub seats: Option<u32>,
    /// Shrinkage fraction.
    pub shrinkage: f64,
    /// Agents per team lead.
    pub team_lead_ratio: f64,
    /// Penalty weights, in the site's currency.
    pub penalties: RawPenalties,
    /// Contracts.
    pub contracts: Vec<RawContract>,
    /// Shift templates.
    pub shift_templates: Vec<RawShiftTemplate>,
    /// Queues with their volume shares and handle times.
    pub queues: Vec<QueueSpec>,
    /// Contacts in an ordinary week (Monday–Sunday, before noise and peak days).
    pub weekly_contacts: f64,
    /// Phone/chat opening hours on weekdays, minutes after local midnight; the bank's
    /// 07:00 is mapped to the opening.
    pub weekday_hours: (u32, u32),
    /// Phone/chat opening hours on Saturdays and Sundays.
    pub weekend_hours: (u32, u32),
    /// Saturday and Sunday volume relative to an average weekday.
    pub weekend_factors: (f64, f64),
    /// Staff groups; the headcount is the sum of their counts ([`SiteSpec::people`]).
    pub staff: Vec<StaffGroup>,
    /// Days with extra volume.
    pub peak_days: Vec<PeakDay>,
    /// Range of the weights of soft requests, in the site's currency.
    pub request_weight: (f64, f64),
    /// Soft-request weights are rounded to a multiple of this.
    pub request_weight_step: f64,
    /// For [`RequestStyle::Staff`] members: the chance of an approved leave in the
    /// horizon, and separately of a preferred day off; hybrid workers state a preferred
    /// work mode with twice this chance.
    pub staff_request_rate: f64,
    /// Seed of every random draw (staff, requests, day-to-day noise).
    pub seed: u64,
    /// When set, [`generate_site`] rescales the whole forecast (every interval alike)
    /// so that [`staffing_load`] of the site equals this; `weekly_contacts` then only
    /// sets the starting point. See [`SiteSpec::with_load`].
    pub target_load: Option<f64>,
}

fn s(x: &str) -> String {
    x.to_string()
}

fn shares(xs: &[(&str, f64)]) -> Vec<(String, f64)> {
    xs.iter().map(|&(a, w)| (a.to_string(), w)).collect()
}

/// Minutes after midnight of `h:m`.
const fn hm(h: u32, m: u32) -> u32 {
    h * 60 + m
}

#[allow(clippy::too_many_arguments)]
fn contract(
    id: &str,
    min_h: f64,
    max_h: f64,
    min_s: u32,
    max_s: u32,
    rest: f64,
    cons: u32,
    off: u32,
) -> RawContract {
    RawContract {
        id: s(id),
        min_hours_per_week: Some(min_h),
        max_hours_per_week: Some(max_h),
        min_shifts_per_week: Some(min_s),
        max_shifts_per_week: Some(max_s),
        min_rest_hours: Some(rest),
        max_consecutive_days: Some(cons),
        min_days_off_per_week: Some(off),
        min_hours_per_horizon: None,
        max_hours_per_horizon: None,
        max_shifts_per_template: None,
        min_consecutive_days: None,
        min_consecutive_days_off: None,
        max_weekends: None,
    }
}

/// A pair of templates, `<id>-onsite` and `<id>-remote`. `length` is either a fixed
/// length or a `(min, max)` range, hours.
fn template_pair(
    id: &str,
    length: (f64, Option<f64>),
    earliest: &str,
    latest: &str,
    contracts: &[&str],
    meal: u32,
) -> Vec<RawShiftTemplate> {
    ["onsite", "remote"]
        .iter()
        .map(|mode| {
            let (length_hours, min_length_hours, max_length_hours) = match length {
                (l, None) => (Some(l), None, None),
                (a, Some(b)) => (None, Some(a), Some(b)),
            };
            RawShiftTemplate {
                id: format!("{id}-{mode}"),
                length_hours,
                min_length_hours,
                max_length_hours,
                length_step_minutes: None,
                earliest_start: s(earliest),
                latest_start: s(latest),
                start_step_minutes: Some(30),
                work_mode: s(mode),
                contracts: contracts.iter().map(|c| s(c)).collect(),
                meal_minutes: (meal > 0).then_some(meal),
                not_followed_by: None,
            }
        })
        .collect()
}

fn live_queue(
    id: &str,
    channel: &str,
    language: &str,
    within: f64,
    occupancy: Option<f64>,
) -> RawQueue {
    RawQueue {
        id: s(id),
        channel: s(channel),
        language: s(language),
        service_level: Some(0.8),
        answer_within_seconds: Some(within),
        max_asa_seconds: None,
        max_occupancy: occupancy,
        concurrency: (channel == "chat").then_some(2),
        response_time_hours: None,
    }
}

fn email_queue(id: &str, language: &str, hours: f64) -> RawQueue {
    RawQueue {
        id: s(id),
        channel: s("email"),
        language: s(language),
        service_level: None,
        answer_within_seconds: None,
        max_asa_seconds: None,
        max_occupancy: None,
        concurrency: None,
        response_time_hours: Some(hours),
    }
}

#[allow(clippy::too_many_arguments)]
fn group(
    id_prefix: &str,
    role: &str,
    contract: &str,
    count: usize,
    timezone: &str,
    work_modes: &[(&str, f64)],
    skills: &[(&str, f64)],
    hourly_cost: (f64, f64),
    cost_step: f64,
    names: NameStyle,
    requests: RequestStyle,
) -> StaffGroup {
    StaffGroup {
        id_prefix: s(id_prefix),
        role: s(role),
        contract: s(contract),
        count,
        timezone: s(timezone),
        work_modes: shares(work_modes),
        skills: shares(skills),
        hourly_cost,
        cost_step,
        names,
        reduced_hours: None,
        requests,
    }
}

impl SiteSpec {
    /// The Tokyo contact center: 60 people, five queues (Japanese and English phone
    /// and chat, Japanese email), one week from Monday 2026-11-30 in 30-minute
    /// intervals, costs in yen. Four English-speaking agents work remotely from Manila.
    ///
    /// Volume: 11,000 contacts in an ordinary week (about 10,500 after the seeded
    /// day-to-day noise). That needs about 0.88 of the most hours the agents may work
    /// ([`staffing_load`]): loaded but workable. 13,000 would need 0.99, since the small
    /// English queues cost far more agent-hours per contact than phone-ja.
    pub fn tokyo() -> Self {
        use NameStyle::*;
        use RequestStyle::{Staff, Student};
        let mut full_time = group(
            "FT",
            "agent",
            "full_time",
            38,
            "",
            &[("onsite", 0.42), ("hybrid", 0.32), ("remote", 0.26)],
            &[
                ("phone-ja;chat-ja", 0.40),
                ("phone-ja;chat-ja;email-ja", 0.25),
                ("chat-ja;email-ja", 0.10),
                ("phone-ja;phone-en;chat-en", 0.15),
                ("phone-ja;chat-ja;phone-en;chat-en", 0.10),
            ],
            (1800.0, 2400.0),
            50.0,
            Japanese,
            Staff,
        );
        // Short-hours regular employees (短時間正社員), e.g. parents of small children.
        full_time.reduced_hours = Some((0.08, 24.0, 32.0));
        SiteSpec {
            name: s("Tokyo Contact Center"),
            timezone: s("Asia/Tokyo"),
            start_date: NaiveDate::from_ymd_opt(2026, 11, 30).expect("valid date"),
            days: 7,
            interval_minutes: 30,
            seats: Some(30),
            shrinkage: 0.15,
            team_lead_ratio: 12.0,
            penalties: RawPenalties {
                understaffing_per_agent_hour: Some(vec![6000.0, 9000.0, 15000.0]),
                overstaffing_per_agent_hour: Some(300.0),
                team_lead_shortfall_per_hour: Some(8000.0),
                onsite_cost_per_hour: Some(200.0),
                backlog_per_agent_hour: Some(6000.0),
            },
            contracts: vec![
                contract("full_time", 32.0, 40.0, 4, 5, 11.0, 5, 2),
                contract("part_time", 0.0, 24.0, 0, 4, 11.0, 5, 2),
                // 28 h/week: the work cap for international students in Japan.
                contract("student", 0.0, 28.0, 0, 5, 11.0, 5, 2),
            ],
            shift_templates: [
                template_pair("day", (9.0, None), "07:00", "13:30", &["full_time"], 60),
                template_pair("part", (4.0, None), "08:00", "18:00", &["part_time"], 0),
                template_pair(
                    "student-flex",
                    (2.0, Some(6.0)),
                    "08:00",
                    "20:00",
                    &["student"],
                    0,
                ),
            ]
            .concat(),
            queues: vec![
                QueueSpec {
                    queue: live_queue("phone-ja", "phone", "ja", 20.0, Some(0.85)),
                    share: 0.55,
                    aht_seconds: 300.0,
                },
                QueueSpec {
                    queue: live_queue("chat-ja", "chat", "ja", 60.0, None),
                    share: 0.15,
                    aht_seconds: 480.0,
                },
                QueueSpec {
                    queue: email_queue("email-ja", "ja", 24.0),
                    share: 0.10,
                    aht_seconds: 360.0,
                },
                QueueSpec {
                    queue: live_queue("phone-en", "phone", "en", 20.0, None),
                    share: 0.12,
                    aht_seconds: 360.0,
                },
                QueueSpec {
                    queue: live_queue("chat-en", "chat", "en", 60.0, None),
                    share: 0.08,
                    aht_seconds: 480.0,
                },
            ],
            weekly_contacts: 11_000.0,
            weekday_hours: (hm(8, 0), hm(22, 0)),
            weekend_hours: (hm(9, 0), hm(18, 0)),
            weekend_factors: (0.55, 0.45),
            staff: vec![
                group(
                    "TL",
                    "team_lead",
                    "full_time",
                    4,
                    "",
                    &[("onsite", 0.5), ("hybrid", 0.5)],
                    &[("", 0.5), ("phone-ja;chat-ja", 0.5)],
                    (2900.0, 3100.0),
                    50.0,
                    Japanese,
                    Staff,
                ),
                full_time,
                group(
                    "MNL",
                    "agent",
                    "full_time",
                    4,
                    "Asia/Manila",
                    &[("remote", 1.0)],
                    &[("phone-en;chat-en", 1.0)],
                    (1300.0, 1500.0),
                    50.0,
                    Filipino,
                    Staff,
                ),
                group(
                    "PT",
                    "agent",
                    "part_time",
                    4,
                    "",
                    &[("onsite", 0.5), ("hybrid", 0.5)],
                    &[
                        ("phone-ja;chat-ja", 0.5),
                        ("phone-ja;chat-ja;email-ja", 0.5),
                    ],
                    (1450.0, 1550.0),
                    50.0,
                    Japanese,
                    Staff,
                ),
                group(
                    "ST",
                    "agent",
                    "student",
                    10,
                    "",
                    &[("hybrid", 1.0)],
                    &[
                        ("phone-ja;chat-ja", 0.5),
                        ("chat-ja;email-ja", 0.2),
                        ("chat-ja;chat-en", 0.1),
                        ("phone-en;chat-en", 0.2),
                    ],
                    (1250.0, 1350.0),
                    10.0,
                    Japanese,
                    Student,
                ),
            ],
            peak_days: Vec::new(),
            request_weight: (2000.0, 5000.0),
            request_weight_step: 500.0,
            staff_request_rate: 0.15,
            seed: 20261130,
            target_load: None,
        }
    }

    /// The Tokyo site in the week of Monday 2027-07-12 with Prime Day on 07-13 and
    /// 07-14: phone/chat volume ×2.2 in the daytime and ×3.0 from 18:00, open until
    /// 23:00 those days (email ×2.2). Same staff (same seed) plus 10 more students and
    /// 8 more part-timers (78 people); the week as a whole needs about 0.97 of their
    /// hours, and the evening peaks cannot be covered — on purpose.
    pub fn prime_day() -> Self {
        let mut spec = SiteSpec::tokyo();
        spec.name = s("Tokyo Contact Center (Prime Day week)");
        spec.start_date = NaiveDate::from_ymd_opt(2027, 7, 12).expect("valid date");
        for g in &mut spec.staff {
            match g.id_prefix.as_str() {
                "ST" => g.count = 20,
                "PT" => g.count = 12,
                _ => {}
            }
        }
        // Full-timers may start until 14:00 so that a shift covers the 23:00 close.
        for t in &mut spec.shift_templates {
            if t.id.starts_with("day-") {
                t.latest_start = s("14:00");
            }
        }
        spec.peak_days = [1, 2]
            .iter()
            .map(|&day| PeakDay {
                day,
                multiplier: 2.2,
                evening_multiplier: 3.0,
                evening_from: hm(18, 0),
                close: Some(hm(23, 0)),
            })
            .collect();
        spec
    }

    /// A small center in Seattle (15 people, `America/Los_Angeles`, costs in USD) for
    /// the 7 days from Thursday 2026-10-29: the horizon crosses the end of daylight
    /// saving time on Sunday 2026-11-01, a 25-hour day. Queues phone-en, chat-en and
    /// email-en; one agent works remotely from Mexico City, which keeps its offset while
    /// Seattle's changes.
    pub fn seattle_dst() -> Self {
        use NameStyle::*;
        use RequestStyle::{Staff, Student};
        SiteSpec {
            name: s("Seattle Support Center"),
            timezone: s("America/Los_Angeles"),
            start_date: NaiveDate::from_ymd_opt(2026, 10, 29).expect("valid date"),
            days: 7,
            interval_minutes: 30,
            seats: Some(10),
            shrinkage: 0.2,
            team_lead_ratio: 12.0,
            penalties: RawPenalties {
                understaffing_per_agent_hour: Some(vec![45.0, 70.0, 110.0]),
                overstaffing_per_agent_hour: Some(2.5),
                team_lead_shortfall_per_hour: Some(60.0),
                onsite_cost_per_hour: Some(1.5),
                backlog_per_agent_hour: Some(45.0),
            },
            contracts: vec![
                contract("full_time", 32.0, 40.0, 4, 5, 10.0, 5, 2),
                contract("part_time", 0.0, 24.0, 0, 4, 10.0, 5, 2),
                contract("student", 0.0, 20.0, 0, 5, 10.0, 5, 2),
            ],
            shift_templates: [
                template_pair("day", (8.5, None), "06:30", "10:30", &["full_time"], 30),
                template_pair("part", (4.0, None), "07:00", "15:00", &["part_time"], 0),
                template_pair(
                    "student-flex",
                    (2.0, Some(6.0)),
                    "07:00",
                    "17:00",
                    &["student"],
                    0,
                ),
            ]
            .concat(),
            queues: vec![
                QueueSpec {
                    queue: live_queue("phone-en", "phone", "en", 20.0, Some(0.85)),
                    share: 0.62,
                    aht_seconds: 330.0,
                },
                QueueSpec {
                    queue: live_queue("chat-en", "chat", "en", 60.0, None),
                    share: 0.23,
                    aht_seconds: 540.0,
                },
                QueueSpec {
                    queue: email_queue("email-en", "en", 24.0),
                    share: 0.15,
                    aht_seconds: 300.0,
                },
            ],
            weekly_contacts: 1_250.0,
            weekday_hours: (hm(7, 0), hm(19, 0)),
            weekend_hours: (hm(9, 0), hm(17, 0)),
            weekend_factors: (0.55, 0.45),
            staff: vec![
                group(
                    "TL",
                    "team_lead",
                    "full_time",
                    2,
                    "",
                    &[("onsite", 0.5), ("hybrid", 0.5)],
                    &[("", 0.5), ("phone-en;chat-en", 0.5)],
                    (33.0, 36.0),
                    0.5,
                    American,
                    Staff,
                ),
                group(
                    "FT",
                    "agent",
                    "full_time",
                    8,
                    "",
                    &[("onsite", 0.4), ("hybrid", 0.35), ("remote", 0.25)],
                    &[
                        ("phone-en;chat-en", 0.3),
                        ("phone-en;chat-en;email-en", 0.3),
                        ("phone-en;email-en", 0.25),
                        ("chat-en;email-en", 0.15),
                    ],
                    (24.0, 30.0),
                    0.25,
                    American,
                    Staff,
                ),
                group(
                    "MEX",
                    "agent",
                    "full_time",
                    1,
                    "America/Mexico_City",
                    &[("remote", 1.0)],
                    &[("phone-en;chat-en;email-en", 1.0)],
                    (22.0, 24.0),
                    0.25,
                    Mexican,
                    Staff,
                ),
                group(
                    "PT",
                    "agent",
                    "part_time",
                    2,
                    "",
                    &[("onsite", 0.5), ("hybrid", 0.5)],
                    &[("phone-en;chat-en", 1.0)],
                    (22.0, 23.0),
                    0.25,
                    American,
                    Staff,
                ),
                group(
                    "ST",
                    "agent",
                    "student",
                    2,
                    "",
                    &[("hybrid", 1.0)],
                    &[("chat-en;email-en", 0.5), ("phone-en;chat-en", 0.5)],
                    (21.5, 22.5),
                    0.25,
                    American,
                    Student,
                ),
            ],
            peak_days: Vec::new(),
            request_weight: (15.0, 40.0),
            request_weight_step: 5.0,
            staff_request_rate: 0.3,
            seed: 20261029,
            target_load: None,
        }
    }

    /// Rescale the demand so that the generated site's [`staffing_load`] is `load`
    /// (see [`SiteSpec::target_load`]).
    pub fn with_load(mut self, load: f64) -> Self {
        self.target_load = Some(load);
        self
    }

    /// Total headcount: the sum of the staff groups.
    pub fn people(&self) -> usize {
        self.staff.iter().map(|g| g.count).sum()
    }

    /// Scale the site to `n` people: every staff group in proportion (largest
    /// remainder, so the counts add up to exactly `n`), and the weekly contacts and
    /// seats by the same factor.
    ///
    /// Proportional demand is *less* loaded at a larger size: Erlang staffing has
    /// economies of scale (a 300-person Tokyo needs about 0.63 of its agents' hours
    /// where Tokyo needs 0.88). To keep the original's load, add
    /// [`SiteSpec::with_load`] with the original's [`staffing_load`].
    pub fn with_people(mut self, n: usize) -> Self {
        let old = self.people();
        if old == 0 || n == old {
            return self;
        }
        let factor = n as f64 / old as f64;
        let exact: Vec<f64> = self.staff.iter().map(|g| g.count as f64 * factor).collect();
        let mut counts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
        let mut order: Vec<usize> = (0..counts.len()).collect();
        order.sort_by(|&a, &b| {
            (exact[b] - exact[b].floor())
                .total_cmp(&(exact[a] - exact[a].floor()))
                .then(a.cmp(&b))
        });
        let missing = n - counts.iter().sum::<usize>();
        for &i in order.iter().cycle().take(missing) {
            counts[i] += 1;
        }
        for (g, c) in self.staff.iter_mut().zip(counts) {
            g.count = c;
        }
        self.weekly_contacts *= factor;
        self.seats = self.seats.map(|x| (f64::from(x) * factor).ceil() as u32);
        self
    }
}

// ---------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------

/// A generated site: the raw rows of the four files.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedSite {
    /// `site.toml`.
    pub site: RawSite,
    /// `employees.csv` rows.
    pub employees: Vec<RawEmployee>,
    /// `forecast.csv` rows (every interval of the horizon for every queue).
    pub forecast: Vec<RawForecast>,
    /// `requests.csv` rows.
    pub requests: Vec<RawRequest>,
}

/// The four files of a site as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteTexts {
    /// `site.toml`.
    pub site_toml: String,
    /// `employees.csv`.
    pub employees_csv: String,
    /// `forecast.csv`.
    pub forecast_csv: String,
    /// `requests.csv`.
    pub requests_csv: String,
}

fn csv_text<T: serde::Serialize>(rows: &[T], header: Option<&[&str]>) -> Result<String, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if rows.is_empty() {
        if let Some(h) = header {
            w.write_record(h)
                .map_err(|e| Error::Usage(format!("cannot write CSV: {e}")))?;
        }
    }
    for r in rows {
        w.serialize(r)
            .map_err(|e| Error::Usage(format!("cannot write CSV: {e}")))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Usage(format!("cannot write CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Usage(format!("CSV is not UTF-8: {e}")))
}

impl GeneratedSite {
    /// Render the four files. `site.toml` starts with a comment saying how it was made.
    pub fn to_texts(&self) -> Result<SiteTexts, Error> {
        let toml = toml::to_string_pretty(&self.site)
            .map_err(|e| Error::Usage(format!("cannot write site.toml: {e}")))?;
        let site_toml = format!(
            "# {}: generated by shiftwise::generate (cargo run --release --example generate_sites).\n\
             # Demand shaped by the bank call-center data; edit freely.\n\n{toml}",
            self.site.name
        );
        Ok(SiteTexts {
            site_toml,
            employees_csv: csv_text(&self.employees, None)?,
            forecast_csv: csv_text(&self.forecast, None)?,
            requests_csv: csv_text(&self.requests, Some(REQUEST_COLUMNS))?,
        })
    }

    /// Validate the rendered files with [`crate::input::validate::validate_strings`].
    pub fn validate(&self) -> Result<Validation, Error> {
        let t = self.to_texts()?;
        Ok(validate_strings(
            &t.site_toml,
            &t.employees_csv,
            &t.forecast_csv,
            &t.requests_csv,
        ))
    }

    /// [`staffing_load`] of the site (validation errors become [`Error::Input`]).
    pub fn load(&self) -> Result<f64, Error> {
        let v = self.validate()?;
        match v.site {
            Some(site) if v.errors.is_empty() => Ok(staffing_load(&site)),
            _ => Err(Error::Input(crate::error::InputProblems(v.errors))),
        }
    }

    /// Total forecast contacts over the horizon.
    pub fn total_contacts(&self) -> f64 {
        self.forecast
            .iter()
            .map(|r| r.contacts.parse::<f64>().unwrap_or(0.0))
            .sum()
    }

    /// Forecast contacts per queue, in the order of `site.toml`.
    pub fn contacts_per_queue(&self) -> Vec<(String, f64)> {
        let mut out: Vec<(String, f64)> = self
            .site
            .queues
            .iter()
            .map(|q| (q.id.clone(), 0.0))
            .collect();
        for r in &self.forecast {
            if let Some(slot) = out.iter_mut().find(|(id, _)| *id == r.queue) {
                slot.1 += r.contacts.parse::<f64>().unwrap_or(0.0);
            }
        }
        out
    }

    /// Forecast contacts per local date (`YYYY-MM-DD`), in date order.
    pub fn contacts_per_date(&self) -> Vec<(String, f64)> {
        let mut map: BTreeMap<String, f64> = BTreeMap::new();
        for r in &self.forecast {
            let date = r.interval_start.get(..10).unwrap_or_default().to_string();
            *map.entry(date).or_default() += r.contacts.parse::<f64>().unwrap_or(0.0);
        }
        map.into_iter().collect()
    }
}

/// Random stream ids, so that each kind of draw has its own independent stream.
mod stream {
    pub const NAMES: u64 = 1 << 60;
    pub const STAFF: u64 = 2 << 60;
    pub const REQUESTS: u64 = 3 << 60;
    pub const DEMAND: u64 = 4 << 60;
}

fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(stream);
    r
}

/// Pick from `(item, share)` by a number `u` in [0, 1).
fn pick(items: &[(String, f64)], u: f64) -> &str {
    let total: f64 = items.iter().map(|(_, w)| w.max(0.0)).sum();
    let mut acc = 0.0;
    for (item, w) in items {
        acc += w.max(0.0) / total;
        if u < acc {
            return item;
        }
    }
    items.last().map_or("", |(i, _)| i.as_str())
}

/// Low-discrepancy point number `i` (fractional parts of multiples of an irrational).
fn low_discrepancy(i: usize, alpha: f64, offset: f64) -> f64 {
    (offset + i as f64 * alpha).fract()
}

fn round_to(x: f64, step: f64) -> f64 {
    if step > 0.0 {
        (x / step).round() * step
    } else {
        x
    }
}

/// Format a number without a trailing `.0` and with at most two decimals.
fn fmt_num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        let t = format!("{r:.2}");
        t.trim_end_matches('0').to_string()
    }
}

fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

// Name pools: given names, then family names, comma-separated (equal counts per style).
const JA_GIVEN: &str = "Haruto,Yuto,Sota,Riku,Minato,Ren,Hinata,Kaito,Takumi,Daiki,Kenta,Shota,Yusuke,Takeshi,\
    Hiroshi,Naoki,Kazuki,Ryo,Sho,Tomoya,Yui,Aoi,Hina,Mei,Sakura,Yuna,Rin,Misaki,Haruka,Nanami,Ayaka,Miyu,Saki,Mao,\
    Yuka,Emi,Kana,Mana,Natsuki,Chihiro";
const JA_FAMILY: &str = "Sato,Suzuki,Takahashi,Tanaka,Watanabe,Ito,Yamamoto,Nakamura,Kobayashi,Kato,Yoshida,\
    Yamada,Sasaki,Yamaguchi,Matsumoto,Inoue,Kimura,Hayashi,Shimizu,Yamazaki,Mori,Abe,Ikeda,Hashimoto,Ishikawa,\
    Yamashita,Ogawa,Ishii,Hasegawa,Goto,Okada,Kondo,Maeda,Fujita,Endo,Aoki,Sakamoto,Murakami,Ota,Kaneko";
const PH_GIVEN: &str =
    "Maria,Jose,Mark Anthony,Kristine,Jasmine,Rodel,Jerome,Aileen,Maricel,Joy,Rey,Angelica,\
    Carlo,Princess,Jun,Lovely,Arnel,Rowena,John Paul,Cherry,Dennis,Marites,Ryan,Grace";
const PH_FAMILY: &str = "Santos,Reyes,Cruz,Bautista,Ocampo,Garcia,Mendoza,Torres,Dela Cruz,Villanueva,Ramos,\
    Aquino,Castillo,Flores,Gonzales,Navarro,Pascual,Salazar,Soriano,Manalo,Lopez,Del Rosario,Mercado,Aguilar";
const US_GIVEN: &str = "James,Emily,Michael,Olivia,David,Sarah,Daniel,Jessica,Ryan,Ashley,Tyler,Megan,Kevin,\
    Rachel,Brandon,Lauren,Justin,Hannah,Eric,Nicole,Jordan,Taylor,Marcus,Aisha,Kenji,Priya,Minh,Grace,Ethan,Chloe";
const US_FAMILY: &str = "Johnson,Smith,Nguyen,Kim,Williams,Brown,Garcia,Miller,Davis,Anderson,Thompson,Lee,\
    Patel,Martinez,Wilson,Clark,Lewis,Walker,Young,Hernandez,Wright,Chen,Hall,Allen,Scott,Baker,Nelson,Carter,\
    Mitchell,Roberts";
const MX_GIVEN: &str =
    "Alejandro,Sofía,Diego,Valentina,José Luis,Fernanda,Carlos,Daniela,Luis,Mariana,Jorge,\
    Gabriela,Miguel,Ximena,Juan Carlos,Andrea";
const MX_FAMILY: &str =
    "Hernández,García,Martínez,López,González,Rodríguez,Pérez,Sánchez,Ramírez,Flores,Torres,\
    Rivera,Gómez,Díaz,Cruz,Morales";

/// `(given names, family names, family name first)` of a style.
fn name_pool(style: NameStyle) -> (Vec<&'static str>, Vec<&'static str>, bool) {
    let split = |s: &'static str| s.split(',').map(str::trim).collect::<Vec<_>>();
    match style {
        NameStyle::Japanese => (split(JA_GIVEN), split(JA_FAMILY), true),
        NameStyle::Filipino => (split(PH_GIVEN), split(PH_FAMILY), false),
        NameStyle::American => (split(US_GIVEN), split(US_FAMILY), false),
        NameStyle::Mexican => (split(MX_GIVEN), split(MX_FAMILY), false),
    }
}

/// Names of a style in a seeded order: family and given names are each shuffled and
/// paired Latin-square fashion, so the first `min(families, givens)` names share
/// neither a family nor a given name, and all pairs are distinct up to the pool size.
fn shuffled_names(style: NameStyle, seed: u64) -> Vec<String> {
    let (given, family, family_first) = name_pool(style);
    let mut r = rng(seed, stream::NAMES | style as u64);
    let (mut given, mut family) = (given, family);
    given.shuffle(&mut r);
    family.shuffle(&mut r);
    let (nf, ng) = (family.len(), given.len());
    (0..nf * ng)
        .map(|k| {
            let (f, g) = (family[k % nf], given[(k % nf + k / nf) % ng]);
            if family_first {
                format!("{f} {g}")
            } else {
                format!("{g} {f}")
            }
        })
        .collect()
}

/// Generate a site from `spec`, shaped by `shape`. Deterministic: the same spec (and
/// shape) always gives the same site.
pub fn generate_site(spec: &SiteSpec, shape: &DemandShape) -> GeneratedSite {
    let tz: Tz = spec.timezone.parse().unwrap_or(chrono_tz::UTC);
    let grid = TimeGrid::new(tz, spec.start_date, spec.days, spec.interval_minutes);
    let (employees, requests) = staff(spec, &grid);
    let (contacts, aht) = forecast_numbers(spec, shape, &grid);
    let mut site = GeneratedSite {
        site: raw_site(spec),
        employees,
        forecast: forecast_rows(spec, &grid, &contacts, &aht, 1.0),
        requests,
    };
    if let Some(target) = spec.target_load {
        if let Some(scale) = calibrate(&site, target) {
            site.forecast = forecast_rows(spec, &grid, &contacts, &aht, scale);
        }
    }
    site
}

/// Required agent-hours over the horizon (after shrinkage, from
/// [`crate::staffing::requirements`]) divided by the most hours the site's agents may
/// work in it (each agent's weekly maximum × days / 7; team leads excluded). About
/// 0.85–0.9 is a loaded but workable site; above 1 the demand cannot be covered.
pub fn staffing_load(site: &Site) -> f64 {
    load_with(site, &site.forecast)
}

fn load_with(site: &Site, forecast: &Forecast) -> f64 {
    let interval_hours = site.grid.interval_hours();
    let req = crate::staffing::requirements_for(
        &site.queues,
        forecast,
        site.grid.interval_seconds(),
        site.shrinkage,
    );
    let need: f64 = req.agents.iter().flatten().sum::<f64>() * interval_hours;
    let weeks = site.grid.days as f64 / 7.0;
    let capacity: f64 = (0..site.employees.len())
        .filter(|&e| site.employees[e].role == Role::Agent)
        .map(|e| site.weekly_hours(e).1 * weeks)
        .sum();
    if capacity > 0.0 {
        need / capacity
    } else {
        f64::INFINITY
    }
}

/// The factor on every contact count that brings [`staffing_load`] to `target`
/// (bisection; the load grows with the volume). `None` if the site does not validate.
fn calibrate(site: &GeneratedSite, target: f64) -> Option<f64> {
    let domain = site.validate().ok()?.site?;
    let load_at = |scale: f64| {
        let mut f = domain.forecast.clone();
        f.contacts.iter_mut().flatten().for_each(|c| *c *= scale);
        load_with(&domain, &f)
    };
    let (mut lo, mut hi) = (0.0, 1.0);
    while load_at(hi) < target && hi < 1e4 {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if load_at(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(hi)
}

fn raw_site(spec: &SiteSpec) -> RawSite {
    RawSite {
        name: spec.name.clone(),
        timezone: spec.timezone.clone(),
        start_date: spec.start_date.format("%Y-%m-%d").to_string(),
        days: spec.days as u32,
        interval_minutes: Some(spec.interval_minutes),
        seats: spec.seats,
        shrinkage: Some(spec.shrinkage),
        team_lead_ratio: Some(spec.team_lead_ratio),
        penalties: Some(spec.penalties.clone()),
        fairness: None,
        queues: spec.queues.iter().map(|q| q.queue.clone()).collect(),
        contracts: spec.contracts.clone(),
        shift_templates: spec.shift_templates.clone(),
        break_rules: contact_center_break_rules(),
        max_on_break_share: None,
        template_cover: Vec::new(),
    }
}

/// The example sites' break rules: a 60-minute meal 3–5 h into shifts of 7 h or more with
/// a 15-minute mindfulness break on each side; a 30-minute meal 2.5–3.5 h into shifts of
/// 5.5 h or more with one mindfulness break; one mindfulness break from 3 h; none below.
pub fn contact_center_break_rules() -> Vec<crate::input::raw::RawBreakRule> {
    use crate::input::raw::RawBreakRule;
    let rule = |min_h: f64, meal: u32, earliest: f64, latest: f64, mindful: u32| RawBreakRule {
        min_shift_hours: min_h,
        meal_minutes: (meal > 0).then_some(meal),
        meal_earliest_hours: (meal > 0).then_some(earliest),
        meal_latest_hours: (meal > 0).then_some(latest),
        mindfulness_breaks: Some(mindful),
        mindfulness_minutes: Some(15),
        min_gap_minutes: Some(60),
        edge_minutes: Some(60),
    };
    vec![
        rule(3.0, 0, 0.0, 0.0, 1),
        rule(5.5, 30, 2.5, 3.5, 1),
        rule(7.0, 60, 3.0, 5.0, 2),
    ]
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Phone,
    Chat,
    Email,
}

fn kind(q: &QueueSpec) -> Kind {
    match q.queue.channel.as_str() {
        "email" => Kind::Email,
        "chat" => Kind::Chat,
        _ => Kind::Phone,
    }
}

/// Relative arrival intensity of the 15-minute slot at `minute` for a real-time queue.
fn live_weight(shape: &DemandShape, spec: &SiteSpec, k: Kind, minute: u32) -> f64 {
    let (open, close) = spec.weekday_hours;
    let base = shape.intensity(open, minute);
    if k == Kind::Chat {
        // Chat leans toward the evening: 0.85 at the weekday opening to 1.2 at closing.
        let span = f64::from(close.saturating_sub(open).max(1));
        let x = ((f64::from(minute) - f64::from(open)) / span).clamp(0.0, 1.0);
        base * (0.85 + 0.35 * x)
    } else {
        base
    }
}

/// Relative arrival intensity of email in the 15-minute slot at `minute`: the
/// phone profile smoothed over ±90 minutes plus a night floor.
fn email_weight(shape: &DemandShape, spec: &SiteSpec, minute: u32) -> f64 {
    let (open, close) = spec.weekday_hours;
    let mean = 1.0 / shape.intraday.len().max(1) as f64;
    let mut acc = 0.0;
    let half = 6i64;
    for j in -half..=half {
        let m = i64::from(minute) + j * i64::from(SLOT);
        if m >= i64::from(open) && m < i64::from(close) {
            acc += shape.intensity(open, m as u32);
        }
    }
    acc / (2 * half + 1) as f64 + 0.15 * mean
}

/// Mild intraday AHT variation: longer early and late, shortest mid-afternoon.
fn aht_factor(minute_mid: f64) -> f64 {
    let h = minute_mid / 60.0;
    1.0 + 0.05 * ((h - 14.5) / 7.5).powi(2).min(1.0) - 0.02
}

type Matrix = Vec<Vec<f64>>;

/// Forecast contacts and AHT per queue and interval.
fn forecast_numbers(spec: &SiteSpec, shape: &DemandShape, grid: &TimeGrid) -> (Matrix, Matrix) {
    let nq = spec.queues.len();
    let n = grid.len();
    let mut contacts = vec![vec![0.0; n]; nq];
    let mut aht = vec![vec![0.0; n]; nq];
    let week_weight =
        shape.day_of_week.iter().sum::<f64>() + spec.weekend_factors.0 + spec.weekend_factors.1;
    let per_day_base = spec.weekly_contacts / week_weight;
    let sigma = (1.0 + shape.residual_cv.powi(2)).ln().sqrt();
    let noise_dist = LogNormal::new(-sigma * sigma / 2.0, sigma).ok();
    let slots_per_interval = (spec.interval_minutes / SLOT).max(1);

    for d in 0..grid.days {
        let date = grid.date(d);
        let mut r = rng(spec.seed, stream::DEMAND | date.num_days_from_ce() as u64);
        let noise = noise_dist.map_or(1.0, |dist| dist.sample(&mut r));
        let wd = date.weekday();
        let (day_factor, (open, close)) = match wd {
            Weekday::Sat => (spec.weekend_factors.0, spec.weekend_hours),
            Weekday::Sun => (spec.weekend_factors.1, spec.weekend_hours),
            w => (
                shape.day_of_week[w.num_days_from_monday() as usize],
                spec.weekday_hours,
            ),
        };
        let peak = spec.peak_days.iter().find(|p| p.day == d);
        let close_today = peak.and_then(|p| p.close).unwrap_or(close).max(close);
        let range = grid.day_starts[d]..grid.day_starts[d + 1];
        for (q, qs) in spec.queues.iter().enumerate() {
            let k = kind(qs);
            let volume = per_day_base * qs.share * day_factor * noise;
            // Slot minutes of an interval (its local start, then every 15 minutes).
            let slots = |i: usize| {
                let t = grid.intervals[i].start_local.time();
                let m0 = t.hour() * 60 + t.minute();
                (0..slots_per_interval).map(move |j| m0 + j * SLOT)
            };
            match k {
                Kind::Email => {
                    let weights: Vec<f64> = range
                        .clone()
                        .map(|i| slots(i).map(|m| email_weight(shape, spec, m)).sum())
                        .collect();
                    let total: f64 = weights.iter().sum();
                    let mult = peak.map_or(1.0, |p| p.multiplier);
                    for (i, w) in range.clone().zip(weights) {
                        contacts[q][i] = if total > 0.0 {
                            volume * mult * w / total
                        } else {
                            0.0
                        };
                    }
                }
                Kind::Phone | Kind::Chat => {
                    // Normalise over the usual opening hours of the day, so that a longer
                    // peak-day opening adds volume instead of diluting it.
                    let norm: f64 = (open..close)
                        .step_by(SLOT as usize)
                        .map(|m| live_weight(shape, spec, k, m))
                        .sum();
                    for i in range.clone() {
                        let mut c = 0.0;
                        for m in slots(i) {
                            if m < open || m >= close_today || norm <= 0.0 {
                                continue;
                            }
                            let mult = match peak {
                                Some(p) if m >= p.evening_from => p.evening_multiplier,
                                Some(p) => p.multiplier,
                                None => 1.0,
                            };
                            c += volume * mult * live_weight(shape, spec, k, m) / norm;
                        }
                        contacts[q][i] = c;
                    }
                }
            }
            for i in range.clone() {
                let t = grid.intervals[i].start_local.time();
                let mid =
                    f64::from(t.hour() * 60 + t.minute()) + f64::from(spec.interval_minutes) / 2.0;
                let jitter = 1.0 + r.gen_range(-0.02..0.02);
                aht[q][i] = (qs.aht_seconds * aht_factor(mid) * jitter).round().max(1.0);
            }
        }
    }

    (contacts, aht)
}

/// Forecast rows, contacts scaled by `scale`.
fn forecast_rows(
    spec: &SiteSpec,
    grid: &TimeGrid,
    contacts: &Matrix,
    aht: &Matrix,
    scale: f64,
) -> Vec<RawForecast> {
    let (n, nq) = (grid.len(), spec.queues.len());
    // Offsets are written on every row when the zone's offset changes within the
    // horizon (a DST change), so that the repeated hour is unambiguous and the change
    // is visible; otherwise plain local times.
    let offset_changes = grid
        .intervals
        .windows(2)
        .any(|w| w[0].utc_offset_seconds != w[1].utc_offset_seconds);
    let mut rows = Vec::with_capacity(n * nq);
    for (i, iv) in grid.intervals.iter().enumerate() {
        let mut stamp = iv.start_local.format("%Y-%m-%dT%H:%M").to_string();
        if offset_changes {
            stamp += &format_offset(iv.utc_offset_seconds);
        }
        for (q, qs) in spec.queues.iter().enumerate() {
            rows.push(RawForecast {
                interval_start: stamp.clone(),
                queue: qs.queue.id.clone(),
                contacts: fmt_num(contacts[q][i] * scale),
                aht_seconds: fmt_num(aht[q][i]),
                shrinkage: String::new(),
            });
        }
    }
    rows
}

/// Class blocks (hours at university plus the commute), in the student's zone.
const CLASS_BLOCKS: [(u32, u32); 7] = [
    (hm(8, 30), hm(12, 30)),
    (hm(8, 30), hm(15, 0)),
    (hm(10, 30), hm(14, 30)),
    (hm(12, 30), hm(16, 30)),
    (hm(12, 30), hm(18, 30)),
    (hm(14, 0), hm(18, 30)),
    (hm(9, 0), hm(12, 0)),
];

const LEAVE_NOTES: [&str; 5] = [
    "approved annual leave",
    "approved leave: family event",
    "approved leave: medical appointment",
    "approved leave: moving house",
    "approved leave: wedding",
];

fn request(employee: &str, kind: &str, strength: &str, note: &str) -> RawRequest {
    RawRequest {
        employee: s(employee),
        kind: s(kind),
        date: String::new(),
        weekday: String::new(),
        from: String::new(),
        to: String::new(),
        strength: s(strength),
        weight: String::new(),
        value: String::new(),
        note: s(note),
    }
}

fn staff(spec: &SiteSpec, grid: &TimeGrid) -> (Vec<RawEmployee>, Vec<RawRequest>) {
    let mut employees = Vec::new();
    let mut requests = Vec::new();
    let mut pools: Vec<(NameStyle, Vec<String>)> = Vec::new();
    for (g, group) in spec.staff.iter().enumerate() {
        if !pools.iter().any(|(st, _)| *st == group.names) {
            pools.push((group.names, shuffled_names(group.names, spec.seed)));
        }
        let names = &pools
            .iter()
            .find(|(st, _)| *st == group.names)
            .expect("pool just added")
            .1;
        let width = group.count.to_string().len().max(2);
        for i in 0..group.count {
            let id = format!("{}{:0width$}", group.id_prefix, i + 1);
            let key = ((g as u64) << 32) | i as u64;
            let mut r = rng(spec.seed, stream::STAFF | key);
            let work_mode = pick(
                &group.work_modes,
                low_discrepancy(i, 0.618_033_988_749_895, 0.5),
            )
            .to_string();
            let skills = pick(
                &group.skills,
                low_discrepancy(i, 0.414_213_562_373_095, 0.25),
            )
            .to_string();
            let cost = round_to(
                r.gen_range(group.hourly_cost.0..=group.hourly_cost.1),
                group.cost_step,
            );
            let (min_hours, max_hours) = match group.reduced_hours {
                Some((share, lo, hi)) if r.gen::<f64>() < share => (fmt_num(lo), fmt_num(hi)),
                _ => (String::new(), String::new()),
            };
            // Each group of a name style reads its own block of the style's sequence, so
            // a group's first members keep their names whatever the other groups' sizes.
            let same_style: Vec<usize> = (0..spec.staff.len())
                .filter(|&h| spec.staff[h].names == group.names)
                .collect();
            let rank = same_style.iter().position(|&h| h == g).unwrap_or(0);
            let block = names.len() / same_style.len().max(1);
            let name = names[(rank * block + i) % names.len()].clone();
            let mut rr = rng(spec.seed, stream::REQUESTS | key);
            match group.requests {
                RequestStyle::None => {}
                RequestStyle::Staff => {
                    staff_requests(spec, grid, &id, &work_mode, &mut rr, &mut requests)
                }
                RequestStyle::Student => student_requests(spec, &id, i, &mut rr, &mut requests),
            }
            employees.push(RawEmployee {
                id,
                name,
                role: group.role.clone(),
                contract: group.contract.clone(),
                work_mode,
                timezone: group.timezone.clone(),
                skills,
                hourly_cost: fmt_num(cost),
                min_hours,
                max_hours,
            });
        }
    }
    (employees, requests)
}

fn weight(spec: &SiteSpec, r: &mut ChaCha8Rng) -> String {
    let (lo, hi) = spec.request_weight;
    let w = if hi > lo { r.gen_range(lo..=hi) } else { lo };
    fmt_num(round_to(w, spec.request_weight_step).max(spec.request_weight_step))
}

fn staff_requests(
    spec: &SiteSpec,
    grid: &TimeGrid,
    id: &str,
    work_mode: &str,
    r: &mut ChaCha8Rng,
    out: &mut Vec<RawRequest>,
) {
    // Approved leave: a dated, hard, whole-day unavailability (sometimes two days).
    if r.gen::<f64>() < spec.staff_request_rate && grid.days > 0 {
        let d = r.gen_range(0..grid.days);
        let mut note = LEAVE_NOTES[r.gen_range(0..LEAVE_NOTES.len())];
        let two = r.gen::<f64>() < 0.3 && d + 1 < grid.days;
        if two && note.contains("medical") {
            note = LEAVE_NOTES[0];
        }
        for day in [Some(d), two.then_some(d + 1)].into_iter().flatten() {
            let mut q = request(id, "unavailable", "hard", note);
            q.date = (grid.start_date + Duration::days(day as i64))
                .format("%Y-%m-%d")
                .to_string();
            out.push(q);
        }
    }
    // A preferred day off, recurring.
    if r.gen::<f64>() < spec.staff_request_rate {
        let mut q = request(id, "prefer_off", "soft", "prefers this day off");
        q.weekday = s(WEEKDAYS[r.gen_range(0..7)]);
        q.weight = weight(spec, r);
        out.push(q);
    }
    // Hybrid workers may prefer a mode, always or on one weekday.
    if work_mode == "hybrid" && r.gen::<f64>() < 2.0 * spec.staff_request_rate {
        let remote = r.gen::<f64>() < 0.7;
        let mut q = request(
            id,
            "prefer_mode",
            "soft",
            if remote {
                "prefers working from home"
            } else {
                "prefers the office"
            },
        );
        q.value = s(if remote { "remote" } else { "onsite" });
        if r.gen::<f64>() < 0.4 {
            q.weekday = s(WEEKDAYS[r.gen_range(0..5)]);
            q.note = s(if remote {
                "childcare: prefers working from home that day"
            } else {
                "prefers the office that day"
            });
        }
        q.weight = weight(spec, r);
        out.push(q);
    }
}

fn student_requests(
    spec: &SiteSpec,
    id: &str,
    ordinal: usize,
    r: &mut ChaCha8Rng,
    out: &mut Vec<RawRequest>,
) {
    // 2-4 class blocks on distinct weekdays.
    let mut days: Vec<usize> = (0..5).collect();
    days.shuffle(r);
    let n = r.gen_range(2..=4);
    let mut class_days: Vec<usize> = days[..n].to_vec();
    class_days.sort_unstable();
    let mut class_end = [0u32; 7];
    for &d in &class_days {
        let (from, to) = CLASS_BLOCKS[r.gen_range(0..CLASS_BLOCKS.len())];
        class_end[d] = to;
        let mut q = request(id, "unavailable", "hard", "university classes");
        q.weekday = s(WEEKDAYS[d]);
        q.from = hhmm(from);
        q.to = hhmm(to);
        out.push(q);
    }
    // Soft: a preferred day off (often a weekend day), evening work, a shift cap.
    if r.gen::<f64>() < 0.6 {
        let d = if r.gen::<f64>() < 0.6 {
            5 + r.gen_range(0..2)
        } else {
            days[n..][r.gen_range(0..5 - n)]
        };
        let mut q = request(
            id,
            "prefer_off",
            "soft",
            if d >= 5 {
                "prefers weekends free"
            } else {
                "club activity"
            },
        );
        q.weekday = s(WEEKDAYS[d]);
        q.weight = weight(spec, r);
        out.push(q);
    }
    if r.gen::<f64>() < 0.5 {
        let close = spec.weekday_hours.1;
        let d = class_days[r.gen_range(0..class_days.len())];
        let mut q = request(
            id,
            "prefer_work",
            "soft",
            "prefers evening shifts after class",
        );
        q.weekday = s(WEEKDAYS[d]);
        // From 4 hours before closing, but not before class (plus the commute) ends.
        q.from = hhmm(
            close
                .saturating_sub(240)
                .max(class_end[d] + 30)
                .min(close - 60),
        );
        q.to = hhmm(close);
        q.weight = weight(spec, r);
        out.push(q);
    }
    if ordinal % 6 == 2 {
        let mut q = request(
            id,
            "max_shifts",
            "soft",
            "wants at most 4 shifts a week during exams",
        );
        q.value = s("4");
        q.weight = weight(spec, r);
        out.push(q);
    }
}

/// Write the site's four files into `dir` (created if needed), each atomically.
pub fn write_site(dir: &Path, site: &GeneratedSite) -> Result<(), Error> {
    let t = site.to_texts()?;
    crate::input::write_atomic(&dir.join(files::SITE), t.site_toml.as_bytes())?;
    crate::input::write_atomic(&dir.join(files::EMPLOYEES), t.employees_csv.as_bytes())?;
    crate::input::write_atomic(&dir.join(files::FORECAST), t.forecast_csv.as_bytes())?;
    crate::input::write_atomic(&dir.join(files::REQUESTS), t.requests_csv.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape() -> Option<DemandShape> {
        match std::fs::read_to_string(BANK_CALLS_CSV) {
            Ok(text) => Some(shape_from_bank_calls(&text).expect("bank data parses")),
            Err(e) => {
                eprintln!("skipping: bank call data not available at {BANK_CALLS_CSV}: {e}");
                None
            }
        }
    }

    /// A tiny synthetic data set: two weeks of weekdays, constant 10 calls per 5
    /// minutes, Mondays doubled.
    fn synthetic_csv() -> String {
        let mut out = String::from("rownames,DateTime,Calls\n");
        let mut row = 1;
        let start = NaiveDate::from_ymd_opt(2003, 3, 3).unwrap();
        for d in 0..14 {
            let date = start + Duration::days(d);
            if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                continue;
            }
            let calls = if date.weekday() == Weekday::Mon {
                20
            } else {
                10
            };
            for k in 0..170 {
                let m = 7 * 60 + 5 * k;
                out += &format!("{row},{}T{:02}:{:02}:00Z,{calls}\n", date, m / 60, m % 60);
                row += 1;
            }
        }
        out
    }

    #[test]
    fn shape_from_synthetic_data() {
        let shape = shape_from_bank_calls(&synthetic_csv()).unwrap();
        assert_eq!(shape.days, 10);
        assert_eq!(shape.intraday.len(), 56);
        assert!((shape.intraday.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(shape
            .intraday
            .iter()
            .all(|&x| (x - 1.0 / 56.0).abs() < 1e-12));
        // Monday 20, others 10: mean of means 12 → 5/3 and 5/6.
        assert!((shape.day_of_week[0] - 20.0 / 12.0).abs() < 1e-12);
        assert!((shape.day_of_week[3] - 10.0 / 12.0).abs() < 1e-12);
        assert!(shape.residual_cv.abs() < 1e-12);
        assert!(shape.daily_cv > 0.3);
        assert!(shape_from_bank_calls("rownames,DateTime,Calls\n").is_err());
        assert!(shape_from_bank_calls("rownames,DateTime,Calls\n1,nonsense,3\n").is_err());
    }

    #[test]
    fn bank_shape_figures_are_plausible() {
        let Some(shape) = shape() else { return };
        assert_eq!(shape.days, 164);
        assert!((shape.day_of_week.iter().sum::<f64>() - 5.0).abs() < 1e-9);
        assert!(
            shape.day_of_week[0] > 1.05,
            "Mondays are busiest: {:?}",
            shape.day_of_week
        );
        assert!(shape.daily_cv > 0.03 && shape.daily_cv < 0.2);
        assert!(shape.residual_cv < shape.daily_cv);
    }

    #[test]
    fn with_people_scales_groups_and_demand() {
        let t = SiteSpec::tokyo();
        assert_eq!(t.people(), 60);
        let big = t.clone().with_people(300);
        assert_eq!(big.people(), 300);
        assert!((big.weekly_contacts - 5.0 * t.weekly_contacts).abs() < 1e-6);
        assert_eq!(big.seats, Some(150));
        for (a, b) in t.staff.iter().zip(&big.staff) {
            assert_eq!(b.count, a.count * 5);
        }
        assert_eq!(t.clone().with_people(61).people(), 61);
        assert_eq!(t.with_people(7).people(), 7);
    }

    #[test]
    fn generation_is_deterministic() {
        let Some(shape) = shape() else { return };
        let a = generate_site(&SiteSpec::tokyo(), &shape);
        let b = generate_site(&SiteSpec::tokyo(), &shape);
        assert_eq!(a, b);
        assert_eq!(a.to_texts().unwrap(), b.to_texts().unwrap());
        let mut other = SiteSpec::tokyo();
        other.seed += 1;
        assert_ne!(generate_site(&other, &shape).employees, a.employees);
    }

    #[test]
    fn generated_sites_validate() {
        let Some(shape) = shape() else { return };
        for spec in [
            SiteSpec::tokyo(),
            SiteSpec::prime_day(),
            SiteSpec::seattle_dst(),
            SiteSpec::tokyo().with_people(300),
        ] {
            let site = generate_site(&spec, &shape);
            let v = site.validate().unwrap();
            assert!(v.errors.is_empty(), "{}: {:#?}", spec.name, v.errors);
            for w in &v.warnings {
                eprintln!("{}: warning: {w}", spec.name);
            }
            let validated = v.site.expect("a site when there are no errors");
            assert_eq!(site.employees.len(), spec.people(), "{}", spec.name);
            assert_eq!(validated.employees.len(), spec.people(), "{}", spec.name);
            let ids: std::collections::HashSet<&str> =
                site.employees.iter().map(|e| e.id.as_str()).collect();
            assert_eq!(ids.len(), spec.people());
            // Every interval of every queue has a row.
            assert_eq!(
                site.forecast.len(),
                validated.grid.len() * spec.queues.len()
            );
            assert!(site
                .forecast
                .iter()
                .all(|r| r.aht_seconds.parse::<f64>().unwrap() > 0.0));
            // Volume close to the weekly target (noise and peak days aside).
            let total = site.total_contacts();
            if spec.peak_days.is_empty() {
                let rel = total / spec.weekly_contacts;
                assert!(
                    (0.85..1.15).contains(&rel),
                    "{}: {total} contacts",
                    spec.name
                );
            }
            // Phone and chat are closed at night.
            for r in &site.forecast {
                let hour: u32 = r.interval_start[11..13].parse().unwrap();
                if (r.queue.starts_with("phone") || r.queue.starts_with("chat")) && hour < 6 {
                    assert_eq!(r.contacts, "0", "{}: {r:?}", spec.name);
                }
            }
        }
    }

    #[test]
    fn dst_site_has_a_25_hour_day_with_offsets() {
        let Some(shape) = shape() else { return };
        let site = generate_site(&SiteSpec::seattle_dst(), &shape);
        let nov1: Vec<&RawForecast> = site
            .forecast
            .iter()
            .filter(|r| r.interval_start.starts_with("2026-11-01") && r.queue == "email-en")
            .collect();
        assert_eq!(nov1.len(), 50);
        assert!(nov1
            .iter()
            .any(|r| r.interval_start == "2026-11-01T01:30-07:00"));
        assert!(nov1
            .iter()
            .any(|r| r.interval_start == "2026-11-01T01:30-08:00"));
    }

    /// Required agent-hours (after shrinkage) against the most the agents can work:
    /// every example site must be loaded but not hopeless, and `with_load` must hit
    /// its target.
    #[test]
    fn sites_are_plausibly_loaded() {
        let Some(shape) = shape() else { return };
        let tokyo = generate_site(&SiteSpec::tokyo(), &shape).load().unwrap();
        for (spec, lo, hi) in [
            (SiteSpec::tokyo(), 0.8, 0.95),
            (SiteSpec::tokyo().with_people(300), 0.55, 0.95),
            (SiteSpec::seattle_dst(), 0.75, 0.95),
            (SiteSpec::prime_day(), 0.95, 1.6),
        ] {
            let load = generate_site(&spec, &shape).load().unwrap();
            eprintln!("{} ({} people): load {load:.3}", spec.name, spec.people());
            assert!((lo..hi).contains(&load), "{}: load {load:.3}", spec.name);
        }
        for n in [30, 300] {
            let spec = SiteSpec::tokyo().with_people(n).with_load(tokyo);
            let site = generate_site(&spec, &shape);
            let load = site.load().unwrap();
            eprintln!(
                "tokyo × {n}: load {load:.3}, {:.0} contacts",
                site.total_contacts()
            );
            assert!((load - tokyo).abs() < 0.01, "{n} people: {load} vs {tokyo}");
        }
    }

    #[test]
    fn prime_day_peaks_are_two_to_three_times_tokyo() {
        let Some(shape) = shape() else { return };
        let tokyo = generate_site(&SiteSpec::tokyo(), &shape).contacts_per_date();
        let prime = generate_site(&SiteSpec::prime_day(), &shape).contacts_per_date();
        assert_eq!(prime.len(), 7);
        // Horizons both start on a Monday: compare day by day (same weekday).
        for d in [1, 2] {
            let ratio = prime[d].1 / tokyo[d].1;
            assert!(
                (2.0..=3.0).contains(&ratio),
                "day {d}: {} vs {} → {ratio}",
                prime[d].1,
                tokyo[d].1
            );
        }
        for d in [0, 3, 4, 5, 6] {
            let ratio = prime[d].1 / tokyo[d].1;
            assert!((0.75..1.33).contains(&ratio), "ordinary day {d}: {ratio}");
        }
        // The same staff: Tokyo's employees are a subset of the prime-day ones.
        let t = generate_site(&SiteSpec::tokyo(), &shape);
        let p = generate_site(&SiteSpec::prime_day(), &shape);
        for e in &t.employees {
            assert!(p.employees.contains(e), "{} differs", e.id);
        }
    }
}
