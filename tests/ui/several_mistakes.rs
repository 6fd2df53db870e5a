use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Order {
    #[reactive(colour = "red")]
    id: u64,
    #[reactive(rename = 5)]
    total: u64,
    #[reactive(computed = Self::tax_of, deps(totl))]
    tax: u64,
    #[reactive(skip, rename = "cached")]
    cache: Vec<u64>,
    set: bool,
    #[reactive(computed = self.gross + self.tax)]
    net: u64,
    #[reactive(computed = self.net - self.tax)]
    gross: u64,
}

impl Order {
    fn tax_of(&self) -> u64 {
        self.total / 10
    }
}

fn main() {}
