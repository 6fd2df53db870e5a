use reactive::prelude::*;

#[derive(Reactive, garde::Validate, Clone)]
#[reactive(validate)]
struct Order {
    #[garde(range(min = 1))]
    quantity: u32,
    #[garde(range(max = 100))]
    unit_price: u32,
    // Computed from validated fields: never validated input itself.
    #[garde(range(max = 10_000))]
    #[reactive(computed = self.quantity * self.unit_price)]
    total: u32,
    // Not model state.
    #[garde(length(max = 8))]
    #[reactive(skip)]
    scratch: String,
}

fn main() {}
