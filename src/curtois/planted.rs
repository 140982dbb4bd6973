//! Planted instances in the benchmark's format, of any size: a roster keeping every hard
//! rule is drawn first and the rules and cover are read off it, so the instance is
//! feasible and that roster's cost is a known upper bound on its optimum.
//!
//! The published set goes to 364 days, 150 staff and 32 shift types, but only some of its
//! files are at hand; these stand in for the others when checking that the importer and
//! the solver cope with any size (`examples/generate_curtois.rs`). Shift types fall into
//! four groups (early, day, late, night); a later group may not be followed by an earlier
//! one. Each staff member is qualified for two to eight types (a cap of 0 on the others),
//! works blocks of 2–6 days separated by 2–4 days off, and gets caps, minute limits and a
//! weekend limit a little above or below what the planted schedule uses, a few days off
//! among its rest days, and random on and off requests. Cover equals the planted counts.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::Assignment;

/// A planted instance: the file's text and the roster it was read off.
#[derive(Debug, Clone)]
pub struct Planted {
    /// The instance in the benchmark's text format.
    pub text: String,
    /// The planted roster (staff × day → shift type index), keeping every hard rule.
    pub roster: Assignment,
}

/// A planted instance of `days` days (a multiple of 7 is usual), `staff` staff and
/// `types` shift types (at least 1), drawn from `seed`.
pub fn planted(days: usize, staff: usize, types: usize, seed: u64) -> Planted {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let types = types.max(1);
    let groups = 4;
    let group: Vec<usize> = (0..types).map(|i| i * groups / types).collect();
    let minutes: Vec<u32> = (0..types)
        .map(|_| {
            *[480, 480, 480, 600, 720]
                .choose(&mut rng)
                .expect("non-empty")
        })
        .collect();
    let name = |i: usize| format!("{}{i}", ['a', 'd', 'p', 'n'][group[i]]);
    let mut roster: Assignment = Vec::with_capacity(staff);
    let mut limits = Vec::with_capacity(staff);
    let mut qualified = Vec::with_capacity(staff);
    for _ in 0..staff {
        let k = if types == 1 {
            1
        } else {
            rng.gen_range(2..=types.min(8))
        };
        let mut qual: Vec<usize> = rand::seq::index::sample(&mut rng, types, k).into_vec();
        qual.sort_by_key(|&i| (group[i], i));
        let max_run = rng.gen_range(5..=6);
        let mut row = vec![None; days];
        let mut d = 0;
        let mut working = rng.gen_bool(0.5);
        while d < days {
            if working {
                let n = rng.gen_range(2..=max_run);
                let mut g = 0;
                for cell in row.iter_mut().take(d + n).skip(d) {
                    // Within a block, groups never go back (a later group may not be
                    // followed by an earlier one).
                    let options: Vec<usize> =
                        qual.iter().copied().filter(|&i| group[i] >= g).collect();
                    let i = *options.choose(&mut rng).expect("the last group stays");
                    g = group[i];
                    *cell = Some(i);
                }
                d += n;
            } else {
                d += rng.gen_range(2..=4);
            }
            working = !working;
        }
        roster.push(row);
        limits.push(max_run);
        qualified.push(qual);
    }

    let mut out = String::new();
    out.push_str(&format!("SECTION_HORIZON\n# days\n{days}\n\n"));
    out.push_str("SECTION_SHIFTS\n# ShiftID, Length in mins, Shifts which cannot follow this shift | separated\n");
    for i in 0..types {
        let earlier: Vec<String> = (0..types)
            .filter(|&j| group[j] < group[i])
            .map(name)
            .collect();
        out.push_str(&format!(
            "{},{},{}\n",
            name(i),
            minutes[i],
            earlier.join("|")
        ));
    }
    out.push_str("\nSECTION_STAFF\n# ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends\n");
    for (e, row) in roster.iter().enumerate() {
        let caps: Vec<String> = (0..types)
            .map(|i| {
                let used = row.iter().filter(|&&t| t == Some(i)).count();
                let cap = if qualified[e].contains(&i) {
                    used + rng.gen_range(0..=3)
                } else {
                    0
                };
                format!("{}={cap}", name(i))
            })
            .collect();
        let worked: u32 = row.iter().flatten().map(|&i| minutes[i]).sum();
        // Saturday and Sunday of each week (day 0 is a Monday), a partial last one too.
        let weekends = (0..days.div_ceil(7))
            .filter(|w| {
                [7 * w + 5, 7 * w + 6]
                    .iter()
                    .any(|&d| d < days && row[d].is_some())
            })
            .count();
        out.push_str(&format!(
            "E{e},{},{},{},{},2,2,{}\n",
            caps.join("|"),
            worked + 480 * rng.gen_range(0..=2),
            worked.saturating_sub(480 * rng.gen_range(1..=3)),
            limits[e],
            weekends + rng.gen_range(0..=1)
        ));
    }
    out.push_str("\nSECTION_DAYS_OFF\n# EmployeeID, DayIndexes (start at zero)\n");
    for (e, row) in roster.iter().enumerate() {
        let rest: Vec<usize> = (0..days).filter(|&d| row[d].is_none()).collect();
        let k = rng.gen_range(1..=(days / 60).max(2)).min(rest.len());
        let mut off: Vec<usize> = rest.choose_multiple(&mut rng, k).copied().collect();
        off.sort_unstable();
        let off: Vec<String> = off.iter().map(usize::to_string).collect();
        if !off.is_empty() {
            out.push_str(&format!("E{e},{}\n", off.join(",")));
        }
    }
    for (section, per) in [("ON", 10), ("OFF", 20)] {
        out.push_str(&format!(
            "\nSECTION_SHIFT_{section}_REQUESTS\n# EmployeeID, Day, ShiftID, Weight\n"
        ));
        for (e, qual) in qualified.iter().enumerate() {
            for _ in 0..days / per {
                let d = rng.gen_range(0..days);
                let i = *qual.choose(&mut rng).expect("qualified for one or more");
                out.push_str(&format!("E{e},{d},{},{}\n", name(i), rng.gen_range(1..=3)));
            }
        }
    }
    out.push_str(
        "\nSECTION_COVER\n# Day, ShiftID, Requirement, Weight for under, Weight for over\n",
    );
    for d in 0..days {
        for i in 0..types {
            let n = roster.iter().filter(|row| row[d] == Some(i)).count();
            out.push_str(&format!("{d},{},{n},100,1\n", name(i)));
        }
    }
    Planted { text: out, roster }
}
