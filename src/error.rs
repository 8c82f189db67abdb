//! Errors of compiling term lists and of loading compiled sets.

use core::fmt;

/// A term list could not be compiled: where and why.
///
/// `Display` gives `file:line:column: message`, the form editors and terminals understand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    file: String,
    line: usize,
    column: usize,
    message: String,
}

impl CompileError {
    pub(crate) fn new(file: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        CompileError {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    /// The name of the list, as given in [`Source`](crate::Source).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The 1-based line, or 0 when the error is about the whole set (such as too many rules).
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column in characters, or 0 when the error is about the whole line or set.
    pub fn column(&self) -> usize {
        self.column
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for CompileError {}

/// Compiled bytes could not be loaded as a term set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    kind: LoadErrorKind,
}

/// Why bytes could not be loaded as a term set.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// The bytes do not start with the term set magic: not a term set at all.
    NotATermSet,
    /// Fewer bytes than the header says the set has: a cut-off download or upload.
    Truncated {
        /// Bytes the header promises.
        expected: u64,
        /// Bytes given.
        actual: u64,
    },
    /// A format this version cannot read: rebuild the set from its term list.
    UnsupportedFormat {
        /// Format version in the bytes.
        found: u16,
        /// Format version this build reads.
        supported: u16,
    },
    /// Built with another normalization version: rebuild the set from its term list.
    NormalizationMismatch {
        /// Normalization version in the bytes.
        found: u16,
        /// Normalization version of this build.
        supported: u16,
    },
    /// The checksum does not match: the bytes were changed after they were built.
    Checksum,
    /// The bytes pass the checksum but their structure is inconsistent.
    Corrupt(&'static str),
}

impl LoadError {
    pub(crate) fn new(kind: LoadErrorKind) -> LoadError {
        LoadError { kind }
    }

    /// What went wrong.
    pub fn kind(&self) -> &LoadErrorKind {
        &self.kind
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            LoadErrorKind::NotATermSet => write!(f, "not a termgate term set (bad magic bytes)"),
            LoadErrorKind::Truncated { expected, actual } => {
                write!(f, "term set truncated: header says {expected} bytes, got {actual}")
            }
            LoadErrorKind::UnsupportedFormat { found, supported } => write!(
                f,
                "term set format version {found} is not supported (this build reads version {supported}); rebuild it from its term list"
            ),
            LoadErrorKind::NormalizationMismatch { found, supported } => write!(
                f,
                "term set was built with normalization version {found}, this build uses {supported}; rebuild it from its term list"
            ),
            LoadErrorKind::Checksum => write!(f, "term set checksum mismatch: the bytes are corrupt"),
            LoadErrorKind::Corrupt(what) => write!(f, "term set is corrupt: {what}"),
        }
    }
}

impl std::error::Error for LoadError {}
