//! What the rules about sources beyond Zoom share (issue 19): where an address is, and who a
//! provider's name is.

use super::Config;
use super::geo::{self, Geo, Loc};
use anyhow::Result;
use std::collections::HashMap;
use std::sync::Arc;

/// Where a rule's locations come from, said in its findings.
pub const VIA_DB: &str = "the geolocation database";
pub const VIA_OWN: &str = "the record's own location (no geolocation database configured)";

/// Locates addresses: the configured database when there is one, else the record's own
/// location (Zoom's participant `location`, an identity provider's country).
pub struct Locator {
    geo: Option<Arc<Geo>>,
    cache: std::cell::RefCell<HashMap<String, Option<Loc>>>,
}

impl Locator {
    pub fn new(cfg: &Config) -> Result<Locator> {
        Ok(Locator {
            geo: match &cfg.geoip_db {
                Some(p) => Some(geo::load_cached(p)?),
                None => None,
            },
            cache: Default::default(),
        })
    }

    pub fn has_db(&self) -> bool {
        self.geo.is_some()
    }

    /// Where `ip` is, and what said so. `own_country` is an ISO code the record carries;
    /// `zoom_location` Zoom's "City (CC)".
    pub fn locate(
        &self,
        ip: &str,
        own_country: Option<&str>,
        zoom_location: Option<&str>,
    ) -> Option<(Loc, &'static str)> {
        if let Some(g) = &self.geo {
            let mut c = self.cache.borrow_mut();
            if let Some(hit) = c.get(ip) {
                return hit.clone().map(|l| (l, VIA_DB));
            }
            let l = g.lookup(ip);
            c.insert(ip.to_string(), l.clone());
            return l.map(|l| (l, VIA_DB));
        }
        if let Some(cc) = own_country.filter(|c| c.len() == 2) {
            return Some((
                Loc {
                    country: cc.to_ascii_uppercase(),
                    city: None,
                    coords: None,
                },
                VIA_OWN,
            ));
        }
        zoom_location
            .and_then(geo::from_zoom_location)
            .map(|l| (l, VIA_OWN))
    }
}

/// "geolocation database" or "the record's own location", for a finding's facts.
pub fn said_by(via: &str) -> String {
    format!("location from {via}")
}
