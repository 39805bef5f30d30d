//! Customer accounts against real databases (SQLite always, PostgreSQL with
//! `TEST_DATABASE_URL`): signing up, the neutral answer for a known email, the password
//! rules, signing in, and one account per email under concurrent sign-ups.
#![cfg(feature = "ssr")]

mod common;

use common::TestDb;
use sea_orm::{EntityTrait, PaginatorTrait};
use shop::error::ShopError;
use shop::server::entities::account;
use shop::server::services::accounts::{self, Registration};

const GOOD: &str = "correct horse battery";

async fn accounts_in(t: &TestDb) -> u64 {
    account::Entity::find().count(&t.db).await.unwrap()
}

async fn signing_up_then_in(t: &TestDb) {
    let Registration::Created(created) = accounts::register(&t.db, "  Ann@Example.com ", GOOD)
        .await
        .unwrap()
    else {
        panic!("a new email makes an account");
    };
    assert_eq!(created.email, "Ann@Example.com", "kept as typed, trimmed");
    let row = account::Entity::find_by_id(created.id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        row.password_hash.starts_with("$argon2id$"),
        "{}",
        row.password_hash
    );
    assert!(!row.password_hash.contains(GOOD));
    assert_eq!(row.role, "customer");

    // Any case of the address signs in; anything else does not, and says nothing more.
    for email in ["ann@example.com", "ANN@EXAMPLE.COM", " Ann@Example.com"] {
        let signed_in = accounts::authenticate(&t.db, email, GOOD).await.unwrap();
        assert_eq!(signed_in.map(|a| a.id), Some(created.id), "{email}");
    }
    for (email, password) in [
        ("ann@example.com", "correct horse battery!"),
        ("ann@example.com", ""),
        ("nobody@example.com", GOOD),
        ("", ""),
        ("ann@example.com", &"x".repeat(100_000)),
    ] {
        let signed_in = accounts::authenticate(&t.db, email, password)
            .await
            .unwrap();
        assert_eq!(signed_in, None, "{email} / {} characters", password.len());
    }
}

async fn a_known_email_gets_the_neutral_answer_and_changes_nothing(t: &TestDb) {
    accounts::register(&t.db, "bo@example.com", GOOD)
        .await
        .unwrap();
    let before = account::Entity::find().all(&t.db).await.unwrap();
    let again = accounts::register(&t.db, "BO@example.com", "another long passphrase")
        .await
        .unwrap();
    assert_eq!(again, Registration::AlreadyRegistered);
    assert_eq!(account::Entity::find().all(&t.db).await.unwrap(), before);
    // The first password still signs in; the second never did.
    assert!(accounts::authenticate(&t.db, "bo@example.com", GOOD)
        .await
        .unwrap()
        .is_some());
    assert!(
        accounts::authenticate(&t.db, "bo@example.com", "another long passphrase")
            .await
            .unwrap()
            .is_none()
    );
}

async fn bad_emails_and_passwords_are_refused_and_change_nothing(t: &TestDb) {
    let refused = [
        ("not-an-email", GOOD, "valid email"),
        ("", GOOD, "valid email"),
        ("a@b", GOOD, "valid email"),
        ("x@example.com' OR 1=1 --", GOOD, "valid email"),
        (
            &format!("{}@example.com", "a".repeat(300)),
            GOOD,
            "valid email",
        ),
        ("cy@example.com", "short", "at least 10 characters"),
        ("cy@example.com", "ééééééééé", "at least 10 characters"),
        ("cy@example.com", "Password123", "most common"),
        ("cy@example.com", "QWERTYUIOP", "most common"),
        (
            "cy@example.com",
            &"y".repeat(2000),
            "at most 1024 characters",
        ),
    ];
    for (email, password, says) in refused {
        match accounts::register(&t.db, email, password).await {
            Err(ShopError::Invalid(message)) => assert!(message.contains(says), "{message}"),
            other => panic!("{email} / {password}: {other:?}"),
        }
    }
    assert_eq!(accounts_in(t).await, 0);
    // Ten characters, counted as characters, are enough.
    assert!(matches!(
        accounts::register(&t.db, "cy@example.com", "éééééééééé").await,
        Ok(Registration::Created(_))
    ));
}

async fn concurrent_sign_ups_of_one_email_make_one_account(t: &TestDb) {
    let tries = (0..8).map(|i| {
        let db = t.db.clone();
        tokio::spawn(async move {
            accounts::register(&db, "dee@example.com", &format!("passphrase number {i}")).await
        })
    });
    let mut created = 0;
    for outcome in futures_join(tries).await {
        match outcome {
            Registration::Created(_) => created += 1,
            Registration::AlreadyRegistered => {}
        }
    }
    assert_eq!(created, 1);
    assert_eq!(accounts_in(t).await, 1);
}

async fn futures_join(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<Result<Registration, ShopError>>>,
) -> Vec<Registration> {
    let mut outcomes = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        outcomes.push(task.await.unwrap().unwrap());
    }
    outcomes
}

on_both_backends!(
    signing_up_then_in,
    a_known_email_gets_the_neutral_answer_and_changes_nothing,
    bad_emails_and_passwords_are_refused_and_change_nothing,
    concurrent_sign_ups_of_one_email_make_one_account,
);
