//! The five entities Skladon sends (orders, products, receivings, returns, stock movements) and
//! their enums, one file each. Field names are the snake_case of Skladon's camelCase wire names.

pub use super::enums::*;
pub use super::order::{Contact, Order};
pub use super::product::Product;
pub use super::receiving::{Receiving, ReceivingProduct};
pub use super::returns::{Return, ReturnFile, ReturnedOrderProduct};
pub use super::stock_movement::StockMovement;
