//! Peddler's status names, failure reasons and numeric codes, and how they relate.

use crate::wire::enums::wire_enum;

wire_enum! {
    /// A shipment status, as Peddler sends it in `status`.
    ///
    /// Every status has a numeric code ([`Status::code`]) except
    /// [`FailedAttempt`](Status::FailedAttempt), whose `code` is the failure reason's (600 to 619).
    /// [`Delivered`](Status::Delivered) comes with three codes: 500, 501 (at the neighbours) and
    /// 502 (in the mailbox); read the distinction from [`ShipmentUpdate::code_meaning`](super::ShipmentUpdate::code_meaning).
    ///
    /// Names match ignoring ASCII case and `_`/`-`/space; an unknown name is kept verbatim in
    /// [`Other`](Status::Other).
    pub enum Status matching eq_loose {
        /// Code 100: the shipment is registered with Peddler.
        ShipmentConfirmed = "SHIPMENT_CONFIRMED",
        /// Code 200: on its way to Peddler's warehouse.
        ShipmentEnrouteToWarehouse = "SHIPMENT_ENROUTE_TO_WAREHOUSE",
        /// Code 210: in Peddler's warehouse.
        ShipmentInWarehouse = "SHIPMENT_IN_WAREHOUSE",
        /// Code 300: on its way to the local depot.
        ShipmentEnrouteToLocalDepot = "SHIPMENT_ENROUTE_TO_LOCAL_DEPOT",
        /// Code 310: in the local depot.
        ShipmentInLocalDepot = "SHIPMENT_IN_LOCAL_DEPOT",
        /// Code 400: ready to go out.
        ShipmentReady = "SHIPMENT_READY",
        /// Code 410: with the courier; the body carries the GPS `location` where this happened.
        OutForDelivery = "OUT_FOR_DELIVERY",
        /// Codes 500 (delivered), 501 (at the neighbours) and 502 (in the mailbox); the body
        /// carries the GPS `location` of the delivery.
        Delivered = "DELIVERED",
        /// Code 550: delivered to a collection point, where the customer collects it.
        DeliveredCollectionPoint = "DELIVERED_COLLECTION_POINT",
        /// Code 570: collected by the customer at the collection point.
        PickupCollectionPoint = "PICKUP_COLLECTION_POINT",
        /// A delivery attempt failed; `code` (600 to 619) and `failedStatus` say why.
        FailedAttempt = "FAILED_ATTEMPT",
        /// Code 700: held back.
        OnHold = "ON_HOLD",
        /// Code 800: something went wrong that needs attention.
        Exception = "EXCEPTION",
        /// Code 900: going back to the sender.
        ReturnToSender = "RETURN_TO_SENDER",
        /// Code 1000: canceled. The British spelling `CANCELLED` is read as this too.
        Canceled = "CANCELED" | "CANCELLED",
        /// Code 1100: the shipment's details changed; the shipment itself did not move.
        ShipmentDetailsUpdated = "SHIPMENT_DETAILS_UPDATED",
    }
}

impl Status {
    /// The status's own documented code; `None` for [`FailedAttempt`](Status::FailedAttempt)
    /// (its code is the failure reason's) and for unknown statuses. `Delivered` gives 500, its
    /// plain code; 501 and 502 are variants of it.
    ///
    /// ```
    /// use delivery_webhooks::peddler::Status;
    /// assert_eq!(Status::OutForDelivery.code(), Some(410));
    /// assert_eq!(Status::FailedAttempt.code(), None);
    /// ```
    #[must_use]
    pub fn code(&self) -> Option<u32> {
        Some(match self {
            Status::ShipmentConfirmed => 100,
            Status::ShipmentEnrouteToWarehouse => 200,
            Status::ShipmentInWarehouse => 210,
            Status::ShipmentEnrouteToLocalDepot => 300,
            Status::ShipmentInLocalDepot => 310,
            Status::ShipmentReady => 400,
            Status::OutForDelivery => 410,
            Status::Delivered => 500,
            Status::DeliveredCollectionPoint => 550,
            Status::PickupCollectionPoint => 570,
            Status::OnHold => 700,
            Status::Exception => 800,
            Status::ReturnToSender => 900,
            Status::Canceled => 1000,
            Status::ShipmentDetailsUpdated => 1100,
            Status::FailedAttempt | Status::Other(_) => return None,
        })
    }

