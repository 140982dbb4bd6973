//! Reading `scenarios.toml`: serde with spans, so every problem names its line and field.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use super::{Multiplier, Noise, Scenario, ScenarioKind};
use crate::domain::Site;
use crate::error::{Error, InputProblem, InputProblems};
use crate::input::validate::parse_hhmm;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    scenario: Vec<RawScenario>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    multiplier: Vec<RawMultiplier>,
    daily_cv: Option<Spanned<f64>>,
    interval_cv: Option<Spanned<f64>>,
    absenteeism: Option<Spanned<f64>>,
    absenteeism_contracts: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMultiplier {
    dates: Option<Vec<Spanned<String>>>,
    from: Option<Spanned<String>>,
    to: Option<Spanned<String>>,
    queues: Option<Vec<Spanned<String>>>,
    volume: Option<Spanned<f64>>,
    aht: Option<Spanned<f64>>,
}

/// Read and validate a scenario file against `site`. Every problem is reported (as
/// [`Error::Input`]) with the file as given, its line, the field and the bad value.
pub fn load_scenarios(path: &Path, site: &Site) -> Result<Vec<Scenario>, Error> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        Error::from(InputProblem::new(&file, "file is not valid UTF-8 text").line(line))
    })?;
    parse_scenarios(&file, &text, site)
}

