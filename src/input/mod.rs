//! Reading a site folder: raw serde structs ([`raw`]), then validation into the
//! domain ([`validate`]), collecting every problem in one pass.

pub mod raw;
pub mod validate;

pub use validate::{load_site, validate_site, Validation};

use std::path::Path;

use crate::error::{Error, InputProblem};

/// Names of the files in a site folder.
pub mod files {
    /// Site settings.
    pub const SITE: &str = "site.toml";
    /// Employees.
    pub const EMPLOYEES: &str = "employees.csv";
    /// Forecast.
    pub const FORECAST: &str = "forecast.csv";
    /// Requests (optional).
    pub const REQUESTS: &str = "requests.csv";
}

/// Read a whole file as UTF-8 text, mapping failures to problems that name the file.
pub(crate) fn read_text(dir: &Path, name: &str) -> Result<String, InputProblem> {
    let path = dir.join(name);
    let bytes =
        std::fs::read(&path).map_err(|e| InputProblem::new(name, format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        InputProblem::new(name, "file is not valid UTF-8 text").line(line)
    })
}

/// Parse CSV text into records of type `T`, checking the header against `expected`
/// columns (all required, in any order) plus `optional` ones; unknown columns are an
/// error so typos show.
/// Returns `(line, record)` pairs; problems are appended to `problems`.
pub fn parse_csv<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
    expected: &[&str],
    optional: &[&str],
    problems: &mut Vec<InputProblem>,
) -> Vec<(usize, T)> {
    let mut out = Vec::new();
    if text.trim().is_empty() {
        problems.push(InputProblem::new(
            file,
            format!(
                "file is empty; expected a header line: {}",
                expected.join(",")
            ),
        ));
        return out;
    }
    // Windows line ends (a file saved by Excel): the csv reader counts a record's line one
    // short after each "\r\n", so the errors would name the line above the one at fault.
    let unix;
    let text = if text.contains('\r') {
        unix = text.replace("\r\n", "\n").replace('\r', "\n");
        unix.as_str()
    } else {
        text
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(InputProblem::new(file, format!("cannot read the header: {e}")).line(1));
            return out;
        }
    };
    let got: Vec<&str> = headers.iter().collect();
    let missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|c| !got.contains(c))
        .collect();
    let extra: Vec<&str> = got
        .iter()
        .copied()
        .filter(|c| !expected.contains(c) && !optional.contains(c))
        .collect();
    if !missing.is_empty() || !extra.is_empty() {
        let mut why = String::from("wrong header");
        if !missing.is_empty() {
            why += &format!("; missing column(s): {}", missing.join(", "));
        }
        if !extra.is_empty() {
            why += &format!("; unknown column(s): {}", extra.join(", "));
        }
        why += &format!("; expected: {}", expected.join(","));
        problems.push(InputProblem::new(file, why).line(1).value(got.join(",")));
        return out;
    }
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                problems.push(
                    InputProblem::new(file, format!("unreadable CSV row: {e}")).line_opt(line),
                );
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            problems.push(
                InputProblem::new(
                    file,
                    format!(
                        "row has {} fields, the header has {}",
                        record.len(),
                        headers.len()
                    ),
                )
                .line(line),
            );
            continue;
        }
        match record.deserialize::<T>(Some(&headers)) {
            Ok(row) => out.push((line, row)),
            Err(e) => {
                problems.push(InputProblem::new(file, format!("cannot read row: {e}")).line(line))
            }
        }
    }
    out
}

/// Write `contents` to `path` atomically: a temporary file in the same folder, then
/// a rename, so an interrupted run never leaves a half-written file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}
