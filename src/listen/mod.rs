//! Webhook receiver: verifies Zoom's signatures and commits events before acknowledging them.
