//! What a request builder hands over ([`Request`]: its operation and every
//! value by its name in the spec), how it is checked before anything is
//! sent, and how it becomes an HTTP request.

use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::Runtime;
use crate::catalog::{Location, Operation, Problem, Violation, invalid};
use crate::error::Error;
use crate::values::with_exposed_secrets;

/// Checks that a JSON body has the shape of an operation's body type.
type BodyCheck = fn(&Value) -> Result<(), String>;

/// One call of an operation: its catalog entry, the values of its
/// parameters and its JSON body. The generated builders make it; the
/// request path checks, sends and decodes it.
pub(crate) struct Request {
    operation: &'static Operation,
    /// (parameter name, value), in the builder's order.
    values: Vec<(&'static str, Value)>,
    body: Option<Value>,
    /// Whether a body has the shape of the operation's body type.
    body_fits: Option<BodyCheck>,
}

/// A value as JSON, secrets included: it is being sent, not shown (the
/// crate's own types always serialize; anything else would be `null`).
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Value {
    with_exposed_secrets(|| serde_json::to_value(value)).unwrap_or(Value::Null)
}

impl Request {
    /// A call of `operation` with no values yet.
    pub(crate) fn new(operation: &'static Operation) -> Self {
        Self {
            operation,
            values: Vec::new(),
            body: None,
            body_fits: None,
        }
    }

    /// The parameter `name` (path, query or header, as the catalog says).
    pub(crate) fn value<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        self.values.push((name, to_json(value)));
        self
    }

    /// The parameter `name`, when it is set.
    pub(crate) fn optional<T: Serialize>(self, name: &'static str, value: Option<&T>) -> Self {
        match value {
            Some(value) => self.value(name, value),
            None => self,
        }
    }

    /// The JSON body, which must fit the operation's body type `B`.
    pub(crate) fn body<B: DeserializeOwned>(mut self, body: Value) -> Self {
        self.body = Some(body);
        self.body_fits = Some(|body| {
            B::deserialize(body)
                .map(drop)
                .map_err(|e| format!("the body does not fit the operation's body type: {e}"))
        });
        self
    }

    pub(crate) fn operation(&self) -> &'static Operation {
        self.operation
    }

    /// Step 1 of the request path: every value against its documented
    /// rule, all at once, so one error names each broken value.
    pub(crate) fn check(&self) -> Result<(), Error> {
        let operation = self.operation;
        let mut violations: Vec<Violation> = self
            .values
            .iter()
            .filter_map(|(name, value)| operation.check_typed_parameter(name, value).err())
            .collect();
        let missing = operation
            .parameters
            .iter()
            .filter(|p| p.required && !self.values.iter().any(|(name, _)| *name == p.name));
        violations.extend(missing.map(|p| Violation {
            name: p.name.to_owned(),
            problem: Problem::Missing,
        }));
        if let Some(body) = &self.body {
            violations.extend(operation.check_body(body));
        }
        if !violations.is_empty() {
            return Err(invalid(operation, &violations));
        }
        match (&self.body, self.body_fits) {
            (Some(body), Some(fits)) => fits(body).map_err(|message| Error::InvalidRequest {
                operation: operation.id,
                message,
            }),
            _ => Ok(()),
        }
    }

    /// Step 3 of the request path: the HTTP request, with the crate's own
    /// headers.
    pub(crate) fn build(&self, runtime: &Runtime) -> Result<reqwest::Request, Error> {
        let operation = self.operation;
        let mut url = runtime.base.clone();
        {
            let Ok(mut segments) = url.path_segments_mut() else {
                return Err(Error::Config("the base URL cannot have a path".into()));
            };
            segments.pop_if_empty();
            for segment in operation.path.split('/').filter(|s| !s.is_empty()) {
                match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => segments.push(&self.text_of(name).unwrap_or_default()),
                    None => segments.push(segment),
                };
            }
        }
        // In name order, whatever order the values were set in, so the same
        // call is the same URL (for caches and logs).
        let mut query: Vec<(&str, String)> = self
            .located(Location::Query)
            .flat_map(|(name, value)| texts(value).into_iter().map(move |text| (name, text)))
            .collect();
        query.sort_by(|a, b| a.0.cmp(b.0));
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let method = match operation.method.as_str().parse::<reqwest::Method>() {
            Ok(method) => method,
            Err(_) => return Err(self.refused("method", "is not an HTTP method")),
        };
        let mut request = reqwest::Request::new(method, url);
        *request.timeout_mut() = runtime.per_request_timeout;
        let headers = request.headers_mut();
        for (name, value) in self.located(Location::Header) {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| self.refused(name, "is not an HTTP header name"))?;
            for text in texts(value) {
                let value = HeaderValue::from_str(&text)
                    .map_err(|_| self.refused(name, "cannot be sent in an HTTP header"))?;
                headers.append(header.clone(), value);
            }
        }
        runtime.headers.set_on(headers);
        if let Some(body) = &self.body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            *request.body_mut() = Some(body.to_string().into());
        }
        Ok(request)
    }

    /// The values of parameters at `location`.
    fn located(&self, location: Location) -> impl Iterator<Item = (&'static str, &Value)> {
        self.values.iter().filter_map(move |(name, value)| {
            let parameter = self.operation.parameter(name)?;
            (parameter.location == location).then_some((*name, value))
        })
    }

    fn text_of(&self, name: &str) -> Option<String> {
        let (_, value) = self.values.iter().find(|(n, _)| *n == name)?;
        texts(value).into_iter().next()
    }

    fn refused(&self, name: &str, what: &str) -> Error {
        Error::InvalidRequest {
            operation: self.operation.id,
            message: format!("`{name}` {what}"),
        }
    }
}

