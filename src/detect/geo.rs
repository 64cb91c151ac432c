//! Offline IP geolocation: a MaxMind-format database (`.mmdb`: GeoLite2 City or Country, DB-IP
//! Lite, read with the `maxminddb` crate) or a CSV of address ranges in DB-IP's or
//! IP2Location's layout. Nothing is ever looked up over the network.
//!
//! Without a database, the record's own location is used where it has one (Zoom's participant
//! `location`, "New York (US)"; an identity provider's country), and callers say which they used.

use anyhow::{Context, Result, bail};
use std::net::IpAddr;
use std::path::Path;

/// Where an address is.
#[derive(Debug, Clone, PartialEq)]
pub struct Loc {
    /// ISO 3166 alpha-2, upper case.
    pub country: String,
    pub city: Option<String>,
    /// Degrees, when the source knows them.
    pub coords: Option<(f64, f64)>,
}

impl Loc {
    /// "City, CC" or "CC".
    pub fn label(&self) -> String {
        match &self.city {
            Some(c) => format!("{c}, {}", self.country),
            None => self.country.clone(),
        }
    }
}

/// A loaded geolocation database.
pub enum Geo {
    Mmdb(maxminddb::Reader<Vec<u8>>),
    Ranges {
        v4: Vec<(u32, u32, usize)>,
        v6: Vec<(u128, u128, usize)>,
        locs: Vec<Loc>,
    },
}

impl std::fmt::Debug for Geo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Geo::Mmdb(r) => write!(f, "Geo::Mmdb({})", r.metadata.database_type),
            Geo::Ranges { v4, v6, .. } => write!(f, "Geo::Ranges({} + {})", v4.len(), v6.len()),
        }
    }
}

/// The MaxMind DB metadata marker (the format's spec: the last occurrence starts the metadata).
const MMDB_MARKER: &[u8] = b"\xab\xcd\xefMaxMind.com";

impl Geo {
    /// Open a database, telling the format from its content.
    pub fn open(path: &Path) -> Result<Geo> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read the geolocation database {}", path.display()))?;
        let tail = &bytes[bytes.len().saturating_sub(128 * 1024)..];
        if tail.windows(MMDB_MARKER.len()).any(|w| w == MMDB_MARKER) {
            let r = maxminddb::Reader::from_source(bytes).map_err(|e| {
                anyhow::anyhow!(
                    "{}: not a readable MaxMind database ({e}); what to do: point geoip_db / \
                     --geoip at a GeoLite2, DB-IP Lite or IP2Location file",
                    path.display()
                )
            })?;
            return Ok(Geo::Mmdb(r));
        }
        let text = String::from_utf8(bytes).map_err(|_| {
            anyhow::anyhow!(
                "{}: neither a MaxMind .mmdb database nor a CSV of ranges; what to do: point \
                 geoip_db / --geoip at a .mmdb file or a DB-IP / IP2Location CSV",
                path.display()
            )
        })?;
        Self::from_csv(&text).with_context(|| format!("in {}", path.display()))
    }

    /// A CSV of ranges: DB-IP (`start,end,country` or `start,end,continent,country,region,
    /// city,lat,lon`, addresses as text) or IP2Location (`from,to,country_code,country_name,
    /// region,city,lat,lon`, addresses as integers). A header line is skipped.
    pub fn from_csv(text: &str) -> Result<Geo> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let (mut v4, mut v6, mut locs) = (Vec::new(), Vec::new(), Vec::new());
        for (n, rec) in r.records().enumerate() {
            let rec = rec.with_context(|| format!("line {}", n + 1))?;
            let f: Vec<&str> = rec.iter().map(str::trim).collect();
            if f.len() < 3 {
                bail!("line {}: a range needs start, end and a country", n + 1);
            }
            let (Some(a), Some(b)) = (addr(f[0]), addr(f[1])) else {
                if n == 0 {
                    continue; // a header
                }
                bail!(
                    "line {}: {:?} – {:?} is not an address range",
                    n + 1,
                    f[0],
                    f[1]
                );
            };
            let is_code = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic());
            // DB-IP City puts the continent before the country; IP2Location the name after.
            let (cc, city, lat, lon) = if f.len() >= 4 && is_code(f[2]) && is_code(f[3]) {
                (f[3], f.get(5), f.get(6), f.get(7))
            } else {
                (f[2], f.get(5), f.get(6), f.get(7))
            };
            if !is_code(cc) {
                if cc == "-" {
                    continue; // IP2Location's unallocated ranges
                }
                bail!("line {}: {cc:?} is not a two-letter country code", n + 1);
            }
            let city = city
                .filter(|c| !c.is_empty() && **c != "-")
                .map(|c| c.to_string());
            let coords = match (
                lat.and_then(|s| s.parse().ok()),
                lon.and_then(|s| s.parse().ok()),
            ) {
                (Some(a), Some(o)) => Some((a, o)),
                _ => None,
            };
            locs.push(Loc {
                country: cc.to_ascii_uppercase(),
                city,
                coords,
            });
            let i = locs.len() - 1;
            match (a, b) {
                (A::V4(a), A::V4(b)) => v4.push((a, b, i)),
                (A::V6(a), A::V6(b)) => v6.push((a, b, i)),
                _ => bail!("line {}: a range from IPv4 to IPv6", n + 1),
            }
        }
        v4.sort_unstable();
        v6.sort_unstable();
        Ok(Geo::Ranges { v4, v6, locs })
    }

    /// Where an address is, if the database knows.
    pub fn lookup(&self, ip: &str) -> Option<Loc> {
        let ip: IpAddr = ip.trim().parse().ok()?;
        match self {
            Geo::Mmdb(r) => mmdb_lookup(r, ip),
            Geo::Ranges { v4, v6, locs } => {
                let i = match ip {
                    IpAddr::V4(a) => find(v4, u32::from(a)),
                    IpAddr::V6(a) => match a.to_ipv4_mapped() {
                        Some(m) => find(v4, u32::from(m)),
                        None => find(v6, u128::from(a)),
                    },
                }?;
                locs.get(i).cloned()
            }
        }
    }
}

