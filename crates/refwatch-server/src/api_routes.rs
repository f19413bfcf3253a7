//! Every operation of `/api/v1`, routed and documented in one list (the
//! records' own operations are added by `record_api`, from the list of
//! record kinds).

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, patch, post, put};
use refwatch_service::RecordKind;

use crate::api::{self, IncidentFilters, Paging, StatsQuery};
use crate::apidoc::{Api, Method, Op};
use crate::codes::ApiCode::{
    BadFilter, BadLimit, BadSignIn, BadYear, Damaged, EmptyQuery, IdMismatch, NotFound, Refused,
    TooLarge, TryLater,
};
use crate::evidence;

/// The API's operations other than those made per record kind.
pub(crate) fn routes(api: Api) -> Api {
    let api = sessions_and_accounts(api);
    let api = lists(api);
    let api = linkage(api);
    let api = evidence_files(api);
    api.add(
        Method::Get,
        "/api/v1/incidents/{id}",
        get(api::incident),
        Op::new("One incident, if the caller may read it")
            .answers_record(RecordKind::Incident)
            .fails(&[NotFound]),
    )
    .add(
        Method::Put,
        "/api/v1/incidents/{id}",
        put(api::update_incident),
        Op::new("Replace an incident, keeping the earlier version (bearer token; editors and administrators)")
            .signed()
            .record(RecordKind::Incident)
            .answers(200, "Saved")
            .fails(&[IdMismatch, NotFound]),
    )
    .add(
        Method::Post,
        "/api/v1/incidents",
        post(api::create_incident),
        Op::new("Record an incident (bearer token; editors and administrators); an id is made when the body has none")
            .signed()
            .record(RecordKind::Incident)
            .answers_created()
            .fails(&[NotFound]),
    )
    .add(
        Method::Get,
        "/api/v1/persons/{id}",
        get(api::person),
        Op::new("One person's non-identifying record (members only; identities have their own audited route)")
            .answers(200, "The person: sex, birth year, age group, category, timeline, incidents, consent, level")
            .fails(&[NotFound]),
    )
    .add(
        Method::Get,
        "/api/v1/persons/{id}/identity",
        get(api::person_identity),
        Op::new("A person's identity, for roles the policy allows; every read is audited")
            .answers(200, "The identity")
            .fails(&[NotFound]),
    )
    .add(
        Method::Get,
        "/api/v1/stats/per-year",
        get(api::stats_per_year),
        Op::new("People and incidents per year and kind, as documented minimum, best and high; each cell lists its incidents")
            .query::<StatsQuery>()
            .answers(200, "The table: by, and rows of year, kind, incidents, people and incident_ids")
            .fails(&[BadFilter, BadYear]),
    )
    .add(
        Method::Get,
        "/api/v1/public/tables",
        get(api::public_tables),
        Op::new("The public tables of people by year, with small counts and their complements hidden (docs/public-export.md)")
            .answers(200, "tables: name, dimension, threshold, rows, cols, cells (last row and column are totals)"),
    )
}

fn sessions_and_accounts(api: Api) -> Api {
    api.add(
        Method::Post,
        "/api/v1/session",
        post(api::create_session),
        Op::new("Sign in: get a session token for Authorization: Bearer")
            .json::<api::SignInBody>()
            .answers(201, "Signed in: token, expires_at, must_change_password")
            .fails(&[BadSignIn, TryLater]),
    )
    .add(
        Method::Delete,
        "/api/v1/session",
        delete(api::delete_session),
        Op::new("Sign out: end the session whose token is sent")
            .signed()
            .answers_empty(204, "Signed out"),
    )
    .add(
        Method::Post,
        "/api/v1/password",
        post(api::change_password),
        Op::new("Change the signed-in account's own password")
            .signed()
            .json::<api::PasswordChange>()
            .answers_empty(204, "Changed")
            .fails(&[BadSignIn, NotFound, Refused, TryLater]),
    )
    .add(
        Method::Get,
        "/api/v1/admin/users",
        get(api::users),
        Op::new("Accounts (administrators): username, role, state; never password hashes or second factors")
            .answers(200, "total, items")
            .fails(&[NotFound]),
    )
    .add(
        Method::Post,
        "/api/v1/admin/users",
        post(api::add_user),
        Op::new("Add an account (administrators); the answer carries its one-time password")
            .signed()
            .json::<api::NewUser>()
            .answers(201, "username, role, one_time_password")
            .fails(&[BadFilter, NotFound, Refused]),
    )
    .add(
        Method::Patch,
        "/api/v1/admin/users/{username}",
        patch(api::change_user),
        Op::new("Change an account's role or disable/enable it (administrators); ends its sessions")
            .signed()
            .json::<api::UserChange>()
            .answers_empty(204, "Changed")
            .fails(&[BadFilter, Refused]),
    )
    .add(
        Method::Get,
        "/api/v1/admin/audit/verify",
        get(api::audit_verify),
        Op::new("Verify the audit log's sealed chain (administrators)")
            .answers(200, "intact, entries, head, findings")
            .fails(&[NotFound]),
    )
}

