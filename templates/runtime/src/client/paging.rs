//! Paged operations as a stream of items, over any of DealPOS's envelopes
//! (a bare array, `{Data, TotalCount}`, `{DataArray, RecordsCount}`), that
//! cannot report part of a list as the whole of it.
//!
//! DealPOS has no cursor: a list is read page by page. Servers serve fewer
//! rows than asked (a cap), ignore the page number, or announce no total
//! (`RecordsCount` is -1), so the stream stops only on
//! - an empty page,
//! - reaching `TotalCount`, when the envelope has one (and paging began at page 1),
//! - a page shorter than the page size the server really serves, learned from
//!   the first page (a short first page is taken as that size until a later
//!   page shows otherwise: one more request, never a lost page).
//!
//! A page with the same first and last item as the one before, an empty page
//! short of `TotalCount`, or more pages than the configured maximum end the
//! stream with [`Error::Paging`]; an envelope without its list field with
//! [`Error::Decode`].

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_util::Stream;
use futures_util::stream::BoxStream;

use super::error::PagingFault;
use super::{Client, Error, Request};

/// Where a paged operation takes its page number and size, and where its answer keeps the items.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// The page-number parameter (`PageNumber`).
    pub page: &'static str,
    /// The page-size parameter (`PageSize`).
    pub size: &'static str,
    /// Whether they go in the JSON body rather than the query.
    pub in_body: bool,
    /// The envelope's list field (`Data`), empty for a bare array: named by
    /// the error when an answer lacks it.
    pub items: &'static str,
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

/// One page's answer as the stream needs it: the items (`None` when the
/// envelope lacks its list field) and the total it announces, if any.
#[derive(Debug)]
pub struct Page<T> {
    items: Option<Vec<T>>,
    total: Option<i64>,
}

impl<T> Page<T> {
    /// A page; `total` is `TotalCount` (a negative one is taken as unknown).
    pub fn new(items: Option<Vec<T>>, total: Option<i64>) -> Self {
        Page { items, total }
    }
}

/// How far a paged stream has got, for a job's progress log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Pages fetched.
    pub pages: u32,
    /// Items fetched (yielded or about to be).
    pub items: u64,
    /// `TotalCount`, when the server announces one.
    pub total: Option<u64>,
    /// The page size the server serves, once known.
    pub served_page_size: Option<u32>,
}

/// The items of a paged operation, fetched page by page as the stream is
/// read; [`Items::progress`] tells how far it has got.
#[must_use = "a stream does nothing until it is read"]
pub struct Items<T> {
    stream: BoxStream<'static, Result<T, Error>>,
    progress: Arc<Mutex<Progress>>,
}

impl<T> Items<T> {
    /// Pages and items fetched so far, and the total when known.
    pub fn progress(&self) -> Progress {
        *self.progress.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<T> std::fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items").field("progress", &self.progress()).finish_non_exhaustive()
    }
}

impl<T> Stream for Items<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

/// What decides when a list ends, apart from fetching.
#[derive(Debug)]
struct Stop {
    operation: &'static str,
    max_pages: u32,
    /// Whether `TotalCount` counts the items from the first page fetched.
    from_start: bool,
    served: Option<usize>,
    pages: u32,
    items: u64,
}

impl Stop {
    /// Judges page `page` of `n` items: `Ok(true)` when the list is complete.
    fn judge<T: PartialEq>(
        &mut self,
        page: u32,
        list: &[T],
        previous: Option<&(T, T)>,
        total: Option<u64>,
    ) -> Result<bool, Error> {
        let fault = |fault| Err(Error::Paging { operation: self.operation, page, fault });
        let n = list.len();
        self.pages += 1;
        if n == 0 {
            return match total.filter(|t| self.from_start && self.items < *t) {
                Some(total) => fault(PagingFault::ShortOfTotal { items: self.items, total }),
                None => Ok(true),
            };
        }
        if let (Some((first, last)), Some(f), Some(l)) = (previous, list.first(), list.last())
            && first == f
            && last == l
        {
            return fault(PagingFault::RepeatedPage);
        }
        self.items += n as u64;
        let complete = match (total.filter(|_| self.from_start), self.served) {
            (Some(total), _) => self.items >= total,
            (None, Some(served)) if n < served => true,
            (None, served) => {
                // The first page, full or not, tells the served size; a later longer one corrects it.
                self.served = Some(served.map_or(n, |s| s.max(n)));
                false
            }
        };
        if !complete && self.pages >= self.max_pages {
            return fault(PagingFault::TooManyPages(self.max_pages));
        }
        Ok(complete)
    }
}

struct State<T, F> {
    client: Client,
    request: Request,
    paging: Paging,
    size: u32,
    page: u32,
    extract: F,
    buffer: std::collections::VecDeque<T>,
    previous: Option<(T, T)>,
    stop: Stop,
    progress: Arc<Mutex<Progress>>,
    done: bool,
}

