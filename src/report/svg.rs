//! Small SVG layout for `report.html`, written by hand (no plotting crate): linear scales,
//! "nice" value ticks, local-time ticks on the interval grid (daylight-saving aware), day
//! columns for the roster grid, step paths, axes and legends.
//!
//! Positions on the time axis are counted in *intervals from the start of the horizon*:
//! intervals are of equal real length, so a local day that crosses a DST change is 23 or
//! 25 hours wide on a coverage chart, and its local 06:00 tick sits where 06:00 really
//! falls. The roster grid instead gives every local day a column of the same width
//! ([`DayColumns`]) and places times within it by their share of that day's real length.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveTime, TimeZone, Utc};

use crate::domain::calendar::start_of_local_day;
use crate::domain::TimeGrid;

/// Escape text for XML/HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most two decimals and no trailing zeros (`12`, `12.5`, `12.25`).
pub fn num(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// A linear map from a domain `[d0, d1]` to a range `[r0, r1]` (pixels; `r1 < r0` for a
/// y axis that grows upwards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Linear {
    /// Domain start.
    pub d0: f64,
    /// Domain end.
    pub d1: f64,
    /// Range start (the pixel of `d0`).
    pub r0: f64,
    /// Range end (the pixel of `d1`).
    pub r1: f64,
}

