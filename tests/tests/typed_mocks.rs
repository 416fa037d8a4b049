//! The typed mocks of hypersender-httpmock, used as a downstream test would.

use hypersender::InstanceStatus;
use hypersender::types::{InstanceResponse, InstanceWithQrCode};
use hypersender_httpmock::MockServerExt;
use hypersender_tests::{client_for, fixture_json};

#[tokio::test]
async fn a_typed_list_mock_matches_the_filter_and_serves_typed_values() {
    let server = httpmock::MockServer::start_async().await;
    let instances: Vec<InstanceResponse> =
        serde_json::from_value(fixture_json("list_instances.json")).unwrap();
    let served = instances.clone();
    let mock = server.list_instances(move |when, then| {
        when.filter_status(Some(&InstanceStatus::Working));
        then.ok(&served);
    });
    let unfiltered = server.list_instances(|when, then| {
        when.filter_status(None);
        then.ok(&vec![]);
    });

    let client = client_for(&server);
    let working = client
        .list_instances()
        .filter_status(InstanceStatus::Working)
        .send()
        .await
        .unwrap();
    let all = client.list_instances().send().await.unwrap();

    assert_eq!(working, instances);
    assert!(
        all.is_empty(),
        "the request without a filter reached the other mock"
    );
    mock.assert_calls(1);
    unfiltered.assert_calls(1);
}

#[tokio::test]
async fn a_typed_create_mock_checks_the_body() {
    let server = httpmock::MockServer::start_async().await;
    let created: InstanceWithQrCode =
        serde_json::from_value(fixture_json("create_instance.json")).unwrap();
    let request: hypersender::types::CreateInstanceRequest =
        serde_json::from_value(fixture_json("create_instance_request.json")).unwrap();
    let (expected_body, served) = (request.clone(), created.clone());
    let mock = server.create_instance(move |when, then| {
        when.body(&expected_body);
        then.ok(&served);
    });
    let answer = client_for(&server)
        .create_instance()
        .body(request)
        .send()
        .await
        .unwrap();
    assert_eq!(answer, created);
    mock.assert_calls(1);
}
