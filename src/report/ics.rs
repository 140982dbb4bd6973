//! Calendar export: one iCalendar file (RFC 5545) per employee with their shifts and
//! breaks, so they can import their week into a phone or desktop calendar.
//!
//! Times are written in the employee's own zone (`DTSTART;TZID=Area/City:…`), with a
//! `VTIMEZONE` that describes that zone over the roster's span: the offset periods are
//! found with chrono-tz by scanning the span hour by hour and bisecting each change to the
//! second, and each period observed becomes one `STANDARD` or `DAYLIGHT` sub-component.
//! Employees living in UTC get plain UTC (`…Z`) times and no `VTIMEZONE`.
//!
//! The output is deterministic for a given roster and `stamp`: lines end in CRLF, are
//! folded at 75 octets on UTF-8 character boundaries, and TEXT values are escaped.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use crate::domain::calendar::{format_offset, offset_seconds};
use crate::domain::{BreakKind, ShiftMode, Site};
use crate::error::Error;
use crate::input::write_atomic;
use crate::roster::{PlacedBreak, Roster, Shift};

/// The calendar's product identifier.
const PRODID: &str = "-//shiftwise//roster//EN";
/// Longest physical line, in octets, without the CRLF (RFC 5545 §3.1).
const FOLD_OCTETS: usize = 75;
/// How far before the span the onset of the first offset period is looked for.
const LOOK_BACK_DAYS: i64 = 400;

/// The iCalendar text of employee `employee`'s shifts and breaks in `roster`.
///
/// One `VCALENDAR` (`VERSION:2.0`, `PRODID:-//shiftwise//roster//EN`,
/// `CALSCALE:GREGORIAN`, `X-WR-CALNAME` with the employee's and the site's name,
/// `X-WR-TIMEZONE` with the employee's zone) holding:
///
/// - a `VTIMEZONE` for the employee's zone covering the span of their shifts (the site's
///   horizon when they have none), with one `STANDARD`/`DAYLIGHT` sub-component per offset
///   period observed, each with its real onset when it lies within 400 days before the span
///   (otherwise a single `STANDARD` from 1970 whose `TZOFFSETFROM` equals `TZOFFSETTO`);
///   left out for employees in UTC, whose times are written as UTC;
/// - per shift, a `VEVENT` with `SUMMARY` `Shift (remote)` or `Shift (on-site)` followed
///   by the queue allocation when the shift has one, and a `DESCRIPTION` listing the
///   breaks in the employee's local time; `UID` `{employee id}-{start, UTC
///   yyyymmddThhmmssZ}-shift@shiftwise`;
/// - per break, a `VEVENT` `Meal break` or `Mindfulness break` (marked transparent, so it
///   does not count twice as busy time), `UID` `{employee id}-{shift start}-break-{n}@shiftwise`
///   with `n` counting the shift's breaks from 1.
///
/// `DTSTART`/`DTEND` are local times with `TZID`; the one exception is an instant in the
/// repeated hour at the end of daylight saving time that is its *second* occurrence, which
/// RFC 5545 §3.3.5 cannot express with a `TZID` (it means the first), and is written in
/// UTC instead. `DTSTAMP` is `stamp` (UTC, whole seconds): pass a fixed one for
/// reproducible output.
///
/// # Panics
///
/// If `employee` is not an index into `site.employees`.
pub fn employee_calendar(
    site: &Site,
    roster: &Roster,
    employee: usize,
    stamp: DateTime<Utc>,
) -> String {
    let emp = &site.employees[employee];
    let tz = emp.tz;
    let utc_only = is_utc(tz);
    let mut shifts: Vec<&Shift> = roster
        .shifts
        .iter()
        .filter(|s| s.employee == employee)
        .collect();
    shifts.sort_by_key(|s| s.start);

    let mut out = String::new();
    let mut line = |text: String| push_folded(&mut out, &text);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line(format!("PRODID:{PRODID}"));
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!(
        "X-WR-CALNAME:{}",
        escape_text(&format!("{} — {}", emp.name, site.name))
    ));
    line(format!("X-WR-TIMEZONE:{}", escape_text(tz.name())));

    if !utc_only {
        let (from, to) = match (shifts.first(), span_end(&shifts)) {
            (Some(first), Some(end)) => (first.start.min(first_break(&shifts)), end),
            _ => (site.grid.start_utc(), site.grid.end_utc()),
        };
        for l in vtimezone(tz, from, to) {
            line(l);
        }
    }

    let dtstamp = utc_stamp(stamp);
    for s in &shifts {
        let shift_uid = format!("{}-{}", emp.id, utc_stamp(s.start));
        line("BEGIN:VEVENT".into());
        line(format!(
            "UID:{}",
            escape_text(&format!("{shift_uid}-shift@shiftwise"))
        ));
        line(format!("DTSTAMP:{dtstamp}"));
        line(date_time("DTSTART", s.start, tz, utc_only));
        line(date_time("DTEND", s.end, tz, utc_only));
        line(format!("SUMMARY:{}", escape_text(&shift_summary(site, s))));
        line(format!(
            "LOCATION:{}",
            escape_text(match s.mode {
                ShiftMode::Remote => "Remote",
                ShiftMode::Onsite => &site.name,
            })
        ));
        line(format!(
            "DESCRIPTION:{}",
            escape_text(&shift_description(site, s, tz))
        ));
        line("STATUS:CONFIRMED".into());
        line("TRANSP:OPAQUE".into());
        line("END:VEVENT".into());
        for (n, b) in s.breaks.iter().enumerate() {
            line("BEGIN:VEVENT".into());
            line(format!(
                "UID:{}",
                escape_text(&format!("{shift_uid}-break-{}@shiftwise", n + 1))
            ));
            line(format!("DTSTAMP:{dtstamp}"));
            line(date_time("DTSTART", b.start, tz, utc_only));
            line(date_time("DTEND", b.end, tz, utc_only));
            line(format!("SUMMARY:{}", break_title(b.kind)));
            line(format!(
                "DESCRIPTION:{}",
                escape_text(&break_description(site, s, b, tz))
            ));
            line("STATUS:CONFIRMED".into());
            line("TRANSP:TRANSPARENT".into());
            line("END:VEVENT".into());
        }
    }
    line("END:VCALENDAR".into());
    out
}

