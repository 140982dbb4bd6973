//! Raw files → domain [`Site`], collecting every problem (errors and warnings) in one
//! pass. Never panics on any input.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use chrono_tz::Tz;

use super::files;
use super::raw::{
    RawContract, RawEmployee, RawForecast, RawQueue, RawRequest, RawShiftTemplate, RawSite,
};
use super::{parse_csv, read_text};
use crate::domain::calendar::{resolve_local, TimeGrid};
use crate::domain::{
    Channel, Contract, Employee, Fairness, Forecast, Penalties, Queue, Request, RequestDay,
    RequestKind, Role, ShiftMode, ShiftTemplate, Site, WorkMode,
};
use crate::error::{Error, InputProblem, InputProblems};
use crate::staffing::erlang::ServiceTarget;

/// Columns of `employees.csv`.
pub const EMPLOYEE_COLUMNS: &[&str] = &[
    "id",
    "name",
    "role",
    "contract",
    "work_mode",
    "timezone",
    "skills",
    "hourly_cost",
];
/// Optional columns of `employees.csv`: per-employee overrides of the contract's weekly hours.
pub const EMPLOYEE_OPTIONAL_COLUMNS: &[&str] = &["min_hours", "max_hours"];
/// Columns of `forecast.csv`.
pub const FORECAST_COLUMNS: &[&str] = &["interval_start", "queue", "contacts", "aht_seconds"];
/// Columns of `requests.csv`.
pub const REQUEST_COLUMNS: &[&str] = &[
    "employee", "kind", "date", "weekday", "from", "to", "strength", "weight", "value", "note",
];

/// The outcome of validating a site folder.
#[derive(Debug, Clone, Default)]
pub struct Validation {
    /// The site, when there were no errors.
    pub site: Option<Site>,
    /// Errors: the site cannot be planned until they are fixed.
    pub errors: Vec<InputProblem>,
    /// Warnings: suspicious but plannable.
    pub warnings: Vec<InputProblem>,
}

/// Load and validate a site folder; errors become [`Error::Input`] with every problem listed.
/// Warnings are returned beside the site.
pub fn load_site(dir: &Path) -> Result<(Site, Vec<InputProblem>), Error> {
    let v = validate_site(dir);
    match v.site {
        Some(site) if v.errors.is_empty() => Ok((site, v.warnings)),
        _ => Err(Error::Input(InputProblems(v.errors))),
    }
}

/// Read extra requests (in `requests.csv` format) from `path` — e.g. the changes of a
/// re-plan: a sick call is `EMP,unavailable,2026-07-14,,09:00,24:00,hard,,,sick` — and
/// add them to `site`. Every problem is reported with `path`'s name and line.
pub fn add_requests_from(site: &mut Site, path: &Path) -> Result<(), Error> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut ctx = Ctx::default();
    let rows = parse_csv::<RawRequest>(&file, &text, REQUEST_COLUMNS, &[], &mut ctx.errors);
    let listed: HashSet<String> = site.employees.iter().map(|e| e.id.clone()).collect();
    let extra = requests(
        &mut ctx,
        &file,
        &site.grid,
        &site.employees,
        Some(&listed),
        &rows,
        OutsideHorizon::Error,
    );
    if !ctx.errors.is_empty() {
        return Err(Error::Input(InputProblems(ctx.errors)));
    }
    site.requests.extend(extra);
    Ok(())
}

/// Apply updated forecast rows (in `forecast.csv` format, any subset of intervals and
/// queues) from `path` to `site`'s forecast. Every problem is reported with `path`'s name,
/// line and field.
pub fn update_forecast_from(site: &mut Site, path: &Path) -> Result<(), Error> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut problems = Vec::new();
    let rows = parse_csv::<RawForecast>(
        &file,
        &text,
        FORECAST_COLUMNS,
        &["shrinkage"],
        &mut problems,
    );
    let mut updates = Vec::new();
    for (line, r) in rows {
        let p = |field: &str, value: &str, why: String| {
            InputProblem::new(&file, why)
                .line(line)
                .field(field)
                .value(value)
        };
        let q = site.queue_index(&r.queue);
        if q.is_none() {
            problems.push(p(
                "queue",
                &r.queue,
                "unknown queue (not in site.toml)".into(),
            ));
        }
        let i = parse_local_timestamp(&r.interval_start)
            .and_then(|(local, off)| resolve_local(site.grid.tz, local, off).ok())
            .and_then(|t| site.grid.index_at(t));
        if i.is_none() {
            problems.push(p(
                "interval_start",
                &r.interval_start,
                "not the local start of an interval in the horizon".into(),
            ));
        }
        let c = parse_contacts(&r.contacts)
            .map_err(|why| problems.push(p("contacts", &r.contacts, why)))
            .ok();
        let a = parse_aht(&r.aht_seconds)
            .map_err(|why| problems.push(p("aht_seconds", &r.aht_seconds, why)))
            .ok();
        if let (Some(q), Some(i), Some(c), Some(a)) = (q, i, c, a) {
            updates.push((q, i, c, a));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input(InputProblems(problems)));
    }
    for (q, i, c, a) in updates {
        site.forecast.contacts[q][i] = c;
        site.forecast.aht_seconds[q][i] = a;
    }
    Ok(())
}

/// A site-local time `YYYY-MM-DDTHH:MM` (optionally with an offset such as `+09:00` for the
/// repeated hour when DST ends) as UTC; `None` if it is malformed, skipped or ambiguous.
pub fn parse_site_time(site: &Site, s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let (local, off) = parse_local_timestamp(s)?;
    resolve_local(site.grid.tz, local, off).ok()
}

/// Validate a site folder, collecting every problem.
pub fn validate_site(dir: &Path) -> Validation {
    let mut ctx = Ctx::default();
    if !dir.is_dir() {
        ctx.err(InputProblem::new(
            dir.display().to_string(),
            "not a folder; a site folder holds site.toml, employees.csv, forecast.csv (and requests.csv)",
        ));
        return Validation {
            site: None,
            errors: ctx.errors,
            warnings: ctx.warnings,
        };
    }
    let site_text = read_text(dir, files::SITE)
        .map_err(|p| ctx.errors.push(p))
        .ok();
    let emp_text = read_text(dir, files::EMPLOYEES)
        .map_err(|p| ctx.errors.push(p))
        .ok();
    let fc_text = read_text(dir, files::FORECAST)
        .map_err(|p| ctx.errors.push(p))
        .ok();
    let req_text = if dir.join(files::REQUESTS).exists() {
        read_text(dir, files::REQUESTS)
            .map_err(|p| ctx.errors.push(p))
            .ok()
    } else {
        Some(String::new())
    };
    let site = validate_texts(
        &mut ctx,
        site_text.as_deref(),
        emp_text.as_deref(),
        fc_text.as_deref(),
        req_text.as_deref(),
    );
    Validation {
        site: if ctx.errors.is_empty() { site } else { None },
        errors: ctx.errors,
        warnings: ctx.warnings,
    }
}

/// Validate the texts of the four files (`None` = file unreadable, already reported).
/// An empty `requests` text means "no requests".
pub fn validate_strings(site: &str, employees: &str, forecast: &str, requests: &str) -> Validation {
    let mut ctx = Ctx::default();
    let s = validate_texts(
        &mut ctx,
        Some(site),
        Some(employees),
        Some(forecast),
        Some(requests),
    );
    Validation {
        site: if ctx.errors.is_empty() { s } else { None },
        errors: ctx.errors,
        warnings: ctx.warnings,
    }
}

#[derive(Default)]
struct Ctx {
    errors: Vec<InputProblem>,
    warnings: Vec<InputProblem>,
}

impl Ctx {
    fn err(&mut self, p: InputProblem) {
        self.errors.push(p);
    }
}

