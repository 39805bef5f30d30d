//! Customer accounts against real databases (SQLite always, PostgreSQL with
//! `TEST_DATABASE_URL`): signing up, the neutral answer for a known email, the password
//! rules, signing in, and one account per email under concurrent sign-ups.
#![cfg(feature = "ssr")]

mod common;

use common::TestDb;
use sea_orm::{EntityTrait, PaginatorTrait};
use shop::error::ShopError;
use shop::server::entities::{account, api_token, outbox_email, password_reset, session};
use shop::server::services::accounts::{self, Registration};
use shop::server::services::{api_tokens, cart, password_resets};

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

async fn merging_adds_up_caps_at_stock_and_empties_the_guest_cart(t: &TestDb) {
    let lamp = t.product("Lamp", "40.00", 5).await;
    let mug = t.product("Mug", "9.50", 10).await;
    let gone = t.product("Sold out", "5.00", 0).await;
    let crate_ = t.product("Crate", "12.00", 3).await;
    cart::add_to_cart(&t.db, "acct-x", lamp, 3).await.unwrap();
    cart::add_to_cart(&t.db, "acct-x", crate_, 3).await.unwrap();
    cart::add_to_cart(&t.db, "guest", lamp, 4).await.unwrap();
    cart::add_to_cart(&t.db, "guest", mug, 2).await.unwrap();
    cart::add_to_cart(&t.db, "guest", crate_, 1).await.unwrap();
    // A line whose product sold out since it was added.
    cart::add_to_cart(&t.db, "guest", gone, 1).await.ok();
    sea_orm::ConnectionTrait::execute_unprepared(
        &t.db,
        &format!("UPDATE products SET stock = 1 WHERE id = {gone}"),
    )
    .await
    .unwrap();
    cart::add_to_cart(&t.db, "guest", gone, 1).await.unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(
        &t.db,
        &format!("UPDATE products SET stock = 0 WHERE id = {gone}"),
    )
    .await
    .unwrap();

    let capped = cart::merge_carts(&t.db, "guest", "acct-x", 100)
        .await
        .unwrap();
    let mut said: Vec<(i32, i64, i32)> = capped
        .iter()
        .map(|c| (c.product_id, c.wanted, c.kept))
        .collect();
    said.sort();
    let mut expected = vec![(lamp, 7, 5), (gone, 1, 0), (crate_, 4, 3)];
    expected.sort();
    assert_eq!(said, expected);
    let merged = cart::get_cart(&t.db, "acct-x").await.unwrap();
    let mut lines: Vec<(i32, i32)> = merged
        .items
        .iter()
        .map(|i| (i.product.id, i.quantity))
        .collect();
    lines.sort();
    let mut want = vec![(lamp, 5), (mug, 2), (crate_, 3)];
    want.sort();
    assert_eq!(lines, want);
    assert!(cart::get_cart(&t.db, "guest")
        .await
        .unwrap()
        .items
        .is_empty());
    // Nothing left to merge: nothing changes.
    assert!(cart::merge_carts(&t.db, "guest", "acct-x", 100)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(cart::get_cart(&t.db, "acct-x").await.unwrap().count(), 10);
}

async fn a_full_account_cart_keeps_out_new_products(t: &TestDb) {
    let a = t.product("A", "1.00", 9).await;
    let b = t.product("B", "1.00", 9).await;
    let c = t.product("C", "1.00", 9).await;
    cart::add_to_cart(&t.db, "acct-y", a, 1).await.unwrap();
    cart::add_to_cart(&t.db, "acct-y", b, 1).await.unwrap();
    cart::add_to_cart(&t.db, "guest-y", a, 2).await.unwrap();
    cart::add_to_cart(&t.db, "guest-y", c, 2).await.unwrap();
    let capped = cart::merge_carts(&t.db, "guest-y", "acct-y", 2)
        .await
        .unwrap();
    assert_eq!(capped.len(), 1);
    assert_eq!((capped[0].product_id, capped[0].kept), (c, 0));
    let cart = cart::get_cart(&t.db, "acct-y").await.unwrap();
    assert_eq!(cart.items.len(), 2, "the cap on lines holds");
    assert_eq!(cart.count(), 4, "a's quantities added up");
}

async fn concurrent_merges_of_one_guest_cart_move_it_once(t: &TestDb) {
    let lamp = t.product("Lamp", "40.00", 50).await;
    cart::add_to_cart(&t.db, "guest-z", lamp, 3).await.unwrap();
    let merges = (0..6).map(|_| {
        let db = t.db.clone();
        tokio::spawn(async move { cart::merge_carts(&db, "guest-z", "acct-z", 100).await })
    });
    for merge in merges.collect::<Vec<_>>() {
        merge.await.unwrap().unwrap();
    }
    assert_eq!(
        cart::get_cart(&t.db, "acct-z").await.unwrap().count(),
        3,
        "not 6, 9…"
    );
    assert!(cart::get_cart(&t.db, "guest-z")
        .await
        .unwrap()
        .items
        .is_empty());
}

async fn a_reset_link_is_single_use_even_when_raced_and_expires(t: &TestDb) {
    accounts::register(&t.db, "lee@example.com", GOOD)
        .await
        .unwrap();
    password_resets::request_reset(&t.db, "lee@example.com", "http://shop.test")
        .await
        .unwrap();
    let mail = outbox_email::Entity::find()
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let token = mail.body.split("token=").nth(1).unwrap()[..32].to_owned();
    let stored = password_reset::Entity::find()
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.token_hash, token, "only a hash is kept");
    assert!(!stored.token_hash.contains(&token));
    let uses = (0..6).map(|i| {
        let (db, token) = (t.db.clone(), token.clone());
        tokio::spawn(async move {
            password_resets::reset_password(&db, &token, &format!("new passphrase {i}")).await
        })
    });
    let mut worked = Vec::new();
    for (i, outcome) in uses.collect::<Vec<_>>().into_iter().enumerate() {
        if outcome.await.unwrap().is_ok() {
            worked.push(i);
        }
    }
    assert_eq!(worked.len(), 1, "exactly one use: {worked:?}");
    let password = format!("new passphrase {}", worked[0]);
    assert!(accounts::authenticate(&t.db, "lee@example.com", &password)
        .await
        .unwrap()
        .is_some());
    assert!(accounts::authenticate(&t.db, "lee@example.com", GOOD)
        .await
        .unwrap()
        .is_none());

    // An hour later a fresh link no longer works.
    password_resets::request_reset(&t.db, "lee@example.com", "http://shop.test")
        .await
        .unwrap();
    let mails = outbox_email::Entity::find().all(&t.db).await.unwrap();
    let token = mails[1].body.split("token=").nth(1).unwrap()[..32].to_owned();
    assert!(password_resets::is_usable(&t.db, &token).await.unwrap());
    sea_orm::ConnectionTrait::execute_unprepared(
        &t.db,
        "UPDATE password_resets SET expires_at = created_at",
    )
    .await
    .unwrap();
    assert!(!password_resets::is_usable(&t.db, &token).await.unwrap());
    assert!(
        password_resets::reset_password(&t.db, &token, "yet another passphrase")
            .await
            .is_err()
    );
    // Unknown emails and malformed tokens: nothing sent, nothing usable.
    password_resets::request_reset(&t.db, "nobody@example.com", "http://shop.test")
        .await
        .unwrap();
    assert_eq!(
        outbox_email::Entity::find().all(&t.db).await.unwrap().len(),
        2
    );
    for bad in [
        "",
        "zz",
        &"0".repeat(32),
        "' OR 1=1 --",
        &"a".repeat(10_000),
    ] {
        assert!(
            !password_resets::is_usable(&t.db, bad).await.unwrap(),
            "{bad}"
        );
    }
}

