//! The operations: one accessor per tag on `Client`, one method per operation
//! returning a request builder with `send()` (and `items()`/`collect_all()` for
//! paged operations). Methods only describe requests; the runtime in
//! `templates/runtime/src/client/` sends them.
//!
//! Every name written here is read from the IR, never made: the tag's group
//! type and accessor from [`crate::ir::TagNames`], the method and builder
//! from [`Operation::rust_name`] and [`Operation::builder`], the builder's
//! fields and setters from [`crate::ir::Parameter::rust_name`] (naming
//! keeps those clear of the members written here, its `BUILDER_MEMBERS`).

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::layout::File;
use super::types::{Scope, Wrapper, ident, rust_type_in, wrapper};
use super::{Features, Module, docs};
use crate::ir::{Api, Field, Operation, Paging, ParameterPlace, TypeKind, TypeRef, tag_of};
use crate::runtime;

/// The `operations` module: `mod.rs` with the tag accessors on `Client`, and
/// one file per tag (its group and request builders), compiled as a whole
/// under the tag's feature.
pub fn operations(modules: &[Module], features: &Features) -> Vec<File> {
    let mut groups: BTreeMap<&str, Vec<(&Module, &Operation)>> = BTreeMap::new();
    for module in modules {
        let by_id = by_id(&module.api);
        for op in &module.api.operations {
            // A POST twin is reached through the GET it stands for.
            if op.dealpos.post_twin_of.as_deref().is_some_and(|of| by_id.contains_key(of)) {
                continue;
            }
            groups.entry(tag_of(op)).or_default().push((module, op));
        }
    }
    let client = runtime::CLIENT.tokens();
    let mut accessors = Vec::new();
    let mut declarations = Vec::new();
    let mut out = Vec::new();
    // Tags in the features' order: the description's, then undeclared ones as met.
    for names in &features.names {
        let Some(ops) = groups.get(names.tag.as_str()) else { continue };
        let tag = &names.tag;
        let cfg = features.tag_cfg(tag);
        let group = format_ident!("{}", names.group);
        let accessor = ident(&names.accessor);
        let module = ident(&names.module);
        let doc = format!(" Operations tagged `{tag}`.");
        accessors.push(quote! {
            #cfg
            #[doc = #doc]
            pub fn #accessor(&self) -> #group<'_> {
                #group { client: self }
            }
        });
        declarations.push(quote! {
            #cfg
            mod #module;
            #cfg
            pub use #module::*;
        });
        let mut methods = Vec::new();
        let mut builders = Vec::new();
        for (module, op) in ops {
            // Only a GET that carries a JSON body needs its twin; a plain GET is sent as it is.
            let twin = op
                .dealpos
                .post_twin
                .as_deref()
                .and_then(|t| by_id(&module.api).get(t).copied())
                .filter(|_| op.request.is_some());
            let (method_tokens, builder_tokens) = operation(module, op, twin);
            methods.push(method_tokens);
            builders.push(builder_tokens);
        }
        let file_doc = match features.of_tag(tag) {
            Some(feature) => format!(" Operations tagged `{tag}` (feature `{feature}`)."),
            None => doc.clone(),
        };
        out.push(File {
            path: format!("src/operations/{}.rs", names.module),
            tokens: quote! {
                #![doc = #file_doc]
                #[doc = #doc]
                #[derive(Debug, Clone, Copy)]
                pub struct #group<'a> {
                    pub(super) client: &'a #client,
                }

                impl<'a> #group<'a> {
                    #(#methods)*
                }

                #(#builders)*
            },
        });
    }
    out.push(File {
        path: "src/operations/mod.rs".into(),
        tokens: quote! {
            //! The API's operations, grouped by tag: `client.invoice().void(body).send().await`.
            #![allow(missing_docs, clippy::doc_markdown, clippy::too_many_arguments, clippy::new_without_default)]

            #(#declarations)*

            impl #client {
                #(#accessors)*
            }
        },
    });
    out
}

/// The operations of `api` by id (the last of several with one id wins).
fn by_id(api: &Api) -> BTreeMap<&str, &Operation> {
    api.operations.iter().map(|o| (o.id.as_str(), o)).collect()
}

