//! The operations: one accessor per tag on `Client`, one method per operation
//! returning a request builder with `send()` (and `items()`/`collect_all()` for
//! paged operations). Methods only describe requests; the runtime in
//! `templates/runtime/client/` sends them.

use std::collections::BTreeMap;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::features::gate;
use super::types::{Scope, ident, rust_type_in};
use super::{Features, Module, docs};
use crate::ir::{Api, Operation, Taken, TypeKind, TypeRef, tag_of};

/// The `operations` module; each tag's group is compiled with the tag's feature.
pub fn operations(modules: &[Module], features: &Features) -> TokenStream {
    let mut groups: BTreeMap<String, Vec<(&Module, &Operation)>> = BTreeMap::new();
    for module in modules {
        let by_id: BTreeMap<&str, &Operation> = module.api.operations.iter().map(|o| (o.id.as_str(), o)).collect();
        for op in &module.api.operations {
            // A POST twin is reached through the GET it stands for.
            if op.dealpos.post_twin_of.as_deref().is_some_and(|of| by_id.contains_key(of)) {
                continue;
            }
            groups.entry(tag_of(op).to_string()).or_default().push((module, op));
        }
    }
    let mut accessors = Vec::new();
    let mut items = Vec::new();
    let mut builder_names = Taken::default();
    let mut accessor_names = Taken::with(crate::runtime::CLIENT_METHODS);
    // Tags in the features' order: the description's, then undeclared ones as met.
    for (tag, _) in &features.tags {
        let Some(ops) = groups.get(tag) else { continue };
        let cfg = features.tag_cfg(tag);
        let group = format_ident!("{}Api", rust_ident_pascal(tag));
        let accessor = ident(&accessor_names.claim(&safe_snake(tag), "_"));
        let doc = format!(" Operations tagged `{tag}`.");
        accessors.push(quote! {
            #cfg
            #[doc = #doc]
            pub fn #accessor(&self) -> #group<'_> {
                #group { client: self }
            }
        });
        let mut method_names = Taken::default();
        let mut methods = Vec::new();
        for (module, op) in ops {
            let by_id: BTreeMap<&str, &Operation> = module.api.operations.iter().map(|o| (o.id.as_str(), o)).collect();
            // Only a GET that carries a JSON body needs its twin; a plain GET is sent as it is.
            let twin =
                op.dealpos.post_twin.as_deref().and_then(|t| by_id.get(t).copied()).filter(|_| op.request.is_some());
            let builder = format_ident!("{}", builder_names.claim(&rust_ident_pascal(&op.id), ""));
            let method = ident(&method_names.claim(&method_name(&op.id, tag), "_"));
            let (method_tokens, builder_tokens) = operation(module, op, twin, &method, &builder);
            methods.push(method_tokens);
            items.push(gate(builder_tokens, &cfg));
        }
        items.push(gate(
            quote! {
                #[doc = #doc]
                #[derive(Debug, Clone, Copy)]
                pub struct #group<'a> {
                    client: &'a crate::client::Client,
                }

                impl<'a> #group<'a> {
                    #(#methods)*
                }
            },
            &cfg,
        ));
    }
    quote! {
        //! The API's operations, grouped by tag: `client.invoice().void(body).send().await`.
        #![allow(missing_docs, clippy::doc_markdown, clippy::too_many_arguments, clippy::new_without_default)]

        impl crate::client::Client {
            #(#accessors)*
        }

        #(#items)*
    }
}

