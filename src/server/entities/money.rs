//! A price column read without floats on every backend.
//!
//! SeaORM reads a `Decimal` from SQLite through `f64`; SQLite has no exact decimal type and
//! would turn a NUMERIC column into a float. So on SQLite the column is TEXT holding the exact
//! decimal, on PostgreSQL it is NUMERIC(10,2), and this type reads either without a float.

use rust_decimal::Decimal;
use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable, Value};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money(pub Decimal);

impl From<Money> for Value {
    fn from(money: Money) -> Self {
        money.0.into()
    }
}

impl TryGetable for Money {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        // TEXT (SQLite) first: the driver refuses it on a NUMERIC column, so PostgreSQL
        // falls through to its native decimal.
        match String::try_get_by(res, idx) {
            Ok(text) => text.trim().parse::<Decimal>().map(Money).map_err(|e| {
                TryGetError::DbErr(DbErr::TryIntoErr {
                    from: "String",
                    into: "Decimal",
                    source: Arc::new(e),
                })
            }),
            Err(TryGetError::Null(col)) => Err(TryGetError::Null(col)),
            Err(_) => Decimal::try_get_by(res, idx).map(Money),
        }
    }
}

impl ValueType for Money {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        <Decimal as ValueType>::try_from(v).map(Money)
    }

    fn type_name() -> String {
        "Money".to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::Decimal
    }

    fn column_type() -> ColumnType {
        ColumnType::Decimal(Some((10, 2)))
    }
}

impl Nullable for Money {
    fn null() -> Value {
        <Decimal as Nullable>::null()
    }
}

impl sea_orm::IntoActiveValue<Money> for Money {
    fn into_active_value(self) -> sea_orm::ActiveValue<Money> {
        sea_orm::ActiveValue::Set(self)
    }
}