fn find<T: Ord + Copy>(ranges: &[(T, T, usize)], x: T) -> Option<usize> {
    let k = ranges.partition_point(|r| r.0 <= x);
    let r = ranges.get(k.checked_sub(1)?)?;
    (x <= r.1).then_some(r.2)
}

enum A {
    V4(u32),
    V6(u128),
}

/// An address as text, or as IP2Location's integer (IPv4 up to 2^32, else IPv6).
fn addr(s: &str) -> Option<A> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(match ip {
            IpAddr::V4(a) => A::V4(a.into()),
            IpAddr::V6(a) => A::V6(a.into()),
        });
    }
    let n: u128 = s.parse().ok()?;
    Some(match u32::try_from(n) {
        Ok(v) => A::V4(v),
        Err(_) => A::V6(n),
    })
}

/// The fields GeoLite2 City/Country and DB-IP Lite share.
#[derive(serde::Deserialize)]
struct MmdbRec {
    #[serde(default)]
    country: Option<MmdbCountry>,
    #[serde(default)]
    registered_country: Option<MmdbCountry>,
    #[serde(default)]
    city: Option<MmdbCity>,
    #[serde(default)]
    location: Option<MmdbLocation>,
}
#[derive(serde::Deserialize)]
struct MmdbCountry {
    #[serde(default)]
    iso_code: Option<String>,
}
#[derive(serde::Deserialize)]
struct MmdbCity {
    #[serde(default)]
    names: std::collections::BTreeMap<String, String>,
}
#[derive(serde::Deserialize)]
struct MmdbLocation {
    #[serde(default)]
    latitude: Option<f64>,
    #[serde(default)]
    longitude: Option<f64>,
}

fn mmdb_lookup(r: &maxminddb::Reader<Vec<u8>>, ip: IpAddr) -> Option<Loc> {
    let rec: MmdbRec = r.lookup(ip).ok()?.decode().ok()??;
    let country = rec
        .country
        .and_then(|c| c.iso_code)
        .or_else(|| rec.registered_country.and_then(|c| c.iso_code))?;
    let city = rec.city.and_then(|c| {
        c.names
            .get("en")
            .cloned()
            .or_else(|| c.names.into_values().next())
    });
    let coords = rec.location.and_then(|l| Some((l.latitude?, l.longitude?)));
    Some(Loc {
        country,
        city,
        coords,
    })
}

/// Open a database once per process (detect, the SQL functions and the console share it).
pub fn load_cached(path: &Path) -> Result<std::sync::Arc<Geo>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<std::path::PathBuf, Arc<Geo>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(g) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(path) {
        return Ok(g.clone());
    }
    let g = Arc::new(Geo::open(path)?);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(path.to_path_buf(), g.clone());
    Ok(g)
}

