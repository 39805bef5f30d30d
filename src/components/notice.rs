//! What a form post that redirected says on the page it led to (`?done=`): one of a fixed
//! set of messages, announced politely.

use crate::model::form::Notice;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn NoticeBanner() -> impl IntoView {
    let notice =
        use_query_map().with_untracked(|q| q.get("done").and_then(|code| Notice::parse(&code)));
    notice.map(|notice| {
        view! { <p class="status status-ok notice" role="status" data-testid="notice">{notice.message()}</p> }
    })
}