/// The method on the tag's group, and the request builder type.
fn operation(
    module: &Module,
    op: &Operation,
    twin: Option<&Operation>,
    method: &proc_macro2::Ident,
    builder: &proc_macro2::Ident,
) -> (TokenStream, TokenStream) {
    let api = &module.api;
    let models = format_ident!("{}", module.name);
    let scope = Scope { root: quote!(crate), module: Some(quote!(crate::#models)) };
    // The GET with a JSON body is sent as its documented POST twin (bodies on GET get lost in proxies).
    let sent = twin.unwrap_or(op);
    let http_method = sent.method.as_str();
    let path = sent.path.trim_start_matches('/');
    let safe = matches!(op.method.as_str(), "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE");
    let id = op.id.as_str();

    let mut fields = Vec::new();
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    let mut fills = Vec::new();
    let mut names = Taken::with(&["client", "body", "send", "request", "items", "collect_all", "page", "page_size"]);
    // A paged operation's page parameters are set by `page()`/`page_size()` and by the stream.
    let is_page_param = |name: &str| op.dealpos.paged.as_ref().is_some_and(|p| name == p.page || name == p.size);
    for p in op.parameters.iter().filter(|p| !is_page_param(&p.name)) {
        let name = ident(&names.claim(&crate::ir::field_name(&p.name), "_"));
        let ty = rust_type_in(api, &p.ty, &scope);
        let wire = p.name.as_str();
        let fill = match p.place.as_str() {
            "path" => quote!(path = crate::client::path_param(&path, #wire, &self.#name);),
            "header" => quote!(request.header(#wire, &self.#name);),
            "cookie" => quote!(),
            _ => quote!(request.query(#wire, &self.#name);),
        };
        if p.required {
            fields.push(quote!(#name: #ty,));
            args.push(quote!(#name: #ty));
            inits.push(quote!(#name,));
        } else {
            fields.push(quote!(#name: Option<#ty>,));
            inits.push(quote!(#name: None,));
            let doc = docs(p.doc.as_deref());
            setters.push(quote! {
                #doc
                pub fn #name(mut self, value: #ty) -> Self {
                    self.#name = Some(value);
                    self
                }
            });
        }
        fills.push(fill);
    }
    let body_ty = op.request.as_ref().map(|t| rust_type_in(api, t, &scope));
    if let Some(t) = &body_ty {
        fields.push(quote!(body: #t,));
        args.push(quote!(body: #t));
        inits.push(quote!(body,));
    }
    let set_body = body_ty.as_ref().map(|_| {
        quote! {
            request.body = Some(serde_json::to_value(&self.body).map_err(|e| crate::client::Error::Config(e.to_string()))?);
        }
    });
    let answer = op.responses.iter().find(|(s, _)| s.starts_with('2')).and_then(|(_, t)| t.as_ref());
    let (output, send_body) = match answer {
        Some(t) => {
            let t = rust_type_in(api, t, &scope);
            (t, quote!(self.client.execute(&request).await))
        }
        None => (quote!(()), quote!(self.client.execute_unit(&request).await)),
    };
    let paging_spec = op.dealpos.paged.as_ref().map(|p| {
        let in_body = !op.parameters.iter().any(|q| q.name == p.page && q.place == "query");
        let (page, size) = (&p.page, &p.size);
        quote!(crate::client::Paging { page: #page, size: #size, in_body: #in_body })
    });
    let apply_page = paging_spec.as_ref().map(|spec| {
        quote! {
            let request = #spec.apply(&request, self.page.unwrap_or(1), self.page_size.unwrap_or_else(|| self.client.page_size()));
        }
    });
    let page_setters = paging_spec.as_ref().map(|_| {
        quote! {
            /// The page `send()` fetches (default 1).
            pub fn page(mut self, page: u32) -> Self {
                self.page = Some(page);
                self
            }

            /// Items per page (default: the client's page size).
            pub fn page_size(mut self, size: u32) -> Self {
                self.page_size = Some(size);
                self
            }
        }
    });
    let paging = op.dealpos.paged.as_ref().zip(paging_spec.as_ref()).and_then(|(p, spec)| {
        let (item, extract) = page_items(api, answer?, &p.items, &scope)?;
        Some((item, extract, spec.clone()))
    });
    let paged = paging.map(|(item, extract, spec)| {
        quote! {
            /// Every item of every page from `page` on, fetched as the stream is read;
            /// it ends on an empty page or one shorter than the page size.
            pub fn items(self) -> impl futures_util::Stream<Item = Result<#item, crate::client::Error>> + 'a {
                let paging = #spec;
                let size = self.page_size.unwrap_or_else(|| self.client.page_size());
                let first = self.page.unwrap_or(1);
                let client = self.client.clone();
                let request = self.request();
                futures_util::StreamExt::flat_map(futures_util::stream::iter(Some(request)), move |request| match request {
                    Ok(request) => futures_util::future::Either::Left(crate::client::paginate(client.clone(), request, paging, first, size, #extract)),
                    Err(e) => futures_util::future::Either::Right(futures_util::stream::iter(Some(Err(e)))),
                })
            }

            /// Every item of every page, collected.
            pub async fn collect_all(self) -> Result<Vec<#item>, crate::client::Error> {
                futures_util::TryStreamExt::try_collect(self.items()).await
            }
        }
    });
    let page_size_field = paging_spec.as_ref().map(|_| quote!(page: Option<u32>, page_size: Option<u32>,));
    let page_size_init = paging_spec.as_ref().map(|_| quote!(page: None, page_size: None,));
    let summary = [op.summary.as_deref(), op.doc.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("\n\n");
    let route = match twin {
        Some(t) => format!(
            "`{} /{}` (the documented POST twin of `{} /{}`)",
            t.method,
            path,
            op.method,
            op.path.trim_start_matches('/')
        ),
        None => format!("`{http_method} /{path}`"),
    };
    let method_doc = docs(Some(&format!("{summary}\n\n{route}, operation `{id}`.")));
    let builder_doc = format!(" Request builder for `{id}`: set optional parameters, then `send()`.");
    let deprecated =
        op.dealpos.deprecated.then(|| quote!(#[deprecated(note = "DealPOS marks this operation deprecated")]));
    let method_tokens = quote! {
        #method_doc
        #deprecated
        pub fn #method(&self, #(#args),*) -> #builder<'a> {
            #builder { client: self.client, #(#inits)* #page_size_init }
        }
    };
    let builder_tokens = quote! {
        #[doc = #builder_doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct #builder<'a> {
            client: &'a crate::client::Client,
            #(#fields)*
            #page_size_field
        }

        impl<'a> #builder<'a> {
            #(#setters)*

            /// Sends the request.
            pub async fn send(self) -> Result<#output, crate::client::Error> {
                let request = self.request()?;
                #apply_page
                #send_body
            }

            #page_setters

            #paged

            fn request(&self) -> Result<crate::client::Request, crate::client::Error> {
                #[allow(unused_mut)]
                let mut path = String::from(#path);
                #[allow(unused_mut)]
                let mut request = crate::client::Request::new(#id, #http_method, String::new(), #safe);
                #(#fills)*
                #set_body
                request.path = path;
                Ok(request)
            }
        }
    };
    (method_tokens, builder_tokens)
}

/// The item type of a paged answer and a closure taking the items out: the
/// answer itself when it is an array, else its `items` field.
fn page_items(api: &Api, answer: &TypeRef, field: &str, scope: &Scope) -> Option<(TokenStream, TokenStream)> {
    if let TypeRef::Array(item) = answer {
        let item_ty = rust_type_in(api, item, scope);
        let answer_ty = rust_type_in(api, answer, scope);
        return Some((item_ty, quote!(|page: #answer_ty| page)));
    }
    let TypeRef::Named(id) = answer else { return None };
    let def = api.get(*id);
    let (TypeKind::Struct { fields, .. }, false) = (&def.kind, field.is_empty()) else { return None };
    let f = fields.iter().find(|f| f.wire == field)?;
    let TypeRef::Array(item) = &f.ty else { return None };
    let item_ty = rust_type_in(api, item, scope);
    let answer_ty = rust_type_in(api, answer, scope);
    let name = ident(&f.name);
    // Lenient answers have every field optional; a missing list is an empty page.
    let take = if def.lenient || !f.required { quote!(page.#name.unwrap_or_default()) } else { quote!(page.#name) };
    Some((item_ty, quote!(|page: #answer_ty| #take)))
}

/// How users reach `op`: `invoice().void` (before any collision suffix).
pub(crate) fn call_name(op: &Operation) -> String {
    let tag = tag_of(op);
    format!("{}().{}", safe_snake(tag), method_name(&op.id, tag))
}

/// `voidInvoice` in tag `Invoice` → `void`: the tag's words are dropped, as
/// the method is reached through the tag (`client.invoice().void(…)`).
fn method_name(id: &str, tag: &str) -> String {
    let tag_words: Vec<String> = safe_snake(tag).split('_').map(str::to_string).collect();
    let snake = id.to_snake_case();
    let kept: Vec<&str> =
        snake.split('_').filter(|w| !w.is_empty()).filter(|w| !tag_words.iter().any(|t| is_form_of(w, t))).collect();
    let name = if kept.is_empty() { id.to_snake_case() } else { kept.join("_") };
    crate::ir::field_name(&name)
}

/// `word` is `tag_word` or its plural (`invoices`, `taxes`, `categories`).
fn is_form_of(word: &str, tag_word: &str) -> bool {
    let t = tag_word;
    word == t
        || word == format!("{t}s")
        || word == format!("{t}es")
        || t.strip_suffix('y').is_some_and(|stem| word == format!("{stem}ies"))
}

fn safe_snake(name: &str) -> String {
    crate::ir::field_name(name)
}

fn rust_ident_pascal(name: &str) -> String {
    let cleaned: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect();
    let pascal = cleaned.to_upper_camel_case();
    if pascal.starts_with(|c: char| c.is_ascii_digit()) || pascal.is_empty() { format!("Op{pascal}") } else { pascal }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_drop_the_tag() {
        assert_eq!(method_name("voidInvoice", "Invoice"), "void");
        assert_eq!(method_name("listInvoicesWithTotalCount", "Invoice"), "list_with_total_count");
        assert_eq!(method_name("getSalesOrderDetail", "Sales Order"), "get_detail");
        assert_eq!(method_name("listCategories", "Category"), "list");
        assert_eq!(method_name("invoice", "Invoice"), "invoice");
        assert_eq!(method_name("createToken", "Token"), "create");
        assert_eq!(method_name("listTaxes", "Tax"), "list");
    }
}
