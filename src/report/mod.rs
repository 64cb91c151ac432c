//! Exports of findings and views.
