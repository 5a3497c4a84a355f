//! Scenarios: projections under a model, the $1T milestone, and the demand gap.

pub mod gap;
pub mod milestone;
pub mod nowcast;
pub mod projection;
pub mod scenario;
pub mod vintage;
