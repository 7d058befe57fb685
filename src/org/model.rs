//! Organisation vocabulary: unit kinds and roles, parsed from text.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an org unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 局: a bureau, the top of a ladder.
    Bureau,
    /// 供电服务中心 / 供电分局: under a bureau; tickets belong to one.
    ServiceCenter,
    /// 市场部, 规划, 调度 …: under a bureau; answers coordination requests.
    Department,
}

impl UnitKind {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "bureau" => Ok(UnitKind::Bureau),
            "service_center" => Ok(UnitKind::ServiceCenter),
            "department" => Ok(UnitKind::Department),
            other => Err(format!(
                "`{other}` is not one of bureau, service_center, department"
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Bureau => "bureau",
            UnitKind::ServiceCenter => "service_center",
            UnitKind::Department => "department",
        }
    }
}

/// A role, held in a unit.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 客户经理: first owner of tickets of their service center.
    Manager,
    /// 供电服务中心主任: held in a service center.
    CenterDirector,
    /// 分管副局长 (marketing): held in a bureau.
    DeputyHead,
    /// 局长: held in a bureau.
    Head,
    /// Member of a department: receives its coordination requests.
    Department,
    /// 营销稽查: read-only over a bureau.
    Auditor,
    /// Administers org, people, calendars; in a bureau, or installation-wide without a unit.
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Manager,
        Role::CenterDirector,
        Role::DeputyHead,
        Role::Head,
        Role::Department,
        Role::Auditor,
        Role::Admin,
    ];

    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                let all: Vec<_> = Self::ALL.iter().map(|r| r.as_str()).collect();
                format!("`{}` is not one of {}", s.trim(), all.join(", "))
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::CenterDirector => "center_director",
            Role::DeputyHead => "deputy_head",
            Role::Head => "head",
            Role::Department => "department",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// The kind of unit the role is held in (`None`: admin may hold it
    /// installation-wide, without a unit, or in a bureau).
    pub fn unit_kind(self) -> Option<UnitKind> {
        match self {
            Role::Manager | Role::CenterDirector => Some(UnitKind::ServiceCenter),
            Role::DeputyHead | Role::Head | Role::Auditor => Some(UnitKind::Bureau),
            Role::Department => Some(UnitKind::Department),
            Role::Admin => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert!(Role::parse("boss").unwrap_err().contains("center_director"));
    }
}
