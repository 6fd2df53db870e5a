//! A where clause naming `Self` means the struct in every generated impl (where the impl's own
//! `Self` is a handle).
use reactive::prelude::*;

trait Named {
    fn label(&self) -> String;
}

#[derive(Reactive, Clone, Debug, PartialEq)]
struct Tagged<T>
where
    Self: Named,
    T: Clone + PartialEq + Send + Sync + 'static,
{
    tag: T,
    count: u32,
}

impl<T: Clone + PartialEq + Send + Sync + 'static> Named for Tagged<T> {
    fn label(&self) -> String {
        format!("tagged x{}", self.count)
    }
}

fn main() {
    let tagged = Model::new(Tagged { tag: 'a', count: 1 });
    tagged.set_count(2).unwrap();
    tagged.update(|t| t.tag = 'b').unwrap();
    assert_eq!(tagged.with(|t| t.label()), "tagged x2");
    assert_eq!(tagged.tag(), 'b');
}
