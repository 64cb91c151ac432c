//! Synthetic Zoom tenant: deterministic generator, Zoom-compatible HTTP simulator, planted incidents.
