//! Who may do what: the one place that decides every allow or deny.
//!
//! Pure: a principal, an operation, a kind of resource and a confidentiality
//! level in, a [`Decision`] out. The command line, the web application and
//! the API all ask [`decide`]; nothing reads records around it. The table it
//! implements is written out in `docs/policy.md`, and a test checks every
//! cell of that table against this code.

#![deny(missing_docs)]

use std::fmt;

use refwatch_domain::Confidentiality;

/// A role an account holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Manages users, keys and the audit log; may do everything.
    Administrator,
    /// A documenter: records incidents and persons, reads identities.
    Editor,
    /// Works on pseudonymous records: never sees identities.
    Analyst,
    /// Reads public and restricted records.
    Viewer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [
        Self::Administrator,
        Self::Editor,
        Self::Analyst,
        Self::Viewer,
    ];

    /// The role's code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::Editor => "editor",
            Self::Analyst => "analyst",
            Self::Viewer => "viewer",
        }
    }

    /// Reads a role's code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// Anyone, unauthenticated.
    Public,
    /// A signed-in account with a role.
    Account(Role),
}

/// What is being done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Read a record (never its identity fields).
    Read,
    /// Create a record.
    Create,
    /// Change a record.
    Update,
    /// Delete a record.
    Delete,
    /// Export records in full, identities included.
    ExportFull,
    /// Export the public, redacted dataset and tables.
    ExportPublic,
    /// Read what identifies a person.
    ReadIdentity,
}

impl Operation {
    /// Every operation on records.
    pub const ALL: [Operation; 7] = [
        Self::Read,
        Self::Create,
        Self::Update,
        Self::Delete,
        Self::ExportFull,
        Self::ExportPublic,
        Self::ReadIdentity,
    ];

    /// The operation's code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::ExportFull => "export_full",
            Self::ExportPublic => "export_public",
            Self::ReadIdentity => "read_identity",
        }
    }
}

/// Operations on the system rather than on records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdminOperation {
    /// Add, disable, enable users, reset passwords, set roles.
    ManageUsers,
    /// Rotate keys.
    ManageKeys,
    /// Read and verify the audit log.
    ReadAudit,
    /// Re-hash every stored evidence file (`refwatch evidence verify`).
    VerifyEvidence,
}

impl AdminOperation {
    /// Every system operation.
    pub const ALL: [AdminOperation; 4] = [
        Self::ManageUsers,
        Self::ManageKeys,
        Self::ReadAudit,
        Self::VerifyEvidence,
    ];
}

/// Operations of record linkage: finding records that describe the same
/// person or event, and deciding on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkOperation {
    /// Run the linkage (identities are compared inside the protected core;
    /// only levels and weights come out).
    Run,
    /// See suggested pairs and decisions, with their explanations.
    Review,
    /// Decide that two records are the same or not, take a decision back,
    /// split a group.
    Decide,
}

impl LinkOperation {
    /// Every linkage operation.
    pub const ALL: [LinkOperation; 3] = [Self::Run, Self::Review, Self::Decide];

    /// The operation's code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Run => "run_linkage",
            Self::Review => "review_links",
            Self::Decide => "decide_links",
        }
    }
}

/// The answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// Refused.
    Deny,
}

impl Decision {
    /// Whether it is [`Decision::Allow`].
    pub fn allowed(self) -> bool {
        self == Decision::Allow
    }
}

fn allow_if(cond: bool) -> Decision {
    if cond {
        Decision::Allow
    } else {
        Decision::Deny
    }
}

/// The most protected level a principal may read records at, if any.
pub fn read_ceiling(who: Principal) -> Confidentiality {
    match who {
        Principal::Public => Confidentiality::Public,
        Principal::Account(Role::Administrator | Role::Editor) => Confidentiality::Confidential,
        Principal::Account(Role::Analyst | Role::Viewer) => Confidentiality::Restricted,
    }
}

/// Decides an operation on a record at a confidentiality level.
///
/// For [`Operation::ExportFull`] and [`Operation::ExportPublic`] the level is
/// that of the records exported; for [`Operation::ReadIdentity`] it is the
/// person's level.
pub fn decide(who: Principal, op: Operation, level: Confidentiality) -> Decision {
    let readable = level <= read_ceiling(who);
    match who {
        Principal::Public => allow_if(
            matches!(op, Operation::Read | Operation::ExportPublic)
                && level == Confidentiality::Public,
        ),
        Principal::Account(role) => match op {
            Operation::Read => allow_if(readable),
            Operation::ExportPublic => allow_if(level == Confidentiality::Public),
            Operation::Create | Operation::Update => {
                allow_if(readable && matches!(role, Role::Administrator | Role::Editor))
            }
            Operation::Delete | Operation::ExportFull => allow_if(role == Role::Administrator),
            // Analysts and viewers never see identities, whatever the level.
            Operation::ReadIdentity => {
                allow_if(readable && matches!(role, Role::Administrator | Role::Editor))
            }
        },
    }
}

/// Decides a system operation: administrators only.
pub fn decide_admin(who: Principal, _op: AdminOperation) -> Decision {
    allow_if(who == Principal::Account(Role::Administrator))
}

/// Decides a linkage operation: members who work on records run and decide
/// (analysts included: they see how strongly names agree, never the
/// names); viewers may look at suggestions; the public may not.
pub fn decide_linkage(who: Principal, op: LinkOperation) -> Decision {
    match who {
        Principal::Public => Decision::Deny,
        Principal::Account(Role::Viewer) => allow_if(op == LinkOperation::Review),
        Principal::Account(Role::Administrator | Role::Editor | Role::Analyst) => Decision::Allow,
    }
}

#[cfg(test)]
mod tests;
