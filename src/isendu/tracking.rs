//! The tracking entries of an isendu batch, with their steps, and the error details trackings,
//! steps and orders share.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::wire::{self, TimestampOrText, enums::wire_enum};

wire_enum! {
    /// A tracking (or tracking step) status: one letter.
    ///
    /// Letters match ignoring ASCII case (`d` is [`Delivered`](TrackingStatus::Delivered));
    /// any other value is kept verbatim in `Other`. Variant names say what the letter means,
    /// since the letters themselves would make unreadable names.
    pub enum TrackingStatus matching eq_ignore_case {
        /// Created, awaiting pickup by the courier.
        AwaitingPickup = "P",
        /// In transit.
        InTransit = "T",
        /// Delivered.
        Delivered = "D",
        /// Delivery failed.
        Failed = "F",
        /// Exception: the courier reports a problem.
        Exception = "E",
        /// Returned to sender.
        Returned = "R",
        /// isendu's own "unknown" status (not a value this crate does not know: those are
        /// kept in `Other`).
        Unknown = "U",
    }
}

impl TrackingStatus {
    /// Whether the shipment reached an end: [`Delivered`](TrackingStatus::Delivered) or
    /// [`Returned`](TrackingStatus::Returned).
    #[must_use]
    pub fn is_final(&self) -> bool {
        matches!(self, TrackingStatus::Delivered | TrackingStatus::Returned)
    }
}

/// A problem isendu reports on a tracking, a step or an order.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ErrorDetails {
    /// `message`: human-readable.
    #[serde(default)]
    pub message: Option<String>,
    /// `code` (a number is read as its text).
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub code: Option<String>,
    /// `i18nCode`: a key for translating the message.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(rename = "i18nCode", default)]
    pub i18n_code: Option<String>,
    /// `date`: when the problem was recorded (orders only).
    #[serde_as(as = "wire::OptTimestamp")]
    #[serde(default)]
    pub date: Option<TimestampOrText>,
}

/// One courier event of a tracking.
///
/// isendu's OpenAPI marks `uuid`, `status`, `description` and `datetime` as required, but its
/// webhook sample leaves `uuid` out: every field is optional here, so that one sparse step does
/// not cost the whole batch.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Step {
    /// `uuid` of the step.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub uuid: Option<String>,
    /// `status`: the same letters as the tracking's.
    #[serde(default)]
    pub status: Option<TrackingStatus>,
    /// `description`, from the courier.
    #[serde(default)]
    pub description: Option<String>,
    /// `datetime`: the step's date as the courier wrote it, kept as sent (its format varies
    /// by courier). Use [`timestamp`](Step::timestamp) to compare steps.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub datetime: Option<String>,
    /// `timestamp`: the step's instant, documented as UTC; any ISO 8601 form is read (`Z`,
    /// `+00:00`, `+0000`, or no zone, which [`instant`](Step::instant) takes as UTC), and a
    /// value in no date form is kept as its text instead of failing the batch.
    #[serde_as(as = "wire::OptTimestamp")]
    #[serde(default)]
    pub timestamp: Option<TimestampOrText>,
    /// `timezone` of the step, if the courier gives one.
    #[serde(default)]
    pub timezone: Option<String>,
    /// `location` of the step, if the courier gives one.
    #[serde(default)]
    pub location: Option<String>,
    /// `podUrl`: the proof of delivery, if any.
    #[serde(default)]
    pub pod_url: Option<String>,
    /// `error`, if the step reports one. Boxed: rarely sent, and a batch holds many steps.
    #[serde_as(as = "Option<wire::Boxed>")]
    #[serde(default)]
    pub error: Option<Box<ErrorDetails>>,
}

impl Step {
    /// The step's instant: its [`timestamp`](Step::timestamp) when readable, a value without
    /// zone taken as UTC (as isendu documents); `None` when absent or unreadable.
    #[must_use]
    pub fn instant(&self) -> Option<OffsetDateTime> {
        self.timestamp
            .as_ref()
            .and_then(TimestampOrText::timestamp)
            .map(|t| t.assume_utc())
    }
}