fn validate_texts(
    ctx: &mut Ctx,
    site_text: Option<&str>,
    emp_text: Option<&str>,
    fc_text: Option<&str>,
    req_text: Option<&str>,
) -> Option<Site> {
    let header = site_text.and_then(|t| site_header(ctx, t));
    let employees_raw = emp_text.map(|t| {
        parse_csv::<RawEmployee>(
            files::EMPLOYEES,
            t,
            EMPLOYEE_COLUMNS,
            EMPLOYEE_OPTIONAL_COLUMNS,
            &mut ctx.errors,
        )
    });
    let forecast_raw = fc_text.map(|t| {
        parse_csv::<RawForecast>(
            files::FORECAST,
            t,
            FORECAST_COLUMNS,
            &["shrinkage"],
            &mut ctx.errors,
        )
    });
    let requests_raw = req_text.map(|t| {
        if t.trim().is_empty() {
            Vec::new()
        } else {
            parse_csv::<RawRequest>(files::REQUESTS, t, REQUEST_COLUMNS, &[], &mut ctx.errors)
        }
    });
    let header = header?;
    // Ids listed in employees.csv, valid rows or not (`None`: the file itself is unreadable),
    // so requests of an employee whose row has an error are not also called unknown.
    let listed: Option<HashSet<String>> = employees_raw
        .as_ref()
        .filter(|rows| !rows.is_empty())
        .map(|rows| rows.iter().map(|(_, r)| r.id.clone()).collect());
    let employees = employees_raw.map(|rows| employees(ctx, &header, &rows));
    let forecast = forecast_raw.map(|rows| forecast(ctx, &header, &rows));
    let (employees, forecast) = (employees?, forecast?);
    let requests = requests_raw.map(|rows| {
        requests(
            ctx,
            files::REQUESTS,
            &header.grid,
            &employees,
            listed.as_ref(),
            &rows,
            OutsideHorizon::Warn,
        )
    })?;
    coverage_warnings(ctx, &header, &employees, &forecast);
    let mut site = header;
    site.employees = employees;
    site.forecast = forecast;
    site.requests = requests;
    Some(site)
}

/// The key of a `key = value` line (1-based `line` of `text`), if it is one.
fn toml_key_on_line(text: &str, line: usize) -> Option<String> {
    let (key, _) = text.lines().nth(line.checked_sub(1)?)?.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.starts_with('[') && !key.contains(' ')).then(|| key.to_string())
}

/// A TOML reader's message in the planner's words: Rust's type names become the kind of
/// value expected ("expected u32" → "expected a whole number of 0 or more").
fn plain_toml_message(message: &str) -> String {
    let mut m = message.trim().to_string();
    for (rust, plain) in [
        ("expected u32", "expected a whole number of 0 or more"),
        ("expected u64", "expected a whole number of 0 or more"),
        ("expected usize", "expected a whole number of 0 or more"),
        ("expected f64", "expected a number"),
        ("expected a float", "expected a number"),
        ("expected i64", "expected a whole number"),
    ] {
        m = m.replace(rust, plain);
    }
    m
}

/// Best-effort line of `key = ...` (optionally containing `value`) in TOML text.
fn toml_line(text: &str, key: &str, value: &str) -> Option<usize> {
    let mut fallback = None;
    for (i, line) in text.lines().enumerate() {
        let l = line.trim_start();
        if l.starts_with(key) && l[key.len()..].trim_start().starts_with('=') {
            if value.is_empty() || l.contains(value) {
                return Some(i + 1);
            }
            fallback.get_or_insert(i + 1);
        }
    }
    fallback
}

/// Line of `key = ...` inside the `index`-th `[[name]]` table (falling back to the
/// table's header line).
fn toml_table_line(text: &str, name: &str, index: usize, key: &str, value: &str) -> Option<usize> {
    let header = format!("[[{name}]]");
    let mut seen = 0;
    let mut inside = false;
    let mut header_line = None;
    let mut key_line = None;
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.starts_with('[') {
            if inside {
                break;
            }
            if l == header {
                if seen == index {
                    inside = true;
                    header_line = Some(i + 1);
                }
                seen += 1;
            }
            continue;
        }
        if inside && l.starts_with(key) && l[key.len()..].trim_start().starts_with('=') {
            if value.is_empty() || l.contains(value) {
                return Some(i + 1);
            }
            key_line.get_or_insert(i + 1);
        }
    }
    key_line.or(header_line)
}

