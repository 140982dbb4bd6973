//! The time grid: the horizon's intervals in site-local time, built with chrono-tz.
//!
//! Intervals are of equal *real* length (15 or 30 minutes of UTC time). A local day
//! that crosses a DST change therefore has 23 or 25 hours of intervals. Every later
//! stage indexes time through [`TimeGrid`].

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// One planning interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    /// Start in UTC.
    pub start_utc: DateTime<Utc>,
    /// Start in site-local wall-clock time.
    pub start_local: NaiveDateTime,
    /// UTC offset of the site at the start, seconds east of UTC.
    pub utc_offset_seconds: i32,
    /// Index of the local day (0-based) the interval belongs to.
    pub day: usize,
}

/// Why a local timestamp could not be placed on the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalTimeError {
    /// The wall-clock time does not exist in the zone (skipped by a DST gap).
    DoesNotExist,
    /// The wall-clock time happens twice (DST overlap); the two candidate offsets are given.
    Ambiguous {
        /// The earlier instant's offset, e.g. `-07:00`.
        earlier: String,
        /// The later instant's offset, e.g. `-08:00`.
        later: String,
    },
    /// An explicit offset was given that the zone does not have at that time.
    WrongOffset {
        /// Offsets valid at that wall-clock time.
        valid: Vec<String>,
    },
}

impl std::fmt::Display for LocalTimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocalTimeError::DoesNotExist => {
                write!(f, "this local time does not exist (skipped by a daylight-saving change)")
            }
            LocalTimeError::Ambiguous { earlier, later } => write!(
                f,
                "this local time happens twice (daylight-saving overlap); add the offset, {earlier} for the first or {later} for the second"
            ),
            LocalTimeError::WrongOffset { valid } => {
                write!(f, "the zone has offset {} at this time", valid.join(" or "))
            }
        }
    }
}

/// Format a UTC offset in seconds as `+09:00`.
pub fn format_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    format!("{sign}{:02}:{:02}", s / 3600, (s % 3600) / 60)
}

/// Offset of `t` in zone `tz`, seconds east of UTC.
pub fn offset_seconds(tz: Tz, t: DateTime<Utc>) -> i32 {
    use chrono::Offset;
    tz.offset_from_utc_datetime(&t.naive_utc())
        .fix()
        .local_minus_utc()
}

/// Resolve a wall-clock time in `tz`. With `offset_seconds` given, the instant with
/// that offset is chosen (this is how the repeated hour at the end of DST is written);
/// without it, an ambiguous or non-existent time is an error that says so.
pub fn resolve_local(
    tz: Tz,
    local: NaiveDateTime,
    offset_seconds: Option<i32>,
) -> Result<DateTime<Utc>, LocalTimeError> {
    let candidates: Vec<DateTime<Tz>> = match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => vec![t],
        LocalResult::Ambiguous(a, b) => vec![a, b],
        LocalResult::None => return Err(LocalTimeError::DoesNotExist),
    };
    let off = |t: &DateTime<Tz>| {
        use chrono::Offset;
        t.offset().fix().local_minus_utc()
    };
    match offset_seconds {
        Some(want) => candidates
            .iter()
            .find(|t| off(t) == want)
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| LocalTimeError::WrongOffset {
                valid: candidates.iter().map(|t| format_offset(off(t))).collect(),
            }),
        None if candidates.len() == 1 => Ok(candidates[0].with_timezone(&Utc)),
        None => Err(LocalTimeError::Ambiguous {
            earlier: format_offset(off(&candidates[0])),
            later: format_offset(off(&candidates[1])),
        }),
    }
}

/// The first instant of a local day: local midnight, or the first existing wall-clock
/// time after it where a zone skips midnight.
pub fn start_of_local_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let mut t = date.and_time(NaiveTime::MIN);
    loop {
        match tz.from_local_datetime(&t) {
            LocalResult::Single(x) => return x.with_timezone(&Utc),
            LocalResult::Ambiguous(a, _) => return a.with_timezone(&Utc),
            LocalResult::None => t += Duration::minutes(15),
        }
    }
}