impl Linear {
    /// The map from `domain` to `range`. An empty domain (`d0 == d1`) maps everything to
    /// `r0`.
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Linear {
        Linear {
            d0: domain.0,
            d1: domain.1,
            r0: range.0,
            r1: range.1,
        }
    }
    /// The pixel of `v`.
    pub fn map(&self, v: f64) -> f64 {
        if self.d1 == self.d0 {
            return self.r0;
        }
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
    /// The value at pixel `p` (the inverse of [`Linear::map`]).
    pub fn invert(&self, p: f64) -> f64 {
        if self.r1 == self.r0 {
            return self.d0;
        }
        self.d0 + (p - self.r0) / (self.r1 - self.r0) * (self.d1 - self.d0)
    }
}

/// A "nice" tick step (1, 2 or 5 × 10ᵏ) giving about `target` ticks over `span`.
pub fn nice_step(span: f64, target: usize) -> f64 {
    if span.is_nan() || span <= 0.0 || span.is_infinite() {
        return 1.0;
    }
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Value ticks: multiples of a [`nice_step`] from 0 up to the first one at or above `max`
/// (so the last tick can be the axis top). At least `[0, step]`.
pub fn value_ticks(max: f64, target: usize) -> Vec<f64> {
    let step = nice_step(max, target);
    let mut ticks = vec![0.0];
    let mut k = 1.0;
    loop {
        let t = k * step;
        ticks.push(t);
        if t >= max - 1e-9 {
            break;
        }
        k += 1.0;
    }
    ticks
}

/// A tick on the time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeTick {
    /// Position in intervals from the start of the horizon (fractional when a local time
    /// falls inside an interval).
    pub position: f64,
    /// The instant.
    pub at: DateTime<Utc>,
    /// Local hour of day (0 for the day's start).
    pub hour: u32,
    /// Label: `Mon 30 Nov` at the start of a day, `06:00` otherwise.
    pub label: String,
}

impl TimeTick {
    /// True for the tick at the start of a local day.
    pub fn is_midnight(&self) -> bool {
        self.hour == 0
    }
}

/// The instant of local `hour`:00 on local day `d` of `grid`, or `None` when that
/// wall-clock time does not exist (skipped by a DST change). Hour 0 is the start of the
/// day (its first existing instant); a repeated time gives the earlier instant.
fn local_hour(grid: &TimeGrid, d: usize, hour: u32) -> Option<DateTime<Utc>> {
    let date = grid.date(d);
    if hour == 0 {
        return Some(start_of_local_day(grid.tz, date));
    }
    let naive = date.and_time(NaiveTime::from_hms_opt(hour, 0, 0)?);
    match grid.tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, _) => Some(a.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

/// Ticks at each local midnight of the horizon and every `step_hours` (a divisor of 24:
/// 1, 2, 3, 4, 6, 8, 12 or 24) of local wall-clock time in between, in the site's zone.
/// On a day of 25 hours, 06:00 is 7 real hours after midnight; on a day of 23 hours, 5.
/// Local times skipped by a DST change get no tick.
pub fn time_ticks(grid: &TimeGrid, step_hours: u32) -> Vec<TimeTick> {
    let step = step_hours.clamp(1, 24);
    let start = grid.start_utc();
    let secs = grid.interval_seconds();
    let mut ticks = Vec::new();
    for d in 0..grid.days {
        for hour in (0..24).step_by(step as usize) {
            let Some(at) = local_hour(grid, d, hour) else {
                continue;
            };
            let date = grid.date(d);
            let label = if hour == 0 {
                format!(
                    "{} {} {}",
                    date.weekday(),
                    date.day(),
                    month_abbrev(date.month())
                )
            } else {
                format!("{hour:02}:00")
            };
            ticks.push(TimeTick {
                position: (at - start).num_seconds() as f64 / secs,
                at,
                hour,
                label,
            });
        }
    }
    ticks
}

fn month_abbrev(m: u32) -> &'static str {
    [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(m.clamp(1, 12) - 1) as usize]
}

/// Hours between time ticks so that labels keep at least about 40 px apart, given the
/// pixel width of one day: 6 h on a week, 12 h or 24 h on longer horizons.
pub fn tick_step_hours(px_per_day: f64) -> u32 {
    [3, 6, 12]
        .into_iter()
        .find(|&h| px_per_day * f64::from(h) / 24.0 >= 40.0)
        .unwrap_or(24)
}

/// Equal-width day columns for the roster grid: local day `d` of the horizon occupies
/// `[x0 + d·width, x0 + (d+1)·width)`, and an instant is placed by its share of its day's
/// real length (23, 24 or 25 hours).
#[derive(Debug, Clone, PartialEq)]
pub struct DayColumns {
    /// Start of each local day, and of the two days after the horizon (UTC).
    bounds: Vec<DateTime<Utc>>,
    /// Left edge of day 0.
    pub x0: f64,
    /// Width of a day column.
    pub width: f64,
}

impl DayColumns {
    /// Columns for the days of `grid`.
    pub fn new(grid: &TimeGrid, x0: f64, width: f64) -> DayColumns {
        let bounds = (0..grid.days + 2)
            .map(|d| start_of_local_day(grid.tz, grid.date(0) + Duration::days(d as i64)))
            .collect();
        DayColumns { bounds, x0, width }
    }
    /// Number of days (columns).
    pub fn days(&self) -> usize {
        self.bounds.len() - 2
    }
    /// Real length of day `d` in hours.
    pub fn day_hours(&self, d: usize) -> f64 {
        (self.bounds[d + 1] - self.bounds[d]).num_seconds() as f64 / 3600.0
    }
    /// The x of instant `t`, clamped to the first day's start and the end of the day
    /// after the horizon (shifts that cross the last midnight run into it).
    pub fn x(&self, t: DateTime<Utc>) -> f64 {
        let last = self.bounds.len() - 1;
        if t <= self.bounds[0] {
            return self.x0;
        }
        if t >= self.bounds[last] {
            return self.x0 + self.width * last as f64;
        }
        let d = self.bounds.partition_point(|&b| b <= t) - 1;
        let len = (self.bounds[d + 1] - self.bounds[d]).num_seconds() as f64;
        let frac = (t - self.bounds[d]).num_seconds() as f64 / len;
        self.x0 + self.width * (d as f64 + frac)
    }
}

/// The `d` attribute of a step line: value `values[i]` spans `[i, i+1)` on `x`; `NaN`
/// values leave a gap.
pub fn step_path(x: &Linear, y: &Linear, values: &[f64]) -> String {
    let mut d = String::new();
    let mut open = false;
    for (i, &v) in values.iter().enumerate() {
        if !v.is_finite() {
            open = false;
            continue;
        }
        let (xa, xb, yv) = (x.map(i as f64), x.map(i as f64 + 1.0), y.map(v));
        if open {
            let _ = write!(d, "V{}H{}", num(yv), num(xb));
        } else {
            let _ = write!(d, "M{},{}H{}", num(xa), num(yv), num(xb));
            open = true;
        }
    }
    d
}

/// The `d` attribute of a stepped band between `lo` and `hi` per interval: one closed
/// shape per run of finite pairs.
pub fn band_path(x: &Linear, y: &Linear, pairs: &[(f64, f64)]) -> String {
    let mut d = String::new();
    let mut i = 0;
    while i < pairs.len() {
        if !(pairs[i].0.is_finite() && pairs[i].1.is_finite()) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < pairs.len() && pairs[j].0.is_finite() && pairs[j].1.is_finite() {
            j += 1;
        }
        let run = &pairs[i..j];
        let his: Vec<f64> = run.iter().map(|p| p.0.max(p.1)).collect();
        let los: Vec<f64> = run.iter().map(|p| p.0.min(p.1)).collect();
        let _ = write!(d, "M{},{}", num(x.map(i as f64)), num(y.map(his[0])));
        for (k, &h) in his.iter().enumerate() {
            let _ = write!(d, "V{}H{}", num(y.map(h)), num(x.map((i + k + 1) as f64)));
        }
        for (k, &l) in los.iter().enumerate().rev() {
            let _ = write!(d, "V{}H{}", num(y.map(l)), num(x.map((i + k) as f64)));
        }
        d.push('Z');
        i = j;
    }
    d
}

/// The plot area of a chart inside its `width × height` box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Box width.
    pub width: f64,
    /// Box height.
    pub height: f64,
    /// Left margin (y axis labels).
    pub left: f64,
    /// Right margin.
    pub right: f64,
    /// Top margin (title, legend).
    pub top: f64,
    /// Bottom margin (time axis labels).
    pub bottom: f64,
}