/// One tracking (shipment) entry of a batch: its current state and its steps.
#[serde_with::skip_serializing_none]
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Tracking {
    /// `uuid` of the tracking: required, the key to fold updates on.
    #[serde_as(as = "wire::Text")]
    pub uuid: String,
    /// `created`: when the tracking was created.
    #[serde_as(as = "wire::OptTimestamp")]
    #[serde(default)]
    pub created: Option<TimestampOrText>,
    /// `status`: the current status.
    #[serde(default)]
    pub status: Option<TrackingStatus>,
    /// `trackingNumber`: the courier's number.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// `trackingUrl`: the courier's tracking page.
    #[serde(default)]
    pub tracking_url: Option<String>,
    /// `delivered`: whether the shipment was delivered (see [`lenient booleans`](super#quirks-handled)).
    #[serde_as(as = "Option<wire::Bool>")]
    #[serde(default)]
    pub delivered: Option<bool>,
    /// `shipmentRef`: the shipment reference.
    #[serde_as(as = "Option<wire::Text>")]
    #[serde(default)]
    pub shipment_ref: Option<String>,
    /// `pod`: whether a proof of delivery exists.
    #[serde_as(as = "Option<wire::Bool>")]
    #[serde(default)]
    pub pod: Option<bool>,
    /// `external`: whether the shipment is handled outside isendu.
    #[serde_as(as = "Option<wire::Bool>")]
    #[serde(default)]
    pub external: Option<bool>,
    /// `error`, if isendu reports one for the tracking. Boxed: rarely sent, and a batch holds
    /// many trackings.
    #[serde_as(as = "Option<wire::Boxed>")]
    #[serde(default)]
    pub error: Option<Box<ErrorDetails>>,
    /// `steps`, as sent (`null` and absent read as empty). Their order is not guaranteed:
    /// see [`latest_step`](Tracking::latest_step).
    #[serde_as(as = "serde_with::DefaultOnNull<wire::List>")]
    #[serde(default)]
    pub steps: Vec<Step>,
}

impl Tracking {
    /// A tracking with this uuid and nothing else (for tests and tooling).
    #[must_use]
    pub fn new(uuid: impl Into<String>) -> Self {
        Self {
            uuid: uuid.into(),
            created: None,
            status: None,
            tracking_number: None,
            tracking_url: None,
            delivered: None,
            shipment_ref: None,
            pod: None,
            external: None,
            error: None,
            steps: Vec::new(),
        }
    }

    /// The newest step by `timestamp` (steps without one count as the oldest); among
    /// steps with the same timestamp, the one [`State`](super::State) would also pick.
    #[must_use]
    pub fn latest_step(&self) -> Option<&Step> {
        self.steps
            .iter()
            .max_by(|a, b| super::state::step_order(a, b))
    }

    /// The newest step timestamp, if any step has one.
    #[must_use]
    pub fn latest_timestamp(&self) -> Option<OffsetDateTime> {
        self.steps.iter().filter_map(Step::instant).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn step(timestamp: &str) -> Step {
        let json = format!(
            r#"{{"timestamp":{}}}"#,
            serde_json::to_string(timestamp).unwrap()
        );
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn step_timestamps_in_every_utc_form() {
        let want = datetime!(2024-05-02 10:15:00 UTC);
        for s in [
            "2024-05-02T10:15:00Z",
            "2024-05-02T12:15:00+02:00",
            "2024-05-02T10:15:00+0000",
            "2024-05-02T10:15:00+00",
            "2024-05-02 10:15:00",
            "2024-05-02T10:15:00",
            "2024-05-02t10:15:00z",
            " 2024-05-02T10:15:00Z ",
        ] {
            assert_eq!(step(s).instant(), Some(want), "{s}");
        }
        assert_eq!(
            step("2024-05-02").instant(),
            Some(datetime!(2024-05-02 00:00:00 UTC))
        );
        assert_eq!(
            step("2024-05-02 10:15:00.250").instant(),
            Some(datetime!(2024-05-02 10:15:00.25 UTC))
        );
        assert_eq!(
            step("2024-05-02T10:15:00.1234567891Z").instant(),
            Some(datetime!(2024-05-02 10:15:00.123456789 UTC))
        );
        for bad in [
            "yesterday",
            "2024-13-02",
            "2023-02-29T10:15:00Z",
            "2024-05-02T24:00:00Z",
            "2016-12-31T23:59:60Z",
            "2024-05-02T10:15:00+24:00",
            "2024-05-02T10:15:00.Z",
            "2024-05-02T10:15:0aZ",
            "2024-05-02X10:15:00",
            "é024-05-02 10:15:00",
        ] {
            let s = step(bad);
            assert_eq!(s.instant(), None, "{bad}");
            assert_eq!(
                s.timestamp,
                Some(TimestampOrText::Unreadable(bad.to_owned())),
                "{bad}"
            );
        }
        assert_eq!(step("").timestamp, None);
    }
}
