//! The refwatch dataset file: a documented JSON format
//! (`docs/dataset.schema.json`) for export, import and the demo data.
//!
//! Reading reports every problem it finds, each with its JSON path, instead
//! of stopping at the first. This crate converts between the file and
//! [`refwatch_domain::Dataset`]; it does not validate cross-record rules
//! (that is [`refwatch_domain::validate`]) and does no I/O.

#![deny(missing_docs)]

mod dto;
mod read;
mod write;

pub use read::{parse, parse_value};
pub use write::to_json;

/// The `format` value every dataset file carries.
pub const FORMAT: &str = "refwatch-dataset";
/// The version of the format this build reads and writes.
pub const VERSION: u32 = 1;

/// The OpenAPI schemas of one record of each kind, as this crate reads
/// and writes them (generated from its wire types, so the API's document
/// cannot drift from them): `(name, schema)`, the records' own first
/// (`Source`, `Place`, `Actor`, `Incident`, `Person`, `Mechanism`,
/// `Figure`), then what they refer to (`Citation`, `Count`…).
pub fn record_schemas() -> Vec<(
    String,
    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
)> {
    use utoipa::ToSchema;
    fn add<T: ToSchema>(
        out: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        out.push((T::name().into_owned(), T::schema()));
        T::schemas(out);
    }
    let mut out = Vec::new();
    add::<dto::SourceDto>(&mut out);
    add::<dto::PlaceDto>(&mut out);
    add::<dto::ActorDto>(&mut out);
    add::<dto::IncidentDto>(&mut out);
    add::<dto::PersonDto>(&mut out);
    add::<dto::MechanismDto>(&mut out);
    add::<dto::FigureDto>(&mut out);
    let mut seen = std::collections::HashSet::new();
    out.retain(|(name, _)| seen.insert(name.clone()));
    out
}

/// Turns a validation path (`incidents[3].kind`) into a JSON path
/// (`$.incidents[3].kind`).
pub fn json_path(path: &str) -> String {
    if path.is_empty() {
        "$".to_owned()
    } else {
        format!("$.{path}")
    }
}

#[cfg(test)]
mod tests;
