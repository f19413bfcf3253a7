//! Multiple systems estimation: how many people were never documented,
//! from the overlap of several lists.
//!
//! Pure: a table of capture patterns in, estimates out; no I/O, no clock,
//! and randomness only from a seeded generator, so every result can be
//! reproduced. Three families of methods:
//!
//! - [`loglinear`]: closed-population log-linear models (Rcapture's
//!   twelve, Mh Normal, Mt with two-way interactions), fitted by Poisson
//!   regression as R's Rcapture does, with its standard errors and bias
//!   warnings, profile likelihood intervals, Akaike weights and AIC/BIC
//!   model choice;
//! - [`bma`]: Bayesian model averaging over decomposable graphical models
//!   (Madigan and York 1997), as R's dga;
//! - [`lcmcr`]: the Bayesian non-parametric latent class model of
//!   Manrique-Vallier (2016, Biometrics), as in R's LCMCR, by Gibbs sampling.
//!
//! [`warnings`] says when the assumptions behind them are shaky.

#![deny(missing_docs)]

pub mod bma;
pub mod diagnostics;
pub mod lcmcr;
pub mod loglinear;
pub mod simulate;
mod table;
pub mod warnings;

pub use table::{CaptureTable, TableError};

#[cfg(test)]
mod tests;
