//! Where sign-in sessions live: a tower-sessions store on SeaORM, so SQLite and PostgreSQL
//! share one code path and every instance sees every session. A row is keyed by the SHA-256
//! of the session id (a copy of the table signs no one in); it ends when idle past its
//! expiry, and in any case `max_age` after it began (the sign-in: the id changes then).

use crate::server::entities::session;
use crate::server::services::secret_hash;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::Condition;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, SqlErr,
};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    max_age: chrono::Duration,
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection, max_age: chrono::Duration) -> Self {
        Self { db, max_age }
    }

    /// Deletes sessions past either expiry (the sweep calls this).
    pub async fn delete_expired(&self) -> Result<u64, sea_orm::DbErr> {
        let now = Utc::now();
        let gone = session::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(session::Column::ExpiresAt.lte(now))
                    .add(session::Column::CreatedAt.lte(now - self.max_age)),
            )
            .exec(&self.db)
            .await?;
        Ok(gone.rows_affected)
    }

    fn row(
        record: &Record,
        created_at: DateTime<Utc>,
    ) -> session_store::Result<session::ActiveModel> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        Ok(session::ActiveModel {
            id: Set(key(&record.id)),
            data: Set(data),
            expires_at: Set(to_chrono(record.expiry_date)),
            created_at: Set(created_at),
        })
    }
}

fn key(id: &Id) -> String {
    secret_hash(&id.to_string())
}

fn to_chrono(at: time::OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(at.unix_timestamp(), at.nanosecond()).unwrap_or_default()
}

fn backend(err: sea_orm::DbErr) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    /// A new session (at sign-in): a fresh id, should the random one be taken.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let row = Self::row(record, Utc::now())?;
            match session::Entity::insert(row).exec(&self.db).await {
                Ok(_) => return Ok(()),
                Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    record.id = Id::default();
                }
                Err(err) => return Err(backend(err)),
            }
        }
    }

    /// Writes the data and the new idle expiry of an existing session; the time it began
    /// stays. Never inserts: a request still running while its session is signed out must
    /// not bring the session back (new sessions come through `create`).
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        session::Entity::update_many()
            .col_expr(session::Column::Data, Expr::value(data))
            .col_expr(
                session::Column::ExpiresAt,
                Expr::value(to_chrono(record.expiry_date)),
            )
            .filter(session::Column::Id.eq(key(&record.id)))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = Utc::now();
        let Some(row) = session::Entity::find_by_id(key(id))
            .filter(session::Column::ExpiresAt.gt(now))
            .filter(session::Column::CreatedAt.gt(now - self.max_age))
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        session::Entity::delete_by_id(key(id))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