impl Frame {
    /// Left edge of the plot area.
    pub fn x0(&self) -> f64 {
        self.left
    }
    /// Right edge of the plot area.
    pub fn x1(&self) -> f64 {
        self.width - self.right
    }
    /// Top edge of the plot area.
    pub fn y0(&self) -> f64 {
        self.top
    }
    /// Bottom edge of the plot area.
    pub fn y1(&self) -> f64 {
        self.height - self.bottom
    }
}

/// The time axis along the bottom of `frame`: a gridline per tick (heavier at local
/// midnight), hour labels, and the date under each midnight. Ticks outside the plot
/// are dropped.
pub fn time_axis(frame: &Frame, x: &Linear, ticks: &[TimeTick]) -> String {
    let mut s = String::from("<g class=\"axis x\">");
    let (y0, y1) = (frame.y0(), frame.y1());
    let _ = write!(
        s,
        "<line class=\"axis-line\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        num(frame.x0()),
        num(y1),
        num(frame.x1()),
        num(y1)
    );
    for t in ticks {
        let px = x.map(t.position);
        if px < frame.x0() - 0.5 || px > frame.x1() + 0.5 {
            continue;
        }
        let class = if t.is_midnight() { "grid day" } else { "grid" };
        let _ = write!(
            s,
            "<line class=\"{class}\" x1=\"{p}\" y1=\"{}\" x2=\"{p}\" y2=\"{}\"/>",
            num(y0),
            num(y1 + 4.0),
            p = num(px)
        );
        if t.is_midnight() {
            let _ = write!(
                s,
                "<text class=\"tick date\" x=\"{}\" y=\"{}\">{}</text>",
                num(px + 3.0),
                num(y1 + 28.0),
                esc(&t.label)
            );
            let _ = write!(
                s,
                "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">00</text>",
                num(px),
                num(y1 + 14.0)
            );
        } else {
            let _ = write!(
                s,
                "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{:02}</text>",
                num(px),
                num(y1 + 14.0),
                t.hour
            );
        }
    }
    s.push_str("</g>");
    s
}

/// Which side of the plot a value axis is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Left (the primary axis), with horizontal gridlines.
    Left,
    /// Right (a secondary axis), labels only.
    Right,
}

