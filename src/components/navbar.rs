use crate::app::SHOP_NAME;
use crate::cart_state::shared_count;
use crate::components::search_box::SearchBox;
use crate::model::account::paths;
use crate::model::search::page::{category_path, SEARCH_PATH};
use crate::server_fns::{get_cart, get_viewer, list_categories};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

/// The shop's name linking home, the search box, the cart link with the number of units in
/// the cart, and the categories.
#[component]
pub fn Navbar() -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    // The search page's words stay in the box.
    let searched = if path == SEARCH_PATH {
        use_query_map()
            .with_untracked(|q| q.get("q"))
            .unwrap_or_default()
    } else {
        String::new()
    };
    view! {
        <header class="navbar">
            <nav class="container navbar-inner" aria-label="Main">
                <a class="brand" href="/">
                    <img src="/favicon.svg" alt="" width="28" height="28"/>
                    <span>{SHOP_NAME}</span>
                </a>
                <SearchBox initial=searched/>
                // The link reads "Cart 3 items": the number sits in its own element for tests
                // and styling, rendered from the cart the server read for this page.
                <a class="cart-link" href="/cart">
                    <span>"Cart"</span>
                    <Suspense fallback=|| view! { <span class="cart-count" data-testid="cart-count">"0"</span> }>
                        {move || Suspend::new(async move {
                            let count = get_cart().await.map(|c| c.count()).unwrap_or(0);
                            view! { <CartCount>{count}</CartCount> }
                        })}
                    </Suspense>
                    <span class="visually-hidden">" items"</span>
                </a>
                <AccountLinks/>
            </nav>
            <CategoryLinks current=path/>
        </header>
    }
}

/// **Sign in**, or the account link and **Sign out** (a POST, so no link can sign anyone out).
#[component]
fn AccountLinks() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match get_viewer().await.ok().flatten() {
                    Some(viewer) => leptos::either::Either::Left(view! {
                        <div class="account-links">
                            <a href=paths::ACCOUNT data-testid="account-link" title=viewer.email>"Account"</a>
                            <form method="post" action=paths::LOGOUT>
                                <button type="submit" class="link-button">"Sign out"</button>
                            </form>
                        </div>
                    }),
                    None => leptos::either::Either::Right(view! {
                        <a class="account-links" href=paths::LOGIN>"Sign in"</a>
                    }),
                }
            })}
        </Suspense>
    }
}

/// A link to each category's page; the one being shown is marked current.
#[component]
fn CategoryLinks(current: String) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {
                let current = current.clone();
                move || {
                    let current = current.clone();
                    Suspend::new(async move {
                        // Without categories (an error is logged) the navbar just has none.
                        let categories = list_categories().await.unwrap_or_default();
                        (!categories.is_empty()).then(|| {
                            let links = categories
                                .into_iter()
                                .map(|c| {
                                    let href = category_path(&c.slug);
                                    let here = href == current;
                                    view! {
                                        <li>
                                            <a href=href aria-current=here.then_some("page")>{c.name}</a>
                                        </li>
                                    }
                                })
                                .collect_view();
                            view! {
                                <nav class="category-nav" aria-label="Categories">
                                    <ul class="container">{links}</ul>
                                </nav>
                            }
                        })
                    })
                }
            }
        </Suspense>
    }
}

/// The count itself: the server's number (the children) until a cart action on the page
/// publishes another (see [`crate::cart_state`]).
#[island]
fn CartCount(children: Children) -> impl IntoView {
    let count = NodeRef::<leptos::html::Span>::new();
    let shared = shared_count();
    Effect::new(move |_| {
        if let (Some(published), Some(el)) = (shared.get(), count.get()) {
            el.set_text_content(Some(&published.to_string()));
        }
    });
    view! {
        <span class="cart-count" data-testid="cart-count" node_ref=count>
            {children()}
        </span>
    }
}