/// Write one calendar per employee who has at least one shift in `roster` into `dir`
/// (created if missing), as `{employee id}.ics`, each atomically; returns the paths in
/// employee order. Characters of an id that are unsafe in a file name (anything but ASCII
/// letters, digits, `-`, `_` and `.`, and a leading `.`) become `_`; should two ids then
/// collide (ignoring case), the later file gets `-{row}` appended, `row` being the
/// employee's 1-based position in `employees.csv`. `stamp` is every event's `DTSTAMP`.
pub fn write_calendars(
    dir: &Path,
    site: &Site,
    roster: &Roster,
    stamp: DateTime<Utc>,
) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut used = HashSet::new();
    let mut written = Vec::new();
    for (e, emp) in site.employees.iter().enumerate() {
        if !roster.shifts.iter().any(|s| s.employee == e) {
            continue;
        }
        let mut stem = file_stem(&emp.id);
        if !used.insert(stem.to_lowercase()) {
            stem = format!("{stem}-{}", e + 1);
            used.insert(stem.to_lowercase());
        }
        let path = dir.join(format!("{stem}.ics"));
        write_atomic(&path, employee_calendar(site, roster, e, stamp).as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// A file-name-safe version of an employee id.
fn file_stem(id: &str) -> String {
    let mut s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.starts_with('.') || s.is_empty() {
        s.insert(0, '_');
    }
    s
}

/// Zones that are UTC under another name: written with `Z` times.
fn is_utc(tz: Tz) -> bool {
    matches!(
        tz,
        Tz::UTC | Tz::Etc__UTC | Tz::Universal | Tz::Etc__Universal | Tz::Zulu | Tz::Etc__Zulu
    )
}

/// The latest end of the shifts or their breaks.
fn span_end(shifts: &[&Shift]) -> Option<DateTime<Utc>> {
    shifts
        .iter()
        .flat_map(|s| std::iter::once(s.end).chain(s.breaks.iter().map(|b| b.end)))
        .max()
}

/// The earliest break start (breaks lie inside their shifts; this guards odd input).
fn first_break(shifts: &[&Shift]) -> DateTime<Utc> {
    shifts
        .iter()
        .flat_map(|s| s.breaks.iter().map(|b| b.start))
        .min()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `20261102T160000Z`.
fn utc_stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A `DTSTART`/`DTEND` line: local time with `TZID`, or UTC where the local time would
/// not name `t` (the second pass through a repeated hour) or the zone is UTC.
fn date_time(name: &str, t: DateTime<Utc>, tz: Tz, utc_only: bool) -> String {
    let local = t.with_timezone(&tz).naive_local();
    let names_t = match tz.from_local_datetime(&local) {
        LocalResult::Single(x) => x == t,
        // RFC 5545 §3.3.5: a repeated local time means its first occurrence.
        LocalResult::Ambiguous(first, _) => first == t,
        LocalResult::None => false,
    };
    if utc_only || !names_t || t.timestamp_subsec_nanos() != 0 {
        format!("{name}:{}", utc_stamp(t))
    } else {
        format!(
            "{name};TZID={}:{}",
            tz.name(),
            local.format("%Y%m%dT%H%M%S")
        )
    }
}

/// `Shift (remote) — phone-en 70%, chat-en 30%`.
fn shift_summary(site: &Site, s: &Shift) -> String {
    let mode = match s.mode {
        ShiftMode::Remote => "remote",
        ShiftMode::Onsite => "on-site",
    };
    let queues = allocation(site, s);
    if queues.is_empty() {
        format!("Shift ({mode})")
    } else {
        format!("Shift ({mode}) — {queues}")
    }
}

/// `phone-en 70%, chat-en 30%` (empty without an allocation).
fn allocation(site: &Site, s: &Shift) -> String {
    s.allocation
        .iter()
        .map(|&(q, f)| {
            let id = site.queues.get(q).map_or("?", |q| q.id.as_str());
            format!("{id} {:.0}%", f * 100.0)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn break_title(kind: BreakKind) -> &'static str {
    match kind {
        BreakKind::Meal => "Meal break",
        BreakKind::Mindfulness => "Mindfulness break",
    }
}

/// A local clock time for a description: `HH:MM`, with the date when it falls on another
/// local date than `day`, and the offset when it differs from `offset` (a DST change
/// inside the shift).
fn clock(t: DateTime<Utc>, tz: Tz, day: NaiveDate, offset: i32) -> String {
    let l = t.with_timezone(&tz);
    let mut s = if l.date_naive() == day {
        l.format("%H:%M").to_string()
    } else {
        l.format("%a %Y-%m-%d %H:%M").to_string()
    };
    let off = offset_seconds(tz, t);
    if off != offset {
        s.push_str(&format!(" (UTC{})", format_offset(off)));
    }
    s
}

/// The shift's description: site, mode, template, local times, queues and the breaks.
fn shift_description(site: &Site, s: &Shift, tz: Tz) -> String {
    let start = s.start.with_timezone(&tz);
    let day = start.date_naive();
    let offset = offset_seconds(tz, s.start);
    let mode = match s.mode {
        ShiftMode::Remote => "remote",
        ShiftMode::Onsite => "on-site",
    };
    let template = site
        .templates
        .get(s.template)
        .map_or("?", |t| t.id.as_str());
    let mut lines = vec![
        format!("{}: {mode} shift (template {template})", site.name),
        format!(
            "{} {}–{}, {} (UTC{})",
            start.format("%a %Y-%m-%d"),
            clock(s.start, tz, day, offset),
            clock(s.end, tz, day, offset),
            tz.name(),
            format_offset(offset)
        ),
        format!("Paid hours: {:.2}", f64::from(s.paid_minutes) / 60.0),
    ];
    let queues = allocation(site, s);
    if !queues.is_empty() {
        lines.push(format!("Queues: {queues}"));
    }
    if s.breaks.is_empty() {
        lines.push("Breaks: none".into());
    } else {
        lines.push(format!("Breaks ({}):", tz.name()));
        for b in &s.breaks {
            lines.push(format!(
                "- {}–{} {}",
                clock(b.start, tz, day, offset),
                clock(b.end, tz, day, offset),
                break_title(b.kind).to_lowercase()
            ));
        }
    }
    lines.join("\n")
}

/// A break's description: which shift it belongs to.
fn break_description(site: &Site, s: &Shift, b: &PlacedBreak, tz: Tz) -> String {
    let start = s.start.with_timezone(&tz);
    let day = start.date_naive();
    let offset = offset_seconds(tz, s.start);
    format!(
        "{} ({} min) during your shift at {}, {} {}–{} ({})",
        break_title(b.kind),
        (b.end - b.start).num_minutes(),
        site.name,
        start.format("%a %Y-%m-%d"),
        clock(s.start, tz, day, offset),
        clock(s.end, tz, day, offset),
        tz.name()
    )
}

/// Escape a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma, and line breaks
/// as `\n`; other control characters (not allowed in TEXT) are dropped, tabs kept.
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Append one content line, folded at 75 octets on character boundaries (continuation
/// lines start with a space, which counts toward their 75), terminated by CRLF.
fn push_folded(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > FOLD_OCTETS {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// What distinguishes two offset periods: total offset and DST share, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Period {
    offset: i32,
    dst: i64,
}

fn period_at(tz: Tz, t: i64) -> Period {
    let at = DateTime::from_timestamp(t, 0).unwrap_or_default();
    Period {
        offset: offset_seconds(tz, at),
        dst: tz
            .offset_from_utc_datetime(&at.naive_utc())
            .dst_offset()
            .num_seconds(),
    }
}

/// A change of offset period at `at` (UTC seconds): `before` applies until `at`
/// (exclusive), `after` from it.
#[derive(Debug, Clone, Copy)]
struct Transition {
    at: i64,
    before: Period,
    after: Period,
}

/// The transitions in `(from, to]` (UTC seconds), scanning every `step` seconds and
/// bisecting each change to the second.
fn transitions(tz: Tz, from: i64, to: i64, step: i64) -> Vec<Transition> {
    let mut out = Vec::new();
    let mut t = from;
    let mut p = period_at(tz, t);
    while t < to {
        let next = (t + step).min(to);
        let q = period_at(tz, next);
        if q == p {
            t = next;
            continue;
        }
        // period_at(lo) == p, period_at(hi) != p.
        let (mut lo, mut hi) = (t, next);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if period_at(tz, mid) == p {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let after = period_at(tz, hi);
        out.push(Transition {
            at: hi,
            before: p,
            after,
        });
        t = hi;
        p = after;
    }
    out
}

/// `-0800`, or `+053000`-style with seconds when the offset has them.
fn ics_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

/// The `VTIMEZONE` lines for `tz` over `[from, to]`: one sub-component per offset period
/// in force at some point of the span.
fn vtimezone(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    let (from_s, to_s) = (from.timestamp(), to.timestamp().max(from.timestamp()));
    let onset = transitions(tz, from_s - LOOK_BACK_DAYS * 86_400, from_s, 6 * 3600)
        .last()
        .copied();
    let within = transitions(tz, from_s, to_s, 3600);

    let mut lines = vec!["BEGIN:VTIMEZONE".to_string(), format!("TZID:{}", tz.name())];
    let mut sub = |kind: &str, start: NaiveDateTime, before: Period, after: Period, at: i64| {
        lines.push(format!("BEGIN:{kind}"));
        lines.push(format!("DTSTART:{}", start.format("%Y%m%dT%H%M%S")));
        lines.push(format!("TZOFFSETFROM:{}", ics_offset(before.offset)));
        lines.push(format!("TZOFFSETTO:{}", ics_offset(after.offset)));
        let when = DateTime::from_timestamp(at, 0).unwrap_or_default();
        if let Some(name) = tz
            .offset_from_utc_datetime(&when.naive_utc())
            .abbreviation()
        {
            lines.push(format!("TZNAME:{}", escape_text(name)));
        }
        lines.push(format!("END:{kind}"));
    };
    let kind = |p: Period| if p.dst > 0 { "DAYLIGHT" } else { "STANDARD" };
    // The onset's local time is expressed in the offset in force before it.
    let local = |tr: &Transition| {
        DateTime::from_timestamp(tr.at + i64::from(tr.before.offset), 0)
            .unwrap_or_default()
            .naive_utc()
    };
    match onset {
        Some(tr) => sub(kind(tr.after), local(&tr), tr.before, tr.after, tr.at),
        None => {
            let p = period_at(tz, from_s);
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)
                .unwrap_or_default()
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default();
            sub("STANDARD", epoch, p, p, from_s);
        }
    }
    for tr in &within {
        sub(kind(tr.after), local(tr), tr.before, tr.after, tr.at);
    }
    lines.push("END:VTIMEZONE".to_string());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_lines_short_and_characters_whole() {
        let line = format!("DESCRIPTION:{}", "日本語のテキスト, ".repeat(20));
        let mut out = String::new();
        push_folded(&mut out, &line);
        assert!(out.ends_with("\r\n"));
        for l in out.trim_end_matches("\r\n").split("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        assert_eq!(out.trim_end_matches("\r\n").replace("\r\n ", ""), line);
    }

    #[test]
    fn text_escaping() {
        assert_eq!(escape_text("a\\b;c,d\ne\r\nf"), "a\\\\b\\;c\\,d\\ne\\nf");
    }

    #[test]
    fn los_angeles_transitions_are_found_to_the_second() {
        let tz: Tz = "America/Los_Angeles".parse().unwrap();
        let from = DateTime::parse_from_rfc3339("2026-10-29T00:00:00Z").unwrap();
        let to = DateTime::parse_from_rfc3339("2026-11-05T00:00:00Z").unwrap();
        let t = transitions(tz, from.timestamp(), to.timestamp(), 3600);
        assert_eq!(t.len(), 1);
        // 2026-11-01 02:00 PDT = 09:00 UTC.
        let at = DateTime::parse_from_rfc3339("2026-11-01T09:00:00Z").unwrap();
        assert_eq!(t[0].at, at.timestamp());
        assert_eq!(
            (t[0].before.offset, t[0].after.offset),
            (-7 * 3600, -8 * 3600)
        );
        assert_eq!(ics_offset(19_800), "+0530");
        assert_eq!(ics_offset(-(3600 + 1800 + 7)), "-013007");
    }
}