/// The items of every page of `request` from page `first` on; `extract`
/// takes them out of one page's answer `R`.
pub fn paginate<T, R, F>(
    client: Client,
    request: Result<Request, Error>,
    paging: Paging,
    first: u32,
    size: u32,
    extract: F,
) -> Items<T>
where
    T: Clone + PartialEq + Send + 'static,
    R: serde::de::DeserializeOwned + 'static,
    F: FnMut(R) -> Page<T> + Send + 'static,
{
    let progress = Arc::new(Mutex::new(Progress::default()));
    let request = match request {
        Ok(request) => request,
        Err(error) => return Items { stream: Box::pin(futures_util::stream::iter(Some(Err(error)))), progress },
    };
    let stop = Stop {
        operation: request.operation,
        max_pages: client.inner.max_pages,
        from_start: first <= 1,
        served: None,
        pages: 0,
        items: 0,
    };
    let state = State {
        client,
        request,
        paging,
        size: size.max(1),
        page: first.max(1),
        extract,
        buffer: Default::default(),
        previous: None,
        stop,
        progress: progress.clone(),
        done: false,
    };
    let stream = futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.buffer.pop_front() {
                return Some((Ok(item), state));
            }
            if state.done {
                return None;
            }
            state.done = true;
            let result = next_page(&mut state).await;
            if let Err(error) = result {
                return Some((Err(error), state));
            }
        }
    });
    Items { stream: Box::pin(stream), progress }
}

/// Fetches and judges the next page; leaves `done` unset when more follow.
async fn next_page<T, R, F>(state: &mut State<T, F>) -> Result<(), Error>
where
    T: Clone + PartialEq,
    R: serde::de::DeserializeOwned,
    F: FnMut(R) -> Page<T>,
{
    let request = state.paging.apply(&state.request, state.page, state.size);
    let answer: R = state.client.execute(&request).await?;
    let page = (state.extract)(answer);
    let Some(list) = page.items else {
        return Err(Error::Decode(crate::DecodeError {
            what: request.operation.to_string(),
            path: state.paging.items.to_string(),
            message: format!(
                "the answer has no `{}` list: a page without its items is not an empty page",
                state.paging.items
            ),
            line: 0,
            column: 0,
            snippet: String::new(),
        }));
    };
    let total = page.total.and_then(|t| u64::try_from(t).ok());
    let complete = state.stop.judge(state.page, &list, state.previous.as_ref(), total)?;
    if let (Some(first), Some(last)) = (list.first(), list.last()) {
        state.previous = Some((first.clone(), last.clone()));
    }
    let progress = {
        let mut progress = state.progress.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *progress = Progress {
            pages: state.stop.pages,
            items: state.stop.items,
            total,
            served_page_size: state.stop.served.map(|s| s as u32),
        };
        *progress
    };
    tracing::debug!(
        operation = request.operation,
        page = state.page,
        pages = progress.pages,
        items = progress.items,
        total = progress.total,
        complete,
        "dealpos.page"
    );
    state.buffer.extend(list);
    state.page += 1;
    state.done = complete;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stop(_size: usize, max_pages: u32) -> Stop {
        Stop { operation: "op", max_pages, from_start: true, served: None, pages: 0, items: 0 }
    }

    /// Feeds pages of the given lengths (items numbered on) and returns the
    /// page at which the list ended, or the fault.
    fn run(stop: &mut Stop, pages: &[usize], total: Option<u64>) -> Result<u32, PagingFault> {
        let mut next = 0;
        let mut previous = None;
        for (i, n) in pages.iter().enumerate() {
            let list: Vec<u32> = (next..next + *n as u32).collect();
            next += *n as u32;
            match stop.judge(i as u32 + 1, &list, previous.as_ref(), total) {
                Ok(true) => return Ok(i as u32 + 1),
                Ok(false) => {}
                Err(Error::Paging { fault, .. }) => return Err(fault),
                Err(other) => panic!("{other}"),
            }
            previous = list.first().zip(list.last()).map(|(f, l)| (*f, *l));
        }
        panic!("not ended after {pages:?}")
    }

    #[test]
    fn a_list_ends_only_where_it_really_ends() {
        // The page size asked is served: a short page ends it.
        assert_eq!(run(&mut stop(50, 100), &[50, 50, 3], None), Ok(3));
        // A cap of 20 when 50 are asked: learned from page 1, a page of 17 ends it.
        assert_eq!(run(&mut stop(50, 100), &[20, 20, 20, 17], None), Ok(4));
        // A short first page costs one more request: an empty page ends it.
        assert_eq!(run(&mut stop(50, 100), &[5, 0], None), Ok(2));
        // TotalCount decides where there is one, short pages or not.
        assert_eq!(run(&mut stop(50, 100), &[20, 20, 5], Some(45)), Ok(3));
        assert_eq!(run(&mut stop(50, 100), &[0], Some(0)), Ok(1));
    }

    #[test]
    fn what_cannot_be_whole_is_an_error() {
        assert_eq!(
            run(&mut stop(50, 100), &[20, 20, 0], Some(237)),
            Err(PagingFault::ShortOfTotal { items: 40, total: 237 })
        );
        assert_eq!(run(&mut stop(20, 3), &[20, 20, 20, 20], None), Err(PagingFault::TooManyPages(3)));
        let mut s = stop(2, 100);
        let page = [1u32, 2];
        assert!(s.judge(1, &page, None, None).is_ok());
        let repeated = s.judge(2, &page, Some(&(1, 2)), None);
        assert!(matches!(repeated, Err(Error::Paging { page: 2, fault: PagingFault::RepeatedPage, .. })));
    }
}
