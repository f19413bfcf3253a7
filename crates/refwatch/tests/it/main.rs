//! Integration tests of the `refwatch` binary, run as a process on
//! temporary data directories.

mod cli;
mod demo_data;
mod estimate;
mod evidence;
mod link;
mod protection;
mod report;
mod review;
mod schema;
mod serve;
mod sheets;
mod support;