async fn sessions_end_when_idle_and_at_their_absolute_limit(t: &TestDb) {
    use shop::server::session_store::DbSessionStore;
    use tower_sessions::session::{Id, Record};
    use tower_sessions::SessionStore;
    let store = DbSessionStore::new(t.db.clone(), chrono::Duration::days(30));
    let mut record = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    record.data.insert("k".into(), serde_json::json!("v"));
    store.create(&mut record).await.unwrap();
    let loaded = store.load(&record.id).await.unwrap().unwrap();
    assert_eq!(loaded.data, record.data);
    let rows = session::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(
        rows[0].id,
        record.id.to_string(),
        "the table holds a hash of the id"
    );
    // Saving keeps the start; once the start is 30 days old the session is over, however
    // recently it was used.
    sea_orm::ConnectionTrait::execute_unprepared(
        &t.db,
        &format!(
            "UPDATE sessions SET created_at = '{}'",
            (chrono::Utc::now() - chrono::Duration::days(31)).format("%Y-%m-%d %H:%M:%S%:z")
        ),
    )
    .await
    .unwrap();
    store.save(&record).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none());
    assert_eq!(store.delete_expired().await.unwrap(), 1);
    // A request still running when its session was signed out cannot bring it back.
    store.save(&record).await.unwrap();
    assert!(session::Entity::find().all(&t.db).await.unwrap().is_empty());
    // Idle past its expiry: over too.
    let mut idle = Record {
        id: Id::default(),
        data: record.data.clone(),
        expiry_date: time::OffsetDateTime::now_utc() - time::Duration::seconds(1),
    };
    store.create(&mut idle).await.unwrap();
    assert!(store.load(&idle.id).await.unwrap().is_none());
}