/// 1-based line of byte offset `byte` in `text`.
fn line_of(text: &str, byte: usize) -> usize {
    text.as_bytes()[..byte.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The field a TOML error is about: a quoted `` field `x` `` in the message, else the key
/// written on the line of the error.
fn toml_error_field(message: &str, text: &str, line: Option<usize>) -> Option<String> {
    if let Some(at) = message.find("field `") {
        let rest = &message[at + 7..];
        if let Some(end) = rest.find('`') {
            return Some(rest[..end].to_string());
        }
    }
    let l = text.lines().nth(line? - 1)?;
    let (key, _) = l.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.starts_with('[') && !key.contains(char::is_whitespace))
        .then(|| key.to_string())
}

/// Parse the text of a scenario file named `file` (used in messages) against `site`.
pub fn parse_scenarios(file: &str, text: &str, site: &Site) -> Result<Vec<Scenario>, Error> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        let mut p = InputProblem::new(file, e.message().trim().to_string()).line_opt(line);
        if let Some(f) = toml_error_field(e.message(), text, line) {
            p = p.field(f);
        }
        Error::from(p)
    })?;
    let mut problems = Vec::new();
    let mut bad = |span: std::ops::Range<usize>, field: &str, value: String, why: &str| {
        problems.push(
            InputProblem::new(file, why)
                .line(line_of(text, span.start))
                .field(field)
                .value(value),
        );
    };
    if raw.scenario.is_empty() {
        return Err(InputProblem::new(
            file,
            "no scenarios: add [[scenario]] tables with name and kind",
        )
        .line(1)
        .into());
    }
    let mut out = Vec::new();
    let mut names: Vec<(String, usize)> = Vec::new();
    for rs in &raw.scenario {
        let name = rs.name.get_ref().trim().to_string();
        if name.is_empty() {
            bad(
                rs.name.span(),
                "name",
                name.clone(),
                "a scenario needs a name",
            );
        } else if let Some((_, first)) = names.iter().find(|(n, _)| *n == name) {
            bad(
                rs.name.span(),
                "name",
                name.clone(),
                &format!("duplicate scenario name (first used on line {first})"),
            );
        }
        names.push((name.clone(), line_of(text, rs.name.span().start)));
        let mut fraction = |v: &Option<Spanned<f64>>, field: &str, max: f64, why: &str| -> f64 {
            match v {
                None => 0.0,
                Some(x) => {
                    let val = *x.get_ref();
                    if !(val.is_finite() && (0.0..=max).contains(&val)) {
                        bad(x.span(), field, val.to_string(), why);
                    }
                    val
                }
            }
        };
        let daily_cv = fraction(
            &rs.daily_cv,
            "daily_cv",
            f64::MAX,
            "coefficient of variation must be a number ≥ 0",
        );
        let interval_cv = fraction(
            &rs.interval_cv,
            "interval_cv",
            f64::MAX,
            "coefficient of variation must be a number ≥ 0",
        );
        let absenteeism = fraction(
            &rs.absenteeism,
            "absenteeism",
            1.0,
            "absenteeism is a probability in [0, 1]",
        );
        let absenteeism_contracts = rs.absenteeism_contracts.as_ref().map(|list| {
            list.iter()
                .filter_map(|c| {
                    let idx = site.contracts.iter().position(|k| k.id == *c.get_ref());
                    if idx.is_none() {
                        bad(
                            c.span(),
                            "absenteeism_contracts",
                            c.get_ref().clone(),
                            "unknown contract (not in site.toml)",
                        );
                    }
                    idx
                })
                .collect::<Vec<_>>()
        });
        let kind = match rs.kind.get_ref().as_str() {
            "deterministic" => {
                let noisy = [
                    ("daily_cv", rs.daily_cv.as_ref().map(Spanned::span)),
                    ("interval_cv", rs.interval_cv.as_ref().map(Spanned::span)),
                    ("absenteeism", rs.absenteeism.as_ref().map(Spanned::span)),
                ];
                for (field, span) in noisy {
                    if let Some(span) = span {
                        bad(
                            span,
                            field,
                            String::new(),
                            "only a kind = \"stochastic\" scenario has noise",
                        );
                    }
                }
                if let Some(c) = rs.absenteeism_contracts.as_ref().and_then(|l| l.first()) {
                    bad(
                        c.span(),
                        "absenteeism_contracts",
                        c.get_ref().clone(),
                        "only a kind = \"stochastic\" scenario has absenteeism",
                    );
                }
                ScenarioKind::Deterministic
            }
            "stochastic" => ScenarioKind::Stochastic(Noise {
                daily_cv,
                interval_cv,
                absenteeism,
                absenteeism_contracts,
            }),
            other => {
                bad(
                    rs.kind.span(),
                    "kind",
                    other.to_string(),
                    "unknown kind: use \"deterministic\" or \"stochastic\"",
                );
                ScenarioKind::Deterministic
            }
        };
        let mut multipliers = Vec::new();
        for rm in &rs.multiplier {
            let days = rm.dates.as_ref().map(|dates| {
                dates
                    .iter()
                    .filter_map(|d| {
                        let s = d.get_ref();
                        match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                            Err(_) => {
                                bad(d.span(), "dates", s.clone(), "not a date YYYY-MM-DD");
                                None
                            }
                            Ok(date) => {
                                let day = site.grid.day_of_date(date);
                                if day.is_none() {
                                    bad(
                                        d.span(),
                                        "dates",
                                        s.clone(),
                                        &format!(
                                            "outside the site's horizon ({} to {})",
                                            site.grid.date(0),
                                            site.grid.date(site.grid.days.saturating_sub(1))
                                        ),
                                    );
                                }
                                day
                            }
                        }
                    })
                    .collect::<Vec<_>>()
            });
            let mut time = |t: &Option<Spanned<String>>, field: &str, default: u32| match t {
                None => Some(default),
                Some(t) => {
                    let m = parse_hhmm(t.get_ref(), field == "to");
                    if m.is_none() {
                        bad(
                            t.span(),
                            field,
                            t.get_ref().clone(),
                            "not a local time HH:MM (00:00–23:59; `to` may be 24:00)",
                        );
                    }
                    m
                }
            };
            let from = time(&rm.from, "from", 0);
            let to = time(&rm.to, "to", 24 * 60);
            let window = match (from, to) {
                _ if rm.from.is_none() && rm.to.is_none() => None,
                (Some(a), Some(b)) if a < b => Some((a, b)),
                (Some(_), Some(_)) => {
                    let (field, t) = match (&rm.to, &rm.from) {
                        (Some(t), _) => ("to", t),
                        (None, Some(f)) => ("from", f),
                        (None, None) => unreachable!("checked above"),
                    };
                    bad(
                        t.span(),
                        field,
                        t.get_ref().clone(),
                        "empty window: `from` must be before `to`",
                    );
                    None
                }
                _ => None, // a bad time, reported above
            };
            let queues = rm.queues.as_ref().map(|qs| {
                qs.iter()
                    .filter_map(|q| {
                        let idx = site.queue_index(q.get_ref());
                        if idx.is_none() {
                            bad(
                                q.span(),
                                "queues",
                                q.get_ref().clone(),
                                "unknown queue (not in site.toml)",
                            );
                        }
                        idx
                    })
                    .collect::<Vec<_>>()
            });
            let mut factor = |v: &Option<Spanned<f64>>, field: &str| match v {
                None => 1.0,
                Some(x) => {
                    let val = *x.get_ref();
                    if !(val.is_finite() && val >= 0.0) {
                        bad(
                            x.span(),
                            field,
                            val.to_string(),
                            "a multiplier must be a finite number ≥ 0",
                        );
                    }
                    val
                }
            };
            let volume = factor(&rm.volume, "volume");
            let aht = factor(&rm.aht, "aht");
            multipliers.push(Multiplier {
                days,
                window,
                queues,
                volume,
                aht,
            });
        }
        out.push(Scenario {
            name,
            kind,
            multipliers,
        });
    }
    problems.sort_by_key(|p| p.line);
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Input(InputProblems(problems)))
    }
}
