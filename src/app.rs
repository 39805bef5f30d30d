//! The HTML document and the app: router and layout. Everything here renders on the server
//! only; the interactive pieces are islands inside the pages and the navbar.

use crate::components::navbar::Navbar;
use crate::components::notice::NoticeBanner;
use crate::components::seo::title_text;
use crate::island_loader::IslandScripts;
use crate::pages::account::{
    login::LoginPage, password::ForgotPasswordPage, password::ResetPasswordPage,
    register::RegisterPage, AccountPage,
};
use crate::pages::admin::{
    orders::{AdminOrderPage, AdminOrders},
    products::{AdminNewProduct, AdminProductPage, AdminProducts},
    AdminDashboard,
};
use crate::pages::{
    back_in_stock::UnsubscribePage, cart::CartPage, category::CategoryPage, checkout::CheckoutPage,
    home::HomePage, not_found::NotFound, order::OrderPage, product::ProductPage,
    search::SearchPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

pub const SHOP_NAME: &str = "Harbor & Pine";

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <IslandScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Title formatter=|title: String| {
            title_text(if title.is_empty() { SHOP_NAME.to_string() } else { format!("{title} · {SHOP_NAME}") })
        }/>
        <Router>
            <Layout/>
        </Router>
    }
}

/// Everything inside the router: the navbar and the pages. Every route renders fully on the
/// server (`SsrMode::Async`) so it works without JavaScript.
#[component]
fn Layout() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Navbar/>
        <main id="main" class="container">
            <NoticeBanner/>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async/>
                <Route
                    path=(StaticSegment("product"), ParamSegment("id"))
                    view=ProductPage
                    ssr=SsrMode::Async
                />
                <Route path=StaticSegment("search") view=SearchPage ssr=SsrMode::Async/>
                <Route
                    path=(StaticSegment("category"), ParamSegment("slug"))
                    view=CategoryPage
                    ssr=SsrMode::Async
                />
                <Route path=StaticSegment("cart") view=CartPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("checkout") view=CheckoutPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("account") view=AccountPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("admin") view=AdminDashboard ssr=SsrMode::Async/>
                <Route
                    path=(StaticSegment("admin"), StaticSegment("products"))
                    view=AdminProducts
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("admin"), StaticSegment("orders"))
                    view=AdminOrders
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("admin"), StaticSegment("orders"), ParamSegment("number"))
                    view=AdminOrderPage
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("admin"), StaticSegment("products"), StaticSegment("new"))
                    view=AdminNewProduct
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("admin"), StaticSegment("products"), ParamSegment("id"))
                    view=AdminProductPage
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("account"), StaticSegment("register"))
                    view=RegisterPage
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("account"), StaticSegment("login"))
                    view=LoginPage
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("account"), StaticSegment("password"), StaticSegment("forgot"))
                    view=ForgotPasswordPage
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("account"), StaticSegment("password"), StaticSegment("reset"))
                    view=ResetPasswordPage
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("back-in-stock"), StaticSegment("unsubscribe"))
                    view=UnsubscribePage
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("orders"), ParamSegment("token"))
                    view=OrderPage
                    ssr=SsrMode::Async
                />
            </Routes>
        </main>
        <footer class="site-footer">
            <p>{SHOP_NAME} " · Free returns within 30 days · Prices include VAT"</p>
        </footer>
    }
}
