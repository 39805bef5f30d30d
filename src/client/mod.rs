//! What the islands do in the browser, shared by all of them.
//!
//! Every island wraps HTML the server rendered and only adds behaviour to it: a form posts
//! the very request it posts without JavaScript, and the island shows the answer in place
//! instead of loading a new page. The answers are read with the browser's own `fetch`,
//! `JSON.parse` and `DOMParser`, so the WASM carries no Rust (de)serialiser and no
//! server-function client: those, and the reactive views that redrew what the server had
//! already drawn, were most of its weight (README, "Islands").
//!
//! This code compiles in both builds (the server only renders the islands' HTML and never
//! calls it), so no island needs a `cfg` of its own.

pub mod dom;
pub mod http;