fn byte_to_line(text: &str, byte: usize) -> usize {
    text.as_bytes()[..byte.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// `site.toml` keys whose bad value leaves the site's shape whole (the default stands in),
/// so the CSV files are still checked against it and their problems listed too.
const VALUE_ONLY: &[&str] = &[
    "shrinkage",
    "team_lead_ratio",
    "understaffing_per_agent_hour",
    "overstaffing_per_agent_hour",
    "team_lead_shortfall_per_hour",
    "onsite_cost_per_hour",
    "backlog_per_agent_hour",
];

/// `site.toml` read into its raw shape. A key the reader does not know (a typo), or a value
/// of the wrong kind for a [`VALUE_ONLY`] key, is reported and the file read again as if
/// that line were a comment — the key's default stands in — so every such problem is listed
/// in one run and the CSV files are still checked. Any other problem (syntax, a missing or
/// mistyped key the site's shape needs) is reported and stops the reading.
fn read_site_toml(ctx: &mut Ctx, text: &str) -> Option<RawSite> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    loop {
        let current = lines.join("\n");
        let e = match toml::from_str::<RawSite>(&current) {
            Ok(raw) => return Some(raw),
            Err(e) => e,
        };
        let line = e.span().map(|s| byte_to_line(&current, s.start));
        let key = line.and_then(|l| toml_key_on_line(&current, l));
        let mut p = InputProblem::new(files::SITE, plain_toml_message(e.message())).line_opt(line);
        if let Some(key) = &key {
            p = p.field(key.clone());
        }
        ctx.err(p);
        // Skip the line only when it is a whole `key = value` on its own, so that reading
        // without it cannot raise a problem of its own making.
        let (Some(line), Some(key)) = (line, key) else {
            return None;
        };
        // The problem must be the line's own key: a typo of it, or a bad value of a plain
        // number (an inline table's inner key would otherwise take its whole line along).
        let message = e.message();
        let kind_of_key = message.starts_with(&format!("unknown field `{key}`"))
            || (VALUE_ONLY.contains(&key.as_str())
                && (message.starts_with("invalid type") || message.starts_with("invalid value")));
        match lines.get_mut(line - 1) {
            Some(text) if kind_of_key && toml::from_str::<toml::Table>(text).is_ok() => {
                *text = format!("# {text}");
            }
            _ => return None,
        }
    }
}

/// The validated contents of `site.toml`: a [`Site`] without employees, forecast or requests.
fn site_header(ctx: &mut Ctx, text: &str) -> Option<Site> {
    let f = files::SITE;
    if text.trim().is_empty() {
        ctx.err(InputProblem::new(f, "file is empty; expected name, timezone, start_date, days, queues, contracts and shift_templates"));
        return None;
    }
    let raw = read_site_toml(ctx, text)?;
    // The `[[table]]` (and its index) problems are currently found in, for line numbers.
    let table: std::cell::Cell<Option<(&str, usize)>> = std::cell::Cell::new(None);
    let at = |key: &str, value: &str| match table.get() {
        Some((name, index)) => toml_table_line(text, name, index, key, value),
        None => toml_line(text, key, value),
    };
    let mut ok = true;
    let mut bad = |ctx: &mut Ctx, key: &str, value: String, reason: String| {
        if !VALUE_ONLY.contains(&key) {
            ok = false;
        }
        ctx.err(
            InputProblem::new(f, reason)
                .line_opt(at(key, &value))
                .field(key)
                .value(value),
        );
    };

    let tz: Option<Tz> = match raw.timezone.parse() {
        Ok(tz) => Some(tz),
        Err(_) => {
            bad(
                ctx,
                "timezone",
                raw.timezone.clone(),
                "unknown IANA time zone (e.g. Asia/Tokyo)".into(),
            );
            None
        }
    };
    let start = match NaiveDate::parse_from_str(&raw.start_date, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            bad(
                ctx,
                "start_date",
                raw.start_date.clone(),
                "not a date YYYY-MM-DD".into(),
            );
            None
        }
    };
    if raw.days == 0 || raw.days > 366 {
        bad(
            ctx,
            "days",
            raw.days.to_string(),
            "horizon must be 1 to 366 days".into(),
        );
    }
    let mut interval = raw.interval_minutes.unwrap_or(30);
    if interval != 15 && interval != 30 {
        bad(
            ctx,
            "interval_minutes",
            interval.to_string(),
            "interval length must be 15 or 30 minutes".into(),
        );
        // Checked on against the default, so every template's 30-minute start step is not
        // reported again as "not a multiple of 20".
        interval = 30;
    }
    let shrinkage = raw.shrinkage.unwrap_or(0.3);
    if !(0.0..0.95).contains(&shrinkage) {
        bad(
            ctx,
            "shrinkage",
            shrinkage.to_string(),
            "shrinkage must be a fraction in [0, 0.95)".into(),
        );
    }
    let team_lead_ratio = raw.team_lead_ratio.unwrap_or(12.0);
    if !(team_lead_ratio >= 1.0 && team_lead_ratio.is_finite()) {
        bad(
            ctx,
            "team_lead_ratio",
            team_lead_ratio.to_string(),
            "must be a number of agents per lead, at least 1".into(),
        );
    }
    let mut penalties = Penalties::default();
    if let Some(p) = &raw.penalties {
        if let Some(v) = &p.understaffing_per_agent_hour {
            if v.is_empty() || v.iter().any(|&x| !is_money(x)) || v.windows(2).any(|w| w[1] < w[0])
            {
                bad(
                    ctx,
                    "understaffing_per_agent_hour",
                    format!(
                        "[{}]",
                        v.iter().map(|&x| short_number(x)).collect::<Vec<_>>().join(", ")
                    ),
                    format!("must be a non-empty, non-decreasing list of non-negative costs, each at most {MAX_MONEY:e}"),
                );
            } else {
                penalties.understaffing_per_agent_hour = v.clone();
            }
        }
        for (key, val, slot) in [
            (
                "overstaffing_per_agent_hour",
                p.overstaffing_per_agent_hour,
                &mut penalties.overstaffing_per_agent_hour,
            ),
            (
                "team_lead_shortfall_per_hour",
                p.team_lead_shortfall_per_hour,
                &mut penalties.team_lead_shortfall_per_hour,
            ),
            (
                "onsite_cost_per_hour",
                p.onsite_cost_per_hour,
                &mut penalties.onsite_cost_per_hour,
            ),
            (
                "backlog_per_agent_hour",
                p.backlog_per_agent_hour,
                &mut penalties.backlog_per_agent_hour,
            ),
        ] {
            if let Some(x) = val {
                if is_money(x) {
                    *slot = x;
                } else {
                    bad(ctx, key, short_number(x), money_rule("the cost"));
                }
            }
        }
    }

    // Queues.
    let mut queues = Vec::new();
    let mut seen = HashSet::new();
    if raw.queues.is_empty() {
        bad(ctx, "queues", String::new(), "no [[queues]] defined".into());
    }
    for (k, q) in raw.queues.iter().enumerate() {
        table.set(Some(("queues", k)));
        if !seen.insert(q.id.clone()) {
            bad(ctx, "id", q.id.clone(), "queue id used twice".into());
        }
        match queue(q) {
            Ok(queue) => queues.push(queue),
            Err((key, value, reason)) => bad(ctx, key, value, format!("queue {}: {reason}", q.id)),
        }
    }

    // Contracts.
    let mut contracts = Vec::new();
    let mut seen = HashSet::new();
    if raw.contracts.is_empty() {
        bad(
            ctx,
            "contracts",
            String::new(),
            "no [[contracts]] defined".into(),
        );
    }
    for (k, c) in raw.contracts.iter().enumerate() {
        table.set(Some(("contracts", k)));
        if !seen.insert(c.id.clone()) {
            bad(ctx, "id", c.id.clone(), "contract id used twice".into());
        }
        match contract(c) {
            Ok(c) => contracts.push(c),
            Err(problems) => {
                for (key, value, reason) in problems {
                    bad(ctx, key, value, format!("contract {}: {reason}", c.id));
                }
            }
        }
    }

    // Templates.
    let mut templates = Vec::new();
    let mut seen = HashSet::new();
    if raw.shift_templates.is_empty() {
        bad(
            ctx,
            "shift_templates",
            String::new(),
            "no [[shift_templates]] defined".into(),
        );
    }
    for (k, t) in raw.shift_templates.iter().enumerate() {
        table.set(Some(("shift_templates", k)));
        if !seen.insert(t.id.clone()) {
            bad(
                ctx,
                "id",
                t.id.clone(),
                "shift template id used twice".into(),
            );
        }
        // A bad `interval_minutes` is reported above and 30 stands in (never 0 here).
        match template(t, interval, &raw.contracts) {
            Ok(t) => templates.push(t),
            Err(problems) => {
                for (key, value, reason) in problems {
                    bad(
                        ctx,
                        key,
                        value,
                        format!("shift template {}: {reason}", t.id),
                    );
                }
            }
        }
    }

    // Break rules, and every template length they apply to must have room for its breaks.
    let mut break_rules = Vec::new();
    for (k, r) in raw.break_rules.iter().enumerate() {
        table.set(Some(("break_rules", k)));
        match break_rule(r) {
            Ok(b) => break_rules.push(b),
            Err((key, value, reason)) => {
                bad(ctx, key, value, format!("break rule {}: {reason}", k + 1))
            }
        }
    }
    for (k, t) in templates.iter().enumerate() {
        table.set(Some(("shift_templates", k)));
        // One report of the meal per template (a flexible one has many lengths).
        let mut meal_reported = false;
        for &len in &t.lengths_minutes {
            let rule = crate::domain::breaks::rule_for(&break_rules, len);
            // The unpaid meal must fit in the meal the break rules place (a longer placed
            // meal is partly paid): else the agent would be on duty through unpaid time.
            let placed_meal = rule.map_or(0, |r| r.meal_minutes);
            if !break_rules.is_empty() && t.meal_minutes > placed_meal && !meal_reported {
                meal_reported = true;
                bad(
                    ctx,
                    "meal_minutes",
                    t.meal_minutes.to_string(),
                    format!(
                        "shift template {} ({} h): an unpaid {}-minute meal, but the break rules \
                         place {} in shifts of this length, so the agent would work unpaid \
                         time; give the rule for this length meal_minutes = {} or more, or \
                         lower the template's meal_minutes (0: a paid meal)",
                        t.id,
                        f64::from(len) / 60.0,
                        t.meal_minutes,
                        if placed_meal == 0 {
                            "no meal".to_string()
                        } else {
                            format!("only a {placed_meal}-minute meal")
                        },
                        t.meal_minutes
                    ),
                );
            }
            let Some(rule) = rule else {
                continue;
            };
            let problem = match crate::domain::breaks::break_slots(rule, len) {
                Err(why) => Some(why),
                Ok(slots) => slots
                    .iter()
                    .find(|s| s.starts(interval).next().is_none())
                    .map(|s| format!("the {} window ({}–{} min into the shift) holds no {interval}-minute boundary", s.kind.as_str(), s.earliest, s.latest)),
            };
            if let Some(why) = problem {
                bad(
                    ctx,
                    "id",
                    t.id.clone(),
                    format!(
                        "shift template {} ({} h): {why}",
                        t.id,
                        f64::from(len) / 60.0
                    ),
                );
            }
        }
    }
    // Horizon rules (contract and template keys, [[template_cover]]); all optional.
    let mut rules = crate::domain::Rules::default();
    let template_index = |id: &str| raw.shift_templates.iter().position(|t| t.id == id);
    for (k, c) in raw.contracts.iter().enumerate() {
        table.set(Some(("contracts", k)));
        let mut r = crate::domain::ContractRules::default();
        let mut minutes = |key: &'static str, h: Option<f64>, ctx: &mut Ctx| -> Option<u32> {
            let h = h?;
            if h.is_finite() && h >= 0.0 {
                Some((h * 60.0).round() as u32)
            } else {
                bad(
                    ctx,
                    key,
                    h.to_string(),
                    format!("contract {}: hours must be non-negative", c.id),
                );
                None
            }
        };
        r.min_minutes_per_horizon =
            minutes("min_hours_per_horizon", c.min_hours_per_horizon, ctx).unwrap_or(0);
        r.max_minutes_per_horizon = minutes("max_hours_per_horizon", c.max_hours_per_horizon, ctx);
        if let Some(max) = r
            .max_minutes_per_horizon
            .filter(|&m| m < r.min_minutes_per_horizon)
        {
            bad(
                ctx,
                "max_hours_per_horizon",
                (f64::from(max) / 60.0).to_string(),
                format!("contract {}: below min_hours_per_horizon", c.id),
            );
        }
        for (t, cap) in c.max_shifts_per_template.iter().flatten() {
            match template_index(t) {
                Some(ti) => r.max_shifts_per_template.push((ti, *cap)),
                None => bad(
                    ctx,
                    "max_shifts_per_template",
                    t.clone(),
                    format!("contract {}: unknown shift template", c.id),
                ),
            }
        }
        r.min_consecutive_days = c.min_consecutive_days.unwrap_or(1);
        r.min_consecutive_days_off = c.min_consecutive_days_off.unwrap_or(1);
        if let Some(max_cons) = c.max_consecutive_days {
            if r.min_consecutive_days > max_cons {
                bad(
                    ctx,
                    "min_consecutive_days",
                    r.min_consecutive_days.to_string(),
                    format!("contract {}: above max_consecutive_days ({max_cons})", c.id),
                );
            }
        }
        r.max_weekends = c.max_weekends;
        rules.contracts.push(r);
    }
    for (k, t) in raw.shift_templates.iter().enumerate() {
        table.set(Some(("shift_templates", k)));
        let mut next = Vec::new();
        for id in t.not_followed_by.iter().flatten() {
            match template_index(id) {
                Some(u) => next.push(u),
                None => bad(
                    ctx,
                    "not_followed_by",
                    id.clone(),
                    format!("shift template {}: unknown shift template", t.id),
                ),
            }
        }
        rules.not_followed_by.push(next);
    }
    for (k, c) in raw.template_cover.iter().enumerate() {
        table.set(Some(("template_cover", k)));
        let Some(ti) = template_index(&c.template) else {
            bad(
                ctx,
                "template",
                c.template.clone(),
                "unknown shift template".into(),
            );
            continue;
        };
        let under = c.under_weight.unwrap_or(1000.0);
        let over = c.over_weight.unwrap_or(0.0);
        if !(is_money(under) && is_money(over)) {
            let (key, x) = if is_money(under) {
                ("over_weight", over)
            } else {
                ("under_weight", under)
            };
            bad(ctx, key, short_number(x), money_rule("the weight"));
            continue;
        }
        let Some(first) = start else { continue };
        let days: Vec<usize> = match (&c.date, &c.weekday) {
            (Some(d), None) => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(date) if date >= first && ((date - first).num_days() as u32) < raw.days => {
                    vec![(date - first).num_days() as usize]
                }
                _ => {
                    bad(
                        ctx,
                        "date",
                        d.clone(),
                        "not a date YYYY-MM-DD inside the horizon".into(),
                    );
                    continue;
                }
            },
            (None, Some(w)) => match parse_weekday(w) {
                Some(w) => {
                    use chrono::Datelike;
                    (0..raw.days as usize)
                        .filter(|&d| (first + chrono::Duration::days(d as i64)).weekday() == w)
                        .collect()
                }
                None => {
                    bad(ctx, "weekday", w.clone(), "not a weekday (mon..sun)".into());
                    continue;
                }
            },
            _ => {
                bad(
                    ctx,
                    "template",
                    c.template.clone(),
                    "give exactly one of date and weekday".into(),
                );
                continue;
            }
        };
        for day in days {
            rules.template_cover.push(crate::domain::TemplateCover {
                day,
                template: ti,
                required: c.required,
                under_weight: under,
                over_weight: over,
            });
        }
    }
    table.set(None);
    let mut fairness = Fairness::default();
    if let Some(fr) = &raw.fairness {
        if let Some(w) = fr.weight {
            if is_money(w) {
                fairness.weight = w;
            } else {
                bad(
                    ctx,
                    "weight",
                    short_number(w),
                    money_rule("the fairness weight"),
                );
            }
        }
        if let Some(t) = &fr.late_end_after {
            match parse_hhmm(t, false) {
                Some(m) => fairness.late_end_after_minutes = m,
                None => bad(
                    ctx,
                    "late_end_after",
                    t.clone(),
                    "not a local time HH:MM".into(),
                ),
            }
        }
        if let Some(days) = &fr.weekend_days {
            fairness.weekend.clear();
            for d in days {
                match parse_weekday(d) {
                    Some(w) if !fairness.weekend.contains(&w) => fairness.weekend.push(w),
                    Some(_) => bad(ctx, "weekend_days", d.clone(), "day listed twice".into()),
                    None => bad(
                        ctx,
                        "weekend_days",
                        d.clone(),
                        "not a weekday (mon..sun)".into(),
                    ),
                }
            }
        }
    }
    let max_on_break_share = raw.max_on_break_share;
    if let Some(x) = max_on_break_share {
        if !(x > 0.0 && x <= 1.0) {
            bad(
                ctx,
                "max_on_break_share",
                x.to_string(),
                "must be a fraction in (0, 1]".into(),
            );
        }
    }

    let (tz, start) = (tz?, start?);
    if !ok {
        return None;
    }
    Some(Site {
        name: raw.name,
        grid: TimeGrid::new(tz, start, raw.days as usize, interval),
        seats: raw.seats,
        shrinkage,
        team_lead_ratio,
        penalties,
        fairness,
        queues,
        contracts,
        templates,
        break_rules,
        max_on_break_share,
        employees: Vec::new(),
        forecast: Forecast {
            contacts: Vec::new(),
            aht_seconds: Vec::new(),
            shrinkage: None,
        },
        requests: Vec::new(),
        rules,
    })
}

