//! The navbar's search box: a plain GET form to `/search?q=…` that works without JavaScript;
//! with it, product names are suggested as the shopper types, as an ARIA 1.2 combobox with a
//! listbox popup (<https://www.w3.org/WAI/ARIA/apg/patterns/combobox/>): arrows move through
//! the names, Enter opens the one chosen (or searches when none is), Escape closes the list.

use crate::model::search::Suggestion;
use leptos::prelude::*;

const INPUT_ID: &str = "site-search";
const LISTBOX_ID: &str = "search-suggestions";
/// Suggestions are asked for once typing pauses this long: one request per pause, not per key.
const DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(200);
/// Fewer characters than this ask for nothing (every name would match).
const MIN_CHARS: usize = 2;

fn option_id(index: usize) -> String {
    format!("{LISTBOX_ID}-{index}")
}

fn status_text(count: usize) -> String {
    match count {
        0 => "No suggestions".to_owned(),
        1 => "1 suggestion available".to_owned(),
        n => format!("{n} suggestions available"),
    }
}

/// `initial`: the words of the search page being shown, else empty.
#[island]
pub fn SearchBox(initial: String) -> impl IntoView {
    let suggestions = RwSignal::new(Vec::<Suggestion>::new());
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let status = RwSignal::new(String::new());
    let timer = StoredValue::new(None::<TimeoutHandle>);
    // Answers can come back out of order: only the latest request's is shown.
    let latest = StoredValue::new(0u32);

    let close = move || {
        open.set(false);
        active.set(None);
    };
    let ask = move |text: String| {
        let request = latest.get_value().wrapping_add(1);
        latest.set_value(request);
        leptos::task::spawn_local(async move {
            // A failed request just offers nothing: the form still searches.
            let found = crate::server_fns::search_suggestions(text)
                .await
                .unwrap_or_default();
            if latest.get_value() != request {
                return;
            }
            status.set(status_text(found.len()));
            open.set(!found.is_empty());
            active.set(None);
            suggestions.set(found);
        });
    };
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        active.set(None);
        if text.trim().chars().count() < MIN_CHARS {
            // Forget any request still on its way.
            latest.set_value(latest.get_value().wrapping_add(1));
            close();
            suggestions.set(Vec::new());
            status.set(String::new());
            return;
        }
        timer.set_value(set_timeout_with_handle(move || ask(text), DEBOUNCE).ok());
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = suggestions.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" | "ArrowUp" if count > 0 => {
                ev.prevent_default();
                let down = ev.key() == "ArrowDown";
                open.set(true);
                active.update(|current| {
                    *current = Some(match (*current, down) {
                        (None, true) => 0,
                        (None, false) => count - 1,
                        (Some(i), true) => (i + 1) % count,
                        (Some(i), false) => (i + count - 1) % count,
                    });
                });
            }
            "Enter" => {
                let chosen = open
                    .get_untracked()
                    .then(|| active.get_untracked())
                    .flatten()
                    .and_then(|i| suggestions.with_untracked(|s| s.get(i).map(|s| s.id)));
                // Without a chosen name, Enter submits the form: a search.
                if let Some(id) = chosen {
                    ev.prevent_default();
                    open_product(id);
                }
            }
            // Closes the list; a second Escape is the browser's (it clears the field).
            "Escape" if open.get_untracked() => {
                ev.prevent_default();
                close();
            }
            _ => {}
        }
    };
    let on_focus = move |_| {
        if suggestions.with_untracked(|s| !s.is_empty()) {
            open.set(true);
        }
    };
    let options = move || {
        suggestions
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, suggestion)| {
                let selected = move || active.get() == Some(index);
                let id = suggestion.id;
                view! {
                    <li
                        id=option_id(index)
                        role="option"
                        class="suggestion"
                        class:active=selected
                        aria-selected=move || if selected() { "true" } else { "false" }
                        // Keeps the focus in the field, so the list stays open for the click.
                        on:mousedown=|ev| ev.prevent_default()
                        on:click=move |_| open_product(id)
                    >
                        {suggestion.name}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <form class="search-form" role="search" method="get" action="/search">
            <label class="visually-hidden" for=INPUT_ID>"Search"</label>
            <div class="combobox">
                <input
                    id=INPUT_ID
                    type="search"
                    name="q"
                    value=initial
                    placeholder="Search products"
                    autocomplete="off"
                    maxlength="200"
                    role="combobox"
                    aria-autocomplete="list"
                    aria-controls=LISTBOX_ID
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-activedescendant=move || active.get().map(option_id)
                    on:input=on_input
                    on:keydown=on_keydown
                    on:focus=on_focus
                    on:blur=move |_| close()
                />
                <ul id=LISTBOX_ID class="suggestions" role="listbox" aria-label="Suggestions" hidden=move || !open.get()>
                    {options}
                </ul>
            </div>
            <button type="submit" class="button search-button">"Search"</button>
            <p class="visually-hidden" role="status" data-testid="search-status">{move || status.get()}</p>
        </form>
    }
}

/// Opens a suggested product's page.
fn open_product(id: i32) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(&format!("/product/{id}"));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_counts_suggestions() {
        assert_eq!(status_text(0), "No suggestions");
        assert_eq!(status_text(1), "1 suggestion available");
        assert_eq!(status_text(6), "6 suggestions available");
        assert_eq!(option_id(2), "search-suggestions-2");
    }
}
