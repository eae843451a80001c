//! [`Contact`]: the recipient's or billing party's fields, flat and prefixed on the wire.

/// Declares [`Contact`] and the wire suffix of each of its fields.
macro_rules! contact {
    ($($(#[$m:meta])* $field:ident = $suffix:literal),+ $(,)?) => {
        /// The recipient's or the billing party's name, address, tax and contact fields.
        ///
        /// On the wire they are flat fields of the order, prefixed `recipient` or `billing`:
        /// [`name`](Contact::name) is `recipientName` / `billingName`, and so on. All are text
        /// and optional.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct Contact {
            $($(#[$m])* pub $field: Option<String>,)+
        }

        /// The wire names of the recipient fields, in [`Contact::fields`] order.
        pub(super) const RECIPIENT: [&str; 14] = [$(concat!("recipient", $suffix)),+];
        /// The wire names of the billing fields, in [`Contact::fields`] order.
        pub(super) const BILLING: [&str; 14] = [$(concat!("billing", $suffix)),+];

        impl Contact {
            /// The field for a wire suffix (`Name`, `PostCode`...), with its index in
            /// [`Contact::fields`].
            pub(super) fn slot(&mut self, suffix: &str) -> Option<(usize, &mut Option<String>)> {
                let mut i = 0;
                $(
                    if suffix == $suffix {
                        return Some((i, &mut self.$field));
                    }
                    i += 1;
                )+
                let _ = i;
                None
            }

            /// Every field with its wire suffix, in Skladon's order.
            pub(super) fn fields(&self) -> [(&'static str, &Option<String>); 14] {
                [$(($suffix, &self.$field)),+]
            }

            /// Whether no field is set.
            #[must_use]
            pub fn is_empty(&self) -> bool {
                self.fields().iter().all(|(_, v)| v.is_none())
            }
        }
    };
}

contact! {
    /// `…Name`: the person's full name.
    name = "Name",
    /// `…AttentionName`: for the attention of.
    attention_name = "AttentionName",
    /// `…Email`.
    email = "Email",
    /// `…Phone`.
    phone = "Phone",
    /// `…CompanyName`.
    company_name = "CompanyName",
    /// `…CompanyId`: the company registration number.
    company_id = "CompanyId",
    /// `…TaxId`: the VAT number.
    tax_id = "TaxId",
    /// `…Street`: street and number.
    street = "Street",
    /// `…AddressAdditionalInfo`.
    address_additional_info = "AddressAdditionalInfo",
    /// `…City`.
    city = "City",
    /// `…State`: the country code in Skladon's example (`CZ`).
    state = "State",
    /// `…ProvinceCode`.
    province_code = "ProvinceCode",
    /// `…PostCode`.
    post_code = "PostCode",
    /// `…Gln`: the GS1 global location number.
    gln = "Gln",
}
