use reactive::prelude::*;

#[derive(Reactive, garde::Validate, Clone)]
#[reactive(validate)]
struct Settings {
    #[garde(skip)]
    volume: u8,
    #[garde(skip)]
    muted: bool,
}

fn main() {}
