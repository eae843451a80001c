//! The console's first page: how deep the inbox is, how long the oldest due item has waited,
//! and per provider the dead letters, the failures and the recent rate of deliveries.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::delivery::Provider;
use crate::inbox::{Depth, Inbox as _};

use super::{Backend, Console, ConsoleError};

/// The state of the inbox at a glance, from [`Console::overview`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Overview {
    /// Items waiting, claimed and dead (as [`Inbox::depth`](crate::inbox::Inbox::depth)).
    pub depth: Depth,
    /// How long the pending item that has waited longest for a worker since it became due
    /// (accepted, replayed, or its back-off over) has waited, by the database's clock; `None`
    /// when no due item waits.
    pub oldest_pending_age: Option<Duration>,
    /// One line per provider: every provider this build knows, then any other the inbox holds,
    /// by name.
    pub providers: Vec<ProviderOverview>,
}

/// One provider's line of the [`Overview`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ProviderOverview {
    /// The provider's name (`Provider::as_str`).
    pub provider: String,
    /// Dead letters not discarded: what is left to look at.
    pub dead: u64,
    /// The distinct causes of those dead letters: the provider's lines in
    /// [`Console::failures`].
    pub failures: u64,
    /// Items waiting or running whose last attempt failed: failing, not dead yet.
    pub retrying: u64,
    /// Deliveries accepted in the last 5 minutes.
    pub last_5_minutes: u64,
    /// Deliveries accepted in the last hour.
    pub last_hour: u64,
}

impl Console {
    /// The state of the inbox at a glance: [`Overview`]. Every count is read over an index,
    /// so it stays cheap however many completed items are kept.
    ///
    /// # Errors
    /// The inbox's errors.
    pub async fn overview(&self) -> Result<Overview, ConsoleError> {
        let depth = match &self.backend {
            #[cfg(feature = "inbox-sqlite")]
            Backend::Sqlite(i) => i.depth().await?,
            #[cfg(feature = "inbox-postgres")]
            Backend::Postgres(i) => i.depth().await?,
        };
        let oldest = each!(self, i => i.q_counts(crate::inbox::query_ops::OVERVIEW.oldest))?;
        let dead = each!(self, i => i.q_counts(crate::inbox::query_ops::OVERVIEW.dead))?;
        let received = each!(self, i => i.q_counts(crate::inbox::query_ops::OVERVIEW.received))?;
        let retrying = each!(self, i => i.q_counts(crate::inbox::query_ops::OVERVIEW.retrying))?;

        let oldest_pending_age = oldest
            .first()
            .and_then(|(_, n)| n.first().copied().flatten())
            .map(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(0)));
        let mut lines: BTreeMap<String, ProviderOverview> = BTreeMap::new();
        // Every provider this build knows shows, with zeros when it has nothing.
        for p in Provider::ALL {
            line(&mut lines, p.as_str());
        }
        for (provider, n) in &dead {
            let l = line(&mut lines, provider);
            l.dead = number(n, 0);
            l.failures = number(n, 1);
        }
        for (provider, n) in &received {
            let l = line(&mut lines, provider);
            l.last_5_minutes = number(n, 0);
            l.last_hour = number(n, 1);
        }
        for (provider, n) in &retrying {
            line(&mut lines, provider).retrying = number(n, 0);
        }
        let known: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
        let mut providers: Vec<ProviderOverview> = Vec::with_capacity(lines.len());
        for name in &known {
            if let Some(l) = lines.remove(*name) {
                providers.push(l);
            }
        }
        providers.extend(lines.into_values());
        Ok(Overview {
            depth,
            oldest_pending_age,
            providers,
        })
    }
}

fn line<'a>(
    lines: &'a mut BTreeMap<String, ProviderOverview>,
    provider: &str,
) -> &'a mut ProviderOverview {
    lines
        .entry(provider.to_owned())
        .or_insert_with(|| ProviderOverview {
            provider: provider.to_owned(),
            ..ProviderOverview::default()
        })
}

/// The `i`th number of a row, NULL or negative as 0.
fn number(n: &[Option<i64>], i: usize) -> u64 {
    n.get(i)
        .copied()
        .flatten()
        .map_or(0, |v| u64::try_from(v).unwrap_or(0))
}
