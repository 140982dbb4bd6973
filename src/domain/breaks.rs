//! Break rules: which breaks a shift of a given length carries and where each may start.
//!
//! Windows are derived so that *any* choice of positions inside them keeps the spacing
//! rules (minimum gap between breaks, no break near the shift's edges). The optimizer can
//! then count breaks per group of identical shifts (the implicit-break formulation) and
//! hand positions to individuals afterwards in any order.

/// Kind of break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BreakKind {
    /// Meal (lunch).
    Meal,
    /// Short mindfulness break.
    Mindfulness,
}

impl BreakKind {
    /// Name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakKind::Meal => "meal",
            BreakKind::Mindfulness => "mindfulness",
        }
    }
}

/// A validated break rule.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakRule {
    /// Applies to shifts at least this long, minutes.
    pub min_shift_minutes: u32,
    /// Meal length, minutes (0 = none).
    pub meal_minutes: u32,
    /// Earliest meal start after the shift start, minutes.
    pub meal_earliest: u32,
    /// Latest meal start after the shift start, minutes.
    pub meal_latest: u32,
    /// Number of mindfulness breaks (0–2).
    pub mindfulness_breaks: u32,
    /// Mindfulness break length, minutes.
    pub mindfulness_minutes: u32,
    /// Minimum gap between breaks, minutes.
    pub min_gap: u32,
    /// No break within this many minutes of the shift's start or end.
    pub edge: u32,
}

/// One break a shift must carry: its kind, length, and the window of allowed start
/// offsets (minutes after the shift start, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakSlot {
    /// Kind.
    pub kind: BreakKind,
    /// Length, minutes.
    pub minutes: u32,
    /// Earliest start offset.
    pub earliest: u32,
    /// Latest start offset.
    pub latest: u32,
}

impl BreakSlot {
    /// The allowed start offsets on a grid of `step` minutes (shift starts lie on the grid).
    pub fn starts(&self, step: u32) -> impl Iterator<Item = u32> {
        let step = step.max(1);
        (self.earliest.div_ceil(step) * step..=self.latest).step_by(step as usize)
    }
}

/// The rule for a shift of `length` minutes: the one with the largest minimum length not
/// above it.
pub fn rule_for(rules: &[BreakRule], length: u32) -> Option<&BreakRule> {
    rules
        .iter()
        .filter(|r| r.min_shift_minutes <= length)
        .max_by_key(|r| r.min_shift_minutes)
}

/// The break slots of a shift of `length` minutes under `rule`, or the reason they cannot
/// fit. Mindfulness breaks go before and after the meal (or before and after mid-shift
/// without a meal); with one break and a meal it goes before the meal if there is room.
pub fn break_slots(rule: &BreakRule, length: u32) -> Result<Vec<BreakSlot>, String> {
    let (e, g, m) = (rule.edge, rule.min_gap, rule.mindfulness_minutes);
    let slot = |kind, minutes: u32, earliest: u32, latest: i64| -> Option<BreakSlot> {
        (latest >= i64::from(earliest)).then_some(BreakSlot {
            kind,
            minutes,
            earliest,
            latest: latest as u32,
        })
    };
    let last_start = |minutes: u32| i64::from(length) - i64::from(e) - i64::from(minutes);
    let mut out = Vec::new();
    let meal = if rule.meal_minutes > 0 {
        let earliest = rule.meal_earliest.max(e);
        let latest = i64::from(rule.meal_latest).min(last_start(rule.meal_minutes));
        let s = slot(BreakKind::Meal, rule.meal_minutes, earliest, latest).ok_or_else(|| {
            format!(
                "no room for the {}-minute meal in a {}-minute shift",
                rule.meal_minutes, length
            )
        })?;
        out.push(s);
        Some(s)
    } else {
        None
    };
    // Windows for mindfulness breaks: before and after the meal, or the two halves.
    let (before, after) = match meal {
        Some(ml) => (
            slot(
                BreakKind::Mindfulness,
                m,
                e,
                i64::from(ml.earliest) - i64::from(g) - i64::from(m),
            ),
            slot(
                BreakKind::Mindfulness,
                m,
                ml.latest + ml.minutes + g,
                last_start(m),
            ),
        ),
        None if rule.mindfulness_breaks >= 2 => {
            let mid = i64::from(length) / 2;
            (
                slot(
                    BreakKind::Mindfulness,
                    m,
                    e,
                    mid - i64::from(g) / 2 - i64::from(m),
                ),
                slot(
                    BreakKind::Mindfulness,
                    m,
                    (mid + i64::from(g) / 2) as u32,
                    last_start(m),
                ),
            )
        }
        None => (slot(BreakKind::Mindfulness, m, e, last_start(m)), None),
    };
    let need = rule.mindfulness_breaks;
    let chosen: Vec<BreakSlot> = match need {
        0 => Vec::new(),
        1 => before.or(after).into_iter().collect(),
        _ => before.into_iter().chain(after).collect(),
    };
    if chosen.len() < need as usize {
        return Err(format!(
            "no room for {need} mindfulness break(s) of {m} minutes in a {length}-minute shift"
        ));
    }
    out.extend(chosen);
    out.sort_by_key(|s| s.earliest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> BreakRule {
        BreakRule {
            min_shift_minutes: 420,
            meal_minutes: 60,
            meal_earliest: 180,
            meal_latest: 300,
            mindfulness_breaks: 2,
            mindfulness_minutes: 15,
            min_gap: 60,
            edge: 60,
        }
    }

    #[test]
    fn nine_hour_shift_windows_keep_every_spacing_rule() {
        let s = break_slots(&rule(), 540).unwrap();
        assert_eq!(s.len(), 3);
        let (a, meal, b) = (s[0], s[1], s[2]);
        assert_eq!(
            (a.kind, a.earliest, a.latest),
            (BreakKind::Mindfulness, 60, 105)
        );
        assert_eq!(
            (meal.kind, meal.earliest, meal.latest),
            (BreakKind::Meal, 180, 300)
        );
        assert_eq!(
            (b.kind, b.earliest, b.latest),
            (BreakKind::Mindfulness, 420, 465)
        );
        // The worst cases still keep a 60-minute gap and stay out of the last hour.
        assert!(meal.earliest >= a.latest + a.minutes + 60);
        assert!(b.earliest >= meal.latest + meal.minutes + 60);
        assert!(b.latest + b.minutes <= 540 - 60);
    }

    #[test]
    fn short_slots_and_impossible_rules() {
        let four = BreakRule {
            min_shift_minutes: 180,
            meal_minutes: 0,
            mindfulness_breaks: 1,
            ..rule()
        };
        let s = break_slots(&four, 240).unwrap();
        assert_eq!(
            s,
            vec![BreakSlot {
                kind: BreakKind::Mindfulness,
                minutes: 15,
                earliest: 60,
                latest: 165
            }]
        );
        assert!(
            break_slots(&rule(), 300).is_err(),
            "no room for a meal 3–5 h into a 5 h shift"
        );
        let rules = [
            four.clone(),
            BreakRule {
                min_shift_minutes: 480,
                ..rule()
            },
        ];
        assert_eq!(rule_for(&rules, 540).unwrap().min_shift_minutes, 480);
        assert_eq!(rule_for(&rules, 300).unwrap().min_shift_minutes, 180);
        assert!(rule_for(&rules, 120).is_none());
    }
}
