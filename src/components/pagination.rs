use leptos::prelude::*;

/// Plain links (`/?page=N`), so paging works without JavaScript too.
#[component]
pub fn Pagination(page: u64, page_count: u64) -> impl IntoView {
    let link = |n: u64| format!("/?page={n}");
    let pages = (1..=page_count)
        .map(|n| {
            let current = n == page;
            view! {
                <li>
                    <a
                        href=link(n)
                        class:current=current
                        aria-current=current.then_some("page")
                        aria-label=format!("Page {n}")
                    >
                        {n}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="pagination" aria-label="Pages">
            <ul>
                {(page > 1).then(|| view! { <li><a href=link(page - 1) rel="prev">"← Previous"</a></li> })}
                {pages}
                {(page < page_count).then(|| view! { <li><a href=link(page + 1) rel="next">"Next →"</a></li> })}
            </ul>
        </nav>
    }
}