/// Zoom's own participant `location` ("New York (US)", "Singapore (SG)"): its country code and
/// city, without coordinates.
pub fn from_zoom_location(s: &str) -> Option<Loc> {
    let s = s.trim();
    let (city, rest) = s.rsplit_once('(')?;
    let cc = rest.strip_suffix(')')?.trim();
    if cc.len() != 2 || !cc.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let city = city.trim();
    Some(Loc {
        country: cc.to_ascii_uppercase(),
        city: (!city.is_empty()).then(|| city.to_string()),
        coords: None,
    })
}

/// Great-circle distance in kilometres.
pub fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_layouts_of_db_ip_and_ip2location() {
        let g = Geo::from_csv(
            "ip_start,ip_end,continent,country,stateprov,city,latitude,longitude\n\
             198.51.100.0,198.51.100.255,NA,US,New York,New York,40.71,-74.01\n\
             2001:db8:f:2::,2001:db8:f:2:ffff:ffff:ffff:ffff,EU,GB,England,London,51.51,-0.13\n",
        )
        .unwrap();
        let l = g.lookup("198.51.100.10").unwrap();
        assert_eq!(
            (l.country.as_str(), l.label()),
            ("US", "New York, US".into())
        );
        assert_eq!(g.lookup("2001:db8:f:2::99").unwrap().country, "GB");
        assert_eq!(g.lookup("::ffff:198.51.100.7").unwrap().country, "US");
        assert!(g.lookup("198.51.101.1").is_none());
        // IP2Location: integers, country code then name; "-" for unknown.
        let g = Geo::from_csv(
            "\"16843008\",\"16843263\",\"AU\",\"Australia\",\"Queensland\",\"Brisbane\",\"-27.46794\",\"153.02809\"\n\
             \"16843264\",\"16843519\",\"-\",\"-\",\"-\",\"-\",\"0\",\"0\"\n",
        )
        .unwrap();
        let l = g.lookup("1.1.1.1").unwrap();
        assert_eq!(l.city.as_deref(), Some("Brisbane"));
        assert!(g.lookup("1.1.2.1").is_none());
        // DB-IP Country Lite: three columns.
        let g = Geo::from_csv("1.0.0.0,1.0.0.255,AU\n").unwrap();
        assert_eq!(g.lookup("1.0.0.9").unwrap().label(), "AU");
    }

    /// The committed fixture (tests/fixtures/geo/make_geo_fixture.py writes both files): the
    /// MaxMind reader and the CSV reader agree on every network, IPv4 and IPv6.
    #[test]
    fn mmdb_fixture_reads_like_its_csv() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/geo");
        let mmdb = Geo::open(&dir.join("geo.mmdb")).unwrap();
        assert!(matches!(mmdb, Geo::Mmdb(_)));
        let csv = Geo::open(&dir.join("geo.csv")).unwrap();
        for ip in [
            "198.51.100.10",
            "192.0.2.44",
            "203.0.113.240",
            "203.0.113.250",
            "2001:db8:f:1:abcd::1",
            "2001:db8:f:2::9",
        ] {
            let (a, b) = (mmdb.lookup(ip), csv.lookup(ip));
            assert!(a.is_some(), "{ip}");
            assert_eq!(a, b, "{ip}");
        }
        let m = mmdb.lookup("203.0.113.250").unwrap();
        assert_eq!(
            (m.country.as_str(), m.label()),
            ("RU", "Moscow, RU".to_string())
        );
        assert_eq!(m.coords, Some((55.7522, 37.6156)));
        for ip in ["203.0.113.239", "10.0.0.1", "2001:db8:f:3::1"] {
            assert!(
                mmdb.lookup(ip).is_none() && csv.lookup(ip).is_none(),
                "{ip}"
            );
        }
        // Neither format: a clear error saying what to do.
        let e = Geo::from_csv("hello,world,x\nfoo,bar,baz\n").unwrap_err();
        assert!(format!("{e:#}").contains("not an address range"), "{e:#}");
    }

    #[test]
    fn zoom_location_and_distances() {
        let l = from_zoom_location("New York (US)").unwrap();
        assert_eq!(
            (l.country.as_str(), l.city.as_deref()),
            ("US", Some("New York"))
        );
        assert!(from_zoom_location("somewhere").is_none());
        let d = km((40.71, -74.01), (51.51, -0.13));
        assert!((5550.0..5600.0).contains(&d), "{d}");
    }
}
