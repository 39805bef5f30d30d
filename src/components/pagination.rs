use leptos::either::Either;
use leptos::prelude::*;

/// Pages worth a link: the first, the last, and two either side of the current one.
/// `None` marks a gap ("…").
pub fn page_window(page: u64, page_count: u64) -> Vec<Option<u64>> {
    let mut shown: Vec<Option<u64>> = Vec::new();
    for n in 1..=page_count {
        let near = n.abs_diff(page) <= 2;
        if n == 1 || n == page_count || near {
            shown.push(Some(n));
        } else if shown.last().is_some_and(Option::is_some) {
            shown.push(None);
        }
    }
    shown
}

/// `base` (a path with or without a query) on page `n`: `base` keeps every other value.
pub fn page_link(base: &str, n: u64) -> String {
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}page={n}")
}

/// The current path and query without `page`: what the page links keep by default.
fn current_base() -> String {
    let location = leptos_router::hooks::use_location();
    let mut query = location.query.get_untracked();
    query.remove("page");
    format!(
        "{}{}",
        location.pathname.get_untracked(),
        query.to_query_string()
    )
}

/// Plain links, so paging works without JavaScript too. Each keeps `base` (by default the
/// current path and query) and sets `page=N`.
#[component]
pub fn Pagination(
    page: u64,
    page_count: u64,
    /// The URL without its page, when it is not the current one as it is (a listing passes
    /// its cleaned URL).
    #[prop(optional, into)]
    base: Option<String>,
) -> impl IntoView {
    let base = base.unwrap_or_else(current_base);
    let link = move |n: u64| page_link(&base, n);
    let pages = page_window(page, page_count)
        .into_iter()
        .map(|entry| match entry {
            Some(n) => {
                let current = n == page;
                Either::Left(view! {
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
                })
            }
            None => Either::Right(view! { <li class="gap" aria-hidden="true">"…"</li> }),
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

#[cfg(test)]
mod tests {
    use super::{page_link, page_window};

    #[test]
    fn links_keep_the_query() {
        assert_eq!(page_link("/", 2), "/?page=2");
        assert_eq!(page_link("/search?q=mug", 3), "/search?q=mug&page=3");
    }

    #[test]
    fn windows_long_page_lists() {
        assert_eq!(page_window(1, 2), vec![Some(1), Some(2)]);
        assert_eq!(
            page_window(1, 417),
            vec![Some(1), Some(2), Some(3), None, Some(417)]
        );
        assert_eq!(
            page_window(10, 417),
            vec![
                Some(1),
                None,
                Some(8),
                Some(9),
                Some(10),
                Some(11),
                Some(12),
                None,
                Some(417)
            ]
        );
        assert_eq!(
            page_window(4, 5),
            vec![Some(1), Some(2), Some(3), Some(4), Some(5)]
        );
    }
}
