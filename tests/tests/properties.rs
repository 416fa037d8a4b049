//! Property tests: whatever JSON a server sends for an operation, decoding
//! yields a value or the crate's decode error, never a panic; valid
//! timestamps in every accepted layout decode to the same instant.

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};
use hypersender::types::{HealthResponse, InstanceResponse, InstanceWithQrCode, RestartResponse};
use hypersender::{Error, InstanceStatus, Timestamp, decode_response};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Any JSON value, nested up to a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn long_string() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..20_000).prop_map(String::from_iter)
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_102_444_800, 0u32..1_000_000).prop_map(|(secs, micros)| {
        Utc.timestamp_opt(secs, micros * 1000)
            .single()
            .expect("in range")
    })
}

/// `instant` written in one of the accepted layouts.
fn written(at: DateTime<Utc>, layout: u8) -> String {
    let (d, t) = (at.date_naive(), at.time());
    let base = |sep: char| {
        format!(
            "{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}",
            d.year(),
            d.month(),
            d.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    };
    let micros = t.nanosecond() / 1000;
    let shifted = at + chrono::Duration::hours(5) + chrono::Duration::minutes(30);
    match layout % 6 {
        0 => base('T'),
        1 => base(' '),
        2 => format!("{}.{micros:06}", base('T')),
        3 => format!("{}.{micros:06}Z", base('T')),
        4 => format!("{}+05:30", shifted.format("%Y-%m-%dT%H:%M:%S%.6f")),
        _ => format!("{}-0000", base(' ')),
    }
}

/// The instant `written` describes (layouts without a fraction drop it).
fn expected(at: DateTime<Utc>, layout: u8) -> DateTime<Utc> {
    match layout % 6 {
        0 | 1 | 5 => at.with_nanosecond(0).unwrap(),
        _ => at,
    }
}

fn status_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(
            InstanceStatus::KNOWN
                .map(|s| s.as_str().to_owned())
                .to_vec()
        )
        .prop_map(Value::String),
        any::<String>().prop_map(Value::String),
        any_json(),
    ]
}

fn timestamp_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        (instant(), any::<u8>()).prop_map(|(at, layout)| Value::String(written(at, layout))),
        any::<String>().prop_map(Value::String),
        any_json(),
    ]
}

/// An instance as a server might send it: mostly well formed, with extra
/// fields, odd values, nulls, long strings, and now and then a field gone.
fn instance() -> impl Strategy<Value = Value> {
    (
        (
            long_string(),
            any::<String>(),
            any::<String>(),
            status_value(),
            timestamp_value(),
        ),
        prop_oneof![
            Just(Value::Null),
            any::<String>().prop_map(Value::String),
            any_json()
        ],
        prop::collection::btree_map("[a-z_]{1,12}", any_json(), 0..4),
        prop::option::of(prop::sample::select(vec![
            "id",
            "name",
            "phone",
            "status",
            "access_token",
            "created_at",
        ])),
    )
        .prop_map(
            |((id, name, phone, status, created_at), token, extra, missing)| {
                let mut object = Map::new();
                object.insert("id".into(), Value::String(id));
                object.insert("name".into(), Value::String(name));
                object.insert("phone".into(), Value::String(phone));
                object.insert("service_type".into(), json!("whatsapp"));
                object.insert("status".into(), status);
                object.insert("access_token".into(), token);
                object.insert("created_at".into(), created_at);
                for (key, value) in extra {
                    object.entry(key).or_insert(value);
                }
                if let Some(field) = missing {
                    object.remove(field);
                }
                Value::Object(object)
            },
        )
}

/// Decodes `body` as `T`; anything but a value or a decode error fails.
fn decodes_or_says_why<T: serde::de::DeserializeOwned>(
    operation: &'static str,
    body: &Value,
) -> Result<Option<T>, TestCaseError> {
    match decode_response::<T>(operation, body.to_string().as_bytes()) {
        Ok(value) => Ok(Some(value)),
        Err(Error::Decode(e)) => {
            prop_assert_eq!(e.operation, operation);
            Ok(None)
        }
        Err(other) => Err(TestCaseError::fail(format!(
            "unexpected error kind: {other:?}"
        ))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_instance_list_decodes_or_is_a_decode_error(list in prop::collection::vec(instance(), 0..6)) {
        let body = Value::Array(list);
        if let Some(decoded) = decodes_or_says_why::<Vec<InstanceResponse>>("list_instances", &body)? {
            prop_assert_eq!(decoded.len(), body.as_array().unwrap().len());
            // A decoded list re-encodes to something that decodes to the same.
            let again: Vec<InstanceResponse> = serde_json::from_value(hypersender::with_exposed_secrets(|| serde_json::to_value(&decoded)).unwrap()).unwrap();
            prop_assert_eq!(again, decoded);
        }
    }

    #[test]
    fn any_json_for_any_operation_decodes_or_is_a_decode_error(body in any_json()) {
        decodes_or_says_why::<Vec<InstanceResponse>>("list_instances", &body)?;
        decodes_or_says_why::<InstanceWithQrCode>("create_instance", &body)?;
        decodes_or_says_why::<HealthResponse>("check_health", &body)?;
        decodes_or_says_why::<RestartResponse>("restart_instance", &body)?;
    }

    #[test]
    fn any_status_string_is_kept(text in any::<String>()) {
        let body = json!({"instance_id": "i", "status": text});
        let health = decodes_or_says_why::<HealthResponse>("check_health", &body)?.expect("any string is a status");
        prop_assert_eq!(health.status.as_str(), text.as_str());
        prop_assert_eq!(health.status.is_known(), InstanceStatus::try_parse(&text).is_ok());
    }

    #[test]
    fn every_accepted_layout_gives_the_same_instant(at in instant(), layout in any::<u8>()) {
        let text = written(at, layout);
        let parsed = Timestamp::parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parsed.as_datetime(), Some(expected(at, layout)), "{}", text);
        // The documented form round-trips exactly.
        prop_assert_eq!(Timestamp::parse(&parsed.to_string()).unwrap(), parsed);
    }

    #[test]
    fn any_bytes_decode_or_error(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(matches!(decode_response::<HealthResponse>("check_health", &bytes), Ok(_) | Err(Error::Decode(_))));
    }
}

#[test]
fn very_deep_nesting_neither_overflows_the_stack_nor_panics() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    // As the whole body: a decode error at the first value of the wrong type.
    let err =
        decode_response::<Vec<InstanceResponse>>("list_instances", deep.as_bytes()).unwrap_err();
    assert!(
        matches!(&err, Error::Decode(e) if e.path == "[0][0]"),
        "{err}"
    );
    // Inside an unknown field: skipped, the instance decodes.
    let body = format!(
        r#"[{{"id":"a","name":"n","phone":"p","service_type":"w","status":"WORKING","access_token":null,"created_at":"2025-05-26T10:12:45","extra":{deep}}}]"#
    );
    let list = decode_response::<Vec<InstanceResponse>>("list_instances", body.as_bytes()).unwrap();
    assert_eq!(list[0].id, "a");
}