type FieldError = (&'static str, String, String);

fn break_rule(r: &super::raw::RawBreakRule) -> Result<crate::domain::BreakRule, FieldError> {
    let hours = |key: &'static str, h: f64| -> Result<u32, FieldError> {
        if h.is_finite() && (0.0..=24.0).contains(&h) {
            Ok((h * 60.0).round() as u32)
        } else {
            Err((key, h.to_string(), "must be 0 to 24 hours".into()))
        }
    };
    let min_shift_minutes = hours("min_shift_hours", r.min_shift_hours)?;
    let meal_earliest = hours("meal_earliest_hours", r.meal_earliest_hours.unwrap_or(3.0))?;
    let meal_latest = hours("meal_latest_hours", r.meal_latest_hours.unwrap_or(5.0))?;
    if meal_latest < meal_earliest {
        return Err((
            "meal_latest_hours",
            (f64::from(meal_latest) / 60.0).to_string(),
            "before meal_earliest_hours".into(),
        ));
    }
    let mindfulness_breaks = r.mindfulness_breaks.unwrap_or(0);
    if mindfulness_breaks > 2 {
        return Err((
            "mindfulness_breaks",
            mindfulness_breaks.to_string(),
            "at most 2 (one on each side of the meal or of mid-shift)".into(),
        ));
    }
    let mindfulness_minutes = r.mindfulness_minutes.unwrap_or(15);
    if mindfulness_minutes == 0 || mindfulness_minutes > 60 {
        return Err((
            "mindfulness_minutes",
            mindfulness_minutes.to_string(),
            "must be 1 to 60 minutes".into(),
        ));
    }
    let meal_minutes = r.meal_minutes.unwrap_or(0);
    if meal_minutes > 180 {
        return Err((
            "meal_minutes",
            meal_minutes.to_string(),
            "at most 180 minutes".into(),
        ));
    }
    Ok(crate::domain::BreakRule {
        min_shift_minutes,
        meal_minutes,
        meal_earliest,
        meal_latest,
        mindfulness_breaks,
        mindfulness_minutes,
        min_gap: r.min_gap_minutes.unwrap_or(60),
        edge: r.edge_minutes.unwrap_or(60),
    })
}

