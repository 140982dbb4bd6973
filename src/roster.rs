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
    /// Sort shifts by employee, then start.
    pub fn sort(&mut self) {
        self.shifts.sort_by_key(|s| (s.employee, s.start));
    }
    /// Shifts of employee `e`, in start order (the roster must be sorted).
    pub fn of_employee(&self, e: usize) -> impl Iterator<Item = &Shift> {
        self.shifts.iter().filter(move |s| s.employee == e)
    }
}
