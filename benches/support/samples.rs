//! What the listener benches share: knobs from the environment, and Zoom's webhook samples
//! (every `webhook_*` sample beside the checkout, not the challenge or the signature vector).

use serde_json::Value;
use std::path::Path;

pub fn env_or<T: std::str::FromStr>(k: &str, d: T) -> T {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

/// Event templates: every webhook sample in ../shared/zoom/samples, in name order.
pub fn templates() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/zoom/samples");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with("webhook_")
                && !n.contains("url_validation")
                && !n.contains("signature_test_vector")
        })
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| serde_json::from_str(&std::fs::read_to_string(dir.join(n)).unwrap()).unwrap())
        .collect()
}
