//! The page as an offline app: registers the service worker (`web/sw.js`), which keeps this
//! build's files in the browser, says whether the page now works with no network, and hands
//! over to a newer build only when the reader asks (`update`), so a page never mixes two.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState};

/// Beside the page (trunk copies it from `web/`); its scope is the page's directory.
const SCRIPT: &str = "sw.js";

/// Whether the page opens and trains with no network.
#[derive(Clone, Debug, PartialEq)]
pub enum Offline {
    /// The service worker is saving this build's files.
    Preparing,
    /// Every file of this build is in the browser.
    Ready,
    /// Why not.
    Unavailable(String),
}

impl Offline {
    pub fn state(&self) -> &'static str {
        match self {
            Offline::Preparing => "preparing",
            Offline::Ready => "ready",
            Offline::Unavailable(_) => "unavailable",
        }
    }

    pub fn text(&self) -> String {
        match self {
            Offline::Preparing => "Saving this page's files in the browser for use offline…".into(),
            Offline::Ready => {
                "Works offline: this browser keeps this version's files, so the notebook opens and trains with no network.".into()
            }
            Offline::Unavailable(why) => format!("Not available offline here: {why}."),
        }
    }
}

/// Registers the service worker. `status` hears how far offline use is; `update_ready` that a
/// newer build is installed and waits for `update`.
pub fn register(status: impl Fn(Offline) + 'static, update_ready: impl Fn() + 'static) {
    let Some(container) = container() else {
        status(Offline::Unavailable("this browser offers no service worker to this page (they need https, or localhost)".into()));
        return;
    };
    status(Offline::Preparing);
    let update_ready: Rc<dyn Fn()> = Rc::new(update_ready);
    spawn_local(async move {
        // A browser that blocks service workers may resolve with nothing.
        let registration = match JsFuture::from(container.register(SCRIPT)).await.map(|r| r.dyn_into::<ServiceWorkerRegistration>()) {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => return status(Offline::Unavailable("this browser keeps no service worker for it".into())),
            Err(e) => return status(Offline::Unavailable(format!("its service worker did not start ({})", describe(&e)))),
        };
        watch_updates(&container, &registration, update_ready);
        match container.ready() {
            // Resolves once a service worker is active: it installs only with every file saved.
            Ok(ready) => match JsFuture::from(ready).await {
                Ok(_) => status(Offline::Ready),
                Err(e) => status(Offline::Unavailable(describe(&e))),
            },
            Err(e) => status(Offline::Unavailable(describe(&e))),
        }
    });
}

/// Hands the page over to the newer build that waits, and reloads once it controls the page.
pub fn update() {
    let Some(container) = container() else { return };
    let reload = Closure::<dyn FnMut()>::new(|| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    container.set_oncontrollerchange(Some(reload.as_ref().unchecked_ref()));
    // Once a page: the reload ends it.
    reload.forget();
    spawn_local(async move {
        let registration =
            JsFuture::from(container.get_registration()).await.ok().and_then(|r| r.dyn_into::<ServiceWorkerRegistration>().ok());
        if let Some(waiting) = registration.and_then(|r| r.waiting()) {
            let _ = waiting.post_message(&"update".into());
        }
    });
}

/// Calls `update_ready` when a newer build has installed beside the one that controls the page:
/// waiting already, installing as the page opens, or found while it is open.
fn watch_updates(container: &ServiceWorkerContainer, registration: &ServiceWorkerRegistration, update_ready: Rc<dyn Fn()>) {
    // With no controller this is the first build: it takes the page, nothing to update.
    let controlled = {
        let container = container.clone();
        Rc::new(move || container.controller().is_some())
    };
    if registration.waiting().is_some() && controlled() {
        update_ready();
    }
    let watch = Rc::new(move |worker: ServiceWorker| {
        let (update_ready, controlled, installing) = (update_ready.clone(), controlled.clone(), worker.clone());
        let changed = Closure::<dyn FnMut()>::new(move || {
            if installing.state() == ServiceWorkerState::Installed && controlled() {
                update_ready();
            }
        });
        worker.set_onstatechange(Some(changed.as_ref().unchecked_ref()));
        // Lives as long as that worker, which outlives no page.
        changed.forget();
    });
    if let Some(installing) = registration.installing() {
        watch(installing);
    }
    let found = {
        let registration = registration.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(installing) = registration.installing() {
                watch(installing);
            }
        })
    };
    registration.set_onupdatefound(Some(found.as_ref().unchecked_ref()));
    found.forget();
}

/// `navigator.serviceWorker`, where the page may have one (a secure context: https or localhost).
fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    js_sys::Reflect::has(&navigator, &"serviceWorker".into()).ok()?.then(|| navigator.service_worker())
}

fn describe(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_else(|| format!("{e:?}"))
}
