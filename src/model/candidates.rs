//! Candidate shifts: every (employee, day, template, start, length) an employee may
//! actually take — contract and work mode allow the template, an on-site template has
//! seats, and no hard request (unavailability, hard day off, hard mode) is touched. Only
//! these become variables, so the model stays small.

use chrono::{DateTime, Duration, NaiveTime, Utc};

use crate::domain::calendar::resolve_local;
use crate::domain::{RequestKind, ShiftMode, Site};

/// UTC spans `[from, to)`.
pub type Spans = Vec<(DateTime<Utc>, DateTime<Utc>)>;

/// A shift an employee could work.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Employee index.
    pub employee: usize,
    /// Day index.
    pub day: usize,
    /// Template index.
    pub template: usize,
    /// Start (UTC).
    pub start: DateTime<Utc>,
    /// End (UTC).
    pub end: DateTime<Utc>,
    /// Mode.
    pub mode: ShiftMode,
    /// Paid minutes.
    pub paid_minutes: u32,
    /// Grid intervals covered, `[first, last)` (clamped to the horizon).
    pub intervals: std::ops::Range<usize>,
    /// Pinned: fixed on in every model built from it (see [`pin_candidates`]).
    pub pinned: bool,
}

impl Candidate {
    /// The candidate standing for an existing shift `s`.
    pub fn of_shift(site: &Site, s: &crate::roster::Shift, pinned: bool) -> Candidate {
        Candidate {
            employee: s.employee,
            day: s.day,
            template: s.template,
            start: s.start,
            end: s.end,
            mode: s.mode,
            paid_minutes: s.paid_minutes,
            intervals: site.grid.overlapping(s.start, s.end),
            pinned,
        }
    }

    /// The shift this candidate stands for, with no queue split or breaks yet.
    pub fn to_shift(&self) -> crate::roster::Shift {
        crate::roster::Shift {
            employee: self.employee,
            day: self.day,
            template: self.template,
            start: self.start,
            end: self.end,
            mode: self.mode,
            paid_minutes: self.paid_minutes,
            allocation: Vec::new(),
            breaks: Vec::new(),
        }
    }

    /// Whether this candidate is the shift `s`: same employee, template, start, end and mode.
    pub fn is(&self, s: &crate::roster::Shift) -> bool {
        self.employee == s.employee
            && self.template == s.template
            && self.start == s.start
            && self.end == s.end
            && self.mode == s.mode
    }
}

/// Pin `pins` in `cands`: each pinned shift's candidate is marked pinned (added if the
/// generator did not produce it) and every other candidate of that employee and day is
/// dropped, so every model, the greedy start and the neighbourhood search keep it.
pub fn pin_candidates(site: &Site, cands: &mut Vec<Candidate>, pins: &[crate::roster::Shift]) {
    let days: std::collections::HashSet<(usize, usize)> =
        pins.iter().map(|p| (p.employee, p.day)).collect();
    cands.retain(|c| !days.contains(&(c.employee, c.day)) || pins.iter().any(|p| c.is(p)));
    for p in pins {
        match cands.iter_mut().find(|c| c.is(p)) {
            Some(c) => c.pinned = true,
            None => cands.push(Candidate::of_shift(site, p, true)),
        }
    }
}

/// Drop every on-site candidate that its remote twin dominates, so that hybrid employees
/// carry one candidate per shift instead of two. The twin is the same employee's remote
/// candidate with the same start, end and paid time: it covers the same intervals and
/// queues, takes the same breaks and counts alike in every rule, costs no more (when
/// `onsite_cost_per_hour ≥ 0`) and uses no seat, so any roster with the on-site shift is
/// matched or beaten by the same roster with the twin — the optimum is unchanged. Kept:
/// pinned candidates, those a soft on-site request (`prefer_mode`) touches, and every
/// candidate when the site has template-specific rules (successions, per-template caps
/// or cover, shift requests), which could tell the two templates apart. Re-planning does
/// not call this: there moving a shift from on-site to remote is a change with a cost.
/// On Tokyo (27 hybrid employees of 60) it removes 44 % of the candidates.
pub fn drop_dominated_onsite(site: &Site, cands: Vec<Candidate>) -> Vec<Candidate> {
    let rules = &site.rules;
    let template_rules = rules.not_followed_by.iter().any(|t| !t.is_empty())
        || !rules.template_cover.is_empty()
        || !rules.shift_requests.is_empty()
        || rules
            .contracts
            .iter()
            .any(|c| !c.max_shifts_per_template.is_empty());
    if template_rules || site.penalties.onsite_cost_per_hour < 0.0 {
        return cands;
    }
    let remote: std::collections::HashSet<_> = cands
        .iter()
        .filter(|c| c.mode == ShiftMode::Remote)
        .map(|c| (c.employee, c.start, c.end, c.paid_minutes))
        .collect();
    let wants_onsite: Vec<Spans> = (0..site.employees.len())
        .map(|e| {
            site.requests
                .iter()
                .filter(|r| {
                    r.employee == e
                        && !r.hard
                        && r.kind == RequestKind::PreferMode(ShiftMode::Onsite)
                })
                .flat_map(|r| site.request_spans(r))
                .collect()
        })
        .collect();
    cands
        .into_iter()
        .filter(|c| {
            c.mode != ShiftMode::Onsite
                || c.pinned
                || !remote.contains(&(c.employee, c.start, c.end, c.paid_minutes))
                || wants_onsite[c.employee]
                    .iter()
                    .any(|&(a, b)| c.start < b && a < c.end)
        })
        .collect()
}

