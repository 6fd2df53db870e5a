//! A generated id whose `Option` type arrives through a `macro_rules!` `$t:ty` (an invisible
//! group around the type) is read like one written in place.
use reactive::prelude::*;

macro_rules! entity_with_id {
    ($name:ident, $id:ty) => {
        #[derive(Reactive, Clone, Debug)]
        #[entity("things")]
        struct $name {
            #[reactive(id, generated)]
            id: $id,
            label: String,
        }
    };
}

entity_with_id!(Thing, Option<u64>);

fn main() {
    let thing = Model::draft(Thing {
        id: None,
        label: "first".into(),
    });
    let id: Option<u64> = thing.with(|t| t.id());
    assert_eq!(id, None);
    assert!(<Thing as reactive::Entity>::ID_GENERATED);
}
