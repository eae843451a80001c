//! The console's first page: how deep the inbox is, how long the oldest due item has waited,
//! and per provider the dead letters, the failures and the recent rate of deliveries. Every
//! count stops at [`COUNT_CAP`], so the page costs the same at ten million items as at ten.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::delivery::Provider;
use crate::inbox::query_ops::{OVERVIEW_PROVIDERS, overview_depth, overview_line};

use super::{Backend, Console, ConsoleError};

/// Where the overview stops counting: a count that reaches it is shown as `10,000+`
/// ([`Count::is_capped`]). Each count reads at most this many index entries (one more, to know
/// it is reached), so the overview's cost has a bound whatever the inbox holds: a few
/// statements, each reading at most `COUNT_CAP + 1` entries per count and provider. An exact
/// figure is one query away: `Inbox::depth` (the gauges), `Inbox::stats`, `Console::failures`.
pub const COUNT_CAP: u64 = 10_000;

/// A count of the [`Overview`]: exact below [`COUNT_CAP`], or "at least" the cap.
///
/// Displayed with thousands separators, a capped count with a `+`: `1,234`, `10,000+`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Count {
    value: u64,
    capped: bool,
}

impl Count {
    /// Exactly `value`.
    #[must_use]
    pub const fn exact(value: u64) -> Self {
        Self {
            value,
            capped: false,
        }
    }

    /// `value` or more: counting stopped there.
    #[must_use]
    pub const fn at_least(value: u64) -> Self {
        Self {
            value,
            capped: true,
        }
    }

    /// The count, or where counting stopped when [`is_capped`](Count::is_capped).
    #[must_use]
    pub const fn value(self) -> u64 {
        self.value
    }

    /// Whether counting stopped at the cap: there are at least [`value`](Count::value).
    #[must_use]
    pub const fn is_capped(self) -> bool {
        self.capped
    }

    /// The count read with a `LIMIT` of `cap + 1` rows: `cap + 1` rows found means more than
    /// the cap, shown as at least the cap.
    fn bounded(found: u64, cap: u64) -> Self {
        if found > cap {
            Self::at_least(cap)
        } else {
            Self::exact(found)
        }
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.value.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if self.capped {
            out.push('+');
        }
        f.write_str(&out)
    }
}

/// The items that wait, run or are dead, as the [`Overview`] counts them (each a [`Count`]:
/// [`Inbox::depth`](crate::inbox::Inbox::depth) is the exact figure, for gauges).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct OverviewDepth {
    /// Waiting for a worker.
    pub pending: Count,
    /// Claimed under a lease.
    pub claimed: Count,
    /// In the dead letters, discarded ones included.
    pub dead: Count,
}

/// The state of the inbox at a glance, from [`Console::overview`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Overview {
    /// Items waiting, claimed and dead.
    pub depth: OverviewDepth,
    /// How long the pending item that has waited longest for a worker since it became due
    /// (accepted, replayed, or its back-off over) has waited, by the database's clock; `None`
    /// when no due item waits.
    pub oldest_pending_age: Option<Duration>,
    /// One line per provider: every provider this build knows, then any other with dead
    /// letters not discarded, by name.
    pub providers: Vec<ProviderOverview>,
}

/// One provider's line of the [`Overview`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ProviderOverview {
    /// The provider's name (`Provider::as_str`).
    pub provider: String,
    /// Dead letters not discarded: what is left to look at.
    pub dead: Count,
    /// The distinct causes of those dead letters: the provider's lines in
    /// [`Console::failures`].
    pub failures: Count,
    /// Items waiting or running whose last attempt failed: failing, not dead yet.
    pub retrying: Count,
    /// Deliveries accepted in the last 5 minutes.
    pub last_5_minutes: Count,
    /// Deliveries accepted in the last hour.
    pub last_hour: Count,
}

impl Console {
    /// The state of the inbox at a glance: [`Overview`]. Every count is read over an index and
    /// stops at [`COUNT_CAP`] ([`Count`]), so the overview's cost is bounded however many
    /// items wait, are dead or arrived in the last hour: three statements, at most
    /// `COUNT_CAP + 1` index entries per count.
    ///
    /// # Errors
    /// The inbox's errors.
    pub async fn overview(&self) -> Result<Overview, ConsoleError> {
        let (cap, limit) = (COUNT_CAP, COUNT_CAP + 1);
        let depth = each!(self, i => i.q_counts(&overview_depth(limit), &[]))?;
        let found = each!(self, i => i.q_counts(OVERVIEW_PROVIDERS, &[]))?;
        // Every provider this build knows shows, with zeros when it has nothing; then the
        // others the inbox holds, by name.
        let mut names: Vec<String> = Provider::ALL
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect();
        let others: std::collections::BTreeSet<String> = found
            .into_iter()
            .map(|(name, _)| name)
            .filter(|name| !names.contains(name))
            .collect();
        names.extend(others);
        let lines = each!(self, i => i.q_counts(&overview_line(limit), &names))?;

        let count = |n: &[Option<i64>], i: usize| Count::bounded(number(n, i), cap);
        let mut overview = Overview::default();
        for (row, n) in &depth {
            match row.as_str() {
                "pending" => overview.depth.pending = count(n, 0),
                "claimed" => overview.depth.claimed = count(n, 0),
                "dead" => overview.depth.dead = count(n, 0),
                _ => {
                    overview.oldest_pending_age = n
                        .first()
                        .copied()
                        .flatten()
                        .map(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(0)));
                }
            }
        }
        let mut by_name: BTreeMap<String, ProviderOverview> = lines
            .iter()
            .map(|(provider, n)| {
                let line = ProviderOverview {
                    provider: provider.clone(),
                    dead: count(n, 0),
                    failures: count(n, 1),
                    retrying: count(n, 2),
                    last_5_minutes: count(n, 3),
                    last_hour: count(n, 4),
                };
                (provider.clone(), line)
            })
            .collect();
        overview.providers = names
            .iter()
            .filter_map(|name| by_name.remove(name))
            .collect();
        Ok(overview)
    }
}

/// The `i`th number of a row, NULL or negative as 0.
fn number(n: &[Option<i64>], i: usize) -> u64 {
    n.get(i)
        .copied()
        .flatten()
        .map_or(0, |v| u64::try_from(v).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::Count;

    #[test]
    fn a_count_reads_with_separators_and_a_plus_when_capped() {
        assert_eq!(Count::exact(0).to_string(), "0");
        assert_eq!(Count::exact(999).to_string(), "999");
        assert_eq!(Count::exact(1_000).to_string(), "1,000");
        assert_eq!(Count::exact(1_234_567).to_string(), "1,234,567");
        assert_eq!(Count::at_least(10_000).to_string(), "10,000+");
        assert_eq!(Count::bounded(10_001, 10_000), Count::at_least(10_000));
        assert_eq!(Count::bounded(10_000, 10_000), Count::exact(10_000));
        assert_eq!(Count::bounded(0, 10_000), Count::exact(0));
    }
}
