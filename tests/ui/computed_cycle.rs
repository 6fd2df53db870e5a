use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Prices {
    base: u64,
    #[reactive(computed = self.base + self.gross)]
    net: u64,
    #[reactive(computed = Self::gross_of, deps(net))]
    gross: u64,
}

impl Prices {
    fn gross_of(&self) -> u64 {
        self.net * 2
    }
}

fn main() {}
