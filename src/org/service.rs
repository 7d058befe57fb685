//! Org service functions: units, people, role assignments, and who holds a
//! role for a ticket (with vacancies reported, never skipped silently).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::ServiceError;
use super::entity::{person, role_assignment, unit};
use super::model::{Role, UnitKind};

pub use super::words::{NewPerson, NewUnit};

pub async fn unit_by_code<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> Result<Option<unit::Model>, ServiceError> {
    Ok(unit::Entity::find()
        .filter(unit::Column::Code.eq(code))
        .one(db)
        .await?)
}

pub async fn unit_by_id<C: ConnectionTrait>(db: &C, id: i64) -> Result<unit::Model, ServiceError> {
    unit::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound(format!("unit {id}")))
}

pub async fn person_by_username<C: ConnectionTrait>(
    db: &C,
    username: &str,
) -> Result<Option<person::Model>, ServiceError> {
    Ok(person::Entity::find()
        .filter(person::Column::Username.eq(username))
        .one(db)
        .await?)
}

pub async fn person_by_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<person::Model, ServiceError> {
    person::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound(format!("person {id}")))
}

/// Creates a unit; service centers and departments sit under a bureau.
pub async fn create_unit<C: ConnectionTrait>(
    db: &C,
    u: NewUnit,
    now: DateTime<Utc>,
) -> Result<unit::Model, ServiceError> {
    let parent = match (&u.kind, &u.parent_code) {
        (UnitKind::Bureau, None) => None,
        (UnitKind::Bureau, Some(_)) => {
            return Err(ServiceError::invalid(
                "parent",
                "a bureau has no parent unit",
            ));
        }
        (_, None) => {
            return Err(ServiceError::invalid(
                "parent",
                format!("a {} needs its bureau as parent", u.kind.as_str()),
            ));
        }
        (_, Some(code)) => {
            let p = unit_by_code(db, code.as_str()).await?.ok_or_else(|| {
                ServiceError::invalid("parent", format!("unit `{code}` does not exist"))
            })?;
            if p.kind != UnitKind::Bureau.as_str() {
                return Err(ServiceError::invalid(
                    "parent",
                    format!("`{code}` is not a bureau"),
                ));
            }
            Some(p.id)
        }
    };
    if unit_by_code(db, u.code.as_str()).await?.is_some() {
        return Err(ServiceError::Conflict(format!(
            "unit `{}` already exists",
            u.code
        )));
    }
    Ok(unit::ActiveModel {
        id: NotSet,
        code: Set(u.code.into_string()),
        name: Set(u.name),
        kind: Set(u.kind.as_str().into()),
        parent_id: Set(parent),
        created_at: Set(now),
    }
    .insert(db)
    .await?)
}

/// Creates a person with roles and an optional password hash.
pub async fn create_person<C: ConnectionTrait>(
    db: &C,
    p: NewPerson,
    password_hash: Option<String>,
    now: DateTime<Utc>,
) -> Result<person::Model, ServiceError> {
    if person_by_username(db, p.username.as_str()).await?.is_some() {
        return Err(ServiceError::Conflict(format!(
            "username `{}` is taken",
            p.username
        )));
    }
    let unit = match &p.unit_code {
        Some(code) => Some(unit_by_code(db, code.as_str()).await?.ok_or_else(|| {
            ServiceError::invalid("unit", format!("unit `{code}` does not exist"))
        })?),
        None => None,
    };
    let person = person::ActiveModel {
        id: NotSet,
        username: Set(p.username.into_string()),
        name: Set(p.name),
        email: Set(p.email.into_string()),
        phone: Set(p.phone.map(String::from)),
        unit_id: Set(unit.as_ref().map(|u| u.id)),
        lang: Set(p.lang.as_str().into()),
        active: Set(true),
        password_hash: Set(password_hash),
        created_at: Set(now),
        updated_at: Set(now),
        deactivated_at: Set(None),
    }
    .insert(db)
    .await?;
    for super::words::RoleGrant { role, unit: code } in p.roles {
        let held_in = match code {
            Some(code) => Some(unit_by_code(db, code.as_str()).await?.ok_or_else(|| {
                ServiceError::invalid("roles", format!("unit `{code}` does not exist"))
            })?),
            None if role == Role::Admin && unit.is_none() => None,
            None => unit.clone(),
        };
        assign_role(db, person.id, role, held_in.as_ref()).await?;
    }
    Ok(person)
}

