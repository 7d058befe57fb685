//! Writing a plan in one transaction, in multi-row inserts.

use super::*;

/// Carries out `plan` (inside the caller's transaction): bureaus first, then
/// the units under them; removed roles; people in multi-row inserts; added
/// roles in multi-row inserts.
pub(super) async fn write<C: ConnectionTrait>(
    db: &C,
    plan: &Plan,
    existing: &Existing,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut unit_ids: HashMap<String, i64> = existing
        .units
        .iter()
        .map(|(c, u)| (c.clone(), u.id))
        .collect();
    let id_of = |ids: &HashMap<String, i64>, code: &Option<String>| -> Result<Option<i64>, DbErr> {
        code.as_ref()
            .map(|c| {
                ids.get(c)
                    .copied()
                    .ok_or_else(|| DbErr::Custom(format!("import: unit `{c}` has no id")))
            })
            .transpose()
    };
    for bureaus in [true, false] {
        for u in plan
            .units
            .iter()
            .filter(|u| (u.kind == UnitKind::Bureau) == bureaus)
        {
            let parent_id = id_of(&unit_ids, &u.parent)?;
            match u.id {
                None => {
                    let created = unit::ActiveModel {
                        id: NotSet,
                        code: Set(u.code.clone()),
                        name: Set(u.name.clone()),
                        kind: Set(u.kind.as_str().into()),
                        parent_id: Set(parent_id),
                        created_at: Set(now),
                    }
                    .insert(db)
                    .await?;
                    unit_ids.insert(u.code.clone(), created.id);
                }
                Some(id) => {
                    unit::Entity::update_many()
                        .set(unit::ActiveModel {
                            name: Set(u.name.clone()),
                            kind: Set(u.kind.as_str().into()),
                            parent_id: Set(parent_id),
                            ..Default::default()
                        })
                        .filter(unit::Column::Id.eq(id))
                        .exec(db)
                        .await?;
                }
            }
        }
    }

    for ids in plan.role_removes.chunks(CHUNK) {
        role_assignment::Entity::delete_many()
            .filter(role_assignment::Column::Id.is_in(ids.iter().copied()))
            .exec(db)
            .await?;
    }

    let mut person_ids: HashMap<String, i64> = existing
        .people
        .iter()
        .map(|(u, p)| (u.clone(), p.id))
        .collect();
    let mut new_people = Vec::new();
    for p in &plan.people {
        let model = person::ActiveModel {
            name: Set(p.name.clone()),
            email: Set(p.email.clone()),
            phone: Set(p.phone.clone()),
            unit_id: Set(id_of(&unit_ids, &p.unit)?),
            lang: Set(p.lang.clone()),
            active: Set(p.active),
            updated_at: Set(now),
            deactivated_at: Set(p.deactivated_at),
            ..Default::default()
        };
        match p.id {
            Some(id) => {
                person::Entity::update_many()
                    .set(model)
                    .filter(person::Column::Id.eq(id))
                    .exec(db)
                    .await?;
            }
            None => new_people.push(person::ActiveModel {
                username: Set(p.username.clone()),
                password_hash: Set(None),
                created_at: Set(now),
                ..model
            }),
        }
    }
    let new_names: Vec<String> = plan
        .people
        .iter()
        .filter(|p| p.id.is_none())
        .map(|p| p.username.clone())
        .collect();
    let mut new_people = new_people.into_iter().peekable();
    while new_people.peek().is_some() {
        let chunk: Vec<_> = new_people.by_ref().take(CHUNK).collect();
        person::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    for names in new_names.chunks(CHUNK * 2) {
        let rows: Vec<(i64, String)> = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .column(person::Column::Username)
            .filter(person::Column::Username.is_in(names.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        person_ids.extend(rows.into_iter().map(|(id, name)| (name, id)));
    }

    let mut adds = Vec::with_capacity(plan.role_adds.len());
    for (username, role, code) in &plan.role_adds {
        let person_id = *person_ids
            .get(username)
            .ok_or_else(|| DbErr::Custom(format!("import: person `{username}` has no id")))?;
        adds.push(role_assignment::ActiveModel {
            id: NotSet,
            person_id: Set(person_id),
            role: Set(role.as_str().into()),
            unit_id: Set(id_of(&unit_ids, code)?),
        });
    }
    for chunk in adds.chunks(CHUNK * 2) {
        role_assignment::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