/// A value as the text(s) it is sent as: a string as it is, a number or
/// boolean written out, each item of an array (a repeated query parameter),
/// nothing for null, anything else as JSON.
fn texts(value: &Value) -> Vec<String> {
    match value {
        Value::Null => Vec::new(),
        Value::String(text) => vec![text.clone()],
        Value::Array(items) => items.iter().flat_map(texts).collect(),
        other => vec![other.to_string()],
    }
}

/// The headers the crate sets on every request, built once.
#[derive(Clone)]
pub(crate) struct RequestHeaders {
    /// `Authorization`, marked sensitive (masked in reqwest's and http's Debug).
    authorization: HeaderValue,
    user_agent: HeaderValue,
    /// The caller's `ClientBuilder::default_header`s.
    extra: HeaderMap,
}

impl RequestHeaders {
    /// The headers of a client with `token`, a `User-Agent` of `user_agent`
    /// and the caller's `extra` headers (which may not set the crate's own).
    pub(crate) fn new(token: &str, user_agent: &str, extra: HeaderMap) -> Result<Self, Error> {
        let mut authorization = bearer(token)?;
        authorization.set_sensitive(true);
        let user_agent = HeaderValue::from_str(user_agent).map_err(|_| {
            Error::Config("the user agent suffix cannot be sent in an HTTP header".into())
        })?;
        let reserved = [AUTHORIZATION, ACCEPT, USER_AGENT];
        if let Some(name) = extra.keys().find(|name| reserved.contains(name)) {
            return Err(Error::Config(format!(
                "the default header {name} is set by the crate itself"
            )));
        }
        Ok(Self {
            authorization,
            user_agent,
            extra,
        })
    }

    fn set_on(&self, headers: &mut HeaderMap) {
        for (name, value) in &self.extra {
            headers.append(name, value.clone());
        }
        headers.insert(AUTHORIZATION, self.authorization.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, self.user_agent.clone());
    }
}

fn bearer(token: &str) -> Result<HeaderValue, Error> {
    let token = token.trim();
    if token.is_empty() {
        return Err(Error::Config("the API token is empty".into()));
    }
    HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
        Error::Config(
            "the API token contains characters that cannot be sent in an HTTP header".into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_sent_as_text() {
        assert_eq!(texts(&json!("a b")), ["a b"]);
        assert_eq!(texts(&json!(3)), ["3"]);
        assert_eq!(texts(&json!(true)), ["true"]);
        assert_eq!(texts(&json!(["x", 2])), ["x", "2"]);
        assert!(texts(&json!(null)).is_empty());
        assert_eq!(texts(&json!({"k": 1})), [r#"{"k":1}"#]);
    }

    /// An operation's body that keeps every documented rule but does not
    /// fit the body type the request is sent as is refused before sending;
    /// one that fits passes.
    #[test]
    fn a_body_that_does_not_fit_its_type_is_refused() {
        #[derive(serde::Deserialize)]
        struct NeedsMore {
            #[allow(dead_code)]
            a_field_no_operation_documents: u32,
        }
        let (operation, example) = crate::catalog::OPERATIONS
            .iter()
            .find_map(|op| Some((op, op.body?.example?)))
            .expect("an operation with a documented body example");
        let example: Value = serde_json::from_str(example).unwrap();
        let fits = Request::new(operation).body::<Value>(example.clone());
        assert!(
            fits.check().is_ok(),
            "the documented example keeps the rules"
        );
        let refused = Request::new(operation).body::<NeedsMore>(example);
        match refused.check() {
            Err(Error::InvalidRequest {
                operation: id,
                message,
            }) => {
                assert_eq!(id, operation.id);
                assert!(message.contains("does not fit"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn secrets_are_sent_in_full() {
        let token = crate::AccessToken::new("7|abcdefghij");
        assert_eq!(to_json(&token), json!("7|abcdefghij"));
        assert_eq!(
            serde_json::to_value(&token).unwrap(),
            json!("7|********"),
            "and masked everywhere else"
        );
    }
}