    /// Whether Peddler documents a GPS `location` with this status: `OUT_FOR_DELIVERY` and
    /// `DELIVERED` (all three of its codes). A location sent with another status is kept too.
    #[must_use]
    pub fn carries_location(&self) -> bool {
        matches!(self, Status::OutForDelivery | Status::Delivered)
    }

    /// Whether the shipment's journey is over: delivered (also collected at a collection point),
    /// returned to the sender, or canceled.
    #[must_use]
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Status::Delivered
                | Status::PickupCollectionPoint
                | Status::ReturnToSender
                | Status::Canceled
        )
    }
}

wire_enum! {
    /// Why a delivery attempt failed, as Peddler sends it in `failedStatus` with status
    /// `FAILED_ATTEMPT`. Each reason has a code, 600 to 619, sent as the update's `code`.
    ///
    /// Names match ignoring ASCII case and `_`/`-`/space; an unknown reason is kept verbatim in
    /// [`Other`](FailureReason::Other).
    pub enum FailureReason matching eq_loose {
        /// Code 600: no reason given.
        UnknownFailureReason = "UNKNOWN_FAILURE_REASON",
        /// Code 601: nobody home, and no neighbour took it.
        CustomerNotPresentNoNeighbours = "CUSTOMER_NOT_PRESENT_NO_NEIGHBOURS",
        /// Code 602: the customer's address is wrong.
        CustomerWrongAddress = "CUSTOMER_WRONG_ADDRESS",
        /// Code 603: the address is incomplete.
        IncompleteAddress = "INCOMPLETE_ADDRESS",
        /// Code 604: the address could not be found.
        AddressNotFound = "ADDRESS_NOT_FOUND",
        /// Code 605: closed, or nobody present (typically a business address).
        ClosedNotPresent = "CLOSED_NOT_PRESENT",
        /// Code 606: the customer refused the package.
        PackageRejectedByCustomer = "PACKAGE_REJECTED_BY_CUSTOMER",
        /// Code 607: loaded onto the wrong vehicle.
        MissortedToVehicle = "MISSORTED_TO_VEHICLE",
        /// Code 608: cash on delivery could not be collected.
        CashOnDeliveryFailed = "CASH_ON_DELIVERY_FAILED",
        /// Code 609: the customer asked for another delivery time.
        CustomerRequestNewDeliveryTime = "CUSTOMER_REQUEST_NEW_DELIVERY_TIME",
        /// Code 610: the customer changed the address.
        CustomerAddressUpdated = "CUSTOMER_ADDRESS_UPDATED",
        /// Code 611: the package was stolen.
        PackageStolen = "PACKAGE_STOLEN",
        /// Code 612: forwarded to a locker box.
        PackageForwardedLockerbox = "PACKAGE_FORWARDED_LOCKERBOX",
        /// Code 613: too large to deliver.
        PackageOversized = "PACKAGE_OVERSIZED",
        /// Code 614: overdue.
        PackageOverdue = "PACKAGE_OVERDUE",
        /// Code 615: damaged.
        PackageDamaged = "PACKAGE_DAMAGED",
        /// Code 616: lost.
        PackageLost = "PACKAGE_LOST",
        /// Code 617: the customer's phone number is wrong.
        CustomerWrongPhonenumber = "CUSTOMER_WRONG_PHONENUMBER",
        /// Code 618: dangerous goods (ADR) that could not be delivered.
        DangerousGoodsAdr = "DANGEROUS_GOODS_ADR",
        /// Code 619: alcohol, which needs the customer in person, and the customer was not there.
        AlcoholDeliveryCustomerNotPresent = "ALCOHOL_DELIVERY_CUSTOMER_NOT_PRESENT",
    }
}

impl FailureReason {
    /// The reason's documented code (600 to 619); `None` for an unknown reason.
    ///
    /// ```
    /// use delivery_webhooks::peddler::FailureReason;
    /// assert_eq!(FailureReason::CustomerNotPresentNoNeighbours.code(), Some(601));
    /// assert_eq!(FailureReason::from_code(619), Some(FailureReason::AlcoholDeliveryCustomerNotPresent));
    /// assert_eq!(FailureReason::from_code(620), None);
    /// ```
    #[must_use]
    pub fn code(&self) -> Option<u32> {
        // `ALL` lists the reasons in code order, 600 first.
        Self::ALL
            .iter()
            .position(|r| r == self)
            .and_then(|i| u32::try_from(i).ok())
            .map(|i| 600 + i)
    }

