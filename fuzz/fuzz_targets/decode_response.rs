//! Any bytes a server might send, decoded as each operation's response:
//! either a value or the crate's error, never a panic.
#![no_main]

use hypersender::types::{HealthResponse, InstanceResponse, InstanceWithQrCode, RestartResponse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let _ = hypersender::decode_response::<Vec<InstanceResponse>>("list_instances", body);
    let _ = hypersender::decode_response::<InstanceWithQrCode>("create_instance", body);
    let _ = hypersender::decode_response::<HealthResponse>("check_health", body);
    let _ = hypersender::decode_response::<RestartResponse>("restart_instance", body);
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = hypersender::Timestamp::parse(text);
        let _ = hypersender::InstanceStatus::parse(text);
    }
});
