//! The body settings of [`ConfigBuilder`]: the limit and timeout for every provider and for
//! one, and the budget across every request. Precedence: a provider's own setting, then the
//! crate-wide one, then the verifier's default (`docs/security.md`, "Body limits per provider").

use super::builder::ConfigBuilder;

impl ConfigBuilder {
    /// `DELIVERY_WEBHOOKS_BODY_TIMEOUT_SECS`: how long the framework adapters wait for a whole
    /// body once its head has been checked ([`DEFAULT_BODY_TIMEOUT`](crate::DEFAULT_BODY_TIMEOUT),
    /// 30 s, by default), for every provider without a timeout of its own
    /// ([`provider_body_timeout`](Self::provider_body_timeout)).
    #[must_use]
    pub fn body_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// `DELIVERY_WEBHOOKS_BODY_LIMIT`: the largest body accepted, in bytes, for every provider
    /// without a limit of its own ([`provider_body_limit`](Self::provider_body_limit)); unset,
    /// each verifier keeps its own `DEFAULT_BODY_LIMIT` (64 KiB for Wakilni, Peddler and
    /// Xoxoday, 16 MiB for isendu and Skladon).
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
    }

    /// `<PROVIDER>_BODY_LIMIT` (`WAKILNI_BODY_LIMIT`, ...): the largest body accepted from
    /// `provider`, in bytes, over [`body_limit`](Self::body_limit).
    ///
    /// ```
    /// use delivery_webhooks::{Config, Provider};
    ///
    /// # #[cfg(feature = "wakilni")] {
    /// use delivery_webhooks::Receive;
    /// let config = Config::builder()
    ///     .wakilni_secret("wk")
    ///     .body_limit(1 << 20)
    ///     .provider_body_limit(Provider::Wakilni, 8 * 1024)
    ///     .build()?;
    /// assert_eq!(Receive::body_limit(config.wakilni.as_ref().unwrap()), 8 * 1024);
    /// # }
    /// # Ok::<(), delivery_webhooks::ConfigErrors>(())
    /// ```
    #[must_use]
    pub fn provider_body_limit(
        mut self,
        provider: crate::delivery::Provider,
        bytes: usize,
    ) -> Self {
        self.provider_body[provider_index(provider)].0 = Some(bytes);
        self
    }

    /// `<PROVIDER>_BODY_TIMEOUT_SECS`: how long a body from `provider` may take to arrive,
    /// over [`body_timeout`](Self::body_timeout).
    #[must_use]
    pub fn provider_body_timeout(
        mut self,
        provider: crate::delivery::Provider,
        timeout: std::time::Duration,
    ) -> Self {
        self.provider_body[provider_index(provider)].1 = Some(timeout);
        self
    }

    /// `DELIVERY_WEBHOOKS_BODY_BUDGET`: the bytes of request bodies the framework adapters
    /// hold at once, across every request of the process
    /// ([`DEFAULT_BODY_BUDGET`](crate::DEFAULT_BODY_BUDGET), 64 MiB, unless set): see
    /// [`Config::body_budget`](super::Config::body_budget).
    #[must_use]
    pub fn body_budget(mut self, bytes: usize) -> Self {
        self.body_budget = Some(bytes);
        self
    }
}

/// `provider`'s place in [`Provider::ALL`](crate::delivery::Provider::ALL) and
/// `ConfigBuilder::provider_body`.
pub(super) fn provider_index(provider: crate::delivery::Provider) -> usize {
    use crate::delivery::Provider;
    match provider {
        Provider::Wakilni => 0,
        Provider::Peddler => 1,
        Provider::Xoxoday => 2,
        Provider::Isendu => 3,
        Provider::Skladon => 4,
    }
}