    /// The documented reason with this code, if any.
    #[must_use]
    pub fn from_code(code: u32) -> Option<FailureReason> {
        let index = usize::try_from(code.checked_sub(600)?).ok()?;
        Self::ALL.get(index).cloned()
    }
}

/// What a `code` means, as documented by Peddler.
///
/// The code is kept in [`ShipmentUpdate::code`](super::ShipmentUpdate::code) as sent; this is its
/// reading. It matters for `DELIVERED`, whose code says where the parcel was left, and for
/// `FAILED_ATTEMPT`, whose code is the failure reason.
///
/// ```
/// use delivery_webhooks::peddler::{CodeMeaning, FailureReason, Status};
///
/// assert_eq!(CodeMeaning::from_code(410), Some(CodeMeaning::Status(Status::OutForDelivery)));
/// assert_eq!(CodeMeaning::from_code(501), Some(CodeMeaning::DeliveredAtNeighbours));
/// assert_eq!(
///     CodeMeaning::from_code(601),
///     Some(CodeMeaning::FailedAttempt(FailureReason::CustomerNotPresentNoNeighbours))
/// );
/// assert_eq!(CodeMeaning::from_code(502).map(|m| m.status()), Some(Status::Delivered));
/// assert_eq!(CodeMeaning::from_code(42), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CodeMeaning {
    /// The status's own code: 100 to 410, 500 (delivered), 550, 570, 700 to 1100.
    Status(Status),
    /// 501: delivered at the neighbours.
    DeliveredAtNeighbours,
    /// 502: delivered in the mailbox.
    DeliveredInMailbox,
    /// 600 to 619: a failed delivery attempt, for this reason.
    FailedAttempt(FailureReason),
}

impl CodeMeaning {
    /// The documented meaning of `code`; `None` for a code Peddler does not document.
    #[must_use]
    pub fn from_code(code: u32) -> Option<CodeMeaning> {
        match code {
            501 => Some(CodeMeaning::DeliveredAtNeighbours),
            502 => Some(CodeMeaning::DeliveredInMailbox),
            600..=619 => FailureReason::from_code(code).map(CodeMeaning::FailedAttempt),
            _ => Status::ALL
                .iter()
                .find(|s| s.code() == Some(code))
                .cloned()
                .map(CodeMeaning::Status),
        }
    }

    /// The code this meaning has (the inverse of [`from_code`](CodeMeaning::from_code)).
    #[must_use]
    pub fn code(&self) -> Option<u32> {
        match self {
            CodeMeaning::Status(s) => s.code(),
            CodeMeaning::DeliveredAtNeighbours => Some(501),
            CodeMeaning::DeliveredInMailbox => Some(502),
            CodeMeaning::FailedAttempt(r) => r.code(),
        }
    }

    /// The status that goes with this code: 501 and 502 are [`Status::Delivered`], 600 to 619
    /// [`Status::FailedAttempt`].
    #[must_use]
    pub fn status(&self) -> Status {
        match self {
            CodeMeaning::Status(s) => s.clone(),
            CodeMeaning::DeliveredAtNeighbours | CodeMeaning::DeliveredInMailbox => {
                Status::Delivered
            }
            CodeMeaning::FailedAttempt(_) => Status::FailedAttempt,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_documented_and_invertible() {
        assert_eq!(Status::ALL.len(), 16);
        assert_eq!(FailureReason::ALL.len(), 20);
        let with_codes: Vec<u32> = Status::ALL.iter().filter_map(Status::code).collect();
        assert_eq!(
            with_codes,
            [
                100, 200, 210, 300, 310, 400, 410, 500, 550, 570, 700, 800, 900, 1000, 1100
            ]
        );
        for code in with_codes.iter().copied().chain([501, 502]).chain(600..620) {
            let meaning = CodeMeaning::from_code(code).unwrap();
            assert_eq!(meaning.code(), Some(code));
        }
        assert_eq!(FailureReason::from_code(599), None);
        assert_eq!(FailureReason::Other("X".into()).code(), None);
        assert_eq!(CodeMeaning::Status(Status::FailedAttempt).code(), None);
    }
}
