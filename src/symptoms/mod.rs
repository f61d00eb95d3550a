//! The guided symptom check (placeholder, being written).
