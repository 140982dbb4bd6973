//! The roster: who works which shift when. Plain data, produced by the optimizer or
//! read back from `roster.csv`, and checked by [`crate::verify`].

use chrono::{DateTime, Utc};

use crate::domain::{BreakKind, ShiftMode};

/// A break placed in a shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlacedBreak {
    /// Meal or mindfulness.
    pub kind: BreakKind,
    /// Start (UTC).
    pub start: DateTime<Utc>,
    /// End (UTC, exclusive).
    pub end: DateTime<Utc>,
}

/// One worked shift.
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    /// Index into `Site::employees`.
    pub employee: usize,
    /// Day index of the shift's start (site-local date).
    pub day: usize,
    /// Index into `Site::templates`.
    pub template: usize,
    /// Start (UTC).
    pub start: DateTime<Utc>,
    /// End (UTC, exclusive).
    pub end: DateTime<Utc>,
    /// Remote or on-site.
    pub mode: ShiftMode,
    /// Paid minutes (length minus the unpaid meal).
    pub paid_minutes: u32,
    /// Share of the shift's on-queue time per queue index (sums to 1 for agents; empty for leads).
    pub allocation: Vec<(usize, f64)>,
    /// Breaks, in time order.
    pub breaks: Vec<PlacedBreak>,
}

impl Shift {
    /// Length in minutes.
    pub fn length_minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
    /// Whether the shift overlaps `[from, to)`.
    pub fn overlaps(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.start < to && from < self.end
    }
}

/// A roster: shifts sorted by employee and start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roster {
    /// The shifts.
    pub shifts: Vec<Shift>,
}

impl Roster {
    /// Labour cost: paid hours × the employee's hourly cost, plus the site's on-site extra
    /// per on-site hour.
    pub fn labour_cost(&self, site: &crate::domain::Site) -> f64 {
        self.shifts
            .iter()
            .map(|s| {
                let extra = if s.mode == ShiftMode::Onsite {
                    site.penalties.onsite_cost_per_hour
                } else {
                    0.0
                };
                f64::from(s.paid_minutes) / 60.0 * (site.employees[s.employee].hourly_cost + extra)
            })
            .sum()
    }

    /// Sort shifts by employee, then start.
    pub fn sort(&mut self) {
        self.shifts.sort_by_key(|s| (s.employee, s.start));
    }
    /// Shifts of employee `e`, in start order (the roster must be sorted).
    pub fn of_employee(&self, e: usize) -> impl Iterator<Item = &Shift> {
        self.shifts.iter().filter(move |s| s.employee == e)
    }
}

impl Roster {
    /// The same shifts with every break at the middle of its window (on the interval grid):
    /// the fixed placement planners use without optimization, for comparison.
    pub fn with_mid_window_breaks(&self, site: &crate::domain::Site) -> Roster {
        use crate::domain::breaks::{break_slots, rule_for};
        let step = site.grid.interval_minutes;
        let mut out = self.clone();
        for s in &mut out.shifts {
            let length = s.length_minutes().max(0) as u32;
            s.breaks = rule_for(&site.break_rules, length)
                .and_then(|r| break_slots(r, length).ok())
                .map(|slots| {
                    slots
                        .iter()
                        .map(|slot| {
                            let mid = (slot.earliest + slot.latest) / 2;
                            let offset =
                                (mid / step * step).max(slot.earliest.div_ceil(step) * step);
                            let start = s.start + chrono::Duration::minutes(i64::from(offset));
                            PlacedBreak {
                                kind: slot.kind,
                                start,
                                end: start + chrono::Duration::minutes(i64::from(slot.minutes)),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
        }
        out
    }
}
