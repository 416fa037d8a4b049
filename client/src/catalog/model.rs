//! What the generated [`catalog`](crate::catalog) is made of: each
//! operation of the API as data, with the rules its values must meet (the
//! one place that checks them is [`rules`](super::rules)).

use std::fmt;

use crate::values::RateLimit;

/// One operation of the API, as the spec defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The operation id, also the [`Client`](crate::Client) method's name
    /// (`check_health`).
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template below the base URL (`/{instance}/health`).
    pub path: &'static str,
    /// The one-line summary (`Check Health`).
    pub summary: &'static str,
    /// The longer description.
    pub description: &'static str,
    /// Path, query and header parameters, path-level ones first.
    pub parameters: &'static [Parameter],
    /// The JSON body, if the operation takes one.
    pub body: Option<Body>,
    /// The documented rate limit, if there is one.
    pub rate_limit: Option<RateLimit>,
    /// The lowest documented success status.
    pub success_status: u16,
    /// The documented success example, as JSON text; where the vendor
    /// documents only the examples of the response's properties (as for
    /// `InstanceResponse`), one built from them, as mock servers such as
    /// Prism do (a property without an example gets the first documented
    /// value of an enum or a placeholder of its type). `None`: the response
    /// has no body, or a schema that gives nothing to build one from.
    pub success_example: Option<&'static str>,
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// The method as sent (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
            Self::Head => "HEAD",
            Self::Patch => "PATCH",
            Self::Trace => "TRACE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A path, query or header parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Parameter {
    /// The name on the wire (`filter[status]`).
    pub name: &'static str,
    /// Where it goes.
    pub location: Location,
    /// Whether it must be given (path parameters always).
    pub required: bool,
    /// What it means.
    pub description: &'static str,
    /// What its value must be.
    pub rule: Rule,
    /// A value that meets the rule, as JSON text: the documented example,
    /// else one built from the schema (its example, the first documented
    /// value, or a placeholder of its type).
    pub example: Option<&'static str>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Location {
    /// In the path (`/{instance}/health`).
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
    /// In a cookie.
    Cookie,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
            Self::Cookie => "cookie",
        })
    }
}

/// A JSON request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Body {
    /// Whether the body must be sent.
    pub required: bool,
    /// The properties of an object body (empty for other bodies).
    pub fields: &'static [Field],
    /// A body, as JSON text: the documented example, else one built from
    /// the properties' examples.
    pub example: Option<&'static str>,
}

/// One property of an object body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Field {
    /// The JSON name.
    pub name: &'static str,
    /// Whether it must be present.
    pub required: bool,
    /// What it means.
    pub description: &'static str,
    /// What its value must be.
    pub rule: Rule,
}

/// The documented constraints on one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rule {
    /// The JSON type.
    pub kind: ValueKind,
    /// Whether null is allowed.
    pub nullable: bool,
    /// Fewest characters of a string.
    pub min_length: Option<usize>,
    /// Most characters of a string (characters, not bytes, as the server's
    /// validator counts them).
    pub max_length: Option<usize>,
    /// A regular expression a string must match (ECMAScript syntax as in the
    /// spec; checked with `regex-lite`, which covers what the spec uses).
    pub pattern: Option<&'static str>,
    /// A format; `uri` is checked (an absolute URL), others are informative.
    pub format: Option<&'static str>,
    /// The allowed values of an enumerated string (empty: any).
    pub values: &'static [&'static str],
    /// The rule in words, for messages (`a + and 7 to 15 digits, the first
    /// not 0`), where the spec says it (`x-rule-words`).
    pub words: Option<&'static str>,
}

/// The JSON type of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum ValueKind {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
    /// The spec names no type.
    Any,
}

/// A value that breaks its documented rule.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// The parameter or body field (`phone`, `filter[status]`).
    pub name: String,
    /// What is wrong.
    pub problem: Problem,
}

/// What is wrong with a value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A required value is missing (or null where null is not allowed).
    Missing,
    /// The value is not of the documented JSON type.
    WrongType(ValueKind),
    /// A string has fewer characters than allowed.
    TooShort(usize),
    /// A string has more characters than allowed.
    TooLong(usize),
    /// A string does not match the documented pattern.
    Pattern(&'static str),
    /// A string is not in the documented format (`uri`).
    Format(&'static str),
    /// A string is not one of the documented values.
    NotOneOf(&'static [&'static str]),
    /// A path parameter that is empty, `.` or `..`: sent as a path segment,
    /// it would address a different URL than the operation's.
    UnsafePathSegment,
    /// The name is not a parameter or body field of the operation.
    Unknown,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = &self.name;
        match &self.problem {
            Problem::Missing => write!(f, "`{name}` is required"),
            Problem::WrongType(kind) => write!(f, "`{name}` must be {}", kind_words(*kind)),
            Problem::TooShort(min) => write!(f, "`{name}` must have at least {min} characters"),
            Problem::TooLong(max) => write!(f, "`{name}` must have at most {max} characters"),
            Problem::Pattern(pattern) => write!(f, "`{name}` must match `{pattern}`"),
            Problem::Format(format) => write!(f, "`{name}` must be a valid `{format}`"),
            Problem::NotOneOf(values) => {
                write!(f, "`{name}` must be one of {}", values.join(", "))
            }
            Problem::UnsafePathSegment => write!(
                f,
                "`{name}` must not be empty, `.` or `..` (it is a path segment)"
            ),
            Problem::Unknown => write!(f, "`{name}` is not a parameter of this operation"),
        }
    }
}

impl std::error::Error for Violation {}

fn kind_words(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::String => "a string",
        ValueKind::Integer => "an integer",
        ValueKind::Number => "a number",
        ValueKind::Boolean => "true or false",
        ValueKind::Array => "an array",
        ValueKind::Object => "an object",
        ValueKind::Any => "a JSON value",
    }
}
