//! Error types. Input problems carry the file, line, field, the bad value and the
//! reason, so a planner can fix the file without reading code.

use std::fmt;
use std::path::PathBuf;

/// One problem found in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    /// File name (as given, relative to the site folder where possible).
    pub file: String,
    /// 1-based line number, when the problem sits on a line.
    pub line: Option<usize>,
    /// Column or field name, when known.
    pub field: Option<String>,
    /// The offending value (may be empty).
    pub value: String,
    /// Why it is wrong, in plain words.
    pub reason: String,
}

impl InputProblem {
    /// A problem in `file` with the given reason; add location with the builder methods.
    pub fn new(file: impl Into<String>, reason: impl Into<String>) -> Self {
        InputProblem {
            file: file.into(),
            line: None,
            field: None,
            value: String::new(),
            reason: reason.into(),
        }
    }
    /// Set the line number.
    pub fn line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
    /// Set the line number if known.
    pub fn line_opt(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }
    /// Set the field (column) name.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
    /// Set the offending value.
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = value.into();
        self
    }
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        if !self.value.is_empty() {
            write!(f, ": value {:?}", self.value)?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Everything wrong with a site, collected in one pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputProblems(pub Vec<InputProblem>);

impl fmt::Display for InputProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} problem(s) in the input:", self.0.len())?;
        for p in &self.0 {
            writeln!(f, "  error: {p}")?;
        }
        Ok(())
    }
}

/// The library's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The input has problems (all of them are listed).
    #[error("{0}")]
    Input(InputProblems),
    /// The solver failed or the model is infeasible.
    #[error("solver: {0}")]
    Solve(String),
    /// Anything else that is the caller's mistake (bad option values and the like).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<InputProblem> for Error {
    fn from(p: InputProblem) -> Self {
        Error::Input(InputProblems(vec![p]))
    }
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;
