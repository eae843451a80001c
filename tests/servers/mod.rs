//! Both frameworks' ready receivers (`axum::router`, `actix::router`) on loopback, with a handler
//! that does nothing: for the tests that measure what the adapters do over real TCP.

use std::net::SocketAddr;

use delivery_webhooks::{AnyDelivery, Config};

/// axum on a runtime of `threads` workers; the runtime is returned so that the test keeps it.
pub fn start_axum(config: fn() -> Config, threads: usize) -> (SocketAddr, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let app = delivery_webhooks::axum::router(config(), |_: AnyDelivery| async {});
    runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    (addr, runtime)
}

/// actix-web with `workers` workers, on a thread of its own for the rest of the test binary.
pub fn start_actix(config: fn() -> Config, workers: usize) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            actix_web::HttpServer::new(move || {
                actix_web::App::new().service(delivery_webhooks::actix::router(
                    config(),
                    |_: AnyDelivery| async {},
                ))
            })
            .workers(workers)
            .disable_signals()
            .listen(listener)
            .unwrap()
            .run()
            .await
        })
    });
    addr
}
