//! Paged operations as a stream of items, over any of DealPOS's envelopes
//! (a bare array, `{Data, TotalCount}`, `{DataArray, RecordsCount}`).
//!
//! The stream asks for page 1, 2, … and ends on an empty page or one shorter
//! than the page size. Totals are never trusted: `RecordsCount` is often -1.

use std::collections::VecDeque;

use futures_util::Stream;

use super::{Client, Error, Request};

/// Where a paged operation takes its page number and size.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// The page-number parameter (`PageNumber`).
    pub page: &'static str,
    /// The page-size parameter (`PageSize`).
    pub size: &'static str,
    /// Whether they go in the JSON body rather than the query.
    pub in_body: bool,
}

impl Paging {
    /// `request` asking for page `page` of `size` items.
    pub fn apply(&self, request: &Request, page: u32, size: u32) -> Request {
        let mut request = request.clone();
        if self.in_body {
            let mut body = request.body.take().unwrap_or_else(|| serde_json::json!({}));
            if let Some(fields) = body.as_object_mut() {
                fields.insert(self.page.to_string(), page.into());
                fields.insert(self.size.to_string(), size.into());
            }
            request.body = Some(body);
        } else {
            request.query.retain(|(name, _)| name != self.page && name != self.size);
            request.query.push((self.page.to_string(), page.to_string()));
            request.query.push((self.size.to_string(), size.to_string()));
        }
        request
    }
}

struct State<T, F> {
    client: Client,
    request: Request,
    paging: Paging,
    size: u32,
    page: u32,
    items: F,
    buffer: VecDeque<T>,
    done: bool,
}

/// The items of every page of `request` from page `first` on; `items` takes
/// them out of one page's answer `R`.
pub fn paginate<T, R, F>(
    client: Client,
    request: Request,
    paging: Paging,
    first: u32,
    size: u32,
    items: F,
) -> impl Stream<Item = Result<T, Error>>
where
    R: serde::de::DeserializeOwned,
    F: FnMut(R) -> Vec<T>,
{
    let state = State {
        client,
        request,
        paging,
        size: size.max(1),
        page: first.max(1),
        items,
        buffer: VecDeque::new(),
        done: false,
    };
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.buffer.pop_front() {
                return Some((Ok(item), state));
            }
            if state.done {
                return None;
            }
            let request = state.paging.apply(&state.request, state.page, state.size);
            match state.client.execute::<R>(&request).await {
                Ok(answer) => {
                    let items = (state.items)(answer);
                    state.done = items.len() < state.size as usize;
                    state.page += 1;
                    state.buffer.extend(items);
                }
                Err(error) => {
                    state.done = true;
                    return Some((Err(error), state));
                }
            }
        }
    })
}