fn lists(api: Api) -> Api {
    let list = |summary| Op::new(summary).query::<Paging>().fails(&[BadLimit]);
    api.add(
        Method::Get,
        "/api/v1/incidents",
        get(api::incidents),
        list("Incidents the caller may read, newest first, filtered and in pages")
            .query::<IncidentFilters>()
            .answers_page(Some(RecordKind::Incident))
            .fails(&[BadFilter, BadYear]),
    )
    .add(
        Method::Get,
        "/api/v1/sources",
        get(api::sources),
        list("Sources the caller may read").answers_page(Some(RecordKind::Source)),
    )
    .add(
        Method::Get,
        "/api/v1/places",
        get(api::places),
        list("Places, with their names in English, Korean and Chinese and coordinates")
            .answers_page(None),
    )
    .add(
        Method::Get,
        "/api/v1/actors",
        get(api::actors),
        list("Actors (states, agencies, security forces, UN bodies…) with their names")
            .answers_page(None),
    )
    .add(
        Method::Get,
        "/api/v1/mechanisms",
        get(api::mechanisms),
        list("UN mechanism records with the incidents that bear on them").answers_page(None),
    )
    .add(
        Method::Get,
        "/api/v1/persons",
        get(api::persons),
        list("Persons the caller may read, without identities (signed-in callers only)")
            .answers_page(None)
            .fails(&[NotFound]),
    )
}

fn linkage(api: Api) -> Api {
    api.add(
        Method::Get,
        "/api/v1/links/{kind}",
        get(api::link_review),
        Op::new("The latest linkage run of persons or incidents and its suggested pairs on records the caller may read, most probable first: probability, the decision standing (same, different or null) and each field's comparison level and weight; never a compared value (members who may review links)")
            .answers(200, "run (null before the first run), suggestions"),
    )
    .add(
        Method::Post,
        "/api/v1/links/{kind}/run",
        post(api::link_run),
        Op::new("Run the linkage of persons (identities compared inside the core) or incidents, with decisions so far as labels; replaces the previous run's suggestions")
            .signed()
            .optional_json::<api::RunRequest>()
            .answers(200, "records, candidate_pairs, suggested, undecided, diagnostics")
            .fails(&[Refused]),
    )
    .add(
        Method::Post,
        "/api/v1/links/{kind}/decisions",
        post(api::link_decide),
        Op::new("Decide that two records are the same or different, or (verdict null) take the decision back; the records are never changed; audited")
            .signed()
            .json::<api::DecisionRequest>()
            .answers(200, "kind, a, b, decision")
            .fails(&[BadFilter, Refused]),
    )
    .add(
        Method::Post,
        "/api/v1/links/{kind}/split",
        post(api::link_split),
        Op::new("Take a record out of its group: every decision that it is the same as another becomes different; audited")
            .signed()
            .json::<api::SplitRequest>()
            .answers(200, "changed: the pairs now decided different")
            .fails(&[Refused]),
    )
}

fn evidence_files(api: Api) -> Api {
    api.add(
        Method::Get,
        "/api/v1/search",
        get(evidence::api_search),
        Op::new("Search incidents, persons, sources, citations, UN texts and evidence texts in English (stemmed), Korean and Chinese (letter pairs: a word is found inside compounds and under particles). Only what the caller may read is found or counted; names are searched only for roles that read identities.")
            .query::<evidence::SearchQuery>()
            .answers(200, "total, facets by kind, language and level, and hits with snippets (segments, the words found marked)")
            .fails(&[EmptyQuery, BadLimit, BadYear, BadFilter, Refused]),
    )
    .add(
        Method::Get,
        "/api/v1/evidence",
        get(evidence::api_list),
        Op::new("Evidence files the caller may read: SHA-256, kind, size, source, level, what came of reading the text")
            .answers_with(200, "The files", "application/json", serde_json::json!({ "type": "array", "items": { "type": "object" } })),
    )
    .add(
        Method::Post,
        "/api/v1/evidence",
        post(evidence::api_add).layer(DefaultBodyLimit::max(crate::MAX_UPLOAD)),
        Op::new("Take a file in (editors and administrators; bearer token). The body is the file's bytes. Stored sealed by SHA-256; the same bytes again are recognised (200, duplicate true) and added to that file's custody; a file whose text cannot be read is stored with the reason (note).")
            .signed()
            .query::<evidence::IntakeQuery>()
            .bytes()
            .answers(200, "Stored already (duplicate true)")
            .answers(201, "Stored")
            .fails(&[NotFound, TooLarge, Refused]),
    )
    .add(
        Method::Get,
        "/api/v1/evidence/{id}",
        get(evidence::api_one),
        Op::new("One file's record and chain of custody (the look is recorded in it)")
            .answers(200, "The record with its custody")
            .fails(&[NotFound]),
    )
    .add(
        Method::Get,
        "/api/v1/evidence/{id}/original",
        get(evidence::api_original),
        Op::new("The original bytes, re-hashed as they are read (a download entry in the custody); always application/octet-stream")
            .answers_with(200, "The bytes", "application/octet-stream", serde_json::json!({ "type": "string", "format": "binary" }))
            .fails(&[NotFound, Damaged]),
    )
}
