//! Scenarios: projections under a model, the $1T milestone, and the demand gap.

pub mod cycle;
pub mod gap;
pub mod hierarchy;
pub mod milestone;
pub mod nowcast;
pub mod projection;
pub mod runrate;
pub mod scenario;
pub mod vintage;
