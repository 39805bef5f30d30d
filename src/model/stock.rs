//! Live stock as clients see it: one product's stock after a change (the data of an
//! `event: stock` on `/api/stock/events`, and a line of the `/api/stock/` snapshot), and
//! which products a client may ask to watch.

use serde::{Deserialize, Serialize};

/// A product's stock as shoppers see it: 0 once archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProductStock {
    pub product_id: i32,
    pub stock: i32,
}

/// Where a back-in-stock email's unsubscribe link leads (the page, and its form's post).
pub const UNSUBSCRIBE_PATH: &str = "/back-in-stock/unsubscribe";

/// At most this many products in one `products=` list (a page shows at most 48).
pub const MAX_WATCHED: usize = 100;

/// `products=1,2,3`: distinct product ids, in order. Blank means every product (`None`).
pub fn parse_product_ids(list: &str) -> Result<Option<Vec<i32>>, String> {
    let list = list.trim();
    if list.is_empty() {
        return Ok(None);
    }
    let mut ids = Vec::new();
    for part in list.split(',') {
        let id = part
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| {
                "products must be a comma-separated list of product ids (positive whole numbers)"
                    .to_owned()
            })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
        if ids.len() > MAX_WATCHED {
            return Err(format!("products may list at most {MAX_WATCHED} ids"));
        }
    }
    Ok(Some(ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_lists() {
        assert_eq!(parse_product_ids(""), Ok(None));
        assert_eq!(parse_product_ids(" 3, 1,3 "), Ok(Some(vec![3, 1])));
        for bad in ["0", "-1", "1,,2", "x", "99999999999999999999", "1;2", "1 2"] {
            assert!(parse_product_ids(bad).is_err(), "{bad}");
        }
        let many = (1..=101)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert!(parse_product_ids(&many).is_err());
    }
}