/// A value axis with `ticks` formatted by `label`, and the axis title `title` written
/// vertically beside it.
pub fn value_axis(
    frame: &Frame,
    y: &Linear,
    ticks: &[f64],
    side: Side,
    title: &str,
    label: impl Fn(f64) -> String,
) -> String {
    let mut s = format!(
        "<g class=\"axis y {}\">",
        if side == Side::Left { "left" } else { "right" }
    );
    let (ax, anchor, dx) = match side {
        Side::Left => (frame.x0(), "end", -6.0),
        Side::Right => (frame.x1(), "start", 6.0),
    };
    let _ = write!(
        s,
        "<line class=\"axis-line\" x1=\"{a}\" y1=\"{}\" x2=\"{a}\" y2=\"{}\"/>",
        num(frame.y0()),
        num(frame.y1()),
        a = num(ax)
    );
    for &t in ticks {
        let py = y.map(t);
        if side == Side::Left && t != 0.0 {
            let _ = write!(
                s,
                "<line class=\"grid\" x1=\"{}\" y1=\"{p}\" x2=\"{}\" y2=\"{p}\"/>",
                num(frame.x0()),
                num(frame.x1()),
                p = num(py)
            );
        }
        let _ = write!(
            s,
            "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
            num(ax + dx),
            num(py + 4.0),
            esc(&label(t))
        );
    }
    let (tx, rot) = match side {
        Side::Left => (frame.x0() - 38.0, -90),
        Side::Right => (frame.x1() + 44.0, 90),
    };
    let ty = (frame.y0() + frame.y1()) / 2.0;
    let _ = write!(
        s,
        "<text class=\"axis-title\" x=\"{x}\" y=\"{y}\" text-anchor=\"middle\" transform=\"rotate({rot} {x} {y})\">{}</text>",
        esc(title),
        x = num(tx),
        y = num(ty)
    );
    s.push_str("</g>");
    s
}

/// How a legend entry's swatch looks.
#[derive(Debug, Clone, PartialEq)]
pub enum Swatch {
    /// A short line drawn with this CSS class (its stroke and dash come from the class).
    Line(String),
    /// A small box drawn with this CSS class (its fill comes from the class).
    Box(String),
}