/// Hard-blocked UTC spans per employee.
pub fn hard_blocks(site: &Site) -> Vec<Spans> {
    let mut blocks = vec![Vec::new(); site.employees.len()];
    for r in &site.requests {
        if r.hard && matches!(r.kind, RequestKind::Unavailable | RequestKind::PreferOff) {
            blocks[r.employee].extend(site.request_spans(r));
        }
    }
    blocks
}

/// The start instants of `template` on day `d` (site-local wall clock; starts skipped by
/// a DST gap are dropped, repeated ones take the first instant).
pub fn template_starts(site: &Site, template: usize, day: usize) -> Vec<DateTime<Utc>> {
    let t = &site.templates[template];
    let date = site.grid.date(day);
    let mut out = Vec::new();
    let mut m = t.earliest_start;
    loop {
        let local = date.and_time(m);
        match resolve_local(site.tz(), local, None) {
            Ok(u) => out.push(u),
            Err(crate::domain::calendar::LocalTimeError::Ambiguous { .. }) => {
                use chrono::TimeZone;
                if let Some(u) = site.tz().from_local_datetime(&local).earliest() {
                    out.push(u.with_timezone(&Utc));
                }
            }
            Err(_) => {}
        }
        let next = m + Duration::minutes(i64::from(t.start_step_minutes));
        if next > t.latest_start || next <= m || next == NaiveTime::MIN {
            break;
        }
        m = next;
    }
    out
}

/// All candidate shifts of the site.
pub fn candidate_shifts(site: &Site) -> Vec<Candidate> {
    let blocks = hard_blocks(site);
    let mut out = Vec::new();
    for (e, emp) in site.employees.iter().enumerate() {
        // Hard mode requests: (mode, the spans they apply to).
        let hard_modes: Vec<(ShiftMode, Spans)> = site
            .requests
            .iter()
            .filter_map(|r| match r.kind {
                RequestKind::PreferMode(m) if r.hard && r.employee == e => {
                    Some((m, site.request_spans(r)))
                }
                _ => None,
            })
            .collect();
        for (ti, t) in site.templates.iter().enumerate() {
            if !t.contracts.contains(&emp.contract) || !emp.work_mode.allows(t.mode) {
                continue;
            }
            // No seats: an on-site shift could never be worked.
            if t.mode == ShiftMode::Onsite && site.seats == Some(0) {
                continue;
            }
            for day in 0..site.grid.days {
                for start in template_starts(site, ti, day) {
                    for &len in &t.lengths_minutes {
                        let end = start + Duration::minutes(i64::from(len));
                        if blocks[e].iter().any(|&(a, b)| start < b && a < end) {
                            continue;
                        }
                        let wrong_mode = |(m, spans): &(ShiftMode, Spans)| {
                            *m != t.mode && spans.iter().any(|&(a, b)| start < b && a < end)
                        };
                        if hard_modes.iter().any(wrong_mode) {
                            continue;
                        }
                        out.push(Candidate {
                            employee: e,
                            day,
                            template: ti,
                            start,
                            end,
                            mode: t.mode,
                            paid_minutes: len - t.meal_minutes,
                            intervals: site.grid.overlapping(start, end),
                            pinned: false,
                        });
                    }
                }
            }
        }
    }
    out
}

/// The allowed starts of one break of a shift: offset minutes from the shift's start, and
/// the share of each interval the break takes from the agent.
pub type BreakStarts = Vec<(u32, Vec<(usize, f64)>)>;

/// Each break `cand`'s shift carries under the site's break rules (in the order of
/// [`crate::domain::breaks::break_slots`]), with every start its window allows on the grid
/// and the share of each interval a break there takes. Empty without a rule (or without
/// room for the breaks, which validation reports).
pub fn break_starts(site: &Site, cand: &Candidate) -> Vec<BreakStarts> {
    let length = (cand.end - cand.start).num_minutes() as u32;
    let Some(rule) = crate::domain::breaks::rule_for(&site.break_rules, length) else {
        return Vec::new();
    };
    let Ok(slots) = crate::domain::breaks::break_slots(rule, length) else {
        return Vec::new();
    };
    let grid = &site.grid;
    slots
        .iter()
        .map(|slot| {
            slot.starts(grid.interval_minutes)
                .map(|offset| {
                    let from = cand.start + Duration::minutes(i64::from(offset));
                    let to = from + Duration::minutes(i64::from(slot.minutes));
                    let away = grid
                        .overlapping(from, to)
                        .map(|i| (i, grid.share_of(i, from, to)))
                        .collect();
                    (offset, away)
                })
                .collect()
        })
        .collect()
}

/// Share of each grid interval that `cand` is expected to spend on break under the site's
/// break rules, with every break spread evenly over the starts its window allows.
pub fn expected_break_share(
    site: &Site,
    cand: &Candidate,
) -> std::collections::HashMap<usize, f64> {
    let mut away = std::collections::HashMap::new();
    for starts in break_starts(site, cand) {
        let weight = 1.0 / starts.len().max(1) as f64;
        for (_, shares) in starts {
            for (i, share) in shares {
                *away.entry(i).or_insert(0.0) += weight * share;
            }
        }
    }
    away
}
