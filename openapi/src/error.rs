use std::fmt;

/// Why the spec could not be prepared. Its Display is one line that names
/// the file and, where known, the JSON pointer or operation at fault, so a
/// build script can print it instead of a panic backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrepareError {
    /// The file (repository-relative) at fault.
    pub file: String,
    /// JSON pointer, operation (`GET /instances`) or overlay action, if known.
    pub location: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl PrepareError {
    /// An error about the file as a whole.
    pub fn in_file(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            location: None,
            message: message.into(),
        }
    }

    /// An error at one place in the file.
    pub fn at(file: &str, location: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            location: Some(location.into()),
            message: message.into(),
        }
    }
}

impl fmt::Display for PrepareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{}: at {}: {}", self.file, location, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for PrepareError {}