fn queue(q: &RawQueue) -> Result<Queue, FieldError> {
    let channel = Channel::parse(&q.channel).ok_or((
        "channel",
        q.channel.clone(),
        "channel must be phone, chat or email".to_string(),
    ))?;
    if q.id.trim().is_empty() {
        return Err(("id", q.id.clone(), "queue id is empty".into()));
    }
    let sl = q.service_level.unwrap_or(0.8);
    if !(sl > 0.0 && sl < 1.0) {
        return Err((
            "service_level",
            sl.to_string(),
            "service level must be a fraction in (0, 1)".into(),
        ));
    }
    let within = q
        .answer_within_seconds
        .unwrap_or(if channel == Channel::Chat { 60.0 } else { 20.0 });
    if !(within >= 0.0 && within.is_finite()) {
        return Err((
            "answer_within_seconds",
            within.to_string(),
            "must be a non-negative number of seconds".into(),
        ));
    }
    if let Some(a) = q.max_asa_seconds {
        if !(a > 0.0 && a.is_finite()) {
            return Err((
                "max_asa_seconds",
                a.to_string(),
                "must be a positive number of seconds".into(),
            ));
        }
    }
    if let Some(o) = q.max_occupancy {
        if !(o > 0.0 && o <= 1.0) {
            return Err((
                "max_occupancy",
                o.to_string(),
                "must be a fraction in (0, 1]".into(),
            ));
        }
    }
    let concurrency = q
        .concurrency
        .unwrap_or(if channel == Channel::Chat { 2 } else { 1 });
    if concurrency == 0 || concurrency > 10 || (channel != Channel::Chat && concurrency != 1) {
        return Err((
            "concurrency",
            concurrency.to_string(),
            "concurrency must be 1..=10, and 1 unless the channel is chat".into(),
        ));
    }
    let rt = q.response_time_hours.unwrap_or(24.0);
    if !(rt > 0.0 && rt <= 24.0 * 14.0) {
        return Err((
            "response_time_hours",
            rt.to_string(),
            "response time must be in (0, 336] hours".into(),
        ));
    }
    Ok(Queue {
        id: q.id.clone(),
        channel,
        language: q.language.clone(),
        target: ServiceTarget {
            service_level: sl,
            answer_within: within,
            max_asa: q.max_asa_seconds,
            max_occupancy: q.max_occupancy,
        },
        concurrency,
        response_time_hours: rt,
    })
}

/// A `[[contracts]]` table as a contract, or every problem found in it.
fn contract(c: &RawContract) -> Result<Contract, Vec<FieldError>> {
    let mut errors: Vec<FieldError> = Vec::new();
    let min_h = c.min_hours_per_week.unwrap_or(0.0);
    let max_h = c.max_hours_per_week.unwrap_or(40.0);
    if !(min_h >= 0.0 && max_h >= min_h && max_h <= 168.0) {
        errors.push((
            "max_hours_per_week",
            format!("{max_h}"),
            format!("weekly hours need 0 <= min ({min_h}) <= max ({max_h}) <= 168"),
        ));
    }
    let min_s = c.min_shifts_per_week.unwrap_or(0);
    let max_s = c.max_shifts_per_week.unwrap_or(5);
    if min_s > max_s || max_s > 7 {
        errors.push((
            "max_shifts_per_week",
            max_s.to_string(),
            format!("shifts per week need min ({min_s}) <= max ({max_s}) <= 7"),
        ));
    }
    let rest = c.min_rest_hours.unwrap_or(11.0);
    if !(0.0..=48.0).contains(&rest) {
        errors.push((
            "min_rest_hours",
            rest.to_string(),
            "rest must be 0 to 48 hours".into(),
        ));
    }
    let cons = c.max_consecutive_days.unwrap_or(6);
    if cons == 0 {
        errors.push((
            "max_consecutive_days",
            "0".into(),
            "must be at least 1".into(),
        ));
    }
    let off = c.min_days_off_per_week.unwrap_or(1);
    if off > 7 || 7 - off < min_s {
        errors.push((
            "min_days_off_per_week",
            off.to_string(),
            format!("{off} days off leave no room for {min_s} shifts a week"),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Contract {
        id: c.id.clone(),
        min_hours_per_week: min_h,
        max_hours_per_week: max_h,
        min_shifts_per_week: min_s,
        max_shifts_per_week: max_s,
        min_rest_hours: rest,
        max_consecutive_days: cons,
        min_days_off_per_week: off,
    })
}

/// Parse `HH:MM`; `24:00` is allowed when `allow_24` (returned as 1440 minutes).
pub(crate) fn parse_hhmm(s: &str, allow_24: bool) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if m >= 60 {
        return None;
    }
    let total = h * 60 + m;
    (total < 24 * 60 || (allow_24 && total == 24 * 60)).then_some(total)
}

fn minutes_to_time(m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap_or(NaiveTime::MIN)
}

/// A `[[shift_templates]]` table as a template, or every problem found in it: its lengths,
/// its start times and its mode and contracts are checked apart, so that one mistake does
/// not hide another.
fn template(
    t: &RawShiftTemplate,
    interval: u32,
    contracts: &[RawContract],
) -> Result<ShiftTemplate, Vec<FieldError>> {
    let lengths = template_lengths(t, interval);
    let times = template_times(t, interval);
    let mode = template_mode(t, contracts);
    let meal = t.meal_minutes.unwrap_or(0);
    let mut errors = Vec::new();
    if let Ok(lengths) = &lengths {
        if lengths.iter().any(|&l| meal >= l) {
            errors.push((
                "meal_minutes",
                meal.to_string(),
                "meal break is as long as the shift".into(),
            ));
        }
    }
    match (lengths, times, mode) {
        (Ok(lengths), Ok((earliest, latest, step)), Ok((mode, cs))) if errors.is_empty() => {
            Ok(ShiftTemplate {
                id: t.id.clone(),
                lengths_minutes: lengths,
                earliest_start: minutes_to_time(earliest),
                latest_start: minutes_to_time(latest),
                start_step_minutes: step,
                mode,
                contracts: cs,
                meal_minutes: meal,
            })
        }
        (lengths, times, mode) => {
            errors.extend(lengths.err());
            errors.extend(times.err());
            errors.extend(mode.err());
            Err(errors)
        }
    }
}

/// A template's lengths in minutes (one, or a flexible slot's range).
fn template_lengths(t: &RawShiftTemplate, interval: u32) -> Result<Vec<u32>, FieldError> {
    let to_minutes = |key: &'static str, h: f64| -> Result<u32, FieldError> {
        let m = h * 60.0;
        if !(m.is_finite() && m >= f64::from(interval) && m <= 16.0 * 60.0)
            || (m.round() as u32) % interval != 0
        {
            return Err((
                key,
                h.to_string(),
                format!("length must be a multiple of the {interval}-minute interval, up to 16 h"),
            ));
        }
        Ok(m.round() as u32)
    };
    Ok(
        match (t.length_hours, t.min_length_hours, t.max_length_hours) {
            (Some(l), None, None) => vec![to_minutes("length_hours", l)?],
            (None, Some(a), Some(b)) => {
                let (a, b) = (
                    to_minutes("min_length_hours", a)?,
                    to_minutes("max_length_hours", b)?,
                );
                if a > b {
                    return Err((
                        "min_length_hours",
                        (f64::from(a) / 60.0).to_string(),
                        "min length exceeds max length".into(),
                    ));
                }
                let step = step_minutes("length_step_minutes", t.length_step_minutes, interval)?;
                (a..=b).step_by(step as usize).collect()
            }
            _ => {
                return Err((
                    "length_hours",
                    String::new(),
                    "give either length_hours, or both min_length_hours and max_length_hours"
                        .into(),
                ))
            }
        },
    )
}

