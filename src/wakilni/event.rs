//! The Wakilni event: its type, the status names it carries, and the data of each of its 13
//! events (the structs are in `data.rs`, the wire form in `envelope.rs`).

use serde::Deserialize;

use crate::wire::{self, RawJson, Timestamp, enums::wire_enum};

pub use super::data::{
    OrderAssigned, OrderCreated, PickupLocation, PickupOffice, ReadyForSelfPickup, StatusChange,
};

wire_enum! {
    /// The 13 documented Wakilni events. Names match ignoring case and separators.
    pub enum EventType matching eq_loose {
        /// An order was created.
        OrderCreated = "Order Created",
        /// An order was confirmed.
        OrderConfirmed = "Order Confirmed",
        /// An order was declined.
        OrderDeclined = "Order Declined",
        /// A driver was assigned.
        OrderAssigned = "Order Assigned",
        /// An order was processed.
        OrderProcessed = "Order Processed",
        /// An order was canceled.
        OrderCanceled = "Order Canceled" | "Order Cancelled",
        /// An order was postponed.
        OrderPostponed = "Order Postponed",
        /// An order was completed.
        OrderCompleted = "Order Completed",
        /// A completed order was rejected.
        OrderCompletedRejected = "Order Completed Rejected",
        /// An order was closed as failed.
        OrderClosedFailed = "Order Closed Failed",
        /// A cancelation was requested.
        OrderPendingCancelation = "Order Pending Cancelation" | "Order Pending Cancellation",
        /// An order failed.
        OrderFailed = "Order Failed",
        /// An order waits at a Wakilni office for the customer.
        OrderReadyForSelfPickup = "Order Ready for Self-Pickup",
    }
}

impl EventType {
    /// Whether `data` is this event (an unknown name compares with the unknown event's name,
    /// loosely).
    pub(super) fn matches_event(&self, data: &EventData) -> bool {
        match (self, data) {
            (EventType::Other(a), EventData::Unknown { event, .. }) => {
                crate::wire::enums::eq_loose(a, event)
            }
            (t, d) => *t == d.event_type(),
        }
    }
}

wire_enum! {
    /// An order status name as Wakilni sends it in `new_status`/`previous_status`.
    ///
    /// Names match ignoring case and `_`/`-`/space, since the API page writes `CLOSED_FAILED`
    /// where webhooks write `Closed Failed`. Unknown names are kept in `Other`.
    pub enum Status matching eq_loose {
        /// Pending (API code 1).
        Pending = "Pending",
        /// Confirmed (API code 2).
        Confirmed = "Confirmed",
        /// Processing (API code 3).
        Processing = "Processing",
        /// Success (API code 4).
        Success = "Success",
        /// Rejected (listed with code 4 on the API page).
        Rejected = "Rejected",
        /// Failed (API code 5).
        Failed = "Failed",
        /// Declined (API code 6).
        Declined = "Declined",
        /// Canceled (API code 7).
        Canceled = "Canceled" | "Cancelled",
        /// Closed failed (API code 8).
        ClosedFailed = "Closed Failed",
        /// Postponed (API code 9).
        Postponed = "Postponed",
        /// Pending cancellation (API code 10).
        PendingCancellation = "Pending Cancellation" | "Pending Cancelation",
    }
}

/// One Wakilni webhook: the envelope and its event data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Event {
    /// `event_id`: a UUID, the same on every retry of this event.
    pub event_id: String,
    /// `timestamp`: when the event was emitted (no timezone is documented).
    pub timestamp: Timestamp,
    /// `event` and `data`, typed.
    pub data: EventData,
}

impl Event {
    /// An event: its id, when it was emitted and its data (whose variant names the event).
    #[must_use]
    pub fn new(event_id: impl Into<String>, timestamp: Timestamp, data: EventData) -> Self {
        Self {
            event_id: event_id.into(),
            timestamp,
            data,
        }
    }
}

impl Event {
    /// The event's name as it goes on the wire (`Order Created`, or an unknown name verbatim).
    #[must_use]
    pub fn event_name(&self) -> &str {
        self.data.event_name()
    }
}