/// The method on the tag's group, and the request builder type: the steps
/// below, put together.
fn operation(module: &Module, op: &Operation, twin: Option<&Operation>) -> (TokenStream, TokenStream) {
    let api = &module.api;
    let models = format_ident!("{}", module.name);
    let scope = Scope { root: quote!(crate), module: Some(quote!(crate::#models)) };
    let method = ident(&op.rust_name);
    let builder = format_ident!("{}", op.builder);
    let mut parts = parameters(api, op, &scope);
    let set_body = body(api, op, &scope, &mut parts);
    let answer = op.answer();
    let (output, send_body, send_with_response) = send(api, answer, &scope);
    let paging = paging(api, op, answer, &scope);
    let route = Route::of(op, twin);
    let deprecated =
        op.dealpos.deprecated.then(|| quote!(#[deprecated(note = "DealPOS marks this operation deprecated")]));
    let (method_doc, builder_doc) = (method_doc(op, &route), builder_doc(op));
    let Parts { args, inits, .. } = &parts;
    let page_init = &paging.init;
    let method_tokens = quote! {
        #method_doc
        #deprecated
        pub fn #method(&self, #(#args),*) -> #builder<'a> {
            #builder { client: self.client, #(#inits)* #page_init }
        }
    };
    let builder_tokens = builder_item(
        &builder,
        &builder_doc,
        &parts,
        &paging,
        &route,
        op,
        &Sending { output, send_body, send_with_response, set_body },
    );
    (method_tokens, builder_tokens)
}

/// What the parameters (and the body) add to the method and the builder.
#[derive(Default)]
struct Parts {
    /// The builder's fields.
    fields: Vec<TokenStream>,
    /// The method's arguments: required parameters, then the body.
    args: Vec<TokenStream>,
    /// The builder's fields as the method fills them.
    inits: Vec<TokenStream>,
    /// Setters of the optional parameters.
    setters: Vec<TokenStream>,
    /// Statements putting each parameter into the request.
    fills: Vec<TokenStream>,
}

/// Required parameters become arguments, optional ones setters; each is put
/// into the request where it belongs. A paged operation's page parameters
/// are left to `page()`/`page_size()` and the stream.
fn parameters(api: &Api, op: &Operation, scope: &Scope) -> Parts {
    let mut parts = Parts::default();
    let is_page_param = |name: &str| op.dealpos.paged.as_ref().is_some_and(|p| name == p.page || name == p.size);
    for p in op.parameters.iter().filter(|p| !is_page_param(&p.name)) {
        let name = ident(&p.rust_name);
        let ty = rust_type_in(api, &p.ty, scope);
        let wire = p.name.as_str();
        let fill = match p.place {
            ParameterPlace::Path => {
                let path_param = runtime::PATH_PARAM.tokens();
                quote!(path = #path_param(&path, #wire, &self.#name);)
            }
            ParameterPlace::Header => quote!(request.header(#wire, &self.#name);),
            ParameterPlace::Cookie => quote!(),
            ParameterPlace::Query => quote!(request.query(#wire, &self.#name);),
        };
        // A flag is a plain `bool`: `impl Into<bool>` would only add noise to the signature.
        let (arg_ty, into) =
            if p.ty == TypeRef::Boolean { (quote!(bool), quote!()) } else { (quote!(impl Into<#ty>), quote!(.into())) };
        if p.required {
            parts.fields.push(quote!(#name: #ty,));
            parts.args.push(quote!(#name: #arg_ty));
            // A `bool` is taken as it is: the shorthand, or clippy objects.
            parts.inits.push(if into.is_empty() { quote!(#name,) } else { quote!(#name: #name #into,) });
        } else {
            parts.fields.push(quote!(#name: Option<#ty>,));
            parts.inits.push(quote!(#name: None,));
            let doc = docs(p.doc.as_deref());
            parts.setters.push(quote! {
                #doc
                pub fn #name(mut self, value: #arg_ty) -> Self {
                    self.#name = Some(value #into);
                    self
                }
            });
        }
        parts.fills.push(fill);
    }
    parts
}

/// The request body: the method's last argument, a builder field, and the
/// statement putting it into the request.
fn body(api: &Api, op: &Operation, scope: &Scope, parts: &mut Parts) -> Option<TokenStream> {
    let t = rust_type_in(api, op.request.as_ref()?, scope);
    parts.fields.push(quote!(body: #t,));
    // `impl Into`: a request union takes any of its alternatives (`construct.rs`).
    parts.args.push(quote!(body: impl Into<#t>));
    parts.inits.push(quote!(body: body.into(),));
    let encode = runtime::CLIENT_ERROR_ENCODE.tokens();
    let id = op.id.as_str();
    Some(quote! {
        request.body = Some(serde_json::to_value(&self.body).map_err(|e| #encode { operation: #id, message: e.to_string() })?);
    })
}

/// What `send()` returns and the call that sends: the answer decoded, or
/// `()` when the success response has no body.
fn send(api: &Api, answer: Option<&TypeRef>, scope: &Scope) -> (TokenStream, TokenStream, TokenStream) {
    let (execute, execute_unit, with_response, unit_with_response) = (
        runtime::CLIENT_EXECUTE.name(),
        runtime::CLIENT_EXECUTE_UNIT.name(),
        runtime::CLIENT_EXECUTE_WITH_RESPONSE.name(),
        runtime::CLIENT_EXECUTE_UNIT_WITH_RESPONSE.name(),
    );
    match answer {
        Some(t) => (
            rust_type_in(api, t, scope),
            quote!(self.client.#execute(&request).await),
            quote!(self.client.#with_response(&request).await),
        ),
        None => (
            quote!(()),
            quote!(self.client.#execute_unit(&request).await),
            quote!(self.client.#unit_with_response(&request).await),
        ),
    }
}

/// What `send()` needs besides the parts: its output, the sending call and
/// the body statement.
struct Sending {
    output: TokenStream,
    send_body: TokenStream,
    /// The call `send_with_response()` makes.
    send_with_response: TokenStream,
    set_body: Option<TokenStream>,
}

/// What paging adds to a builder; all empty for an operation that does not page.
#[derive(Default)]
struct PagingParts {
    /// The `page`/`page_size` fields.
    field: Option<TokenStream>,
    /// Their initial values.
    init: Option<TokenStream>,
    /// Applying them to the request in `send()`.
    apply: Option<TokenStream>,
    /// `page()` and `page_size()`.
    setters: Option<TokenStream>,
    /// `items()` and `collect_all()`, when the answer's items can be found.
    stream: Option<TokenStream>,
}

fn paging(api: &Api, op: &Operation, answer: Option<&TypeRef>, scope: &Scope) -> PagingParts {
    let Some(p) = op.dealpos.paged.as_ref() else { return PagingParts::default() };
    let in_body = !op.parameters.iter().any(|q| q.name == p.page && q.place == ParameterPlace::Query);
    let (page, size) = (&p.page, &p.size);
    let (paging_ty, paginate, error, items_ty) = (
        runtime::PAGING.tokens(),
        runtime::PAGINATE.tokens(),
        runtime::CLIENT_ERROR.tokens(),
        runtime::ITEMS_STREAM.tokens(),
    );
    let list = &p.items;
    let spec = quote!(#paging_ty { page: #page, size: #size, in_body: #in_body, items: #list });
    let apply = quote! {
        let request = #spec.apply(&request, self.page.unwrap_or(1), self.page_size.unwrap_or_else(|| self.client.page_size()));
    };
    let setters = quote! {
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
    };
    let stream = answer.and_then(|answer| page_items(api, answer, p, scope)).map(|(item, extract)| {
        quote! {
            /// Every item of every page from `page` on, fetched as the stream is read.
            /// It ends only where the list does (an empty page, `TotalCount`, or a page
            /// shorter than the size the server serves) and fails rather than end early
            /// (a repeated page, too many pages, an answer without its list);
            /// `progress()` tells how far it has got.
            pub fn items(self) -> #items_ty<#item> {
                let paging = #spec;
                let size = self.page_size.unwrap_or_else(|| self.client.page_size());
                let first = self.page.unwrap_or(1);
                #paginate(self.client.clone(), self.request(), paging, first, size, #extract)
            }

            /// Every item of every page, collected: the whole list or an error.
            pub async fn collect_all(self) -> Result<Vec<#item>, #error> {
                futures_util::TryStreamExt::try_collect(self.items()).await
            }
        }
    });
    PagingParts {
        field: Some(quote!(page: Option<u32>, page_size: Option<u32>,)),
        init: Some(quote!(page: None, page_size: None,)),
        apply: Some(apply),
        setters: Some(setters),
        stream,
    }
}

/// The item type of a paged answer and a closure making it a runtime page:
/// the answer itself when it is an array, else its list field (`None` when
/// the answer lacks it, which the stream reports) and its total, if any.
fn page_items(api: &Api, answer: &TypeRef, paging: &Paging, scope: &Scope) -> Option<(TokenStream, TokenStream)> {
    let page_new = runtime::PAGE_NEW.tokens();
    let answer_ty = rust_type_in(api, answer, scope);
    if let TypeRef::Array(item) = answer {
        let item_ty = rust_type_in(api, item, scope);
        return Some((item_ty, quote!(|page: #answer_ty| #page_new(Some(page), None))));
    }
    let TypeRef::Named(id) = answer else { return None };
    let def = api.get(*id);
    let (TypeKind::Struct { fields, .. }, false) = (&def.kind, paging.items.is_empty()) else { return None };
    let f = fields.iter().find(|f| f.wire == paging.items)?;
    let TypeRef::Array(item) = &f.ty else { return None };
    let item_ty = rust_type_in(api, item, scope);
    let as_option = |f: &Field| {
        let name = ident(&f.name);
        match wrapper(f, def) {
            Wrapper::Bare => quote!(Some(page.#name)),
            Wrapper::Option | Wrapper::OptionSkipped => quote!(page.#name),
            Wrapper::Nullable => {
                let into_option = runtime::NULLABLE_INTO_OPTION.tokens();
                quote!(#into_option(page.#name))
            }
        }
    };
    let list = as_option(f);
    let total = fields
        .iter()
        .find(|t| t.wire == paging.total && matches!(t.ty, TypeRef::Integer { .. }) && !t.boxed)
        .map_or(quote!(None), |t| {
            let value = as_option(t);
            match t.ty {
                TypeRef::Integer { bits: 64 } => value,
                _ => quote!(#value.map(i64::from)),
            }
        });
    Some((item_ty, quote!(|page: #answer_ty| #page_new(#list, #total))))
}

/// What goes on the wire: the GET with a JSON body is sent as its
/// documented POST twin (bodies on GET get lost in proxies).
struct Route<'o> {
    /// The operation sent.
    sent: &'o Operation,
    /// The path template, without its leading `/`.
    path: &'o str,
    /// The twin, when it is the one sent.
    twin: Option<&'o Operation>,
}

impl<'o> Route<'o> {
    fn of(op: &'o Operation, twin: Option<&'o Operation>) -> Self {
        let sent = twin.unwrap_or(op);
        Route { sent, path: sent.path.trim_start_matches('/'), twin }
    }
}

/// The method's doc: summary, description, the route and the operationId,
/// then the transcription notes under `# Provenance`.
fn method_doc(op: &Operation, route: &Route<'_>) -> TokenStream {
    let summary = [op.summary.as_deref(), op.doc.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("\n\n");
    let path = route.path;
    let line = match route.twin {
        Some(t) => format!(
            "`{} /{}` (the documented POST twin of `{} /{}`)",
            t.method,
            path,
            op.method,
            op.path.trim_start_matches('/')
        ),
        None => format!("`{} /{path}`", route.sent.method),
    };
    let mut text = format!("{summary}\n\n{line}, operation `{}`.", op.id);
    // Arguments lose the doc a setter would carry: it is listed here.
    let is_page = |name: &str| op.dealpos.paged.as_ref().is_some_and(|p| name == p.page || name == p.size);
    let arguments: Vec<String> = op
        .parameters
        .iter()
        .filter(|p| p.required && p.place != ParameterPlace::Cookie && !is_page(&p.name))
        .map(|p| {
            let doc = p.doc.as_deref().map(|d| format!(": {}", d.trim())).unwrap_or_default();
            format!("- `{}` ({} `{}`){doc}", p.rust_name, p.place, p.name)
        })
        .collect();
    if !arguments.is_empty() {
        text.push_str(&format!("\n\n# Arguments\n\n{}", arguments.join("\n")));
    }
    // Last: how we know is for whoever doubts the docs, not for the first read.
    if let Some(provenance) = &op.dealpos.provenance {
        text.push_str(&format!("\n\n# Provenance\n\n{provenance}"));
    }
    docs(Some(&text))
}

fn builder_doc(op: &Operation) -> String {
    format!(" Request builder for `{}`: set optional parameters, then `send()`.", op.id)
}

/// The builder struct and its `impl`: setters, `send()`, paging, and the
/// request it describes.
fn builder_item(
    builder: &Ident,
    doc: &str,
    parts: &Parts,
    paging: &PagingParts,
    route: &Route<'_>,
    op: &Operation,
    sending: &Sending,
) -> TokenStream {
    let Parts { fields, setters, fills, .. } = parts;
    let PagingParts { field: page_field, apply, setters: page_setters, stream, .. } = paging;
    let Sending { output, send_body, send_with_response, set_body } = sending;
    let response = runtime::RESPONSE.tokens();
    let (id, path, http_method) = (op.id.as_str(), route.path, route.sent.method.as_str());
    // Retried only when repeating it is harmless (the description says so per
    // action, else the method); a twin is judged by the GET it stands for.
    let safe = op.repeatable();
    let (client, request, request_new, error) = (
        runtime::CLIENT.tokens(),
        runtime::REQUEST.tokens(),
        runtime::REQUEST_NEW.tokens(),
        runtime::CLIENT_ERROR.tokens(),
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct #builder<'a> {
            client: &'a #client,
            #(#fields)*
            #page_field
        }

        impl<'a> #builder<'a> {
            #(#setters)*

            /// Sends the request; the decoded answer.
            pub async fn send(self) -> Result<#output, #error> {
                let request = self.request()?;
                #apply
                #send_body
            }

            /// Sends the request; the decoded answer with its HTTP status, headers,
            /// request id and raw body.
            pub async fn send_with_response(self) -> Result<#response<#output>, #error> {
                let request = self.request()?;
                #apply
                #send_with_response
            }

            #page_setters

            #stream

            fn request(&self) -> Result<#request, #error> {
                #[allow(unused_mut)]
                let mut path = String::from(#path);
                #[allow(unused_mut)]
                let mut request = #request_new(#id, #http_method, String::new(), #safe);
                #(#fills)*
                #set_body
                request.path = path;
                Ok(request)
            }
        }
    }
}