/// A template's step `key` in minutes (default: the interval), a positive multiple of it.
fn step_minutes(key: &'static str, given: Option<u32>, interval: u32) -> Result<u32, FieldError> {
    let step = given.unwrap_or(interval);
    if step == 0 || step % interval != 0 {
        return Err((
            key,
            step.to_string(),
            format!("must be a positive multiple of {interval}"),
        ));
    }
    Ok(step)
}

/// A template's earliest and latest start and start step, in minutes.
fn template_times(t: &RawShiftTemplate, interval: u32) -> Result<(u32, u32, u32), FieldError> {
    let earliest = parse_hhmm(&t.earliest_start, false).ok_or((
        "earliest_start",
        t.earliest_start.clone(),
        "not a time HH:MM".to_string(),
    ))?;
    let latest = parse_hhmm(&t.latest_start, false).ok_or((
        "latest_start",
        t.latest_start.clone(),
        "not a time HH:MM".to_string(),
    ))?;
    if latest < earliest {
        return Err((
            "latest_start",
            t.latest_start.clone(),
            "latest start is before earliest start".into(),
        ));
    }
    if earliest % interval != 0 {
        return Err((
            "earliest_start",
            t.earliest_start.clone(),
            format!("must fall on a {interval}-minute boundary"),
        ));
    }
    let step = step_minutes("start_step_minutes", t.start_step_minutes, interval)?;
    Ok((earliest, latest, step))
}

/// A template's work mode and contracts.
fn template_mode(
    t: &RawShiftTemplate,
    contracts: &[RawContract],
) -> Result<(ShiftMode, Vec<usize>), FieldError> {
    let mode = match t.work_mode.as_str() {
        "remote" => ShiftMode::Remote,
        "onsite" => ShiftMode::Onsite,
        other => {
            return Err((
                "work_mode",
                other.to_string(),
                "shift work mode must be remote or onsite".into(),
            ))
        }
    };
    let mut cs = Vec::new();
    for c in &t.contracts {
        match contracts.iter().position(|x| &x.id == c) {
            Some(i) => cs.push(i),
            None => return Err(("contracts", c.clone(), "unknown contract".into())),
        }
    }
    Ok((mode, cs))
}

fn parse_number(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// The largest cost, penalty or weight taken as meant (site currency, per hour or per
/// request). Beyond it the objective's terms span more than the solver's relative
/// tolerances can tell apart (a 1e300 penalty made HiGHS fail, a 1e308 hourly cost an
/// infinite objective): such a number is a typo, and an error.
pub const MAX_MONEY: f64 = 1e9;

/// The most contacts one queue may expect in one interval (the largest contact centres
/// answer a few thousand); beyond it a forecast row is a typo, and an error.
pub const MAX_CONTACTS: f64 = 1e6;

/// `x` as written in a message: plain, or in exponent form when that is shorter (1e300
/// rather than three hundred digits).
fn short_number(x: f64) -> String {
    let (plain, exp) = (x.to_string(), format!("{x:e}"));
    if exp.len() < plain.len() {
        exp
    } else {
        plain
    }
}

/// A cost, penalty or weight: finite, non-negative, at most [`MAX_MONEY`].
fn is_money(x: f64) -> bool {
    x.is_finite() && (0.0..=MAX_MONEY).contains(&x)
}

/// Why a cost, penalty or weight was refused.
fn money_rule(what: &str) -> String {
    format!("{what} must be a non-negative number, at most {MAX_MONEY:e}")
}

/// Contacts of a forecast row, or why they were refused.
fn parse_contacts(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|c| c.is_finite() && (0.0..=MAX_CONTACTS).contains(c))
        .ok_or_else(|| {
            format!("contacts must be a non-negative number, at most {MAX_CONTACTS:e} an interval")
        })
}

/// Average handle time of a forecast row, or why it was refused.
fn parse_aht(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|a| a.is_finite() && *a > 0.0 && *a <= 86_400.0)
        .ok_or_else(|| "AHT must be a positive number of seconds (at most 86400)".to_string())
}

fn employees(ctx: &mut Ctx, h: &Site, rows: &[(usize, RawEmployee)]) -> Vec<Employee> {
    let f = files::EMPLOYEES;
    let mut out = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    if rows.is_empty() && ctx.errors.iter().all(|p| p.file != f) {
        ctx.err(InputProblem::new(f, "no employees listed"));
    }
    for (line, r) in rows {
        let line = *line;
        let p = |field: &str, value: &str, why: String| {
            InputProblem::new(f, why)
                .line(line)
                .field(field)
                .value(value)
        };
        let mut row_ok = true;
        if r.id.is_empty() {
            ctx.err(p("id", &r.id, "employee id is empty".into()));
            row_ok = false;
        } else if let Some(first) = ids.insert(r.id.clone(), line) {
            ctx.err(p(
                "id",
                &r.id,
                format!("employee id used twice (first on line {first})"),
            ));
            row_ok = false;
        }
        let role = match r.role.as_str() {
            "agent" => Some(Role::Agent),
            "team_lead" => Some(Role::TeamLead),
            _ => {
                ctx.err(p("role", &r.role, "role must be agent or team_lead".into()));
                None
            }
        };
        let contract = h.contracts.iter().position(|c| c.id == r.contract);
        if contract.is_none() {
            let known: Vec<&str> = h.contracts.iter().map(|c| c.id.as_str()).collect();
            ctx.err(p(
                "contract",
                &r.contract,
                format!("unknown contract (site.toml has: {})", known.join(", ")),
            ));
        }
        let work_mode = match r.work_mode.as_str() {
            "remote" => Some(WorkMode::Remote),
            "onsite" => Some(WorkMode::Onsite),
            "hybrid" => Some(WorkMode::Hybrid),
            _ => {
                ctx.err(p(
                    "work_mode",
                    &r.work_mode,
                    "work mode must be remote, onsite or hybrid".into(),
                ));
                None
            }
        };
        let tz = if r.timezone.is_empty() {
            Some(h.grid.tz)
        } else {
            match r.timezone.parse::<Tz>() {
                Ok(tz) => Some(tz),
                Err(_) => {
                    ctx.err(p("timezone", &r.timezone, "unknown IANA time zone".into()));
                    None
                }
            }
        };
        let mut skills = Vec::new();
        for s in r.skills.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            match h.queues.iter().position(|q| q.id == s) {
                Some(q) if !skills.contains(&q) => skills.push(q),
                Some(_) => {}
                None => {
                    ctx.err(p("skills", s, "unknown queue (not in site.toml)".into()));
                    row_ok = false;
                }
            }
        }
        if role == Some(Role::Agent) && skills.is_empty() && row_ok {
            ctx.warnings.push(p(
                "skills",
                &r.skills,
                "agent has no skills and cannot cover any queue".into(),
            ));
        }
        let cost = match parse_number(&r.hourly_cost) {
            Some(c) if is_money(c) => Some(c),
            _ => {
                ctx.err(p("hourly_cost", &r.hourly_cost, money_rule("hourly cost")));
                None
            }
        };
        let mut hours = |field: &str, s: &str| -> Result<Option<f64>, ()> {
            if s.is_empty() {
                return Ok(None);
            }
            match parse_number(s) {
                Some(x) if (0.0..=168.0).contains(&x) => Ok(Some(x)),
                _ => {
                    ctx.err(p(
                        field,
                        s,
                        "hours must be a number from 0 to 168 (or empty)".into(),
                    ));
                    Err(())
                }
            }
        };
        let min_hours = hours("min_hours", &r.min_hours);
        let max_hours = hours("max_hours", &r.max_hours);
        if let (Ok(Some(a)), Ok(Some(b))) = (min_hours, max_hours) {
            if a > b {
                ctx.err(p(
                    "min_hours",
                    &r.min_hours,
                    format!("min_hours exceeds max_hours ({b})"),
                ));
                row_ok = false;
            }
        }
        if let (
            true,
            Some(role),
            Some(contract),
            Some(work_mode),
            Some(tz),
            Some(cost),
            Ok(min_hours),
            Ok(max_hours),
        ) = (
            row_ok, role, contract, work_mode, tz, cost, min_hours, max_hours,
        ) {
            out.push(Employee {
                id: r.id.clone(),
                name: r.name.clone(),
                role,
                contract,
                work_mode,
                tz,
                skills,
                hourly_cost: cost,
                min_hours,
                max_hours,
            });
        }
    }
    out
}