/// Grants `role` in `unit` (checked against the role's unit kind).
pub async fn assign_role<C: ConnectionTrait>(
    db: &C,
    person_id: i64,
    role: Role,
    unit: Option<&unit::Model>,
) -> Result<(), ServiceError> {
    match (role.unit_kind(), unit) {
        (None, None) => {}
        (None, Some(u)) if u.kind == UnitKind::Bureau.as_str() => {}
        (None, Some(u)) => {
            return Err(ServiceError::invalid(
                "roles",
                format!(
                    "admin is held in a bureau or installation-wide, not in `{}`",
                    u.code
                ),
            ));
        }
        (Some(kind), Some(u)) if u.kind == kind.as_str() => {}
        (Some(kind), Some(u)) => {
            return Err(ServiceError::invalid(
                "roles",
                format!(
                    "{} is held in a {}, and `{}` is a {}",
                    role.as_str(),
                    kind.as_str(),
                    u.code,
                    u.kind
                ),
            ));
        }
        (Some(kind), None) => {
            return Err(ServiceError::invalid(
                "roles",
                format!("{} needs a {} unit", role.as_str(), kind.as_str()),
            ));
        }
    }
    let unit_id = unit.map(|u| u.id);
    let exists = role_assignment::Entity::find()
        .filter(role_assignment::Column::PersonId.eq(person_id))
        .filter(role_assignment::Column::Role.eq(role.as_str()))
        .filter(match unit_id {
            Some(id) => role_assignment::Column::UnitId.eq(id),
            None => role_assignment::Column::UnitId.is_null(),
        })
        .one(db)
        .await?;
    if exists.is_none() {
        role_assignment::ActiveModel {
            id: NotSet,
            person_id: Set(person_id),
            role: Set(role.as_str().into()),
            unit_id: Set(unit_id),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Takes `role` in `unit_id` (`None`: installation-wide) away from a
/// person; whether they held it.
pub async fn remove_role<C: ConnectionTrait>(
    db: &C,
    person_id: i64,
    role: Role,
    unit_id: Option<i64>,
) -> Result<bool, ServiceError> {
    let done = role_assignment::Entity::delete_many()
        .filter(role_assignment::Column::PersonId.eq(person_id))
        .filter(role_assignment::Column::Role.eq(role.as_str()))
        .filter(match unit_id {
            Some(id) => role_assignment::Column::UnitId.eq(id),
            None => role_assignment::Column::UnitId.is_null(),
        })
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

/// The bureau of each unit a new person, or one of their roles, is in
/// (`None`: installation-wide), for [`crate::auth::permissions::may_grant`].
/// Unknown units are left out: creating the person refuses them by name.
pub async fn bureaus_touched<C: ConnectionTrait>(
    db: &C,
    new: &NewPerson,
) -> Result<Vec<Option<i64>>, ServiceError> {
    let mut bureaus = Vec::new();
    for code in new.units_touched() {
        bureaus.push(match code {
            Some(code) => match unit_by_code(db, code.as_str()).await? {
                Some(u) => Some(bureau_of(&u)),
                None => continue,
            },
            None => None,
        });
    }
    Ok(bureaus)
}

/// One role a person holds, with the bureau it falls under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Grant {
    pub role: Role,
    pub unit_id: Option<i64>,
    /// The unit itself for a bureau; its parent for a center or department.
    pub bureau_id: Option<i64>,
}

/// Every role a person holds.
pub async fn grants_of<C: ConnectionTrait>(
    db: &C,
    person_id: i64,
) -> Result<Vec<Grant>, ServiceError> {
    let rows = role_assignment::Entity::find()
        .filter(role_assignment::Column::PersonId.eq(person_id))
        .order_by_asc(role_assignment::Column::Id)
        .all(db)
        .await?;
    let mut grants = Vec::with_capacity(rows.len());
    for r in rows {
        let Ok(role) = Role::parse(&r.role) else {
            continue;
        };
        let bureau_id = match r.unit_id {
            Some(id) => {
                let u = unit_by_id(db, id).await?;
                Some(if u.kind == UnitKind::Bureau.as_str() {
                    u.id
                } else {
                    u.parent_id.unwrap_or(u.id)
                })
            }
            None => None,
        };
        grants.push(Grant {
            role,
            unit_id: r.unit_id,
            bureau_id,
        });
    }
    Ok(grants)
}

/// Active people holding `role` in `unit_id`, oldest assignment first.
pub async fn holders<C: ConnectionTrait>(
    db: &C,
    role: Role,
    unit_id: i64,
) -> Result<Vec<person::Model>, ServiceError> {
    let rows = role_assignment::Entity::find()
        .filter(role_assignment::Column::Role.eq(role.as_str()))
        .filter(role_assignment::Column::UnitId.eq(unit_id))
        .order_by_asc(role_assignment::Column::Id)
        .all(db)
        .await?;
    let mut people = Vec::new();
    for r in rows {
        let p = person_by_id(db, r.person_id).await?;
        if p.active {
            people.push(p);
        }
    }
    Ok(people)
}

/// A role nobody active holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Vacancy {
    pub role: Role,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
}

impl std::fmt::Display for Vacancy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of {} ({}) is vacant",
            self.role.as_str(),
            self.unit_name,
            self.unit_code
        )
    }
}

