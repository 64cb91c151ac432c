//! Plans and runs a pull from the Zoom API into a case, with checkpoints.