/// Parse `YYYY-MM-DDTHH:MM[:SS][±HH:MM|Z]` into a naive local time and an optional offset.
pub(crate) fn parse_local_timestamp(s: &str) -> Option<(NaiveDateTime, Option<i32>)> {
    let s = s.trim();
    let (body, offset) = if let Some(b) = s.strip_suffix('Z') {
        (b, Some(0))
    } else if s.len() > 16
        && s.is_char_boundary(s.len() - 6)
        && (s[s.len() - 6..].starts_with('+') || s[s.len() - 6..].starts_with('-'))
    {
        let (b, o) = s.split_at(s.len() - 6);
        let sign = if o.starts_with('-') { -1 } else { 1 };
        let m = parse_hhmm(&o[1..], false)? as i32;
        (b, Some(sign * m * 60))
    } else {
        (s, None)
    };
    let body = body.replacen(' ', "T", 1);
    let t = NaiveDateTime::parse_from_str(&body, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(&body, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    Some((t, offset))
}

fn forecast(ctx: &mut Ctx, h: &Site, rows: &[(usize, RawForecast)]) -> Forecast {
    let f = files::FORECAST;
    let n = h.grid.len();
    let nq = h.queues.len();
    let mut contacts = vec![vec![0.0; n]; nq];
    let mut aht = vec![vec![0.0; n]; nq];
    let mut shrinkage: Option<Vec<Vec<f64>>> = None;
    let mut seen: Vec<Vec<Option<usize>>> = vec![vec![None; n]; nq];
    let before = ctx.errors.len();
    if rows.is_empty() && ctx.errors.iter().all(|p| p.file != f) {
        ctx.err(InputProblem::new(f, "no forecast rows"));
    }
    for (line, r) in rows {
        let line = *line;
        let p = |field: &str, value: &str, why: String| {
            InputProblem::new(f, why)
                .line(line)
                .field(field)
                .value(value)
        };
        let q = h.queues.iter().position(|q| q.id == r.queue);
        if q.is_none() {
            ctx.err(p(
                "queue",
                &r.queue,
                "unknown queue (not in site.toml)".into(),
            ));
        }
        let idx = match parse_local_timestamp(&r.interval_start) {
            None => {
                ctx.err(p("interval_start", &r.interval_start, "not a local timestamp YYYY-MM-DDTHH:MM (optionally with an offset like +09:00)".into()));
                None
            }
            Some((local, off)) => match resolve_local(h.grid.tz, local, off) {
                Err(e) => {
                    ctx.err(p(
                        "interval_start",
                        &r.interval_start,
                        format!("{e} in {}", h.grid.tz),
                    ));
                    None
                }
                Ok(t) => match h.grid.index_at(t) {
                    Some(i) => Some(i),
                    None if t >= h.grid.start_utc() && t < h.grid.end_utc() => {
                        ctx.err(p(
                            "interval_start",
                            &r.interval_start,
                            format!(
                                "not on a {}-minute interval boundary",
                                h.grid.interval_minutes
                            ),
                        ));
                        None
                    }
                    None => {
                        ctx.err(p(
                            "interval_start",
                            &r.interval_start,
                            format!(
                                "outside the planning horizon ({} for {} days)",
                                h.grid.start_date, h.grid.days
                            ),
                        ));
                        None
                    }
                },
            },
        };
        let c = parse_contacts(&r.contacts)
            .map_err(|why| ctx.err(p("contacts", &r.contacts, why)))
            .ok();
        let a = match parse_aht(&r.aht_seconds) {
            Ok(a) => Some(a),
            Err(why) => {
                ctx.err(p("aht_seconds", &r.aht_seconds, why));
                None
            }
        };
        if let (Some(q), Some(i), Some(c), Some(a)) = (q, idx, c, a) {
            if let Some(first) = seen[q][i] {
                ctx.err(p(
                    "interval_start",
                    &r.interval_start,
                    format!(
                        "duplicate row for queue {} (first on line {first})",
                        r.queue
                    ),
                ));
                continue;
            }
            seen[q][i] = Some(line);
            contacts[q][i] = c;
            aht[q][i] = a;
            if !r.shrinkage.is_empty() {
                match parse_number(&r.shrinkage) {
                    Some(s) if (0.0..0.95).contains(&s) => {
                        shrinkage.get_or_insert_with(|| vec![vec![h.shrinkage; n]; nq])[q][i] = s;
                    }
                    _ => ctx.err(p(
                        "shrinkage",
                        &r.shrinkage,
                        "shrinkage must be a fraction in [0, 0.95) (or empty for the site's)"
                            .into(),
                    )),
                }
            }
        }
    }
    // Missing intervals: only meaningful when the rows themselves were readable.
    if ctx.errors.len() == before && !rows.is_empty() {
        for (q, queue) in h.queues.iter().enumerate() {
            let missing: Vec<usize> = (0..n).filter(|&i| seen[q][i].is_none()).collect();
            if let Some(&first) = missing.first() {
                let iv = &h.grid.intervals[first];
                ctx.err(
                    InputProblem::new(
                        f,
                        format!(
                            "queue {} has no row for {} interval(s), the first at {}{} (give 0 contacts for closed intervals)",
                            queue.id,
                            missing.len(),
                            iv.start_local.format("%Y-%m-%dT%H:%M"),
                            crate::domain::calendar::format_offset(iv.utc_offset_seconds)
                        ),
                    )
                    .field("interval_start"),
                );
            }
        }
    }
    Forecast {
        contacts,
        aht_seconds: aht,
        shrinkage,
    }
}

fn parse_weekday(s: &str) -> Option<Weekday> {
    match s.to_ascii_lowercase().as_str() {
        "mon" | "monday" => Some(Weekday::Mon),
        "tue" | "tuesday" => Some(Weekday::Tue),
        "wed" | "wednesday" => Some(Weekday::Wed),
        "thu" | "thursday" => Some(Weekday::Thu),
        "fri" | "friday" => Some(Weekday::Fri),
        "sat" | "saturday" => Some(Weekday::Sat),
        "sun" | "sunday" => Some(Weekday::Sun),
        _ => None,
    }
}

/// What a dated request outside the planning horizon is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutsideHorizon {
    /// A warning: a site's standing list of leave may run past the week planned.
    Warn,
    /// An error: a re-plan's changes concern the roster's own days.
    Error,
}

/// The requests in `rows`; `listed` holds every id in employees.csv (`None` when that file
/// could not be read, its problem reported already).
fn requests(
    ctx: &mut Ctx,
    f: &str,
    grid: &TimeGrid,
    employees: &[Employee],
    listed: Option<&HashSet<String>>,
    rows: &[(usize, RawRequest)],
    outside: OutsideHorizon,
) -> Vec<Request> {
    let (first, last) = (grid.start_date, grid.date(grid.days.saturating_sub(1)));
    let mut out = Vec::new();
    for (line, r) in rows {
        let line = *line;
        let p = |field: &str, value: &str, why: String| {
            InputProblem::new(f, why)
                .line(line)
                .field(field)
                .value(value)
        };
        let before = ctx.errors.len();
        let employee = employees.iter().position(|e| e.id == r.employee);
        let reported_elsewhere = listed.is_none_or(|ids| ids.contains(&r.employee));
        if employee.is_none() && !reported_elsewhere {
            ctx.err(p(
                "employee",
                &r.employee,
                "unknown employee (not in employees.csv)".into(),
            ));
        }
        let hard = match r.strength.as_str() {
            "hard" => true,
            "soft" => false,
            _ => {
                ctx.err(p(
                    "strength",
                    &r.strength,
                    "strength must be hard or soft".into(),
                ));
                false
            }
        };
        let weight = if r.weight.is_empty() {
            if !hard && r.strength == "soft" {
                ctx.err(p("weight", "", "a soft request needs a weight".into()));
            }
            0.0
        } else {
            match parse_number(&r.weight) {
                Some(w) if is_money(w) => w,
                _ => {
                    ctx.err(p("weight", &r.weight, money_rule("weight")));
                    0.0
                }
            }
        };
        let kind = match r.kind.as_str() {
            "unavailable" => Some(RequestKind::Unavailable),
            "prefer_off" => Some(RequestKind::PreferOff),
            "prefer_work" => Some(RequestKind::PreferWork),
            "prefer_mode" => match r.value.as_str() {
                "remote" => Some(RequestKind::PreferMode(ShiftMode::Remote)),
                "onsite" => Some(RequestKind::PreferMode(ShiftMode::Onsite)),
                v => {
                    ctx.err(p(
                        "value",
                        v,
                        "prefer_mode needs value remote or onsite".into(),
                    ));
                    None
                }
            },
            "max_shifts" => match r.value.parse::<u32>() {
                Ok(n) => Some(RequestKind::MaxShifts(n)),
                Err(_) => {
                    ctx.err(p(
                        "value",
                        &r.value,
                        "max_shifts needs a whole number of shifts in value".into(),
                    ));
                    None
                }
            },
            other => {
                ctx.err(p(
                    "kind",
                    other,
                    "kind must be unavailable, prefer_off, prefer_work, prefer_mode or max_shifts"
                        .into(),
                ));
                None
            }
        };
        if hard && matches!(kind, Some(RequestKind::PreferWork)) {
            ctx.err(p(
                "strength",
                &r.strength,
                "prefer_work cannot be hard (nobody can be forced onto a shift)".into(),
            ));
        }
        let timed = matches!(
            kind,
            Some(RequestKind::Unavailable | RequestKind::PreferOff | RequestKind::PreferWork)
        );
        // max_shifts counts whole weeks: a date picks the week, nothing finer applies.
        if matches!(kind, Some(RequestKind::MaxShifts(_))) {
            if !r.weekday.is_empty() {
                ctx.err(p(
                    "weekday",
                    &r.weekday,
                    "max_shifts caps a week: give a date in the week it caps, or no date for every week"
                        .into(),
                ));
            }
            for (field, value) in [("from", &r.from), ("to", &r.to)] {
                if !value.is_empty() {
                    ctx.err(p(
                        field,
                        value,
                        "max_shifts caps a week's shifts: leave from and to empty".into(),
                    ));
                }
            }
        }
        let day = match (r.date.as_str(), r.weekday.as_str()) {
            ("", "") if !timed => Some(RequestDay::Always),
            ("", "") => {
                ctx.err(p(
                    "date",
                    "",
                    "give a date (YYYY-MM-DD) or a weekday (mon..sun)".into(),
                ));
                None
            }
            (d, "") => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(date) if date < first || date > last => {
                    let why = format!("outside the planning horizon ({first} to {last})");
                    if outside == OutsideHorizon::Error {
                        ctx.err(p("date", d, why));
                        None
                    } else {
                        ctx.warnings.push(p(
                            "date",
                            d,
                            format!("{why}: the request does not apply"),
                        ));
                        Some(RequestDay::Date(date))
                    }
                }
                Ok(d) => Some(RequestDay::Date(d)),
                Err(_) => {
                    ctx.err(p("date", d, "not a date YYYY-MM-DD".into()));
                    None
                }
            },
            ("", w) => match parse_weekday(w) {
                Some(w) => Some(RequestDay::Weekly(w)),
                None => {
                    ctx.err(p(
                        "weekday",
                        w,
                        "weekday must be mon, tue, wed, thu, fri, sat or sun".into(),
                    ));
                    None
                }
            },
            (d, _) => {
                ctx.err(p(
                    "date",
                    d,
                    "give either a date or a weekday, not both".into(),
                ));
                None
            }
        };
        let window = match (r.from.as_str(), r.to.as_str()) {
            ("", "") => None,
            // Reported above: max_shifts has no window.
            _ if matches!(kind, Some(RequestKind::MaxShifts(_))) => None,
            (a, b) => match (parse_hhmm(a, false), parse_hhmm(b, true)) {
                (Some(x), Some(y)) if x < y => Some((x, y)),
                (Some(_), Some(_)) => {
                    ctx.err(p("to", b, format!("window ends before it starts ({a}-{b}); split overnight windows in two rows")));
                    None
                }
                (None, _) => {
                    ctx.err(p("from", a, "not a time HH:MM".into()));
                    None
                }
                (_, None) => {
                    ctx.err(p("to", b, "not a time HH:MM (24:00 allowed)".into()));
                    None
                }
            },
        };
        if ctx.errors.len() != before {
            continue;
        }
        if let (Some(employee), Some(kind), Some(day)) = (employee, kind, day) {
            out.push(Request {
                line,
                employee,
                kind,
                day,
                window,
                hard,
                weight,
                note: r.note.clone(),
            });
        }
    }
    // Overlapping hard unavailability rows for the same employee and date are harmless
    // but usually a copy-paste slip: warn.
    for (i, a) in out.iter().enumerate() {
        for b in &out[i + 1..] {
            if a.employee == b.employee
                && a.kind == RequestKind::Unavailable
                && b.kind == RequestKind::Unavailable
                && a.day == b.day
                && overlaps(a.window, b.window)
            {
                ctx.warnings.push(
                    InputProblem::new(f, format!("overlaps the unavailability on line {}", a.line))
                        .line(b.line)
                        .field("from"),
                );
            }
        }
    }
    out
}

