//! Identifiers in Zoom's shapes, drawn from the generator's RNG (never from the clock or a
//! global counter), unique by construction where collisions would change counts.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A 22-character Zoom user id (base64url of 16 bytes); `n` makes it unique.
pub fn user_id(rng: &mut ChaCha8Rng, n: u64) -> String {
    let mut b = [0u8; 16];
    rng.fill(&mut b[..12]);
    b[12..].copy_from_slice(&(n as u32).to_be_bytes());
    URL_SAFE_NO_PAD.encode(b)
}

/// A meeting instance UUID as Zoom prints it (24 characters of standard base64 ending in
/// `==`). Every 23rd starts with "/" and every 37th contains "//" so that clients must
/// double-encode them in paths.
pub fn meeting_uuid(rng: &mut ChaCha8Rng, n: u64) -> String {
    let mut b = [0u8; 16];
    rng.fill(&mut b[..12]);
    b[12..].copy_from_slice(&(n as u32).to_be_bytes());
    if n % 23 == 5 {
        b[0] |= 0xFC; // first sextet 63: "/"
    } else if n % 37 == 11 {
        b[3] = 0xFF; // sextets 4 and 5 both 63: "//"
        b[4] |= 0xF0;
        b[0] &= 0x7F; // keep it from also starting with "/"
    } else if b[0] >= 0xFC {
        b[0] &= 0x7F;
    }
    STANDARD.encode(b)
}

/// A numeric meeting id (11 digits); a bijection of `n`, so distinct for distinct `n`.
pub fn meeting_number(n: u64) -> i64 {
    (81_000_000_000u64 + (n.wrapping_mul(2_654_435_761) % 18_000_000_000)) as i64
}

/// A personal meeting id (10 digits), distinct per person.
pub fn pmi(n: u64) -> i64 {
    (4_000_000_000u64 + (n.wrapping_mul(2_246_822_519) % 5_000_000_000)) as i64
}

/// A UUID-4-looking string (recording file ids, participant uuids).
pub fn uuid4(rng: &mut ChaCha8Rng, upper: bool) -> String {
    let mut b = [0u8; 16];
    rng.fill(&mut b[..]);
    b[6] = (b[6] & 0x0F) | 0x40;
    b[8] = (b[8] & 0x3F) | 0x80;
    let h = hex::encode(b);
    let s = format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    );
    if upper { s.to_ascii_uppercase() } else { s }
}

/// A random token of `len` url-safe characters (chat message ids, share urls).
pub fn token(rng: &mut ChaCha8Rng, len: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| A[rng.random_range(0..A.len())] as char)
        .collect()
}

/// A MAC address in Zoom's dashboard form (`f85e-a012-92d8`).
pub fn mac(rng: &mut ChaCha8Rng) -> String {
    let b: [u8; 6] = rng.random();
    format!(
        "{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}",
        b[0] & 0xFE,
        b[1],
        b[2],
        b[3],
        b[4],
        b[5]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn uuids_exercise_double_encoding_and_stay_unique() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let v: Vec<String> = (0..500).map(|n| meeting_uuid(&mut rng, n)).collect();
        assert!(v.iter().any(|u| u.starts_with('/')));
        assert!(v.iter().any(|u| u.contains("//") && !u.starts_with('/')));
        assert!(v.iter().all(|u| u.len() == 24 && u.ends_with("==")));
        let mut s = v.clone();
        s.sort();
        s.dedup();
        assert_eq!(s.len(), v.len());
        let mut ids: Vec<i64> = (0..100_000).map(meeting_number).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 100_000);
        assert!(
            ids.iter()
                .all(|i| (10_000_000_000..100_000_000_000).contains(i))
        );
    }
}
