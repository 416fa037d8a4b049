//! Making sure an instance exists: found by its exact name, or created.

use crate::error::Error;
use crate::generated::types::{InstanceResponse, InstanceWithQrCode};
use crate::runtime::Client;

/// A field of an existing instance that differs from what was asked for,
/// which the API has no way to change (there is no update endpoint).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Difference {
    /// The field (`phone`).
    pub field: &'static str,
    /// What was asked for.
    pub wanted: String,
    /// What the instance has.
    pub actual: String,
}

/// What [`Client::ensure_instance`] found or did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Ensured {
    /// There was none: it was created.
    Created(Box<InstanceWithQrCode>),
    /// One with exactly that name exists; the differences it has from what
    /// was asked for (empty: it matches).
    Exists {
        /// The instance.
        instance: Box<InstanceResponse>,
        /// Fields that differ (the webhook URL is not listed by the API, so
        /// it cannot be compared).
        differences: Vec<Difference>,
    },
}

/// One instance of a desired fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredInstance {
    /// The name, unique in the account.
    pub name: String,
    /// The phone number (E.164).
    pub phone: String,
    /// The webhook URL, if any.
    pub webhook_url: Option<String>,
}

impl DesiredInstance {
    /// An instance called `name` for `phone`.
    pub fn new(name: impl Into<String>, phone: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            phone: phone.into(),
            webhook_url: None,
        }
    }

    /// With a webhook URL.
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// The create request's documented rules, broken: the same check the
    /// client makes before sending (the catalog's), so a fleet can be
    /// refused before anything is sent.
    pub fn violations(&self) -> Vec<crate::catalog::Violation> {
        let Some(create) = crate::catalog::find("create_instance") else {
            return Vec::new();
        };
        let mut body = serde_json::Map::new();
        body.insert("name".into(), self.name.clone().into());
        body.insert("phone".into(), self.phone.clone().into());
        if let Some(url) = &self.webhook_url {
            body.insert("webhook_url".into(), url.clone().into());
        }
        create.check_body(&serde_json::Value::Object(body))
    }

    pub(super) fn differences(&self, existing: &InstanceResponse) -> Vec<Difference> {
        let mut differences = Vec::new();
        if existing.phone != self.phone {
            differences.push(Difference {
                field: "phone",
                wanted: self.phone.clone(),
                actual: existing.phone.clone(),
            });
        }
        differences
    }
}

impl Client {
    /// Makes sure an instance called exactly `desired.name` exists: finds
    /// it (`filter[name]` matches part of a name, so the match is made
    /// here), or creates it. A create refused with 422 because the name was
    /// taken meanwhile finds the winner instead. Differences it cannot fix
    /// (another phone) are reported, never hidden.
    pub async fn ensure_instance(&self, desired: &DesiredInstance) -> Result<Ensured, Error> {
        self.ensure_with(desired, || self.create(desired)).await
    }

    /// [`Client::ensure_instance`], creating with `create` (which the
    /// connect flow paces by the create limit and its deadline).
    pub(crate) async fn ensure_with<Fut>(
        &self,
        desired: &DesiredInstance,
        create: impl FnOnce() -> Fut,
    ) -> Result<Ensured, Error>
    where
        Fut: std::future::Future<Output = Result<InstanceWithQrCode, Error>>,
    {
        if let Some(existing) = self.find_by_name(&desired.name).await? {
            return Ok(self.existing(desired, existing));
        }
        match create().await {
            Ok(created) => Ok(Ensured::Created(Box::new(created))),
            Err(Error::Http(e)) if e.status == 422 => match self.find_by_name(&desired.name).await?
            {
                Some(existing) => Ok(self.existing(desired, existing)),
                None => Err(Error::Http(e)),
            },
            Err(error) => Err(error),
        }
    }

    fn existing(&self, desired: &DesiredInstance, existing: InstanceResponse) -> Ensured {
        Ensured::Exists {
            differences: desired.differences(&existing),
            instance: Box::new(existing),
        }
    }

    async fn find_by_name(&self, name: &str) -> Result<Option<InstanceResponse>, Error> {
        let listed = self.list_instances().filter_name(name).send().await?;
        Ok(listed.into_iter().find(|i| i.name == name))
    }

    pub(crate) async fn create(
        &self,
        desired: &DesiredInstance,
    ) -> Result<InstanceWithQrCode, Error> {
        let mut request = self
            .create_instance()
            .phone(&desired.phone)
            .name(&desired.name);
        if let Some(url) = &desired.webhook_url {
            request = request.webhook_url(url);
        }
        request.send().await
    }
}
