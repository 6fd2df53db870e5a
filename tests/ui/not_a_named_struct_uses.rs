use reactive::prelude::*;

// Not a struct with named fields: one error at the derive's input; uses of the model compile
// against the fallback instead of each adding an error.
#[derive(Reactive, Clone, Debug, PartialEq)]
enum Status {
    Active,
    Closed,
}

#[derive(Reactive, Clone, Debug, PartialEq)]
struct Point(i64, i64);

fn main() {
    let status = Model::new(Status::Active);
    let _ = status.snapshot();
    let _sub = status.on_change(|_, _| {});
    let point = Model::new(Point(1, 2));
    point.update(|p| p.0 = 3).unwrap();
}
