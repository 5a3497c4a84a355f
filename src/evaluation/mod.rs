//! Evaluation: accuracy metrics, rolling-origin splits, and model selection by holdout.

pub mod accuracy;
pub mod backtest;
pub mod conformal;
pub mod industry;
pub mod metrics;
pub mod select;
pub mod simulation;