/// The horizon's intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeGrid {
    /// Site time zone.
    pub tz: Tz,
    /// First local date.
    pub start_date: NaiveDate,
    /// Number of local days.
    pub days: usize,
    /// Interval length in minutes.
    pub interval_minutes: u32,
    /// All intervals, in time order.
    pub intervals: Vec<Interval>,
    /// `day_starts[d]` is the index of the first interval of day `d`; `day_starts[days]` = len.
    pub day_starts: Vec<usize>,
}

impl TimeGrid {
    /// Build the grid for `days` local days from `start_date` in `tz`.
    pub fn new(tz: Tz, start_date: NaiveDate, days: usize, interval_minutes: u32) -> TimeGrid {
        let step = Duration::minutes(i64::from(interval_minutes));
        let mut intervals = Vec::new();
        let mut day_starts = Vec::with_capacity(days + 1);
        for d in 0..days {
            let date = start_date + Duration::days(d as i64);
            let from = start_of_local_day(tz, date);
            let to = start_of_local_day(tz, date + Duration::days(1));
            day_starts.push(intervals.len());
            let mut t = from;
            while t < to {
                let off = offset_seconds(tz, t);
                intervals.push(Interval {
                    start_utc: t,
                    start_local: t.naive_utc() + Duration::seconds(i64::from(off)),
                    utc_offset_seconds: off,
                    day: d,
                });
                t += step;
            }
        }
        day_starts.push(intervals.len());
        TimeGrid {
            tz,
            start_date,
            days,
            interval_minutes,
            intervals,
            day_starts,
        }
    }

    /// Number of intervals.
    pub fn len(&self) -> usize {
        self.intervals.len()
    }

    /// True when the horizon has no intervals.
    pub fn is_empty(&self) -> bool {
        self.intervals.is_empty()
    }

    /// Interval length in seconds.
    pub fn interval_seconds(&self) -> f64 {
        f64::from(self.interval_minutes) * 60.0
    }

    /// Interval length in hours.
    pub fn interval_hours(&self) -> f64 {
        f64::from(self.interval_minutes) / 60.0
    }

    /// Start of the horizon (UTC).
    pub fn start_utc(&self) -> DateTime<Utc> {
        self.intervals
            .first()
            .map(|i| i.start_utc)
            .unwrap_or_else(|| start_of_local_day(self.tz, self.start_date))
    }

    /// End of the horizon (UTC, exclusive).
    pub fn end_utc(&self) -> DateTime<Utc> {
        self.start_utc() + Duration::minutes(i64::from(self.interval_minutes) * self.len() as i64)
    }

    /// The local date of day `d`.
    pub fn date(&self, d: usize) -> NaiveDate {
        self.start_date + Duration::days(d as i64)
    }

    /// Index of the day holding local date `date`, if inside the horizon.
    pub fn day_of_date(&self, date: NaiveDate) -> Option<usize> {
        let d = (date - self.start_date).num_days();
        (0..self.days as i64).contains(&d).then_some(d as usize)
    }

    /// Index of the interval starting exactly at `t`, if any.
    pub fn index_at(&self, t: DateTime<Utc>) -> Option<usize> {
        let secs = (t - self.start_utc()).num_seconds();
        let len = i64::from(self.interval_minutes) * 60;
        if secs < 0 || secs % len != 0 {
            return None;
        }
        let i = (secs / len) as usize;
        (i < self.len()).then_some(i)
    }

    /// Index of the interval containing `t`, clamped: `None` before the horizon, `len()` after.
    pub fn index_floor(&self, t: DateTime<Utc>) -> Option<usize> {
        let secs = (t - self.start_utc()).num_seconds();
        if secs < 0 {
            return None;
        }
        let len = i64::from(self.interval_minutes) * 60;
        Some(((secs / len) as usize).min(self.len()))
    }

    /// Share (0–1) of interval `i` covered by `[from, to)`.
    pub fn share_of(&self, i: usize, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
        let start = self.intervals[i].start_utc;
        let end = start + Duration::minutes(i64::from(self.interval_minutes));
        let secs = (to.min(end) - from.max(start)).num_seconds().max(0);
        secs as f64 / self.interval_seconds()
    }

