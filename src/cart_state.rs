//! The cart state (the design's CartContext): one source of truth for the navbar and the
//! pages. The cart (its items, count and total: see [`Cart`]) is a resource the server
//! renders and the client refetches after every cart action; add, set quantity and remove
//! are server actions, so their forms also work without JavaScript.

use crate::error::ShopError;
use crate::model::Cart;
use crate::server_fns::{get_cart, AddToCart, RemoveFromCart, UpdateCartItem};
use leptos::prelude::*;
use leptos_router::hooks::use_url;

#[derive(Clone, Copy)]
pub struct CartContext {
    pub cart: Resource<Result<Cart, ShopError>>,
    pub add: ServerAction<AddToCart>,
    pub update: ServerAction<UpdateCartItem>,
    pub remove: ServerAction<RemoveFromCart>,
    /// The product the last add (with JavaScript) was for, so a page only reports its own.
    last_added: RwSignal<Option<i32>>,
}

impl CartContext {
    /// Creates the cart state and provides it to everything below. Must run inside the router.
    pub fn provide() -> Self {
        // A form posted without JavaScript comes back with its error in the URL; the router
        // only hands it to actions created inside <Routes>, so hand it to these as well.
        use_url().read_untracked().provide_server_action_error();
        let add = ServerAction::<AddToCart>::new();
        let update = ServerAction::<UpdateCartItem>::new();
        let remove = ServerAction::<RemoveFromCart>::new();
        let last_added = RwSignal::new(None);
        Effect::new(move |_| {
            if let Some(input) = add.input().get() {
                last_added.set(Some(input.product_id));
            }
        });
        let cart = Resource::new(
            move || {
                (
                    add.version().get(),
                    update.version().get(),
                    remove.version().get(),
                )
            },
            |_| get_cart(),
        );
        let ctx = Self {
            cart,
            add,
            update,
            remove,
            last_added,
        };
        provide_context(ctx);
        ctx
    }

    pub fn get() -> Self {
        expect_context()
    }

    /// True while a cart action runs.
    pub fn loading(&self) -> Signal<bool> {
        let this = *self;
        Signal::derive(move || {
            this.add.pending().get() || this.update.pending().get() || this.remove.pending().get()
        })
    }

    /// The outcome of the last add, if it was for `product_id`. A form posted without
    /// JavaScript comes back to its own page, so an outcome with no known product is shown.
    pub fn add_outcome(
        &self,
        product_id: i32,
    ) -> Option<Result<crate::model::CartItem, ShopError>> {
        let outcome = self.add.value().get()?;
        let for_this = match (&outcome, self.last_added.get()) {
            (Ok(item), _) => item.product.id == product_id,
            (Err(_), Some(last)) => last == product_id,
            (Err(_), None) => true,
        };
        for_this.then_some(outcome)
    }
}
