//! How to test your own code that calls the API, with the typed mocks of
//! `hypersender-httpmock`: each mock matches one operation's requests
//! (method, path, query, body) and answers the crate's own types, so a
//! test cannot drift from the API the client speaks.
//!
//! ```sh
//! cargo test -p hypersender-examples --example test_with_httpmock
//! ```
//!
//! Add to your `Cargo.toml`:
//! `[dev-dependencies] hypersender-httpmock = "0.1"`, `httpmock = "0.8"`.

use hypersender::{Client, Error, InstanceStatus};

/// Your code: the names of the instances that need someone's attention
/// (not WORKING), sorted.
pub async fn needing_attention(client: &Client) -> Result<Vec<String>, Error> {
    let mut names: Vec<String> = client
        .list_instances()
        .send()
        .await?
        .into_iter()
        .filter(|instance| instance.status != InstanceStatus::Working)
        .map(|instance| instance.name)
        .collect();
    names.sort();
    Ok(names)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    for name in needing_attention(&client).await? {
        println!("{name}");
    }
    Ok(())
}

/// An instance as the API lists it.
#[cfg(test)]
fn instance(name: &str, status: InstanceStatus) -> hypersender::types::InstanceResponse {
    hypersender::types::InstanceResponse {
        id: format!("id-of-{name}"),
        name: name.to_owned(),
        phone: "+201234567890".to_owned(),
        service_type: "whatsapp".to_owned(),
        status,
        access_token: None,
        created_at: hypersender::Timestamp::parse("2025-05-26T10:12:45").unwrap(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hypersender_httpmock::MockServerExt;

    fn client_for(server: &httpmock::MockServer) -> Client {
        Client::builder("1|test-token")
            .base_url(server.base_url())
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn lists_every_instance_once_and_keeps_the_ones_not_working() {
        let server = httpmock::MockServer::start_async().await;
        let listed = vec![
            instance("Shop", InstanceStatus::Working),
            instance("Support", InstanceStatus::ScanQrCode),
            instance("Billing", InstanceStatus::Failed),
        ];
        let list = server.list_instances(move |when, then| {
            // No filter: the function must see every instance.
            when.filter_status(None);
            then.ok(&listed);
        });

        let names = needing_attention(&client_for(&server)).await.unwrap();

        assert_eq!(names, ["Billing", "Support"]);
        list.assert_calls(1);
    }

    #[tokio::test]
    async fn an_api_error_reaches_the_caller_as_a_typed_error() {
        let server = httpmock::MockServer::start_async().await;
        // `into_inner` gives plain httpmock for what the typed mock does not
        // cover, such as an error answer.
        let list = server.list_instances(|when, then| {
            when.into_inner();
            then.into_inner()
                .status(401)
                .json_body(serde_json::json!({ "message": "Unauthenticated." }));
        });

        let error = needing_attention(&client_for(&server)).await.unwrap_err();

        let Error::Http(http) = &error else {
            panic!("expected an HTTP error, got {error:?}");
        };
        assert_eq!(http.status.as_u16(), 401);
        assert_eq!(http.message(), Some("Unauthenticated."));
        list.assert_calls(1);
    }
}
