//! Administration (users and roles, the audit log) and the public tables.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use refwatch_domain::Timestamp;
use refwatch_policy::{AdminOperation, Role, decide_admin};
use refwatch_service::ServiceError;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Visitor;
use crate::i18n::t;
use crate::pages::{failure, layout, page};

fn admin_only(v: &Visitor) -> Result<(), ServiceError> {
    // To anyone else these pages do not exist.
    if decide_admin(v.caller.principal, AdminOperation::ManageUsers).allowed() {
        Ok(())
    } else {
        Err(ServiceError::Store(refwatch_storage::StoreError::NotFound(
            String::new(),
        )))
    }
}

async fn users_page(
    state: &AppState,
    v: &Visitor,
    message: Option<Markup>,
) -> Result<Markup, ServiceError> {
    let l = v.lang;
    let users = state.core.for_caller(v.caller.clone()).users().await?;
    let body = html! {
        h1 { (t(l, "users")) }
        @if let Some(m) = message { (m) }
        table {
            thead { tr { th { (t(l, "username")) } th { (t(l, "role")) } th { (t(l, "state")) } th { (t(l, "set_role")) } th {} } }
            tbody {
                @for u in &users {
                    tr {
                        td { (u.username) }
                        td { (u.role.code()) }
                        td {
                            @if u.disabled { (t(l, "disabled")) }
                            @else { (t(l, "active")) }
                        }
                        td {
                            form method="post" action="/admin/users" {
                                input type="hidden" name="csrf" value=(v.csrf);
                                input type="hidden" name="username" value=(u.username);
                                input type="hidden" name="action" value="set_role";
                                select name="role" { @for r in Role::ALL { option value=(r.code()) selected[r == u.role] { (r.code()) } } }
                                button type="submit" { (t(l, "set_role")) }
                            }
                        }
                        td {
                            form method="post" action="/admin/users" {
                                input type="hidden" name="csrf" value=(v.csrf);
                                input type="hidden" name="username" value=(u.username);
                                @if u.disabled {
                                    input type="hidden" name="action" value="enable";
                                    button type="submit" { (t(l, "enable")) }
                                } @else {
                                    input type="hidden" name="action" value="disable";
                                    button type="submit" { (t(l, "disable")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (t(l, "add_user")) }
        form method="post" action="/admin/users" {
            input type="hidden" name="csrf" value=(v.csrf);
            input type="hidden" name="action" value="add";
            label { (t(l, "username")) input name="username" required pattern="[A-Za-z0-9._-]{1,64}"; }
            label { (t(l, "role")) select name="role" { @for r in Role::ALL { option value=(r.code()) selected[r == Role::Viewer] { (r.code()) } } } }
            button type="submit" { (t(l, "add_user")) }
        }
    };
    Ok(layout(v, t(l, "users"), "/admin/users", body))
}

pub(crate) async fn users(State(state): State<AppState>, v: Visitor) -> Response {
    if let Err(e) = admin_only(&v) {
        return failure(&v, &state, &e);
    }
    match users_page(&state, &v, None).await {
        Ok(m) => page(&v, &state, StatusCode::OK, m),
        Err(e) => failure(&v, &state, &e),
    }
}

/// An action on users.
#[derive(Deserialize)]
pub(crate) struct UserAction {
    csrf: String,
    action: String,
    username: String,
    #[serde(default)]
    role: String,
}

pub(crate) async fn user_action(
    State(state): State<AppState>,
    v: Visitor,
    Form(form): Form<UserAction>,
) -> Response {
    if let Err(e) = admin_only(&v) {
        return failure(&v, &state, &e);
    }
    if !v.posted_here(&form.csrf) {
        return failure(
            &v,
            &state,
            &ServiceError::Denied("post a form from elsewhere"),
        );
    }
    let l = v.lang;
    let core = state.core.for_caller(v.caller.clone());
    let role = Role::from_code(&form.role).unwrap_or(Role::Viewer);
    let result = match form.action.as_str() {
        "add" => core.add_user(&form.username, role, None).await.map(|account| {
            Some(html! { p.notice role="status" { (t(l, "added")) " " code { (account.password.expose()) } } })
        }),
        "set_role" => core.set_role(&form.username, role).await.map(|()| None),
        "disable" => core.set_user_disabled(&form.username, true).await.map(|()| None),
        "enable" => core.set_user_disabled(&form.username, false).await.map(|()| None),
        _ => Err(ServiceError::User("unknown action".into())),
    };
    let (status, message) = match result {
        Ok(m) => (StatusCode::OK, m),
        Err(ServiceError::User(m)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(html! { p.error role="alert" { (m) } }),
        ),
        Err(e) => return failure(&v, &state, &e),
    };
    match users_page(&state, &v, message).await {
        Ok(m) => page(&v, &state, status, m),
        Err(e) => failure(&v, &state, &e),
    }
}

pub(crate) async fn audit(State(state): State<AppState>, v: Visitor) -> Response {
    if let Err(e) = admin_only(&v) {
        return failure(&v, &state, &e);
    }
    let l = v.lang;
    let core = state.core.for_caller(v.caller.clone());
    let (report, entries) = match (core.verify_audit().await, core.audit_entries().await) {
        (Ok(r), Ok(e)) => (r, e),
        (Err(e), _) | (_, Err(e)) => return failure(&v, &state, &e),
    };
    let body = html! {
        h1 { (t(l, "audit")) }
        @if report.findings.is_empty() {
            p.notice { (t(l, "audit_ok")) " " (t(l, "head")) ": " code { (report.head) } }
        } @else {
            div.error { p { (t(l, "audit_bad")) } ul { @for f in &report.findings { li { (f.to_string()) } } } }
        }
        table {
            thead { tr { th { "#" } th { (t(l, "when")) } th { (t(l, "who")) } th { (t(l, "action")) } th { (t(l, "target")) } } }
            tbody {
                @for e in entries.iter().rev().take(200) {
                    tr {
                        td.n { (e.seq) }
                        td { (Timestamp::to_string(&e.event.at)) }
                        td { (e.event.actor) }
                        td { (e.event.action) " " (e.event.detail) }
                        td { (e.event.target_kind.as_deref().unwrap_or("")) " " (e.event.target_id.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        layout(&v, t(l, "audit"), "/admin/audit", body),
    )
}

pub(crate) async fn public_tables(State(state): State<AppState>, v: Visitor) -> Response {
    let l = v.lang;
    let core = state.core.for_caller(refwatch_service::Caller::public());
    let tables = match core.public_tables(5).await {
        Ok(t) => t,
        Err(e) => return failure(&v, &state, &e),
    };
    if let Err(e) = core.count_public_view("public tables").await {
        return failure(&v, &state, &e);
    }
    let vocab = refwatch_domain::Vocabularies::builtin();
    let body = html! {
        h1 { (t(l, "public_tables")) }
        p { (t(l, "public_tables_note")) }
        @for table in tables.iter() {
            @let vocabulary = refwatch_stats::files::value_vocabulary(table.dimension);
            @let by = match table.dimension {
                refwatch_domain::Dimension::Sex => "sex",
                refwatch_domain::Dimension::AgeGroup => "age_group",
                refwatch_domain::Dimension::Category => "category",
            };
            h2 { (t(l, by)) }
            p.basis { code { (table.name) ".csv" } }
            div.scroll { table {
                thead {
                    tr {
                        th { (t(l, "year")) }
                        @for c in &table.table.cols {
                            @let term = refwatch_domain::Term::new(c.as_str());
                            // "unknown" is a column of every table, not a term of every vocabulary.
                            @let column = if c == "unknown" { refwatch_domain::Vocabulary::Sex } else { vocabulary };
                            th { (vocab.label(column, &term, l)) }
                        }
                        th { (t(l, "total")) }
                    }
                }
                tbody {
                    @for r in 0..=table.table.rows.len() {
                        tr {
                            th { (table.table.rows.get(r).map_or(t(l, "total"), String::as_str)) }
                            @for c in 0..=table.table.cols.len() { td.n { (table.table.text(r, c)) } }
                        }
                    }
                }
            } }
        }
    };
    page(
        &v,
        &state,
        StatusCode::OK,
        layout(&v, t(l, "public_tables"), "/public", body),
    )
}
