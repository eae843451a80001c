//! Names for the feature combinations the crate's `cfg`s test again and again, so that each is
//! written once: `any_provider` (at least one provider feature), `all_providers` (all five) and
//! `adapter` (axum or actix). Parts that only some features use are allowed to go unused under
//! the others through these.

fn main() {
    const PROVIDERS: [&str; 5] = ["WAKILNI", "PEDDLER", "XOXODAY", "ISENDU", "SKLADON"];
    let on = |feature: &str| std::env::var_os(format!("CARGO_FEATURE_{feature}")).is_some();
    println!("cargo::rustc-check-cfg=cfg(any_provider, all_providers, adapter)");
    if PROVIDERS.iter().any(|p| on(p)) {
        println!("cargo::rustc-cfg=any_provider");
    }
    if PROVIDERS.iter().all(|p| on(p)) {
        println!("cargo::rustc-cfg=all_providers");
    }
    if on("AXUM") || on("ACTIX") {
        println!("cargo::rustc-cfg=adapter");
    }
}