fn overlaps(a: Option<(u32, u32)>, b: Option<(u32, u32)>) -> bool {
    let (a, b) = (a.unwrap_or((0, 1440)), b.unwrap_or((0, 1440)));
    a.0 < b.1 && b.0 < a.1
}

fn coverage_warnings(ctx: &mut Ctx, h: &Site, employees: &[Employee], forecast: &Forecast) {
    if employees.is_empty() {
        return; // already an error; a warning per queue would only repeat it
    }
    for (q, queue) in h.queues.iter().enumerate() {
        let demand: f64 = forecast.contacts[q].iter().sum();
        let skilled = employees
            .iter()
            .filter(|e| e.role == Role::Agent && e.skills.contains(&q))
            .count();
        if demand > 0.0 && skilled == 0 {
            ctx.warnings.push(
                InputProblem::new(
                    files::EMPLOYEES,
                    format!(
                        "queue {} has {demand:.0} forecast contacts but no agent is skilled for it",
                        queue.id
                    ),
                )
                .field("skills"),
            );
        }
    }
    for (c, contract) in h.contracts.iter().enumerate() {
        let used = employees.iter().any(|e| e.contract == c);
        let has_template = h.templates.iter().any(|t| t.contracts.contains(&c));
        if used && !has_template {
            ctx.warnings.push(
                InputProblem::new(
                    files::SITE,
                    format!(
                        "contract {} has employees but no shift template allows it",
                        contract.id
                    ),
                )
                .field("contracts"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hhmm_parsing() {
        assert_eq!(parse_hhmm("09:30", false), Some(570));
        assert_eq!(parse_hhmm("24:00", true), Some(1440));
        assert_eq!(parse_hhmm("24:00", false), None);
        assert_eq!(parse_hhmm("9:60", false), None);
        assert_eq!(parse_hhmm("0930", false), None);
        assert_eq!(parse_hhmm("", false), None);
    }

    #[test]
    fn timestamp_parsing() {
        let (t, o) = parse_local_timestamp("2026-11-01T01:30-08:00").unwrap();
        assert_eq!(t.to_string(), "2026-11-01 01:30:00");
        assert_eq!(o, Some(-8 * 3600));
        assert_eq!(parse_local_timestamp("2026-11-30 09:00").unwrap().1, None);
        assert!(parse_local_timestamp("2026-11-30T25:00").is_none());
        assert!(parse_local_timestamp("é").is_none());
    }
}