async fn api_tokens_name_their_account_until_revoked(t: &TestDb) {
    let Registration::Created(mo) = accounts::register(&t.db, "mo@example.com", GOOD)
        .await
        .unwrap()
    else {
        panic!("new account");
    };
    let Registration::Created(other) = accounts::register(&t.db, "ned@example.com", GOOD)
        .await
        .unwrap()
    else {
        panic!("new account");
    };
    for bad in ["", "   ", &"n".repeat(101), "tab\tname"] {
        assert!(
            api_tokens::create(&t.db, mo.id, bad).await.is_err(),
            "{bad:?}"
        );
    }
    let made = api_tokens::create(&t.db, mo.id, "ci").await.unwrap();
    let row = api_token::Entity::find().one(&t.db).await.unwrap().unwrap();
    assert_ne!(row.token_hash, made.secret);
    assert!(row.last_used_at.is_none());
    let found = api_tokens::authenticate(&t.db, &made.secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, mo.id);
    let row = api_token::Entity::find().one(&t.db).await.unwrap().unwrap();
    assert!(row.last_used_at.is_some());
    assert_eq!(
        api_tokens::revoke(&t.db, other.id, made.token.id).await,
        Err(ShopError::NotFound)
    );
    api_tokens::revoke(&t.db, mo.id, made.token.id)
        .await
        .unwrap();
    assert!(api_tokens::authenticate(&t.db, &made.secret)
        .await
        .unwrap()
        .is_none());
    assert!(api_tokens::list(&t.db, mo.id).await.unwrap().is_empty());
}

on_both_backends!(
    merging_adds_up_caps_at_stock_and_empties_the_guest_cart,
    a_full_account_cart_keeps_out_new_products,
    concurrent_merges_of_one_guest_cart_move_it_once,
    a_reset_link_is_single_use_even_when_raced_and_expires,
    sessions_end_when_idle_and_at_their_absolute_limit,
    api_tokens_name_their_account_until_revoked,
    signing_up_then_in,
    a_known_email_gets_the_neutral_answer_and_changes_nothing,
    bad_emails_and_passwords_are_refused_and_change_nothing,
    concurrent_sign_ups_of_one_email_make_one_account,
);