/// The event, with the data each kind carries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventData {
    /// `Order Created`.
    OrderCreated(OrderCreated),
    /// `Order Confirmed`.
    OrderConfirmed(StatusChange),
    /// `Order Declined`.
    OrderDeclined(StatusChange),
    /// `Order Assigned`: a driver was assigned.
    OrderAssigned(OrderAssigned),
    /// `Order Processed`.
    OrderProcessed(StatusChange),
    /// `Order Canceled`.
    OrderCanceled(StatusChange),
    /// `Order Postponed`.
    OrderPostponed(StatusChange),
    /// `Order Completed`.
    OrderCompleted(StatusChange),
    /// `Order Completed Rejected`.
    OrderCompletedRejected(StatusChange),
    /// `Order Closed Failed`.
    OrderClosedFailed(StatusChange),
    /// `Order Pending Cancelation`.
    OrderPendingCancelation(StatusChange),
    /// `Order Failed`.
    OrderFailed(StatusChange),
    /// `Order Ready for Self-Pickup`: the order waits at a Wakilni office.
    OrderReadyForSelfPickup(ReadyForSelfPickup),
    /// An event this crate does not know yet, kept as sent.
    Unknown {
        /// The `event` name, verbatim.
        event: String,
        /// The `data`, as the raw JSON text sent (`null` when absent).
        data: RawJson,
    },
}

impl EventData {
    /// The event type; [`EventType::Other`] for an unknown event.
    #[must_use]
    pub fn event_type(&self) -> EventType {
        match self {
            EventData::OrderCreated(_) => EventType::OrderCreated,
            EventData::OrderConfirmed(_) => EventType::OrderConfirmed,
            EventData::OrderDeclined(_) => EventType::OrderDeclined,
            EventData::OrderAssigned(_) => EventType::OrderAssigned,
            EventData::OrderProcessed(_) => EventType::OrderProcessed,
            EventData::OrderCanceled(_) => EventType::OrderCanceled,
            EventData::OrderPostponed(_) => EventType::OrderPostponed,
            EventData::OrderCompleted(_) => EventType::OrderCompleted,
            EventData::OrderCompletedRejected(_) => EventType::OrderCompletedRejected,
            EventData::OrderClosedFailed(_) => EventType::OrderClosedFailed,
            EventData::OrderPendingCancelation(_) => EventType::OrderPendingCancelation,
            EventData::OrderFailed(_) => EventType::OrderFailed,
            EventData::OrderReadyForSelfPickup(_) => EventType::OrderReadyForSelfPickup,
            EventData::Unknown { event, .. } => EventType::Other(event.clone()),
        }
    }

    /// The event's wire name, without allocating.
    #[must_use]
    pub fn event_name(&self) -> &str {
        match self {
            EventData::Unknown { event, .. } => event,
            known => known.event_type().documented_str().unwrap_or_default(),
        }
    }

    /// The order id, for every known event (an unknown event's `data.order_id` if it is a
    /// non-negative integer).
    #[must_use]
    pub fn order_id(&self) -> Option<u64> {
        match self {
            EventData::OrderCreated(d) => Some(d.order_id),
            EventData::OrderAssigned(d) => Some(d.order_id),
            EventData::OrderReadyForSelfPickup(d) => Some(d.order_id),
            EventData::Unknown { data, .. } => {
                #[serde_with::serde_as]
                #[derive(Deserialize)]
                struct OrderId {
                    #[serde_as(as = "Option<wire::Uint>")]
                    #[serde(default)]
                    order_id: Option<u64>,
                }
                data.parse::<OrderId>().ok().and_then(|d| d.order_id)
            }
            other => other.status_change().map(|c| c.order_id),
        }
    }

    /// The status change, for the ten status-change events.
    #[must_use]
    pub fn status_change(&self) -> Option<&StatusChange> {
        match self {
            EventData::OrderConfirmed(c)
            | EventData::OrderDeclined(c)
            | EventData::OrderProcessed(c)
            | EventData::OrderCanceled(c)
            | EventData::OrderPostponed(c)
            | EventData::OrderCompleted(c)
            | EventData::OrderCompletedRejected(c)
            | EventData::OrderClosedFailed(c)
            | EventData::OrderPendingCancelation(c)
            | EventData::OrderFailed(c) => Some(c),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_round_trips_its_name() {
        assert_eq!(EventType::ALL.len(), 13);
        for t in EventType::ALL {
            assert_eq!(&EventType::from(t.as_str()), t);
            assert_eq!(
                &EventType::from(t.as_str().to_uppercase().replace(' ', "_").as_str()),
                t
            );
        }
        assert_eq!(Status::ALL.len(), 11);
    }
}
