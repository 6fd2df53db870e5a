//! Listing through the registry: a provider's page of values as registered live models (what
//! collections load).

use crate::entity::Entity;
use crate::error::Error;
use crate::model::Model;
use crate::query::{Page, Query, Queryable};

use super::Registry;

impl Registry {
    /// One page of `query` from the provider of `T`, as registered models (a live id keeps
    /// its model and its state; entity hooks and plugins observe each loaded item).
    pub async fn list<T: Entity + Queryable>(
        &self,
        query: &Query<T>,
    ) -> Result<Page<Model<T>>, Error> {
        let page = self.provider_of::<T>()?.list(query).await?;
        self.adopt_page(page).await
    }

    /// A page of stored values as registered models: the entity's hooks and plugins observe
    /// each item, then the page joins the registry in one pass.
    pub(crate) async fn adopt_page<T: Entity>(
        &self,
        page: Page<T>,
    ) -> Result<Page<Model<T>>, Error> {
        let chain = self.chain::<T>();
        if !chain.is_empty() {
            for value in &page.items {
                if let Some(id) = value.id() {
                    chain.after_load(&id, Some(value)).await;
                }
            }
        }
        Ok(Page {
            items: self
                .adopt_all(&self.entity_set::<T>(), page.items)
                .into_iter()
                .map(|adopted| adopted.model)
                .collect(),
            next: page.next,
            total: page.total,
        })
    }
}