    /// Range of interval indices overlapping `[from, to)`, clamped to the horizon.
    pub fn overlapping(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> std::ops::Range<usize> {
        let len = i64::from(self.interval_minutes) * 60;
        let start = self.start_utc();
        let a = (from - start).num_seconds().max(0);
        let b = (to - start).num_seconds().max(0);
        let first = (a / len) as usize;
        let last = ((b + len - 1) / len) as usize;
        first.min(self.len())..last.min(self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn la() -> Tz {
        "America/Los_Angeles".parse().unwrap()
    }

    #[test]
    fn dst_end_day_has_25_hours() {
        // 2026-11-01: PDT -> PST at 02:00, clocks go back to 01:00.
        let date = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        let g = TimeGrid::new(la(), date, 3, 30);
        assert_eq!(g.day_starts[1] - g.day_starts[0], 48);
        assert_eq!(
            g.day_starts[2] - g.day_starts[1],
            50,
            "25 h of 30-min intervals"
        );
        assert_eq!(g.day_starts[3] - g.day_starts[2], 48);
        // The hour 01:00-02:00 appears twice with different offsets.
        let ones: Vec<_> = g.intervals[g.day_starts[1]..g.day_starts[2]]
            .iter()
            .filter(|i| i.start_local.hour() == 1)
            .collect();
        assert_eq!(ones.len(), 4);
        assert_eq!(ones[0].utc_offset_seconds, -7 * 3600);
        assert_eq!(ones[3].utc_offset_seconds, -8 * 3600);
        // Real time is uniform.
        for w in g.intervals.windows(2) {
            assert_eq!(w[1].start_utc - w[0].start_utc, Duration::minutes(30));
        }
    }

    #[test]
    fn dst_start_day_has_23_hours() {
        // 2026-03-08: PST -> PDT at 02:00, clocks jump to 03:00.
        let date = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        let g = TimeGrid::new(la(), date, 1, 15);
        assert_eq!(g.len(), 23 * 4);
        assert!(g.intervals.iter().all(|i| i.start_local.hour() != 2));
        assert_eq!(
            g.intervals.last().unwrap().start_local.time(),
            NaiveTime::from_hms_opt(23, 45, 0).unwrap()
        );
    }

    #[test]
    fn resolve_ambiguous_and_missing_times() {
        let amb = NaiveDate::from_ymd_opt(2026, 11, 1)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        match resolve_local(la(), amb, None) {
            Err(LocalTimeError::Ambiguous { earlier, later }) => {
                assert_eq!(earlier, "-07:00");
                assert_eq!(later, "-08:00");
            }
            other => panic!("expected ambiguity, got {other:?}"),
        }
        let first = resolve_local(la(), amb, Some(-7 * 3600)).unwrap();
        let second = resolve_local(la(), amb, Some(-8 * 3600)).unwrap();
        assert_eq!(second - first, Duration::hours(1));
        assert!(matches!(
            resolve_local(la(), amb, Some(0)),
            Err(LocalTimeError::WrongOffset { .. })
        ));
        let gap = NaiveDate::from_ymd_opt(2026, 3, 8)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            resolve_local(la(), gap, None),
            Err(LocalTimeError::DoesNotExist)
        );
    }

    #[test]
    fn index_lookup_and_overlap() {
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let g = TimeGrid::new(tokyo, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(), 7, 30);
        assert_eq!(g.len(), 7 * 48);
        let t = g.intervals[100].start_utc;
        assert_eq!(g.index_at(t), Some(100));
        assert_eq!(g.index_at(t + Duration::minutes(10)), None);
        assert_eq!(
            g.overlapping(t + Duration::minutes(10), t + Duration::minutes(40)),
            100..102
        );
        assert_eq!(
            g.overlapping(g.end_utc(), g.end_utc() + Duration::hours(3)),
            g.len()..g.len()
        );
        assert_eq!(
            g.day_of_date(NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()),
            Some(6)
        );
        assert_eq!(
            g.day_of_date(NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()),
            None
        );
    }
}
