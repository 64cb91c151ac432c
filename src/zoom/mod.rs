//! The Zoom API client: auth, rate limiting, pagination. Never touches the store.
