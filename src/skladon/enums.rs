//! The string enums of Skladon's entities: each keeps values it does not know verbatim.

use crate::wire::enums::wire_enum;

wire_enum! {
    /// An order's `status`.
    pub enum OrderStatus matching eq_exact {
        /// Created, waiting to be processed.
        InProcess = "inProcess",
        /// Lost.
        Lost = "lost",
        /// Received by the warehouse.
        Received = "received",
        /// Being picked and packed.
        Processing = "processing",
        /// Processed.
        Processed = "processed",
        /// Handed to the carrier, on its way.
        OnTheWay = "onTheWay",
        /// Delivered.
        Delivered = "delivered",
        /// Returned back to the warehouse.
        ReturnedBack = "returnedBack",
        /// Canceled.
        Canceled = "canceled",
        /// On its way back to the warehouse.
        ReturningBack = "returningBack",
        /// Being sent again.
        OnResend = "onResend",
        /// A refund is being processed.
        RefundInProcess = "refundInProcess",
        /// Received back.
        ReceivedBack = "receivedBack",
        /// Partly received back.
        PartlyReceivedBack = "partlyReceivedBack",
        /// Pre-received.
        PreReceived = "preReceived",
        /// Incorrect: the order needs fixing.
        Incorrect = "incorrect",
        /// Suspended.
        Suspended = "suspended",
        /// Waiting for payment.
        WaitingForPayment = "waitingForPayment",
        /// Products are not available.
        ProductsNotAvailable = "productsNotAvailable",
        /// Packed.
        Packed = "packed",
        /// Waiting for the carrier.
        WaitingForCarrier = "waitingForCarrier",
    }
}

wire_enum! {
    /// `orderType` of orders and returns.
    pub enum OrderType matching eq_exact {
        /// Business to consumer.
        B2c = "b2c",
        /// Business to business.
        B2b = "b2b",
    }
}

wire_enum! {
    /// A product's `productType`.
    pub enum ProductType matching eq_exact {
        /// A pack.
        Pack = "pack",
        /// Packaging material.
        PackagingMaterial = "packagingMaterial",
        /// A semi-finished product.
        SemiProduct = "semiProduct",
        /// A final product.
        FinalProduct = "finalProduct",
        /// Promotional material.
        PromoMaterial = "promoMaterial",
        /// A virtual product (no stock).
        Virtual = "virtual",
        /// A service.
        ServiceProduct = "serviceProduct",
    }
}

wire_enum! {
    /// A product's `batteryType`.
    pub enum BatteryType matching eq_exact {
        /// No battery.
        No = "no",
        /// A battery inside the device.
        Device = "device",
        /// A battery packed with the device.
        Package = "package",
    }
}

wire_enum! {
    /// A product's `expMethod`: which stock leaves first.
    pub enum ExpMethod matching eq_exact {
        /// First in, first out.
        Fifo = "FIFO",
        /// First expired, first out.
        Fefo = "FEFO",
    }
}

wire_enum! {
    /// A receiving's `deliveryType`.
    pub enum DeliveryType matching eq_exact {
        /// A parcel courier.
        Courier = "courier",
        /// A transport company.
        TransportCompany = "transportCompany",
        /// A trucking company.
        TruckingCompany = "truckingCompany",
        /// A container.
        Container = "container",
    }
}

wire_enum! {
    /// A receiving's `urgent`.
    ///
    /// Skladon spells the third value `recievedWithoutAsn` (sic); that is the wire value this
    /// crate writes. The correct spelling `receivedWithoutAsn` is also read, as the same variant.
    pub enum Urgency matching eq_exact {
        /// On time.
        Ok = "ok",
        /// After the urgent date.
        AfterUrgent = "afterUrgent",
        /// Received without an advance shipping notice.
        RecievedWithoutAsn = "recievedWithoutAsn" | "receivedWithoutAsn",
    }
}

wire_enum! {
    /// A receiving's `receivingType`. Skladon publishes one example value only.
    pub enum ReceivingType matching eq_exact {
        /// Loose pieces, mixed.
        PieceMix = "piece_mix",
    }
}

wire_enum! {
    /// A receiving's `handlingUnits`. Skladon publishes one example value only.
    pub enum HandlingUnits matching eq_exact {
        /// Loose boxes.
        BoxLoose = "box_loose",
    }
}

wire_enum! {
    /// A receiving's `incoterms`: Skladon's example is `FOB`; the other Incoterms 2020 rules
    /// are listed too.
    pub enum Incoterms matching eq_exact {
        /// Ex works.
        Exw = "EXW",
        /// Free carrier.
        Fca = "FCA",
        /// Carriage paid to.
        Cpt = "CPT",
        /// Carriage and insurance paid to.
        Cip = "CIP",
        /// Delivered at place.
        Dap = "DAP",
        /// Delivered at place unloaded.
        Dpu = "DPU",
        /// Delivered duty paid.
        Ddp = "DDP",
        /// Free alongside ship.
        Fas = "FAS",
        /// Free on board.
        Fob = "FOB",
        /// Cost and freight.
        Cfr = "CFR",
        /// Cost, insurance and freight.
        Cif = "CIF",
    }
}

wire_enum! {
    /// A receiving's `status`. Skladon does not publish the full list; others are kept in
    /// `Other`.
    pub enum ReceivingStatus matching eq_exact {
        /// Announced, waiting for the goods.
        Awaiting = "awaiting",
        /// Received.
        Received = "received",
    }
}

wire_enum! {
    /// `lineState` of a receiving or return line. Skladon's examples show `D` and `E` without
    /// saying what they mean; others are kept in `Other`.
    pub enum LineState matching eq_exact {
        /// State `D` (meaning not published).
        D = "D",
        /// State `E` (meaning not published).
        E = "E",
    }
}

wire_enum! {
    /// A returned line's `returnReason`. Skladon publishes one example value only.
    pub enum ReturnReason matching eq_exact {
        /// The customer wants an exchange.
        Exchange = "exchange",
    }
}

wire_enum! {
    /// A returned line's `resolution`. Skladon publishes one example value only.
    pub enum Resolution matching eq_exact {
        /// Put back into stock.
        ReturnToInventory = "returnToInventory",
    }
}

wire_enum! {
    /// A stock movement's `type`.
    ///
    /// `completition` is Skladon's spelling (sic) and the wire value this crate writes; the
    /// correct `completion` is also read, as the same variant.
    pub enum StockMovementType matching eq_exact {
        /// A manual stock correction.
        StockCorrection = "stock_correction",
        /// Stock taken by an order.
        Order = "order",
        /// Stock from a return.
        Return = "return",
        /// Stock from a receiving.
        Receiving = "receiving",
        /// Stock used to complete (assemble) products.
        Completition = "completition" | "completion",
        /// An order's surplus.
        OrderSurplus = "order_surplus",
        /// An order was confirmed.
        OrderConfirmed = "order_confirmed",
        /// A return was confirmed.
        ReturnConfirmed = "return_confirmed",
        /// A receiving was confirmed.
        ReceivingConfirmed = "receiving_confirmed",
    }
}