/// A legend: entries laid out left to right from `(x, y)` (the baseline of the labels),
/// about `7 px` per character of label.
pub fn legend(entries: &[(Swatch, String)], x: f64, y: f64) -> String {
    let mut s = String::from("<g class=\"legend\">");
    let mut cx = x;
    for (swatch, label) in entries {
        match swatch {
            Swatch::Line(class) => {
                let _ = write!(
                    s,
                    "<line class=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
                    esc(class),
                    num(cx),
                    num(y - 4.0),
                    num(cx + 24.0),
                    num(y - 4.0)
                );
            }
            Swatch::Box(class) => {
                let _ = write!(
                    s,
                    "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"24\" height=\"11\"/>",
                    esc(class),
                    num(cx),
                    num(y - 10.0)
                );
            }
        }
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            num(cx + 30.0),
            num(y),
            esc(label)
        );
        cx += 30.0 + 7.0 * label.chars().count() as f64 + 18.0;
    }
    s.push_str("</g>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn grid(tz: &str, date: &str, days: usize, minutes: u32) -> TimeGrid {
        TimeGrid::new(
            tz.parse().unwrap(),
            NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
            days,
            minutes,
        )
    }

    #[test]
    fn linear_maps_both_ways_and_flips_for_y() {
        let x = Linear::new((0.0, 48.0), (50.0, 1010.0));
        assert_eq!(x.map(0.0), 50.0);
        assert_eq!(x.map(48.0), 1010.0);
        assert_eq!(x.map(24.0), 530.0);
        assert_eq!(x.invert(530.0), 24.0);
        let y = Linear::new((0.0, 10.0), (200.0, 20.0));
        assert_eq!(y.map(0.0), 200.0);
        assert_eq!(y.map(10.0), 20.0);
        assert_eq!(y.map(5.0), 110.0);
        assert_eq!(y.invert(110.0), 5.0);
        assert_eq!(Linear::new((3.0, 3.0), (7.0, 9.0)).map(100.0), 7.0);
    }

    #[test]
    fn value_ticks_are_nice_and_reach_the_top() {
        assert_eq!(nice_step(10.0, 5), 2.0);
        assert_eq!(nice_step(23.0, 5), 5.0);
        assert_eq!(nice_step(0.7, 5), 0.2);
        assert_eq!(value_ticks(9.3, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(value_ticks(10.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(value_ticks(0.0, 5), vec![0.0, 1.0]);
        assert_eq!(value_ticks(42.0, 4), vec![0.0, 20.0, 40.0, 60.0]);
        assert_eq!(value_ticks(38.0, 4), vec![0.0, 10.0, 20.0, 30.0, 40.0]);
    }

    #[test]
    fn ticks_fall_on_local_midnight_and_every_six_hours() {
        // Tokyo: no DST; 30-minute intervals; day d starts at interval 48 d.
        let g = grid("Asia/Tokyo", "2026-11-30", 2, 30);
        let t = time_ticks(&g, 6);
        let pos: Vec<f64> = t.iter().map(|t| t.position).collect();
        assert_eq!(pos, vec![0.0, 12.0, 24.0, 36.0, 48.0, 60.0, 72.0, 84.0]);
        assert_eq!(t[0].label, "Mon 30 Nov");
        assert_eq!(t[1].label, "06:00");
        assert_eq!(t[4].label, "Tue 1 Dec");
        assert!(t[4].is_midnight() && !t[5].is_midnight());
        // 15-minute grid: twice the positions.
        let g = grid("Asia/Tokyo", "2026-11-30", 1, 15);
        let pos: Vec<f64> = time_ticks(&g, 6).iter().map(|t| t.position).collect();
        assert_eq!(pos, vec![0.0, 24.0, 48.0, 72.0]);
    }

    #[test]
    fn a_25_hour_day_puts_six_oclock_seven_hours_after_midnight() {
        // data/seattle-dst: 2026-11-01 in America/Los_Angeles has 25 hours (01:00–02:00
        // happens twice). 2026-10-31 is day 0 here.
        let g = grid("America/Los_Angeles", "2026-10-31", 3, 30);
        assert_eq!(
            g.day_starts[2] - g.day_starts[1],
            50,
            "25 hours of 30-minute intervals"
        );
        let t = time_ticks(&g, 6);
        let day1: Vec<&TimeTick> = t
            .iter()
            .filter(|t| t.at >= g.intervals[g.day_starts[1]].start_utc)
            .filter(|t| t.at < g.intervals[g.day_starts[2]].start_utc)
            .collect();
        let pos: Vec<f64> = day1.iter().map(|t| t.position).collect();
        // Midnight at 48; 06:00 is 7 real hours later (14 intervals); then 6 h steps.
        assert_eq!(pos, vec![48.0, 62.0, 74.0, 86.0]);
        assert_eq!(day1[0].label, "Sun 1 Nov");
        // The next midnight is 25 hours (50 intervals) after this one.
        let next = t.iter().find(|t| t.label == "Mon 2 Nov").unwrap();
        assert_eq!(next.position, 98.0);
    }

    #[test]
    fn a_23_hour_day_puts_six_oclock_five_hours_after_midnight() {
        // Spring forward: 2026-03-08 in America/Los_Angeles has 23 hours (02:00 is skipped).
        let g = grid("America/Los_Angeles", "2026-03-08", 2, 30);
        assert_eq!(g.day_starts[1], 46);
        let t = time_ticks(&g, 6);
        let pos: Vec<f64> = t.iter().map(|t| t.position).collect();
        assert_eq!(pos, vec![0.0, 10.0, 22.0, 34.0, 46.0, 58.0, 70.0, 82.0]);
        // Hourly ticks: 02:00 does not exist that day and gets no tick.
        let hourly = time_ticks(&g, 1);
        assert_eq!(hourly.len(), 23 + 24);
        assert!(!hourly.iter().take(23).any(|t| t.hour == 2));
        // A repeated time (01:00 on a fall-back day) ticks once, at its first instant.
        let g = grid("America/Los_Angeles", "2026-11-01", 1, 30);
        let ones: Vec<f64> = time_ticks(&g, 1)
            .iter()
            .filter(|t| t.hour == 1)
            .map(|t| t.position)
            .collect();
        assert_eq!(ones, vec![2.0]);
        assert_eq!(time_ticks(&g, 1).len(), 24);
    }

    #[test]
    fn tick_steps_thin_out_on_long_horizons() {
        assert_eq!(tick_step_hours(180.0), 6);
        assert_eq!(tick_step_hours(400.0), 3);
        assert_eq!(tick_step_hours(90.0), 12);
        assert_eq!(tick_step_hours(20.0), 24);
    }

    #[test]
    fn day_columns_place_times_by_share_of_the_real_day() {
        let g = grid("America/Los_Angeles", "2026-10-31", 3, 30);
        let c = DayColumns::new(&g, 100.0, 250.0);
        assert_eq!(c.days(), 3);
        assert_eq!(c.day_hours(0), 24.0);
        assert_eq!(c.day_hours(1), 25.0);
        let day1 = g.intervals[g.day_starts[1]].start_utc;
        assert_eq!(c.x(day1), 350.0);
        // 12.5 real hours into the 25-hour day is half its column.
        assert_eq!(c.x(day1 + Duration::minutes(750)), 475.0);
        // Clamped before the start; the day after the horizon is still placed.
        assert_eq!(c.x(g.start_utc() - Duration::hours(3)), 100.0);
        let end = g.end_utc();
        assert_eq!(c.x(end), 850.0);
        assert_eq!(c.x(end + Duration::hours(6)), 912.5);
        assert_eq!(c.x(end + Duration::days(5)), 1100.0);
    }

    #[test]
    fn step_paths_draw_one_level_per_interval_with_gaps_for_nan() {
        let x = Linear::new((0.0, 3.0), (0.0, 30.0));
        let y = Linear::new((0.0, 10.0), (100.0, 0.0));
        assert_eq!(step_path(&x, &y, &[1.0, 2.0, 2.0]), "M0,90H10V80H20V80H30");
        assert_eq!(
            step_path(&x, &y, &[1.0, f64::NAN, 5.0]),
            "M0,90H10M20,50H30"
        );
        assert_eq!(step_path(&x, &y, &[]), "");
        let band = band_path(&x, &y, &[(1.0, 3.0), (2.0, 4.0), (f64::NAN, 1.0)]);
        assert_eq!(band, "M0,70V70H10V60H20V80H10V90H0Z");
    }

    #[test]
    fn text_is_escaped_and_numbers_are_short() {
        assert_eq!(
            esc("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;"
        );
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(1.005_1), "1.01");
    }

    #[test]
    fn axes_and_legends_are_well_formed_fragments() {
        let f = Frame {
            width: 400.0,
            height: 200.0,
            left: 50.0,
            right: 50.0,
            top: 20.0,
            bottom: 40.0,
        };
        let g = grid("Asia/Tokyo", "2026-11-30", 1, 30);
        let x = Linear::new((0.0, 48.0), (f.x0(), f.x1()));
        let y = Linear::new((0.0, 10.0), (f.y1(), f.y0()));
        let ax = time_axis(&f, &x, &time_ticks(&g, 6));
        assert_eq!(ax.matches("<line").count(), 1 + 4);
        assert!(ax.contains("Mon 30 Nov"));
        let ay = value_axis(&f, &y, &[0.0, 5.0, 10.0], Side::Left, "agents", num);
        assert!(ay.contains(">agents</text>"));
        assert_eq!(ay.matches("class=\"grid\"").count(), 2);
        let l = legend(
            &[
                (Swatch::Line("required".into()), "required".into()),
                (Swatch::Box("short".into()), "a < b".into()),
            ],
            0.0,
            10.0,
        );
        assert!(l.contains("a &lt; b"));
        for frag in [ax, ay, l] {
            assert_eq!(frag.matches("<g").count(), frag.matches("</g>").count());
        }
    }
}
