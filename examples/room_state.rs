//! WebSocket state management: the seed's `Room` and `RoomManager`.
//!
//! Every room broadcasts its state to its clients from one `on_change` listener, once per
//! batch. Joining a locked room is refused by the domain method through `try_update`: the
//! room is as before and nothing is broadcast.
//!
//! Run it with `cargo run --example room_state`.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use reactive::prelude::*;

/// A chat room's shared state.
#[derive(Reactive, Clone, Debug, Serialize, Deserialize)]
pub struct Room {
    pub id: String,
    pub name: String,
    pub participants: Vec<String>,
    pub is_locked: bool,
}

/// Why a room refused a request.
#[derive(Debug)]
pub enum RoomError {
    /// The room is locked: nobody may join.
    Locked { room: String },
    /// The live model refused the write.
    Model(Error),
}

impl fmt::Display for RoomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoomError::Locked { room } => write!(f, "room `{room}` is locked"),
            RoomError::Model(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RoomError {}

/// `try_update` returns the closure's error type, which must absorb the model's own errors.
impl From<Error> for RoomError {
    fn from(e: Error) -> Self {
        RoomError::Model(e)
    }
}

impl Room {
    /// Domain logic, plain Rust: a locked room refuses newcomers; joining twice is a no-op.
    pub fn join(&mut self, user: &str) -> Result<(), RoomError> {
        if self.is_locked {
            return Err(RoomError::Locked {
                room: self.id.clone(),
            });
        }
        if !self.participants.iter().any(|p| p == user) {
            self.participants.push(user.to_string());
        }
        Ok(())
    }

    /// Removes `user` if present.
    pub fn leave(&mut self, user: &str) {
        self.participants.retain(|p| p != user);
    }
}

/// A message as a socket would send it to the room's clients.
#[derive(Clone, Debug, Serialize)]
pub struct Broadcast {
    pub to: String,
    pub event: &'static str,
    pub changed: Vec<&'static str>,
    pub state: serde_json::Value,
}

/// Owns the live rooms and broadcasts their changes.
#[derive(Default)]
pub struct RoomManager {
    rooms: HashMap<String, Model<Room>>,
    /// What was "sent", in order (stands for the socket server).
    sent: Arc<Mutex<Vec<Broadcast>>>,
}

impl RoomManager {
    /// Creates a room whose every change is broadcast to its clients.
    pub fn create_room(&mut self, id: &str, name: &str) -> Model<Room> {
        let room = Model::new(Room {
            id: id.to_string(),
            name: name.to_string(),
            participants: Vec::new(),
            is_locked: false,
        });
        let sent = self.sent.clone();
        // Detached: the listener lives as long as the room.
        room.on_change(move |room: &Model<Room>, changes| {
            let message = Broadcast {
                to: room.id(),
                event: "room:update",
                changed: changes.names().collect(),
                state: serde_json::to_value(room).unwrap_or_default(),
            };
            println!(
                "  -> {}",
                serde_json::to_string(&message).unwrap_or_default()
            );
            sent.lock().expect("outbox lock").push(message);
        })
        .detach();
        self.rooms.insert(id.to_string(), room.clone());
        room
    }

    /// The live room, if it exists.
    pub fn room(&self, id: &str) -> Option<&Model<Room>> {
        self.rooms.get(id)
    }

    /// How many messages were sent so far.
    pub fn sent(&self) -> usize {
        self.sent.lock().expect("outbox lock").len()
    }
}

fn main() -> Result<(), RoomError> {
    let mut manager = RoomManager::default();
    manager.create_room("r1", "Rust Hour");
    let room = manager.room("r1").expect("just created").clone();

    println!("ada and grace join:");
    room.try_update(|r| r.join("ada"))?;
    room.try_update(|r| r.join("grace"))?;
    assert_eq!(manager.sent(), 2);

    println!("joining twice changes nothing, so nothing is sent:");
    room.try_update(|r| r.join("ada"))?;
    assert_eq!(manager.sent(), 2);

    println!("the host renames and locks the room in one batch (one message):");
    room.batch(|b| {
        b.set_name("Rust Hour (full)")?;
        b.set_is_locked(true)
    })?;
    assert_eq!(manager.sent(), 3);

    println!("linus tries to join the locked room:");
    match room.try_update(|r| r.join("linus")) {
        Err(e @ RoomError::Locked { .. }) => println!("  refused: {e}"),
        other => panic!("a locked room must refuse a join, got {other:?}"),
    }
    assert_eq!(manager.sent(), 3, "a refused join broadcasts nothing");
    assert_eq!(room.participants(), ["ada", "grace"]);

    println!("grace leaves:");
    room.update(|r| r.leave("grace"))?;
    assert_eq!(manager.sent(), 4);
    assert_eq!(room.participants(), ["ada"]);

    let last = manager.sent.lock().expect("outbox lock").last().cloned();
    let last = last.expect("messages were sent");
    assert_eq!(last.changed, ["participants"]);
    assert_eq!(last.state["participants"], serde_json::json!(["ada"]));
    println!("{} messages sent", manager.sent());
    Ok(())
}