/// Who holds one rung of a ticket's ladder, or which role is vacant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Holder {
    Filled {
        person_id: i64,
        username: String,
        name: String,
        email: String,
    },
    Vacant {
        vacancy: Vacancy,
    },
}

impl Holder {
    fn of(p: Option<person::Model>, role: Role, unit: &unit::Model) -> Holder {
        match p {
            Some(p) => Holder::Filled {
                person_id: p.id,
                username: p.username,
                name: p.name,
                email: p.email,
            },
            None => Holder::Vacant {
                vacancy: Vacancy {
                    role,
                    unit_id: unit.id,
                    unit_code: unit.code.clone(),
                    unit_name: unit.name.clone(),
                },
            },
        }
    }
}

/// The people of a ticket's ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LadderPeople {
    pub manager: Holder,
    pub center_director: Holder,
    pub deputy_head: Holder,
    pub head: Holder,
}

/// For a ticket of `center_id` managed by `manager_id`: the manager (if
/// still active), the center's director, the bureau's deputy head and head.
pub async fn ladder_people<C: ConnectionTrait>(
    db: &C,
    center_id: i64,
    manager_id: i64,
) -> Result<LadderPeople, ServiceError> {
    let center = unit_by_id(db, center_id).await?;
    let bureau = unit_by_id(db, center.parent_id.unwrap_or(center.id)).await?;
    let manager = person_by_id(db, manager_id).await?;
    let manager = manager.active.then_some(manager);
    Ok(LadderPeople {
        manager: Holder::of(manager, Role::Manager, &center),
        center_director: Holder::of(
            holders(db, Role::CenterDirector, center.id)
                .await?
                .into_iter()
                .next(),
            Role::CenterDirector,
            &center,
        ),
        deputy_head: Holder::of(
            holders(db, Role::DeputyHead, bureau.id)
                .await?
                .into_iter()
                .next(),
            Role::DeputyHead,
            &bureau,
        ),
        head: Holder::of(
            holders(db, Role::Head, bureau.id).await?.into_iter().next(),
            Role::Head,
            &bureau,
        ),
    })
}

/// Every unit, by code.
pub async fn all_units<C: ConnectionTrait>(db: &C) -> Result<Vec<unit::Model>, ServiceError> {
    Ok(unit::Entity::find()
        .order_by_asc(unit::Column::Code)
        .all(db)
        .await?)
}

/// Every person, by username.
pub async fn all_people<C: ConnectionTrait>(db: &C) -> Result<Vec<person::Model>, ServiceError> {
    Ok(person::Entity::find()
        .order_by_asc(person::Column::Username)
        .all(db)
        .await?)
}

/// Marks a person inactive (history kept; they can no longer log in).
pub async fn deactivate<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<person::Model, ServiceError> {
    let p = person_by_id(db, id).await?;
    if !p.active {
        return Ok(p);
    }
    let mut am: person::ActiveModel = p.into();
    am.active = Set(false);
    am.deactivated_at = Set(Some(now));
    am.updated_at = Set(now);
    Ok(am.update(db).await?)
}

/// The bureau a person belongs to (`None` for people without a unit: an
/// installation-wide admin).
pub async fn bureau_of_person<C: ConnectionTrait>(
    db: &C,
    p: &person::Model,
) -> Result<Option<i64>, ServiceError> {
    Ok(match p.unit_id {
        Some(id) => Some(bureau_of(&unit_by_id(db, id).await?)),
        None => None,
    })
}

/// The bureau a unit falls under (itself for a bureau).
pub fn bureau_of(u: &unit::Model) -> i64 {
    if u.kind == UnitKind::Bureau.as_str() {
        u.id
    } else {
        u.parent_id.unwrap_or(u.id)
    }
}
